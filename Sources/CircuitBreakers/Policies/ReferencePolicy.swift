import SimulationCore

/// The reference architecture's policy (contract §3): `{failureThreshold, successThreshold,
/// resetTimeout, monitorWindow}` plus `halfOpenMaxCalls`.
///
/// It is the same rule, with the same boundaries, as `ReferenceBreaker` in the failover model
/// (`Sources/FailoverModel/CircuitBreaker.swift`), so one can replace the other:
///
/// - **CLOSED** counts failures whose time is within the last `monitorWindow`, the window's start
///   included: a failure at exactly `now − monitorWindow` still counts. The failure that makes the
///   count reach `failureThreshold` opens the breaker (≥, not >), dated at that failure. Successes
///   never open it and do not clear the window.
/// - **OPEN** rejects every call. The first call at or after `openedAt + resetTimeout` (at, not
///   strictly after) moves it to HALF_OPEN; the move is evaluated on that call but dated at the
///   reset instant `openedAt + resetTimeout`. That call is the first trial.
/// - **HALF_OPEN** admits at most `halfOpenMaxCalls` trials at once and rejects the rest.
///   `successThreshold` consecutive trial successes close it, with an empty failure window; any
///   trial failure reopens it at once, restarting `resetTimeout`.
/// - An outcome recorded while OPEN (a call permitted before the breaker opened) changes nothing.
///
/// What the reference leaves open, chosen here: an `ignored` outcome counts as neither success nor
/// failure; in HALF_OPEN it frees its trial slot (the call is over) without adding to the
/// consecutive successes. An `attempt` in a trace (a call that never completes) holds its trial
/// slot for good, so with `halfOpenMaxCalls = 1` the breaker stays HALF_OPEN and rejects the rest.
/// Call durations are not used: a call over its deadline is reported by the caller as a failure.
///
/// Defaults are the reference model's database breaker (`models/esta-tracker.yaml`): 5 failures in
/// 60 s, 30 s reset, 2 successes, 1 trial at a time.
public struct ReferencePolicy: Sendable, Equatable {
    /// Failures within `monitorWindow` that open the breaker (≥ 1).
    public private(set) var failureThreshold: Int
    /// Consecutive trial successes that close it (≥ 1).
    public private(set) var successThreshold: Int
    /// Time in OPEN before the first trial (≥ 0).
    public private(set) var resetTimeout: SimDuration
    /// The sliding window failures are counted in (> 0).
    public private(set) var monitorWindow: SimDuration
    /// Trials admitted at once in HALF_OPEN (≥ 1).
    public private(set) var halfOpenMaxCalls: Int

    public static let parameterNames = ["failureThreshold", "successThreshold", "resetTimeout", "monitorWindow", "halfOpenMaxCalls"]

    public init(failureThreshold: Int = 5, successThreshold: Int = 2, resetTimeout: SimDuration = .seconds(30),
                monitorWindow: SimDuration = .seconds(60), halfOpenMaxCalls: Int = 1) throws(BreakerConfigurationError) {
        guard failureThreshold >= 1 else {
            throw .outOfRange(parameter: "failureThreshold", value: String(failureThreshold), expected: "at least 1")
        }
        guard successThreshold >= 1 else {
            throw .outOfRange(parameter: "successThreshold", value: String(successThreshold), expected: "at least 1")
        }
        guard resetTimeout >= .zero else {
            throw .outOfRange(parameter: "resetTimeout", value: resetTimeout.description, expected: "zero or more")
        }
        guard monitorWindow > .zero else {
            throw .outOfRange(parameter: "monitorWindow", value: monitorWindow.description, expected: "longer than zero")
        }
        guard halfOpenMaxCalls >= 1 else {
            throw .outOfRange(parameter: "halfOpenMaxCalls", value: String(halfOpenMaxCalls), expected: "at least 1")
        }
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.resetTimeout = resetTimeout
        self.monitorWindow = monitorWindow
        self.halfOpenMaxCalls = halfOpenMaxCalls
    }

    /// From text parameters with the names above; missing ones take their defaults.
    public init(parameters: [String: String]) throws(BreakerConfigurationError) {
        let reader = try ParameterReader(policy: .reference, values: parameters)
        try self.init(failureThreshold: reader.integer("failureThreshold", default: 5),
                      successThreshold: reader.integer("successThreshold", default: 2),
                      resetTimeout: reader.duration("resetTimeout", default: .seconds(30)),
                      monitorWindow: reader.duration("monitorWindow", default: .seconds(60)),
                      halfOpenMaxCalls: reader.integer("halfOpenMaxCalls", default: 1))
    }

    /// Every parameter with its value, in the order of ``parameterNames``.
    public var parameterValues: [(name: String, value: String)] {
        [("failureThreshold", String(failureThreshold)), ("successThreshold", String(successThreshold)),
         ("resetTimeout", resetTimeout.description), ("monitorWindow", monitorWindow.description),
         ("halfOpenMaxCalls", String(halfOpenMaxCalls))]
    }
}

/// The reference policy's moving parts. Failure times sit in a ring of up to `failureThreshold`
/// slots: only the last `failureThreshold` failures can decide, and they are all in the window
/// exactly when the oldest of them is. The ring grows as failures come, so its size is that of
/// the failures recorded since the breaker last closed, never more: a `failureThreshold` of 10⁸
/// costs nothing until 10⁸ failures have happened.
struct ReferenceMachine: Sendable {
    let policy: ReferencePolicy
    var openedAt: SimTime = .zero
    var failureTimes: [SimTime]
    var failureCursor = 0
    var failuresRecorded = 0
    var trialsInFlight = 0
    var trialSuccesses = 0

    init(policy: ReferencePolicy) {
        self.policy = policy
        failureTimes = []
    }

    mutating func permitsCall(at now: SimTime, recorder: inout TransitionRecorder) -> Bool {
        switch recorder.state {
        case .closed:
            return true
        case .open:
            let resetAt = openedAt.adding(policy.resetTimeout) ?? .distantFuture
            guard now >= resetAt else { return false }
            trialsInFlight = 0
            trialSuccesses = 0
            recorder.move(to: .halfOpen, at: resetAt, because: .resetTimeoutElapsed)
            return admitTrial()
        case .halfOpen:
            return admitTrial()
        }
    }

    private mutating func admitTrial() -> Bool {
        guard trialsInFlight < policy.halfOpenMaxCalls else { return false }
        trialsInFlight += 1
        return true
    }

    mutating func record(_ outcome: CallOutcome, at now: SimTime, recorder: inout TransitionRecorder) {
        switch recorder.state {
        case .closed:
            guard outcome == .failure else { return }
            if failureTimes.count < policy.failureThreshold {
                // Filling: the oldest is the first; once full, the cursor wraps to it.
                failureTimes.append(now)
                failureCursor = failureTimes.count == policy.failureThreshold ? 0 : failureTimes.count
            } else {
                failureTimes[failureCursor] = now
                failureCursor += 1
                if failureCursor == failureTimes.count { failureCursor = 0 }
            }
            failuresRecorded += 1
            guard failuresRecorded >= policy.failureThreshold else { return }
            // The oldest of the last `failureThreshold` failures sits at the cursor.
            let oldest = failureTimes[failureCursor]
            guard now - oldest <= policy.monitorWindow else { return }
            open(at: now, because: .failureThresholdReached, recorder: &recorder)
        case .open:
            return
        case .halfOpen:
            trialsInFlight = max(0, trialsInFlight - 1)
            switch outcome {
            case .ignored:
                return
            case .success:
                trialSuccesses += 1
                guard trialSuccesses >= policy.successThreshold else { return }
                failuresRecorded = 0
                failureCursor = 0
                failureTimes.removeAll(keepingCapacity: true)
                recorder.move(to: .closed, at: now, because: .trialSuccessesReached)
            case .failure:
                open(at: now, because: .trialFailed, recorder: &recorder)
            }
        }
    }

    private mutating func open(at now: SimTime, because reason: TransitionReason, recorder: inout TransitionRecorder) {
        openedAt = now
        trialsInFlight = 0
        trialSuccesses = 0
        recorder.move(to: .open, at: now, because: reason)
    }
}
