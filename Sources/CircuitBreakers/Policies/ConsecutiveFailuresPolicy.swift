import SimulationCore

/// Consecutive failures with a growing ejection time: Envoy's outlier detection for one host
/// (`consecutive_5xx`, `interval`, `base_ejection_time`, `max_ejection_time`), the count-based rule
/// many libraries share.
///
/// Followed: the Envoy architecture overview (outlier detection, ejection algorithm) and the v3 API
/// reference (`config.cluster.v3.OutlierDetection`), checked against
/// `source/common/upstream/outlier_detection_impl.cc` (2024–2025 main branch):
///
/// - **CLOSED** (in service) counts consecutive failures; a success resets the count. The failure
///   that makes the count *equal* `consecutive_5xx` ejects the host (OPEN) at once, dated at that
///   failure, and resets the count.
/// - **Ejection time.** Each ejection adds one to a multiplier (Envoy's `ejectTimeBackoff`) as long
///   as `multiplier × base_ejection_time < max_ejection_time + base_ejection_time`; the host stays
///   out for `min(base_ejection_time × multiplier, max_ejection_time)`. So the first ejection
///   lasts `base_ejection_time`, the second twice that, and so on up to `max_ejection_time`.
/// - **Decrement rule (Envoy's).** A sweep runs every `interval`, at `k × interval` from the
///   breaker's creation. At each sweep a host that is in service with a multiplier above zero has it
///   decreased by one, so a healthy host needs about `max/base × interval` to come back to the
///   base ejection time.
/// - **Return to service** happens only at a sweep: the first sweep at which
///   `now − ejectedAt ≥ ejection time` (≥: a sweep exactly at the end of the ejection returns it).
///   The sweep that returns a host does not also decrease its multiplier. Counts are reset.
/// - **No trial phase.** Envoy has no HALF_OPEN: a returned host gets its full share of traffic at
///   once, and it takes another `consecutive_5xx` failures in a row to eject it again (for longer,
///   unless enough healthy sweeps have passed). This policy never reports HALF_OPEN.
/// - A sweep at the same instant as a call is applied before the call.
///
/// Not modelled: `max_ejection_percent` and `always_eject_one_host` (they cap ejections across the
/// hosts of a cluster; a breaker here is one host), `max_ejection_time_jitter` (random), active
/// health checks that un-eject early, and the success-rate and failure-percentage detectors.
/// `ignored` outcomes and `attempt`s are not reported to the detector and change nothing; call
/// durations are not used.
public struct ConsecutiveFailuresPolicy: Sendable, Equatable {
    /// Consecutive failures that eject the host (≥ 1; Envoy's default 5).
    public private(set) var consecutive5xx: Int
    /// Time between ejection sweeps (> 0; default 10 s).
    public private(set) var interval: SimDuration
    /// The first ejection's length and the step it grows by (> 0; default 30 s).
    public private(set) var baseEjectionTime: SimDuration
    /// The longest ejection, never shorter than `base_ejection_time`. Not given, it is Envoy's
    /// default: the larger of 300 s and `base_ejection_time`.
    public private(set) var maxEjectionTime: SimDuration

    public static let parameterNames = ["consecutive_5xx", "interval", "base_ejection_time", "max_ejection_time"]

    public init(consecutive5xx: Int = 5, interval: SimDuration = .seconds(10), baseEjectionTime: SimDuration = .seconds(30),
                maxEjectionTime: SimDuration? = nil) throws(BreakerConfigurationError) {
        guard consecutive5xx >= 1 else {
            throw .outOfRange(parameter: "consecutive_5xx", value: String(consecutive5xx), expected: "at least 1")
        }
        guard interval > .zero else {
            throw .outOfRange(parameter: "interval", value: interval.description, expected: "longer than zero")
        }
        guard baseEjectionTime > .zero else {
            throw .outOfRange(parameter: "base_ejection_time", value: baseEjectionTime.description, expected: "longer than zero")
        }
        if let maxEjectionTime, maxEjectionTime < baseEjectionTime {
            throw .inconsistent(parameters: ["max_ejection_time", "base_ejection_time"],
                                message: "max_ejection_time (\(maxEjectionTime)) cannot be shorter than base_ejection_time (\(baseEjectionTime)), as Envoy requires")
        }
        self.consecutive5xx = consecutive5xx
        self.interval = interval
        self.baseEjectionTime = baseEjectionTime
        self.maxEjectionTime = maxEjectionTime ?? max(.seconds(300), baseEjectionTime)
    }

    public init(parameters: [String: String]) throws(BreakerConfigurationError) {
        let reader = try ParameterReader(policy: .consecutive, values: parameters)
        let maximum: SimDuration? = parameters["max_ejection_time"] == nil
            ? nil : try reader.duration("max_ejection_time", default: .zero)
        try self.init(consecutive5xx: reader.integer("consecutive_5xx", default: 5),
                      interval: reader.duration("interval", default: .seconds(10)),
                      baseEjectionTime: reader.duration("base_ejection_time", default: .seconds(30)),
                      maxEjectionTime: maximum)
    }

    public var parameterValues: [(name: String, value: String)] {
        [("consecutive_5xx", String(consecutive5xx)), ("interval", interval.description),
         ("base_ejection_time", baseEjectionTime.description), ("max_ejection_time", maxEjectionTime.description)]
    }
}

struct ConsecutiveFailuresMachine: Sendable {
    let threshold: Int
    let interval: Int64
    let base: Int64
    let maximum: Int64
    var consecutiveFailures = 0
    /// Envoy's `ejectTimeBackoff`.
    var multiplier: Int64 = 0
    var ejectedAt: SimTime = .zero
    var nextSweep: SimTime

    init(policy: ConsecutiveFailuresPolicy) {
        threshold = policy.consecutive5xx
        interval = policy.interval.nanoseconds
        base = policy.baseEjectionTime.nanoseconds
        maximum = policy.maxEjectionTime.nanoseconds
        nextSweep = SimTime(nanoseconds: interval)
    }

    /// The ejection length for the current multiplier, without overflow.
    var ejectionTime: Int64 {
        let (product, overflow) = base.multipliedReportingOverflow(by: multiplier)
        return overflow ? maximum : min(product, maximum)
    }

    /// The first sweep strictly after `now`, given that `nextSweep <= now`.
    private func firstSweep(after now: SimTime) -> SimTime {
        let skipped = (now.nanoseconds - nextSweep.nanoseconds) / interval + 1
        return SimTime(nanoseconds: nextSweep.nanoseconds + skipped * interval)
    }

    /// Runs every sweep at or before `now`, in O(1) whatever the gap.
    mutating func advance(to now: SimTime, recorder: inout TransitionRecorder) {
        while nextSweep <= now {
            if recorder.state == .open {
                let due = ejectedAt.nanoseconds &+ ejectionTime
                var sweep = nextSweep.nanoseconds
                if due > sweep {
                    let steps = (due - sweep + interval - 1) / interval
                    sweep += steps * interval
                }
                guard sweep <= now.nanoseconds else {
                    nextSweep = firstSweep(after: now)
                    return
                }
                consecutiveFailures = 0
                recorder.move(to: .closed, at: SimTime(nanoseconds: sweep), because: .ejectionTimeElapsed)
                nextSweep = SimTime(nanoseconds: sweep + interval)
            } else {
                let sweeps = (now.nanoseconds - nextSweep.nanoseconds) / interval + 1
                multiplier -= min(sweeps, multiplier)
                nextSweep = SimTime(nanoseconds: nextSweep.nanoseconds + sweeps * interval)
            }
        }
    }

    mutating func permitsCall(at now: SimTime, recorder: inout TransitionRecorder) -> Bool {
        advance(to: now, recorder: &recorder)
        return recorder.state == .closed
    }

    mutating func record(_ outcome: CallOutcome, at now: SimTime, recorder: inout TransitionRecorder) {
        advance(to: now, recorder: &recorder)
        guard recorder.state == .closed else { return }
        switch outcome {
        case .ignored:
            return
        case .success:
            consecutiveFailures = 0
        case .failure:
            consecutiveFailures += 1
            guard consecutiveFailures == threshold else { return }
            consecutiveFailures = 0
            ejectedAt = now
            let (product, overflow) = multiplier.multipliedReportingOverflow(by: base)
            if !overflow && product < maximum &+ base { multiplier += 1 }
            recorder.move(to: .open, at: now, because: .consecutiveFailuresReached)
        }
    }
}
