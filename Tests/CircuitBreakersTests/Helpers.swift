import SimulationCore
@testable import CircuitBreakers

/// An instant written in milliseconds, so boundaries are exact.
func ms(_ milliseconds: Int64) -> SimTime { SimTime(nanoseconds: milliseconds * 1_000_000) }

/// An instant written in seconds (whole).
func sec(_ seconds: Int64) -> SimTime { SimTime(nanoseconds: seconds * 1_000_000_000) }

/// One nanosecond after or before an instant.
func justAfter(_ time: SimTime) -> SimTime { SimTime(nanoseconds: time.nanoseconds + 1) }
func justBefore(_ time: SimTime) -> SimTime { SimTime(nanoseconds: time.nanoseconds - 1) }

extension CircuitBreaker {
    init(_ configuration: BreakerPolicyConfiguration) {
        self.init(configuration: configuration, keepsTransitions: true)
    }

    /// A call that asks for permission and, if permitted, completes at once with `outcome`.
    /// Returns whether it was permitted.
    @discardableResult
    mutating func call(_ outcome: CallOutcome, at time: SimTime, duration: SimDuration? = nil) -> Bool {
        guard permitsCall(at: time) else { return false }
        record(outcome, duration: duration, at: time)
        return true
    }

    /// `count` calls with the same outcome at the same instant; returns how many were permitted.
    @discardableResult
    mutating func calls(_ count: Int, _ outcome: CallOutcome, at time: SimTime, duration: SimDuration? = nil) -> Int {
        var permitted = 0
        for _ in 0..<count where call(outcome, at: time, duration: duration) { permitted += 1 }
        return permitted
    }

    /// The sequence of states entered, for compact expectations.
    var path: [BreakerState] { [.closed] + transitions.map(\.to) }
}
