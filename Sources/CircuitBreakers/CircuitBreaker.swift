import SimulationCore

/// A circuit breaker with an interchangeable policy, driven by the simulation's clock.
///
/// It is a value: the caller owns it (one per API instance, region or global scope) and drives it
/// with two calls per guarded call — ``permitsCall(at:)`` before, ``record(_:duration:at:)`` after
/// a permitted call completes. Time only moves forward; a call with an earlier time than the
/// previous one is a programming error and traps.
///
/// Policies are value types chosen by an enum and dispatched by `switch`: no existentials, no
/// closures, no allocation per call. Transitions are always counted and the latest is kept
/// (``lastTransition``, ``statistics``); the full log (``transitions``) is kept only when asked
/// for at creation, so a model that calls the breaker millions of times per second pays nothing
/// for a log it does not read.
///
/// Some policies change state on their own clock (Hystrix's health snapshots, Envoy's interval
/// sweeps, Resilience4j's timers). Those changes are applied lazily, at the next call or at
/// ``advance(to:)``, and dated at the instant they took effect.
public struct CircuitBreaker: Sendable {
    /// The policy and parameters this breaker follows.
    public let configuration: BreakerPolicyConfiguration
    var machine: PolicyMachine
    var recorder: TransitionRecorder
    /// The latest time seen, to check that time only moves forward.
    public private(set) var now: SimTime = .zero

    /// A CLOSED breaker at time zero. With `keepsTransitions`, every transition is appended to
    /// ``transitions``.
    public init(configuration: BreakerPolicyConfiguration, keepsTransitions: Bool = false) {
        self.configuration = configuration
        machine = PolicyMachine(configuration)
        recorder = TransitionRecorder(keepsTransitions: keepsTransitions)
    }

    /// The current state (as of the latest call or ``advance(to:)``).
    public var state: BreakerState { statistics.state }

    /// Counts, time in each state, when the current state began.
    public var statistics: BreakerStatistics { recorder.statistics }

    /// Transitions so far (the same as `statistics.transitionCount`).
    public var transitionCount: Int { recorder.statistics.transitionCount }

    /// The most recent transition, kept whether or not the log is.
    public var lastTransition: BreakerTransition? { recorder.last }

    /// Every transition, oldest first, if the breaker was created with `keepsTransitions`
    /// (empty otherwise).
    public var transitions: [BreakerTransition] { recorder.log }

    /// Whether ``transitions`` is kept.
    public var keepsTransitions: Bool { recorder.keepsTransitions }

    /// Empties the transition log, keeping its storage (for a caller that drains it as it goes).
    public mutating func removeAllTransitions() {
        recorder.log.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private mutating func moveClock(to time: SimTime) {
        precondition(time >= now, "time went backwards: \(time) is before \(now)")
        now = time
    }

    /// Asks whether a call may go ahead at `now`. On `true` the caller should report the call's
    /// outcome with ``record(_:duration:at:)`` (or never, for a call that never completes: it then
    /// keeps whatever permit it took, as a hung call does). May change the state (OPEN →
    /// HALF_OPEN, or a change due on the policy's own clock).
    ///
    /// Complexity: O(1) per call for every policy, with two bounded exceptions: Resilience4j's
    /// timers, when they fire in a chain during a quiet gap (one step per transition they make),
    /// and its exponential wait, computed in at most one step per consecutive open.
    public mutating func permitsCall(at now: SimTime) -> Bool {
        moveClock(to: now)
        switch machine.kind {
        case .reference: return machine.reference!.permitsCall(at: now, recorder: &recorder)
        case .consecutive: return machine.consecutive!.permitsCall(at: now, recorder: &recorder)
        case .resilience4j: return machine.resilience4j!.permitsCall(at: now, recorder: &recorder)
        case .hystrix: return machine.hystrix!.permitsCall(at: now, recorder: &recorder)
        case .polly: return machine.polly!.permitsCall(at: now, recorder: &recorder)
        }
    }

    /// Reports the outcome of a permitted call that completed at `now`. `duration` is how long
    /// the call took, for policies that judge slowness (Resilience4j's slow calls, Hystrix's
    /// execution timeout); `nil` means not known (never slow).
    ///
    /// Complexity: O(1) per call for every policy; a Resilience4j TIME_BASED window moves over at
    /// most `slidingWindowSize` buckets after a gap.
    public mutating func record(_ outcome: CallOutcome, duration: SimDuration? = nil, at now: SimTime) {
        moveClock(to: now)
        switch machine.kind {
        case .reference: machine.reference!.record(outcome, at: now, recorder: &recorder)
        case .consecutive: machine.consecutive!.record(outcome, at: now, recorder: &recorder)
        case .resilience4j: machine.resilience4j!.record(outcome, duration: duration, at: now, recorder: &recorder)
        case .hystrix: machine.hystrix!.record(outcome, duration: duration, at: now, recorder: &recorder)
        case .polly: machine.polly!.record(outcome, at: now, recorder: &recorder)
        }
    }

    /// Applies every change due on the policy's own clock at or before `now` without a call
    /// (a health snapshot, an interval sweep, a timer), so that ``state`` and ``statistics`` are
    /// current at `now`. Changes that the library makes only on a call (a lazy move to HALF_OPEN)
    /// wait for the call.
    public mutating func advance(to now: SimTime) {
        moveClock(to: now)
        switch machine.kind {
        case .reference, .polly: return
        case .consecutive: machine.consecutive!.advance(to: now, recorder: &recorder)
        case .resilience4j: machine.resilience4j!.advance(to: now, recorder: &recorder)
        case .hystrix: machine.hystrix!.advance(to: now, recorder: &recorder)
        }
    }
}

/// The policies' moving parts, dispatched by `switch` on the kind.
///
/// One optional per policy rather than an enum with payloads: mutating an enum's payload means
/// copying it out and back, which retains and releases every array inside it on every call;
/// a force-unwrapped optional stored property is mutated in place.
struct PolicyMachine: Sendable {
    let kind: BreakerPolicyKind
    var reference: ReferenceMachine?
    var consecutive: ConsecutiveFailuresMachine?
    var resilience4j: Resilience4jMachine?
    var hystrix: HystrixMachine?
    var polly: PollyMachine?

    init(_ configuration: BreakerPolicyConfiguration) {
        kind = configuration.kind
        switch configuration {
        case .reference(let policy): reference = ReferenceMachine(policy: policy)
        case .consecutive(let policy): consecutive = ConsecutiveFailuresMachine(policy: policy)
        case .resilience4j(let policy): resilience4j = Resilience4jMachine(policy: policy)
        case .hystrix(let policy): hystrix = HystrixMachine(policy: policy)
        case .polly(let policy): polly = PollyMachine(policy: policy)
        }
    }
}
