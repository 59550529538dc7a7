import SimulationCore

/// Failure ratio with a minimum throughput over a sampling duration, evaluated on failures only,
/// one trial per break: Polly's advanced circuit breaker (v8 `CircuitBreakerStrategyOptions`,
/// v7 `AdvancedCircuitBreaker`), with v8's parameter names.
///
/// Followed: Polly v8 `CircuitStateController`, `AdvancedCircuitBehavior`, `HealthMetrics`,
/// `RollingHealthMetrics`, `HealthInfo` and `CircuitBreakerStrategyOptions` (`App-vNext/Polly`,
/// `src/Polly.Core/CircuitBreaker`), compared with v7's `AdvancedCircuitController` and
/// `CircuitStateController`. Boundaries:
///
/// - **Health** is counted in 10 sub-windows of `SamplingDuration / 10` (truncated to 100 ns ticks,
///   as .NET's `TimeSpan` does). A sub-window starts at the first call that finds the current one at
///   least that old; a sub-window leaves the sample when `now − its start ≥ SamplingDuration`. So
///   the sample covers between 0.9 and 1 × `SamplingDuration`, not an exact sliding window.
/// - **Evaluation only on a failure while CLOSED**: after counting it, the breaker opens when
///   `throughput ≥ MinimumThroughput` and `failures / throughput ≥ FailureRatio` (≥ in the code and
///   in the property's documentation — the class remarks say "exceeds", the code decides). A
///   success never opens it, even with the ratio above the threshold: the next failure does.
/// - **OPEN** rejects calls until `now ≥ openedAt + BreakDuration` (at, not after). The first call
///   then moves it to HALF_OPEN at that call and is the one trial; the break is re-armed from then.
/// - **HALF_OPEN** rejects every other call until the trial ends (v8). A trial success closes the
///   breaker and resets the health counts; a trial failure opens it again for `BreakDuration`.
///   (v7 differed: it let one more trial through after each further `BreakDuration` while the
///   first was still running. An `attempt` — a trial that never ends — shows the difference: here
///   the breaker stays HALF_OPEN.)
/// - **ignored**: Polly has no "ignored" category; an outcome its `ShouldHandle` predicate does
///   not handle counts as a success. So an `ignored` outcome is a success here.
/// - Outcomes recorded while OPEN or HALF_OPEN (other than the trial's) are counted by Polly but
///   the counts are reset before CLOSED uses them, so they change nothing.
///
/// Limits as Polly validates them: `FailureRatio` in (0, 1] (documented as "higher than 0, up to
/// 1"), `MinimumThroughput` ≥ 2, `SamplingDuration` and `BreakDuration` from 0.5 s to 1 day.
/// Call durations are not used. `BreakDurationGenerator` and manual control are not modelled.
public struct PollyPolicy: Sendable, Equatable {
    /// Failure share that breaks the circuit (greater than 0, at most 1; default 0.1).
    public private(set) var failureRatio: Double
    /// Calls in the sample before the ratio counts (≥ 2; default 100).
    public private(set) var minimumThroughput: Int
    /// The sample's length (0.5 s … 1 day; default 30 s).
    public private(set) var samplingDuration: SimDuration
    /// Time in OPEN before the trial (0.5 s … 1 day; default 5 s).
    public private(set) var breakDuration: SimDuration

    public static let parameterNames = ["FailureRatio", "MinimumThroughput", "SamplingDuration", "BreakDuration"]

    public init(failureRatio: Double = 0.1, minimumThroughput: Int = 100, samplingDuration: SimDuration = .seconds(30),
                breakDuration: SimDuration = .seconds(5)) throws(BreakerConfigurationError) {
        guard failureRatio > 0, failureRatio <= 1 else {
            throw .outOfRange(parameter: "FailureRatio", value: parameterText(failureRatio), expected: "a ratio greater than 0 and at most 1")
        }
        guard minimumThroughput >= 2 else {
            throw .outOfRange(parameter: "MinimumThroughput", value: String(minimumThroughput), expected: "at least 2")
        }
        let range = "from 500ms to 1d"
        guard samplingDuration >= .milliseconds(500), samplingDuration <= .days(1) else {
            throw .outOfRange(parameter: "SamplingDuration", value: samplingDuration.description, expected: range)
        }
        guard breakDuration >= .milliseconds(500), breakDuration <= .days(1) else {
            throw .outOfRange(parameter: "BreakDuration", value: breakDuration.description, expected: range)
        }
        self.failureRatio = failureRatio
        self.minimumThroughput = minimumThroughput
        self.samplingDuration = samplingDuration
        self.breakDuration = breakDuration
    }

    public init(parameters: [String: String]) throws(BreakerConfigurationError) {
        let reader = try ParameterReader(policy: .polly, values: parameters)
        try self.init(failureRatio: reader.number("FailureRatio", default: 0.1),
                      minimumThroughput: reader.integer("MinimumThroughput", default: 100),
                      samplingDuration: reader.duration("SamplingDuration", default: .seconds(30)),
                      breakDuration: reader.duration("BreakDuration", default: .seconds(5)))
    }

    /// The sub-window length: a tenth of the sampling duration in whole 100 ns ticks.
    public var subWindowDuration: SimDuration {
        SimDuration(nanoseconds: samplingDuration.nanoseconds / 100 / 10 * 100)
    }

    public var parameterValues: [(name: String, value: String)] {
        [("FailureRatio", parameterText(failureRatio)), ("MinimumThroughput", String(minimumThroughput)),
         ("SamplingDuration", samplingDuration.description), ("BreakDuration", breakDuration.description)]
    }
}

struct PollyMachine: Sendable {
    static let windowCapacity = 12
    let failureRatio: Double
    let minimumThroughput: Int32
    let sampling: Int64
    let windowLength: Int64
    let breakDuration: Int64
    var blockedUntil: SimTime = .zero
    var windowStarts: [Int64]
    var windowSuccesses: [Int32]
    var windowFailures: [Int32]
    /// Ring of live sub-windows: the oldest at `oldest`, `windowCount` of them.
    var oldest = 0
    var windowCount = 0
    var successes: Int32 = 0
    var failures: Int32 = 0

    init(policy: PollyPolicy) {
        failureRatio = policy.failureRatio
        minimumThroughput = Int32(clamping: policy.minimumThroughput)
        sampling = policy.samplingDuration.nanoseconds
        windowLength = policy.subWindowDuration.nanoseconds
        breakDuration = policy.breakDuration.nanoseconds
        windowStarts = Array(repeating: 0, count: PollyMachine.windowCapacity)
        windowSuccesses = Array(repeating: 0, count: PollyMachine.windowCapacity)
        windowFailures = Array(repeating: 0, count: PollyMachine.windowCapacity)
    }

    /// Polly's `UpdateCurrentWindow`: opens a sub-window if the current one is old enough, drops
    /// those that left the sample, and returns the current one's slot.
    @inline(__always)
    private mutating func currentWindow(at now: SimTime) -> Int {
        let t = now.nanoseconds
        var newest = oldest + windowCount - 1
        if newest >= PollyMachine.windowCapacity { newest -= PollyMachine.windowCapacity }
        if windowCount == 0 || t - windowStarts[newest] >= windowLength {
            precondition(windowCount < PollyMachine.windowCapacity, "more live sub-windows than a sampling duration can hold")
            newest = oldest + windowCount
            if newest >= PollyMachine.windowCapacity { newest -= PollyMachine.windowCapacity }
            windowStarts[newest] = t
            windowSuccesses[newest] = 0
            windowFailures[newest] = 0
            windowCount += 1
        }
        while t - windowStarts[oldest] >= sampling {
            successes -= windowSuccesses[oldest]
            failures -= windowFailures[oldest]
            oldest += 1
            if oldest == PollyMachine.windowCapacity { oldest = 0 }
            windowCount -= 1
        }
        return newest
    }

    mutating func permitsCall(at now: SimTime, recorder: inout TransitionRecorder) -> Bool {
        switch recorder.state {
        case .closed:
            return true
        case .open:
            guard now >= blockedUntil else { return false }
            blockedUntil = SimTime(nanoseconds: now.nanoseconds &+ breakDuration)
            recorder.move(to: .halfOpen, at: now, because: .breakDurationElapsed)
            return true
        case .halfOpen:
            return false
        }
    }

    mutating func record(_ outcome: CallOutcome, at now: SimTime, recorder: inout TransitionRecorder) {
        switch (recorder.state, outcome) {
        case (.closed, .success), (.closed, .ignored):
            let slot = currentWindow(at: now)
            windowSuccesses[slot] += 1
            successes += 1
        case (.closed, .failure):
            let slot = currentWindow(at: now)
            windowFailures[slot] += 1
            failures += 1
            let throughput = successes + failures
            if throughput >= minimumThroughput && Double(failures) / Double(throughput) >= failureRatio {
                open(at: now, because: .failureRatioReached, recorder: &recorder)
            }
        case (.open, _):
            return
        case (.halfOpen, .success), (.halfOpen, .ignored):
            oldest = 0
            windowCount = 0
            successes = 0
            failures = 0
            recorder.move(to: .closed, at: now, because: .trialCallSucceeded)
        case (.halfOpen, .failure):
            open(at: now, because: .trialCallFailed, recorder: &recorder)
        }
    }

    private mutating func open(at now: SimTime, because reason: TransitionReason, recorder: inout TransitionRecorder) {
        blockedUntil = SimTime(nanoseconds: now.nanoseconds &+ breakDuration)
        recorder.move(to: .open, at: now, because: reason)
    }
}
