import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Consecutive failures: Envoy outlier detection for one host")
struct ConsecutiveFailuresPolicyTests {
    static func breaker(consecutive5xx: Int = 3, interval: SimDuration = .seconds(10), base: SimDuration = .seconds(30),
                        max: SimDuration? = nil) throws -> CircuitBreaker {
        CircuitBreaker(.consecutive(try ConsecutiveFailuresPolicy(consecutive5xx: consecutive5xx, interval: interval,
                                                                  baseEjectionTime: base, maxEjectionTime: max)))
    }

    @Test("the failure that makes the run equal consecutive_5xx ejects; a success in between resets the run")
    func consecutiveRun() throws {
        var b = try Self.breaker()
        b.call(.failure, at: sec(1))
        b.call(.failure, at: sec(1))
        b.call(.success, at: sec(1))
        b.call(.failure, at: sec(2))
        b.call(.failure, at: sec(2))
        #expect(b.state == .closed)
        b.call(.ignored, at: sec(2)) // not reported to the detector: the run goes on
        b.call(.failure, at: sec(2))
        #expect(b.state == .open)
        #expect(b.lastTransition == BreakerTransition(from: .closed, to: .open, at: sec(2), reason: .consecutiveFailuresReached))
    }

    @Test("return to service only at an interval sweep, the first one at or after the ejection's end")
    func returnAtSweep() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(12)) // ejected until 42; sweeps at 10, 20, … → back at 50
        #expect(b.permitsCall(at: sec(42)) == false)
        #expect(b.permitsCall(at: justBefore(sec(50))) == false)
        #expect(b.permitsCall(at: sec(50)) == true)
        #expect(b.lastTransition == BreakerTransition(from: .open, to: .closed, at: sec(50), reason: .ejectionTimeElapsed))
    }

    @Test("a sweep exactly at the ejection's end returns the host (≥)")
    func sweepExactlyAtTheEnd() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(10)) // the sweep at 10 ran before these calls
        #expect(b.permitsCall(at: justBefore(sec(40))) == false)
        #expect(b.permitsCall(at: sec(40)) == true)
        #expect(b.lastTransition?.at == sec(40))
    }

    @Test("no trial phase: a returned host gets full traffic and needs a fresh run to be ejected again")
    func noHalfOpen() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(10))
        #expect(b.calls(5, .success, at: sec(40)) == 5)
        b.calls(2, .failure, at: sec(41))
        #expect(b.state == .closed)
        #expect(!b.path.contains(.halfOpen))
    }

    @Test("each ejection in a row lasts base_ejection_time times the number of ejections")
    func growingEjectionTime() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(10))  // 1st: 30 s → back at 40
        #expect(b.permitsCall(at: sec(40)) == true)
        b.calls(3, .failure, at: sec(40))  // 2nd, before any healthy sweep: 60 s → back at 100
        #expect(b.permitsCall(at: justBefore(sec(100))) == false)
        #expect(b.permitsCall(at: sec(100)) == true)
        b.calls(3, .failure, at: sec(100)) // 3rd: 90 s → back at 190
        #expect(b.permitsCall(at: sec(180)) == false)
        #expect(b.permitsCall(at: sec(190)) == true)
    }

    @Test("healthy sweeps decrease the multiplier by one each (Envoy's decrement rule)")
    func decrementRule() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(10))  // multiplier 1, back at 40 (that sweep does not decrement)
        b.calls(3, .failure, at: sec(40))  // multiplier 2, back at 100
        #expect(b.permitsCall(at: sec(100)) == true)
        // Healthy sweeps at 110 and 120 take the multiplier from 2 to 0; the next ejection is 1 × base.
        b.calls(3, .failure, at: sec(125)) // multiplier 1 → 30 s → due 155 → back at the sweep at 160
        #expect(b.permitsCall(at: sec(155)) == false)
        #expect(b.permitsCall(at: sec(160)) == true)

        var one = try Self.breaker()
        one.calls(3, .failure, at: sec(10))
        one.calls(3, .failure, at: sec(40))  // multiplier 2, back at 100
        #expect(one.permitsCall(at: sec(100)) == true)
        one.calls(3, .failure, at: sec(115)) // only the sweep at 110: multiplier 1 → 2 → 60 s → due 175 → back at 180
        #expect(one.permitsCall(at: sec(175)) == false)
        #expect(one.permitsCall(at: sec(180)) == true)
    }

    @Test("max_ejection_time caps the ejection; the multiplier stops growing past it")
    func maxEjectionTime() throws {
        var b = try Self.breaker(max: .seconds(45))
        b.calls(3, .failure, at: sec(10))  // 30 s → 40
        #expect(b.permitsCall(at: sec(40)) == true)
        b.calls(3, .failure, at: sec(40))  // min(60, 45) = 45 → due 85 → back at 90
        #expect(b.permitsCall(at: sec(80)) == false)
        #expect(b.permitsCall(at: sec(90)) == true)
        let policy = try ConsecutiveFailuresPolicy(parameters: ["base_ejection_time": "10m"])
        #expect(policy.maxEjectionTime == .minutes(10), "Envoy's default max is the larger of 300 s and the base")
        #expect(throws: BreakerConfigurationError.self) {
            try ConsecutiveFailuresPolicy(parameters: ["base_ejection_time": "30s", "max_ejection_time": "10s"])
        }
    }

    @Test("a long quiet gap is swept in one step")
    func longGap() throws {
        var b = try Self.breaker(interval: .milliseconds(1))
        b.calls(3, .failure, at: sec(0))
        #expect(b.permitsCall(at: SimTime(nanoseconds: 86_400 * 1_000_000_000)) == true)
        #expect(b.transitionCount == 2)
        #expect(b.lastTransition?.at == sec(30))
    }
}
