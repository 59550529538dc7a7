import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Reference policy: the contract's rule, with ReferenceBreaker's boundaries")
struct ReferencePolicyTests {
    static func breaker(failureThreshold: Int = 3, successThreshold: Int = 2, resetTimeout: SimDuration = .seconds(30),
                        monitorWindow: SimDuration = .seconds(10), halfOpenMaxCalls: Int = 1) throws -> CircuitBreaker {
        CircuitBreaker(.reference(try ReferencePolicy(failureThreshold: failureThreshold, successThreshold: successThreshold,
                                                     resetTimeout: resetTimeout, monitorWindow: monitorWindow,
                                                     halfOpenMaxCalls: halfOpenMaxCalls)))
    }

    @Test("opens on the failure that makes the count reach failureThreshold, window start included")
    func opensAtThresholdWithWindowStartIncluded() throws {
        var b = try Self.breaker()
        b.call(.failure, at: sec(0))
        b.call(.failure, at: sec(5))
        #expect(b.state == .closed)
        b.call(.failure, at: sec(10)) // 10 − 0 = monitorWindow: the first failure still counts
        #expect(b.state == .open)
        #expect(b.transitions == [BreakerTransition(from: .closed, to: .open, at: sec(10), reason: .failureThresholdReached)])
    }

    @Test("a failure one nanosecond older than the window no longer counts")
    func failureJustOutsideTheWindow() throws {
        var b = try Self.breaker()
        b.call(.failure, at: sec(0))
        b.call(.failure, at: sec(5))
        b.call(.failure, at: justAfter(sec(10)))
        #expect(b.state == .closed)
        b.call(.failure, at: sec(11)) // 5, 10+, 11: three within 10 s
        #expect(b.state == .open)
    }

    @Test("successes neither open the breaker nor clear the window")
    func successesDoNotClear() throws {
        var b = try Self.breaker()
        b.call(.failure, at: sec(1))
        b.calls(50, .success, at: sec(2))
        b.call(.failure, at: sec(3))
        #expect(b.state == .closed)
        b.call(.failure, at: sec(4))
        #expect(b.state == .open)
    }

    @Test("OPEN moves to HALF_OPEN at, not after, openedAt + resetTimeout, dated at the reset instant")
    func halfOpenAtTheResetInstant() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(10))
        #expect(b.permitsCall(at: justBefore(sec(40))) == false)
        #expect(b.state == .open)
        #expect(b.permitsCall(at: sec(40)) == true)
        #expect(b.state == .halfOpen)
        #expect(b.lastTransition == BreakerTransition(from: .open, to: .halfOpen, at: sec(40), reason: .resetTimeoutElapsed))

        var late = try Self.breaker()
        late.calls(3, .failure, at: sec(10))
        #expect(late.permitsCall(at: sec(95)) == true)
        #expect(late.lastTransition?.at == sec(40), "dated at the reset instant, not at the call that revealed it")
    }

    @Test("HALF_OPEN admits halfOpenMaxCalls trials and rejects the rest")
    func trialsBeyondTheLimitAreRejected() throws {
        var b = try Self.breaker(halfOpenMaxCalls: 2)
        b.calls(3, .failure, at: sec(0))
        #expect(b.permitsCall(at: sec(30)) == true)
        #expect(b.permitsCall(at: sec(30)) == true)
        #expect(b.permitsCall(at: sec(30)) == false)
        b.record(.success, at: sec(31)) // a slot frees up
        #expect(b.permitsCall(at: sec(31)) == true)
        #expect(b.state == .halfOpen)
    }

    @Test("successThreshold consecutive trial successes close it with an empty window")
    func trialSuccessesClose() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(0))
        #expect(b.call(.success, at: sec(30)) == true)
        #expect(b.state == .halfOpen)
        #expect(b.call(.success, at: sec(31)) == true)
        #expect(b.state == .closed)
        #expect(b.lastTransition?.reason == .trialSuccessesReached)
        b.calls(2, .failure, at: sec(32)) // the old failures were forgotten
        #expect(b.state == .closed)
        b.call(.failure, at: sec(33))
        #expect(b.state == .open)
    }

    @Test("a trial failure reopens at once and restarts resetTimeout")
    func trialFailureReopens() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(0))
        b.call(.success, at: sec(30))
        b.call(.failure, at: sec(35))
        #expect(b.state == .open)
        #expect(b.permitsCall(at: justBefore(sec(65))) == false)
        #expect(b.permitsCall(at: sec(65)) == true)
        #expect(b.path == [.closed, .open, .halfOpen, .open, .halfOpen])
    }

    @Test("an ignored trial frees its slot without counting; an attempt holds it")
    func ignoredAndHeldTrials() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(0))
        #expect(b.call(.ignored, at: sec(30)) == true)
        #expect(b.state == .halfOpen)
        #expect(b.permitsCall(at: sec(31)) == true) // slot was freed; this one never completes (an attempt)
        #expect(b.permitsCall(at: sec(500)) == false)
        #expect(b.state == .halfOpen)
    }

    @Test("an outcome recorded while OPEN changes nothing")
    func outcomeWhileOpen() throws {
        var b = try Self.breaker()
        b.calls(3, .failure, at: sec(0))
        b.record(.success, at: sec(1))
        b.record(.failure, at: sec(2))
        #expect(b.state == .open)
        #expect(b.permitsCall(at: sec(30)) == true)
    }

    @Test("parameters: validated with the parameter's name, defaults from the reference model")
    func parameters() throws {
        let defaults = try ReferencePolicy(parameters: [:])
        #expect(defaults.failureThreshold == 5 && defaults.successThreshold == 2 && defaults.halfOpenMaxCalls == 1)
        #expect(defaults.resetTimeout == .seconds(30) && defaults.monitorWindow == .seconds(60))
        #expect(throws: BreakerConfigurationError.outOfRange(parameter: "successThreshold", value: "0", expected: "at least 1")) {
            try ReferencePolicy(parameters: ["successThreshold": "0"])
        }
        let set = try ReferencePolicy(parameters: ["resetTimeout": "1m30s", "monitorWindow": "250ms"])
        #expect(set.resetTimeout == .seconds(90) && set.monitorWindow == .milliseconds(250))
    }
}
