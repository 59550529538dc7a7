import SimulationCore

/// The state of a breaker, spelled as the libraries spell it (`CLOSED`, `OPEN`, `HALF_OPEN`).
///
/// Forced and disabled states (Resilience4j's `FORCED_OPEN`, `DISABLED`, `METRICS_ONLY`, Polly's
/// `Isolated`, Hystrix's `forceOpen`/`forceClosed`) are operator overrides, not policy, so they are
/// not modelled.
public enum BreakerState: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case closed = "CLOSED"
    case open = "OPEN"
    case halfOpen = "HALF_OPEN"

    public var description: String { rawValue }

    /// A dense index (0, 1, 2) for per-state tables.
    @inlinable
    public var index: Int {
        switch self {
        case .closed: return 0
        case .open: return 1
        case .halfOpen: return 2
        }
    }
}

/// What a permitted call reported when it completed.
public enum CallOutcome: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The call succeeded (a slow success is still a success; slowness comes from its duration).
    case success
    /// The call failed in a way the policy counts (an error, a 5xx, a timeout reported by the caller).
    case failure
    /// The call ended with an outcome the policy is told to ignore (Resilience4j's
    /// `ignoreExceptions`, Hystrix's bad request). Each policy documents what this does to it.
    case ignored

    public var description: String {
        switch self {
        case .success: return "success"
        case .failure: return "failure"
        case .ignored: return "ignored"
        }
    }
}

/// Why a breaker changed state: a code that costs nothing to record, with a short human sentence.
///
/// The sentence names the library's parameter that decided, not its value, so it can be a constant;
/// a report that wants values prints the policy's parameters next to it.
public enum TransitionReason: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    // The reference policy.
    case failureThresholdReached
    case resetTimeoutElapsed
    case trialSuccessesReached
    case trialFailed
    // Consecutive failures (Envoy outlier detection).
    case consecutiveFailuresReached
    case ejectionTimeElapsed
    // Resilience4j.
    case failureRateThresholdReached
    case slowCallRateThresholdReached
    case failureAndSlowCallRateThresholdsReached
    case waitDurationInOpenStateElapsed
    case halfOpenCallsBelowThresholds
    case maxWaitDurationInHalfOpenStateElapsed
    // Hystrix.
    case errorPercentageThresholdReached
    case sleepWindowElapsed
    case testRequestSucceeded
    case testRequestFailed
    // Polly.
    case failureRatioReached
    case breakDurationElapsed
    case trialCallSucceeded
    case trialCallFailed

    public var description: String {
        switch self {
        case .failureThresholdReached: return "failureThreshold failures within monitorWindow"
        case .resetTimeoutElapsed: return "resetTimeout elapsed"
        case .trialSuccessesReached: return "successThreshold consecutive trial successes"
        case .trialFailed: return "a trial call failed"
        case .consecutiveFailuresReached: return "consecutive_5xx failures in a row"
        case .ejectionTimeElapsed: return "ejection time over at an interval sweep"
        case .failureRateThresholdReached: return "failure rate >= failureRateThreshold"
        case .slowCallRateThresholdReached: return "slow call rate >= slowCallRateThreshold"
        case .failureAndSlowCallRateThresholdsReached: return "failure and slow call rates >= their thresholds"
        case .waitDurationInOpenStateElapsed: return "wait in OPEN elapsed"
        case .halfOpenCallsBelowThresholds: return "HALF_OPEN calls below both thresholds"
        case .maxWaitDurationInHalfOpenStateElapsed: return "maxWaitDurationInHalfOpenState elapsed"
        case .errorPercentageThresholdReached: return "health snapshot: volume and error % at thresholds"
        case .sleepWindowElapsed: return "sleep window elapsed: single test request"
        case .testRequestSucceeded: return "test request succeeded"
        case .testRequestFailed: return "test request did not succeed"
        case .failureRatioReached: return "FailureRatio reached with MinimumThroughput"
        case .breakDurationElapsed: return "BreakDuration elapsed: one trial call"
        case .trialCallSucceeded: return "trial call succeeded"
        case .trialCallFailed: return "trial call failed"
        }
    }
}

/// One change of state, with the instant it took effect.
///
/// `at` is when the change took effect in the policy's own terms, which can be earlier than the
/// call that revealed it: the reference policy's move to HALF_OPEN is dated at the reset instant
/// even when the first call comes later; Hystrix's open is dated at the health snapshot that saw
/// the thresholds; Envoy's return to service at the interval sweep.
public struct BreakerTransition: Equatable, Sendable, CustomStringConvertible {
    public var from: BreakerState
    public var to: BreakerState
    public var at: SimTime
    public var reason: TransitionReason

    public init(from: BreakerState, to: BreakerState, at: SimTime, reason: TransitionReason) {
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
    }

    public var description: String { "\(at) \(from) -> \(to): \(reason)" }
}
