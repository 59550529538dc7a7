import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Resilience4j: failure and slow-call rates over sliding windows")
struct Resilience4jPolicyTests {
    static func breaker(_ parameters: [String: String]) throws -> CircuitBreaker {
        CircuitBreaker(.resilience4j(try Resilience4jPolicy(parameters: parameters)))
    }

    @Test("nothing is decided below minimumNumberOfCalls, even at a 100 % failure rate")
    func minimumNumberOfCalls() throws {
        var b = try Self.breaker(["slidingWindowSize": "10", "minimumNumberOfCalls": "5"])
        b.calls(4, .failure, at: sec(1))
        #expect(b.state == .closed)
        b.call(.failure, at: sec(1))
        #expect(b.state == .open)
        #expect(b.lastTransition?.reason == .failureRateThresholdReached)
    }

    @Test("exactly at failureRateThreshold opens (≥); just below does not")
    func exactlyAtTheThreshold() throws {
        var at = try Self.breaker(["slidingWindowSize": "10", "minimumNumberOfCalls": "10", "failureRateThreshold": "50"])
        at.calls(5, .success, at: sec(1))
        at.calls(5, .failure, at: sec(1))
        #expect(at.state == .open)

        var below = try Self.breaker(["slidingWindowSize": "10", "minimumNumberOfCalls": "10", "failureRateThreshold": "50"])
        below.calls(6, .success, at: sec(1))
        below.calls(4, .failure, at: sec(1))
        #expect(below.state == .closed)
    }

    @Test("a success evaluated while the rate is at the threshold trips the breaker")
    func successTrips() throws {
        var b = try Self.breaker(["slidingWindowSize": "4", "minimumNumberOfCalls": "4", "failureRateThreshold": "50"])
        b.call(.failure, at: sec(1))
        b.call(.failure, at: sec(1))
        b.call(.success, at: sec(1))
        #expect(b.state == .closed)
        b.call(.success, at: sec(2)) // 2 of 4 failed = 50 %: evaluated on this success
        #expect(b.state == .open)
        #expect(b.lastTransition == BreakerTransition(from: .closed, to: .open, at: sec(2), reason: .failureRateThresholdReached))
    }

    @Test("COUNT_BASED caps minimumNumberOfCalls at the window size; TIME_BASED does not")
    func minimumCapping() throws {
        var count = try Self.breaker(["slidingWindowSize": "5"]) // minimum 100 → 5
        count.calls(5, .failure, at: sec(1))
        #expect(count.state == .open)

        var time = try Self.breaker(["slidingWindowType": "TIME_BASED", "slidingWindowSize": "5"])
        time.calls(99, .failure, at: sec(1))
        #expect(time.state == .closed)
        time.call(.failure, at: sec(1))
        #expect(time.state == .open)
    }

    @Test("COUNT_BASED forgets the oldest call as each new one arrives")
    func countWindowSlides() throws {
        var b = try Self.breaker(["slidingWindowSize": "4", "minimumNumberOfCalls": "4", "failureRateThreshold": "75"])
        b.call(.failure, at: sec(1))
        b.call(.failure, at: sec(1))
        b.call(.success, at: sec(1))
        b.call(.success, at: sec(1)) // F F S S: 50 %
        b.call(.failure, at: sec(1)) // F S S F: 50 %
        #expect(b.state == .closed)
        b.call(.failure, at: sec(1)) // S S F F: 50 %
        #expect(b.state == .closed)
        b.call(.failure, at: sec(1)) // S F F F: 75 %
        #expect(b.state == .open)
    }

    @Test("TIME_BASED: a call leaves the window when the clock enters its second + slidingWindowSize")
    func timeWindowExpiry() throws {
        let parameters = ["slidingWindowType": "TIME_BASED", "slidingWindowSize": "10", "minimumNumberOfCalls": "2"]
        var inside = try Self.breaker(parameters)
        inside.call(.failure, at: ms(500))
        inside.call(.failure, at: ms(9_999)) // second 9: the window is seconds 0…9
        #expect(inside.state == .open)

        var outside = try Self.breaker(parameters)
        outside.call(.failure, at: ms(500))
        outside.call(.failure, at: ms(10_000)) // second 10: second 0 has left
        #expect(outside.state == .closed)
        outside.call(.failure, at: ms(10_001))
        #expect(outside.state == .open)
    }

    @Test("slow means strictly longer than slowCallDurationThreshold; slow failures count as both")
    func slowCalls() throws {
        let parameters = ["slidingWindowSize": "2", "minimumNumberOfCalls": "2", "slowCallDurationThreshold": "1s",
                          "slowCallRateThreshold": "100"]
        var exact = try Self.breaker(parameters)
        exact.calls(2, .success, at: sec(1), duration: .seconds(1))
        #expect(exact.state == .closed)

        var slow = try Self.breaker(parameters)
        slow.calls(2, .success, at: sec(1), duration: SimDuration(nanoseconds: 1_000_000_001))
        #expect(slow.state == .open)
        #expect(slow.lastTransition?.reason == .slowCallRateThresholdReached)

        var both = try Self.breaker(parameters)
        both.calls(2, .failure, at: sec(1), duration: .seconds(2))
        #expect(both.lastTransition?.reason == .failureAndSlowCallRateThresholdsReached)
    }

    @Test("OPEN → HALF_OPEN on a request strictly after the wait; exactly at it is rejected")
    func strictlyAfterTheWait() throws {
        var b = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "10s"])
        b.call(.failure, at: sec(5))
        #expect(b.permitsCall(at: sec(15)) == false)
        #expect(b.state == .open)
        #expect(b.permitsCall(at: justAfter(sec(15))) == true)
        #expect(b.lastTransition == BreakerTransition(from: .open, to: .halfOpen, at: justAfter(sec(15)), reason: .waitDurationInOpenStateElapsed))
    }

    @Test("with the automatic transition, HALF_OPEN comes exactly at the wait's end, before a call at that instant")
    func automaticTransition() throws {
        var b = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "10s",
                                  "automaticTransitionFromOpenToHalfOpenEnabled": "true"])
        b.call(.failure, at: sec(5))
        b.advance(to: sec(20))
        #expect(b.state == .halfOpen)
        #expect(b.lastTransition?.at == sec(15))

        var c = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "10s",
                                  "automaticTransitionFromOpenToHalfOpenEnabled": "true"])
        c.call(.failure, at: sec(5))
        #expect(c.permitsCall(at: sec(15)) == true)
    }

    @Test("HALF_OPEN admits permittedNumberOfCallsInHalfOpenState and decides after all of them")
    func halfOpenPermits() throws {
        let parameters = ["slidingWindowSize": "1", "waitDurationInOpenState": "1s", "permittedNumberOfCallsInHalfOpenState": "3"]
        var b = try Self.breaker(parameters)
        b.call(.failure, at: sec(0))
        #expect(b.permitsCall(at: sec(2)) == true)
        #expect(b.permitsCall(at: sec(2)) == true)
        #expect(b.permitsCall(at: sec(2)) == true)
        #expect(b.permitsCall(at: sec(2)) == false, "a fourth probe is rejected")
        b.record(.success, at: sec(3))
        b.record(.failure, at: sec(3))
        #expect(b.state == .halfOpen, "two of three completed: below the minimum of min(100, 3)")
        b.record(.success, at: sec(3)) // 1 of 3 failed: 33 % < 50 %
        #expect(b.state == .closed)
        #expect(b.lastTransition?.reason == .halfOpenCallsBelowThresholds)

        var reopen = try Self.breaker(parameters)
        reopen.call(.failure, at: sec(0))
        reopen.calls(1, .success, at: sec(2))
        reopen.calls(2, .failure, at: sec(2)) // 2 of 3: 67 %
        #expect(reopen.state == .open)
    }

    @Test("a minimumNumberOfCalls below the permitted number decides HALF_OPEN early")
    func halfOpenEarlyDecision() throws {
        var b = try Self.breaker(["slidingWindowSize": "1", "minimumNumberOfCalls": "2", "waitDurationInOpenState": "1s",
                                  "permittedNumberOfCallsInHalfOpenState": "4"])
        b.call(.failure, at: sec(0))
        b.calls(2, .success, at: sec(2))
        #expect(b.state == .closed)
    }

    @Test("an ignored outcome in HALF_OPEN gives its permit back; ignored is never counted")
    func ignoredReleasesPermit() throws {
        var b = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "1s", "permittedNumberOfCallsInHalfOpenState": "1"])
        b.call(.failure, at: sec(0))
        #expect(b.call(.ignored, at: sec(2)) == true)
        #expect(b.state == .halfOpen)
        #expect(b.call(.success, at: sec(2)) == true)
        #expect(b.state == .closed)
        b.calls(10, .ignored, at: sec(3))
        #expect(b.state == .closed)
    }

    @Test("exponential backoff: each reopen multiplies the wait, truncated to whole ms, up to the cap")
    func exponentialBackoff() throws {
        let policy = try Resilience4jPolicy(waitDurationInOpenState: .milliseconds(1_001), enableExponentialBackoff: true,
                                            exponentialBackoffMultiplier: 1.5,
                                            exponentialMaxWaitDurationInOpenState: .seconds(3))
        #expect(policy.waitMilliseconds(attempt: 1) == 1_001)
        #expect(policy.waitMilliseconds(attempt: 2) == 1_501) // 1501.5 truncated
        #expect(policy.waitMilliseconds(attempt: 3) == 2_251) // 2251.5 truncated
        #expect(policy.waitMilliseconds(attempt: 4) == 3_000) // 3376 capped
        #expect(policy.waitMilliseconds(attempt: 1_000) == 3_000)

        var b = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "10s", "enableExponentialBackoff": "true",
                                  "exponentialBackoffMultiplier": "2", "permittedNumberOfCallsInHalfOpenState": "1"])
        b.call(.failure, at: sec(0))          // wait 10 s
        b.call(.failure, at: justAfter(sec(10))) // probe fails: wait 20 s
        #expect(b.permitsCall(at: justAfter(sec(20))) == false)
        #expect(b.permitsCall(at: sec(31)) == true)
        b.record(.success, at: sec(31))       // closes: the count restarts
        b.call(.failure, at: sec(32))          // wait 10 s again
        #expect(b.permitsCall(at: sec(43)) == true)
    }

    @Test("maxWaitDurationInHalfOpenState sends a stalled HALF_OPEN to OPEN (or CLOSED) when it runs out")
    func maxWaitInHalfOpen() throws {
        var b = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "10s", "maxWaitDurationInHalfOpenState": "5s",
                                  "permittedNumberOfCallsInHalfOpenState": "2"])
        b.call(.failure, at: sec(0))
        #expect(b.permitsCall(at: sec(11)) == true) // HALF_OPEN at 11; this probe never completes
        #expect(b.permitsCall(at: justBefore(sec(16))) == true)
        #expect(b.permitsCall(at: sec(16)) == false)
        #expect(b.state == .open)
        #expect(b.transitions.last == BreakerTransition(from: .halfOpen, to: .open, at: sec(16), reason: .maxWaitDurationInHalfOpenStateElapsed))

        var closing = try Self.breaker(["slidingWindowSize": "1", "waitDurationInOpenState": "10s", "maxWaitDurationInHalfOpenState": "5s",
                                        "transitionToStateAfterWaitDuration": "CLOSED"])
        closing.call(.failure, at: sec(0))
        #expect(closing.permitsCall(at: sec(11)) == true)
        closing.advance(to: sec(16))
        #expect(closing.state == .closed)
    }

    @Test("parameters: ranges named with the library's words, unknown names with a suggestion")
    func parameters() throws {
        #expect(throws: BreakerConfigurationError.outOfRange(parameter: "failureRateThreshold", value: "150",
                                                             expected: "a percentage greater than 0 and at most 100")) {
            try Resilience4jPolicy(parameters: ["failureRateThreshold": "150"])
        }
        do {
            _ = try Resilience4jPolicy(parameters: ["failureRate": "20"])
            Issue.record("an unknown parameter was accepted")
        } catch {
            #expect(error == .unknownParameter(name: "failureRate", policy: .resilience4j, suggestion: "failureRateThreshold"))
            #expect(error.description.contains("did you mean 'failureRateThreshold'?"))
            #expect(error.description.contains("minimumNumberOfCalls"))
        }
        #expect(throws: BreakerConfigurationError.self) { try Resilience4jPolicy(parameters: ["slidingWindowType": "SLIDING"]) }
        #expect(throws: BreakerConfigurationError.self) { try Resilience4jPolicy(parameters: ["waitDurationInOpenState": "500us"]) }
        let defaults = try Resilience4jPolicy(parameters: [:])
        #expect(defaults == (try Resilience4jPolicy()))
        #expect(defaults.failureRateThreshold == 50 && defaults.minimumNumberOfCalls == 100 && defaults.slidingWindowSize == 100)
        #expect(defaults.permittedNumberOfCallsInHalfOpenState == 10 && defaults.waitDurationInOpenState == .seconds(60))
    }
}
