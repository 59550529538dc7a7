import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Hystrix: health snapshots, volume and error percentage, single test request")
struct HystrixPolicyTests {
    static func breaker(_ parameters: [String: String] = [:]) throws -> CircuitBreaker {
        CircuitBreaker(.hystrix(try HystrixPolicy(parameters: parameters)))
    }

    @Test("failures open the breaker only at the next health snapshot, dated there")
    func snapshotDelaysTheOpen() throws {
        var b = try Self.breaker()
        #expect(b.calls(20, .failure, at: ms(100)) == 20)
        #expect(b.calls(30, .failure, at: ms(499)) == 30, "still CLOSED until the snapshot at 500 ms")
        #expect(b.permitsCall(at: ms(500)) == false, "the snapshot at 500 ms is taken before a call at that instant")
        #expect(b.transitions == [BreakerTransition(from: .closed, to: .open, at: ms(500), reason: .errorPercentageThresholdReached)])
    }

    @Test("a call exactly on a bucket boundary belongs to the next bucket")
    func boundaryCallGoesToTheNextBucket() throws {
        var b = try Self.breaker()
        b.calls(20, .failure, at: ms(500))
        b.advance(to: justBefore(ms(1_000)))
        #expect(b.state == .closed)
        b.advance(to: ms(1_000))
        #expect(b.state == .open)
    }

    @Test("volume exactly at circuitBreakerRequestVolumeThreshold counts; one below does not")
    func volumeThreshold() throws {
        var at = try Self.breaker()
        at.calls(10, .success, at: ms(100))
        at.calls(10, .failure, at: ms(100)) // 20 calls, 50 %
        at.advance(to: ms(500))
        #expect(at.state == .open)

        var below = try Self.breaker()
        below.calls(19, .failure, at: ms(100))
        below.advance(to: sec(10))
        #expect(below.state == .closed)
    }

    @Test("the error percentage is truncated to a whole number before the ≥ comparison")
    func truncatedPercentage() throws {
        var b = try Self.breaker(["circuitBreakerErrorThresholdPercentage": "34"])
        b.calls(14, .success, at: ms(100))
        b.calls(7, .failure, at: ms(100)) // 33.3 % → 33 < 34
        b.advance(to: ms(500))
        #expect(b.state == .closed)
        #expect(HystrixMachine.errorPercentage(errors: 7, total: 21) == 33)
        #expect(HystrixMachine.errorPercentage(errors: 9, total: 20) == 45)
    }

    @Test("the window holds metricsRollingStatisticalWindowInMilliseconds of completed buckets")
    func rollingWindow() throws {
        var b = try Self.breaker()
        b.calls(10, .failure, at: ms(100))  // bucket [0, 500)
        b.calls(10, .failure, at: ms(9_999)) // bucket [9500, 10000): window at 10000 = [0, 10000) → 20 failures
        b.advance(to: ms(10_000))
        #expect(b.state == .open)

        var c = try Self.breaker()
        c.calls(10, .failure, at: ms(100))
        c.calls(10, .failure, at: ms(10_000)) // bucket [10000, 10500); at 10500 the window is [500, 10500)
        c.advance(to: ms(10_500))
        #expect(c.state == .closed)
    }

    @Test("the test request goes strictly after the sleep window; only one is admitted")
    func singleTestRequest() throws {
        var b = try Self.breaker()
        b.calls(20, .failure, at: ms(100)) // opens at 500
        #expect(b.permitsCall(at: ms(5_500)) == false)
        #expect(b.permitsCall(at: justAfter(ms(5_500))) == true)
        #expect(b.state == .halfOpen)
        #expect(b.permitsCall(at: sec(60)) == false, "every other call is rejected while the test is out")
    }

    @Test("the test's success closes and resets the counts; its failure reopens and restarts the sleep window")
    func testOutcome() throws {
        var b = try Self.breaker()
        b.calls(20, .failure, at: ms(100))
        b.call(.success, at: sec(6))
        #expect(b.state == .closed)
        #expect(b.lastTransition?.reason == .testRequestSucceeded)
        b.calls(19, .failure, at: ms(6_100)) // a fresh window: 19 < 20
        b.advance(to: ms(6_500))
        #expect(b.state == .closed, "buckets restart at the close (6000): snapshot at 6500 sees 19")
        b.call(.failure, at: ms(6_600))
        b.advance(to: ms(7_000))
        #expect(b.state == .open)

        var c = try Self.breaker()
        c.calls(20, .failure, at: ms(100))
        c.call(.failure, at: sec(6))
        #expect(c.state == .open)
        #expect(c.permitsCall(at: sec(11)) == false)
        #expect(c.permitsCall(at: justAfter(sec(11))) == true)
    }

    @Test("an ignored (bad request) test reopens the breaker but is never counted")
    func badRequest() throws {
        var b = try Self.breaker()
        b.calls(20, .failure, at: ms(100))
        b.call(.ignored, at: sec(6))
        #expect(b.state == .open)
        #expect(b.lastTransition?.reason == .testRequestFailed)

        var c = try Self.breaker()
        c.calls(100, .ignored, at: ms(100))
        c.advance(to: sec(5))
        #expect(c.state == .closed)
    }

    @Test("with the execution timeout, a success longer than executionTimeoutInMilliseconds is an error")
    func executionTimeout() throws {
        var slow = try Self.breaker()
        slow.calls(20, .success, at: ms(100), duration: SimDuration(nanoseconds: 1_000_000_001))
        slow.advance(to: ms(500))
        #expect(slow.state == .open)

        var exact = try Self.breaker()
        exact.calls(20, .success, at: ms(100), duration: .seconds(1))
        exact.advance(to: ms(500))
        #expect(exact.state == .closed)

        var disabled = try Self.breaker(["executionTimeoutEnabled": "false"])
        disabled.calls(20, .success, at: ms(100), duration: .seconds(5))
        disabled.advance(to: ms(500))
        #expect(disabled.state == .closed)
    }

    @Test("millisecond keys take numbers or durations; the window must divide into its buckets")
    func parameters() throws {
        let policy = try HystrixPolicy(parameters: ["circuitBreakerSleepWindowInMilliseconds": "2s",
                                                    "metricsHealthSnapshotIntervalInMilliseconds": "250"])
        #expect(policy.circuitBreakerSleepWindowInMilliseconds == 2_000)
        #expect(policy.healthBucketCount == 40)
        #expect(throws: BreakerConfigurationError.self) {
            try HystrixPolicy(parameters: ["metricsRollingStatisticalWindowBuckets": "7"])
        }
        #expect(throws: BreakerConfigurationError.self) {
            try HystrixPolicy(parameters: ["circuitBreakerSleepWindowInMilliseconds": "1.5ms"])
        }
        #expect(throws: BreakerConfigurationError.self) {
            try HystrixPolicy(parameters: ["circuitBreakerErrorThresholdPercentage": "101"])
        }
    }
}
