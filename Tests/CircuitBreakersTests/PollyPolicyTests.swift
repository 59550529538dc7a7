import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Polly: failure ratio over a sampling duration, evaluated on failures, one trial")
struct PollyPolicyTests {
    static func breaker(_ parameters: [String: String] = [:]) throws -> CircuitBreaker {
        CircuitBreaker(.polly(try PollyPolicy(parameters: parameters)))
    }

    static let small = ["MinimumThroughput": "4", "FailureRatio": "0.5", "SamplingDuration": "10s", "BreakDuration": "5s"]

    @Test("a success never opens it, even with the ratio over the threshold; the next failure does")
    func evaluatedOnFailuresOnly() throws {
        var b = try Self.breaker(Self.small)
        b.call(.failure, at: sec(1))
        b.call(.failure, at: sec(1))
        b.call(.failure, at: sec(1)) // 3 calls: below the minimum throughput
        b.call(.success, at: sec(1)) // 4 calls, 75 %: but a success is not evaluated
        #expect(b.state == .closed)
        b.call(.success, at: sec(1)) // 5 calls, 60 %
        #expect(b.state == .closed)
        b.call(.failure, at: sec(1)) // 6 calls, 4 failed: 67 %
        #expect(b.state == .open)
        #expect(b.lastTransition?.reason == .failureRatioReached)
    }

    @Test("exactly at FailureRatio opens (≥)")
    func exactlyAtTheRatio() throws {
        var b = try Self.breaker(Self.small)
        b.call(.success, at: sec(1))
        b.call(.failure, at: sec(1))
        b.call(.success, at: sec(1))
        b.call(.failure, at: sec(1)) // 2 of 4 = 0.5
        #expect(b.state == .open)
    }

    @Test("OPEN admits the trial at openedAt + BreakDuration exactly (≥), one trial only")
    func breakDuration() throws {
        var b = try Self.breaker(Self.small)
        b.calls(4, .failure, at: sec(1))
        #expect(b.permitsCall(at: justBefore(sec(6))) == false)
        #expect(b.permitsCall(at: sec(6)) == true)
        #expect(b.lastTransition == BreakerTransition(from: .open, to: .halfOpen, at: sec(6), reason: .breakDurationElapsed))
        #expect(b.permitsCall(at: sec(6)) == false)
        #expect(b.permitsCall(at: sec(60)) == false, "v8: no second trial while the first is out")
    }

    @Test("the trial's success closes and resets the counts; its failure breaks again")
    func trialOutcome() throws {
        var b = try Self.breaker(Self.small)
        b.calls(4, .failure, at: sec(1))
        b.call(.success, at: sec(6))
        #expect(b.state == .closed)
        b.calls(3, .failure, at: sec(7))
        #expect(b.state == .closed, "the earlier failures were reset")

        var c = try Self.breaker(Self.small)
        c.calls(4, .failure, at: sec(1))
        c.call(.failure, at: sec(6))
        #expect(c.state == .open)
        #expect(c.permitsCall(at: justBefore(sec(11))) == false)
        #expect(c.permitsCall(at: sec(11)) == true)
    }

    @Test("a sub-window leaves the sample when now − its start ≥ SamplingDuration")
    func subWindowExpiry() throws {
        var b = try Self.breaker(Self.small)
        b.calls(3, .failure, at: sec(0)) // sub-window started at 0
        b.call(.failure, at: justBefore(sec(10))) // still in: 4 of 4
        #expect(b.state == .open)

        var c = try Self.breaker(Self.small)
        c.calls(3, .failure, at: sec(0))
        c.call(.failure, at: sec(10)) // the sub-window of 0 has left: 1 call
        #expect(c.state == .closed)
    }

    @Test("sub-windows start at the first call after the current one is SamplingDuration/10 old")
    func subWindowsFollowCalls() throws {
        var b = try Self.breaker(Self.small)
        b.calls(3, .failure, at: ms(500))  // sub-window from 0.5 s
        b.call(.success, at: ms(1_400))     // same sub-window (0.9 s old < 1 s)
        b.call(.success, at: ms(1_500))     // new sub-window from 1.5 s
        b.call(.failure, at: ms(10_499))    // 0.5 s window still in: 6 calls, 4 failed
        #expect(b.state == .open)

        var c = try Self.breaker(Self.small)
        c.calls(3, .failure, at: ms(500))
        c.call(.success, at: ms(1_400))
        c.call(.success, at: ms(1_500))
        c.call(.failure, at: ms(10_500))    // the 0.5 s sub-window (3 F, 1 S) has left: 2 calls
        #expect(c.state == .closed)
    }

    @Test("an ignored outcome is a success (Polly has no ignored category)")
    func ignoredIsSuccess() throws {
        var b = try Self.breaker(Self.small)
        b.calls(4, .failure, at: sec(1))
        b.call(.ignored, at: sec(6))
        #expect(b.state == .closed)
    }

    @Test("Polly's validation limits")
    func parameters() throws {
        #expect(throws: BreakerConfigurationError.self) { try PollyPolicy(parameters: ["MinimumThroughput": "1"]) }
        #expect(throws: BreakerConfigurationError.self) { try PollyPolicy(parameters: ["FailureRatio": "0"]) }
        #expect(throws: BreakerConfigurationError.self) { try PollyPolicy(parameters: ["SamplingDuration": "499ms"]) }
        #expect(throws: BreakerConfigurationError.self) { try PollyPolicy(parameters: ["BreakDuration": "2d"]) }
        let policy = try PollyPolicy(parameters: ["SamplingDuration": "1.000000999s"])
        #expect(policy.subWindowDuration == .nanoseconds(100_000_000), "a tenth, in whole 100 ns ticks")
        #expect(try PollyPolicy(parameters: [:]) == (try PollyPolicy(failureRatio: 0.1, minimumThroughput: 100,
                                                                       samplingDuration: .seconds(30), breakDuration: .seconds(5))))
    }
}
