import Testing
import SimulationCore
@testable import CircuitBreakers

/// The contract's rule written as plainly as possible — every failure time kept, the window
/// counted afresh each time — to check the ring-buffer implementation call by call.
struct PlainReferenceRule {
    let failureThreshold: Int
    let successThreshold: Int
    let resetTimeout: Int64
    let monitorWindow: Int64
    let halfOpenMaxCalls: Int
    var state = BreakerState.closed
    var failureTimes: [Int64] = []
    var openedAt: Int64 = 0
    var trials = 0
    var trialSuccesses = 0

    mutating func permits(at now: Int64) -> Bool {
        if state == .open && now >= openedAt + resetTimeout {
            state = .halfOpen
            trials = 0
            trialSuccesses = 0
        }
        switch state {
        case .closed: return true
        case .open: return false
        case .halfOpen:
            if trials < halfOpenMaxCalls { trials += 1; return true }
            return false
        }
    }

    mutating func record(_ outcome: CallOutcome, at now: Int64) {
        switch state {
        case .closed:
            guard outcome == .failure else { return }
            failureTimes.append(now)
            let inWindow = failureTimes.filter { now - $0 <= monitorWindow }.count
            if inWindow >= failureThreshold { open(at: now) }
        case .open:
            return
        case .halfOpen:
            trials = max(0, trials - 1)
            if outcome == .success {
                trialSuccesses += 1
                if trialSuccesses >= successThreshold {
                    state = .closed
                    failureTimes = []
                }
            } else if outcome == .failure {
                open(at: now)
            }
        }
    }

    mutating func open(at now: Int64) {
        state = .open
        openedAt = now
        trials = 0
        trialSuccesses = 0
    }
}

@Suite("Reference policy agrees call by call with the plainly written rule")
struct ReferencePropertyTests {
    @Test("random sequences of calls, outcomes, holds and gaps", arguments: Array(UInt64(1)...UInt64(300)))
    func agreesWithThePlainRule(seed: UInt64) throws {
        var random = RandomStreams(seed: seed).stream(named: "reference-property")
        let failureThreshold = Int(random.nextIndex(below: 5)) + 1
        let successThreshold = Int(random.nextIndex(below: 3)) + 1
        let halfOpenMaxCalls = Int(random.nextIndex(below: 3)) + 1
        let resetTimeout = Int64(random.nextIndex(below: 4)) * 1_000_000_000
        let monitorWindow = Int64(random.nextIndex(below: 5) + 1) * 1_000_000_000
        var breaker = CircuitBreaker(.reference(try ReferencePolicy(
            failureThreshold: failureThreshold, successThreshold: successThreshold,
            resetTimeout: SimDuration(nanoseconds: resetTimeout), monitorWindow: SimDuration(nanoseconds: monitorWindow),
            halfOpenMaxCalls: halfOpenMaxCalls)))
        var rule = PlainReferenceRule(failureThreshold: failureThreshold, successThreshold: successThreshold,
                                      resetTimeout: resetTimeout, monitorWindow: monitorWindow, halfOpenMaxCalls: halfOpenMaxCalls)
        let failureShare = random.nextUniform()
        var now: Int64 = 0
        var outstanding = 0
        for step in 0..<2_000 {
            // Gaps in whole quarter seconds so boundaries (exactly at the window, exactly at the
            // reset instant) happen often.
            now += Int64(random.nextIndex(below: 5)) * 250_000_000
            let time = SimTime(nanoseconds: now)
            if outstanding > 0 && random.nextIndex(below: 3) == 0 {
                // Complete a call that was held open earlier.
                outstanding -= 1
                let outcome: CallOutcome = random.nextUniform() < failureShare ? .failure : .success
                breaker.record(outcome, at: time)
                rule.record(outcome, at: now)
            } else {
                let permitted = breaker.permitsCall(at: time)
                #expect(permitted == rule.permits(at: now), "seed \(seed), step \(step): permission at \(time)")
                if permitted {
                    let draw = random.nextIndex(below: 10)
                    if draw == 0 {
                        outstanding += 1 // completes later
                    } else {
                        let outcome: CallOutcome = draw == 1 ? .ignored : (random.nextUniform() < failureShare ? .failure : .success)
                        breaker.record(outcome, at: time)
                        rule.record(outcome, at: now)
                    }
                }
            }
            #expect(breaker.state == rule.state, "seed \(seed), step \(step): state at \(time)")
            if breaker.state != rule.state { return }
        }
    }
}
