import SimulationCore

/// What a breaker has done so far: its state and since when, how often it opened, how long it spent
/// in each state. Updated only at transitions, so keeping it costs nothing per call.
public struct BreakerStatistics: Equatable, Sendable {
    /// The current state.
    public internal(set) var state: BreakerState = .closed
    /// When the current state began (time zero for the initial CLOSED).
    public internal(set) var stateSince: SimTime = .zero
    /// Every transition so far.
    public internal(set) var transitionCount = 0
    /// Transitions into OPEN (from CLOSED or from HALF_OPEN).
    public internal(set) var opens = 0
    /// Time spent in each state before `stateSince`, indexed by ``BreakerState/index``.
    var completedTime: (Int64, Int64, Int64) = (0, 0, 0)

    public static func == (lhs: BreakerStatistics, rhs: BreakerStatistics) -> Bool {
        lhs.state == rhs.state && lhs.stateSince == rhs.stateSince && lhs.transitionCount == rhs.transitionCount
            && lhs.opens == rhs.opens && lhs.completedTime == rhs.completedTime
    }

    /// Time spent in `state` from time zero up to `end` (which must not be before ``stateSince``).
    public func time(in state: BreakerState, upTo end: SimTime) -> SimDuration {
        precondition(end >= stateSince, "the end of the accounting (\(end)) is before the current state began (\(stateSince))")
        var nanoseconds: Int64
        switch state {
        case .closed: nanoseconds = completedTime.0
        case .open: nanoseconds = completedTime.1
        case .halfOpen: nanoseconds = completedTime.2
        }
        if state == self.state { nanoseconds += end.nanoseconds - stateSince.nanoseconds }
        return SimDuration(nanoseconds: nanoseconds)
    }

    mutating func enter(_ next: BreakerState, at time: SimTime) {
        precondition(time >= stateSince, "a transition at \(time) is before the state it leaves began (\(stateSince))")
        precondition(next != state, "a transition must change the state (\(state) -> \(next))")
        let spent = time.nanoseconds - stateSince.nanoseconds
        switch state {
        case .closed: completedTime.0 += spent
        case .open: completedTime.1 += spent
        case .halfOpen: completedTime.2 += spent
        }
        state = next
        stateSince = time
        transitionCount += 1
        if next == .open { opens += 1 }
    }
}

/// Where a policy's state machine reports its transitions. The state lives here, not in the
/// policies, so there is one truth about it and reading it needs no dispatch.
struct TransitionRecorder: Sendable {
    var statistics = BreakerStatistics()
    var keepsTransitions: Bool
    var log: [BreakerTransition] = []
    var last: BreakerTransition? = nil

    init(keepsTransitions: Bool) {
        self.keepsTransitions = keepsTransitions
    }

    @inline(__always)
    var state: BreakerState { statistics.state }

    mutating func move(to next: BreakerState, at time: SimTime, because reason: TransitionReason) {
        let transition = BreakerTransition(from: statistics.state, to: next, at: time, reason: reason)
        statistics.enter(next, at: time)
        last = transition
        if keepsTransitions { log.append(transition) }
    }
}
