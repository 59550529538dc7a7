import HeapModule
import SimulationCore

/// Permitted calls whose outcomes are not known yet: a call that asks for permission at `t` and
/// takes `duration` reports its outcome at `t + duration`, as the breaker libraries record an
/// outcome when the call completes (Resilience4j's `onResult`/`onError`, Polly's outcome handling,
/// Hystrix's metrics on completion). A call without a duration completes at once.
///
/// Outcomes are handed to the breaker in order of completion time; calls completing at the same
/// instant in the order they were permitted. At one instant, outcomes due are recorded before a
/// new call asks for permission (the breaker sees time only move forward either way).
///
/// Memory is bounded by the calls in flight at once, not by the length of the trace.
public struct CallsInFlight {
    struct Completion: Comparable {
        var time: SimTime
        /// Order of permission, for a total order among equal times.
        var sequence: Int
        var outcome: CallOutcome
        var duration: SimDuration?

        static func < (a: Completion, b: Completion) -> Bool {
            (a.time, a.sequence) < (b.time, b.sequence)
        }
        static func == (a: Completion, b: Completion) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    var pending = Heap<Completion>()
    var permitted = 0

    public init() {}

    /// Calls still in flight.
    public var count: Int { pending.count }

    /// The latest completion time still to come, if any (for the end of a replay).
    public var lastCompletion: SimTime? { pending.max?.time }

    /// A permitted call that started at `start`: its outcome reaches the breaker at
    /// `start + duration` (at once without a duration), through ``recordCompleted(upTo:in:)``.
    public mutating func add(_ outcome: CallOutcome, duration: SimDuration?, startedAt start: SimTime) {
        permitted += 1
        let end = duration.map { start + $0 } ?? start
        pending.insert(Completion(time: end, sequence: permitted, outcome: outcome, duration: duration))
    }

    /// Records in `breaker` every outcome due at or before `time`, oldest first.
    public mutating func recordCompleted(upTo time: SimTime, in breaker: inout CircuitBreaker) {
        while let next = pending.min, next.time <= time {
            _ = pending.popMin()
            breaker.record(next.outcome, duration: next.duration, at: next.time)
        }
    }

    /// Records every outcome still in flight.
    public mutating func recordAll(in breaker: inout CircuitBreaker) {
        while let next = pending.popMin() {
            breaker.record(next.outcome, duration: next.duration, at: next.time)
        }
    }
}
