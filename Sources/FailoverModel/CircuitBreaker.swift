import SimulationCore

/// A breaker's state.
public enum BreakerState: String, Sendable, CaseIterable {
    case closed = "CLOSED"
    case open = "OPEN"
    case halfOpen = "HALF_OPEN"
}

/// The reference breaker policy (contract §3): `{failureThreshold, successThreshold, resetTimeout,
/// monitorWindow}`.
///
/// Boundaries, exactly:
/// - CLOSED counts failures whose time is within the last `monitorWindow`, the window's start
///   included (a failure at `now − monitorWindow` still counts). The breaker opens on the failure
///   that makes the count reach `failureThreshold` (≥, not >). Successes never trip it and do not
///   clear the window.
/// - OPEN rejects every call. The move to HALF_OPEN happens at the first call at or after
///   `openedAt + resetTimeout` (evaluated lazily on that call; the transition is recorded at the
///   reset instant itself, `openedAt + resetTimeout`).
/// - HALF_OPEN admits at most `halfOpenMaxCalls` trial calls at once and rejects the rest;
///   `successThreshold` consecutive trial successes close it (with an empty failure window); any
///   trial failure reopens it, restarting the reset timeout.
/// - A call that exceeds its deadline is reported as a failure by the caller.
public struct ReferenceBreaker {
    public let configuration: BreakerConfiguration
    public private(set) var state: BreakerState = .closed
    public private(set) var openedAt: SimTime = .zero
    /// Failure times in a ring, newest last; only the last `failureThreshold` matter.
    var failureTimes: [SimTime]
    var failureCursor = 0
    var failuresRecorded = 0
    var trialsInFlight = 0
    var trialSuccesses = 0

    public init(configuration: BreakerConfiguration) {
        self.configuration = configuration
        failureTimes = Array(repeating: .zero, count: configuration.failureThreshold)
    }

    /// A transition and why it happened.
    public struct Transition {
        public var from: BreakerState
        public var to: BreakerState
        public var at: SimTime
        public var reason: String
    }

    /// Asks whether a call may go ahead now. On `true` the caller must report its outcome with
    /// ``record(success:at:)``. May move OPEN → HALF_OPEN (returned as a transition).
    public mutating func permitsCall(at now: SimTime, transition: inout Transition?) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            let resetAt = openedAt + configuration.resetTimeout
            guard now >= resetAt else { return false }
            state = .halfOpen
            trialsInFlight = 0
            trialSuccesses = 0
            transition = Transition(from: .open, to: .halfOpen, at: resetAt, reason: "resetTimeout \(configuration.resetTimeout) elapsed")
            return admitTrial()
        case .halfOpen:
            return admitTrial()
        }
    }

    mutating func admitTrial() -> Bool {
        guard trialsInFlight < configuration.halfOpenMaxCalls else { return false }
        trialsInFlight += 1
        return true
    }

    /// Reports the outcome of a permitted call that completed at `now`.
    public mutating func record(success: Bool, at now: SimTime) -> Transition? {
        switch state {
        case .closed:
            guard !success else { return nil }
            failureTimes[failureCursor] = now
            failureCursor = (failureCursor + 1) % failureTimes.count
            failuresRecorded += 1
            guard failuresRecorded >= configuration.failureThreshold else { return nil }
            // The oldest of the last `failureThreshold` failures sits at the cursor.
            let oldest = failureTimes[failureCursor]
            guard now - oldest <= configuration.monitorWindow else { return nil }
            open(at: now)
            return Transition(from: .closed, to: .open, at: now,
                              reason: "\(configuration.failureThreshold) failures within \(configuration.monitorWindow)")
        case .open:
            // A call permitted before the breaker opened completes: it changes nothing.
            return nil
        case .halfOpen:
            trialsInFlight = max(0, trialsInFlight - 1)
            if success {
                trialSuccesses += 1
                guard trialSuccesses >= configuration.successThreshold else { return nil }
                state = .closed
                failuresRecorded = 0
                failureCursor = 0
                return Transition(from: .halfOpen, to: .closed, at: now,
                                  reason: "\(configuration.successThreshold) consecutive trial successes")
            }
            open(at: now)
            return Transition(from: .halfOpen, to: .open, at: now, reason: "trial call failed")
        }
    }

    mutating func open(at now: SimTime) {
        state = .open
        openedAt = now
        trialsInFlight = 0
        trialSuccesses = 0
    }
}
