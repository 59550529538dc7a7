import SimulationCore

/// Rolling-bucket error percentage with a request-volume threshold, evaluated on health snapshots,
/// one test request after the sleep window: Netflix Hystrix 1.5 (`HystrixCircuitBreaker`,
/// `HystrixCommandProperties`).
///
/// Followed: `HystrixCircuitBreaker.HystrixCircuitBreakerImpl`, `HealthCountsStream`,
/// `BucketedRollingCounterStream`, `HystrixCommandMetrics.HealthCounts` and
/// `AbstractCommand.handleFallback` of Hystrix 1.5.12–1.5.18 (the last releases). Boundaries:
///
/// - **Health counts** are sums over completed buckets of `metricsHealthSnapshotIntervalInMilliseconds`
///   each; the window is `metricsRollingStatisticalWindowInMilliseconds / metricsHealthSnapshotIntervalInMilliseconds`
///   such buckets (integer division, as Hystrix does). Buckets start when the breaker is created
///   and again each time it closes (Hystrix resets its health stream then), and cover
///   `[start, start + interval)`: a call exactly on a boundary goes to the next bucket.
///   `metricsRollingStatisticalWindowBuckets` sizes Hystrix's dashboard counters, not the health
///   counts, so in 1.5 it does not change the breaker; it is accepted and checked (the window must
///   divide evenly into it) for fidelity of configuration only.
/// - **Evaluation** happens only when a bucket completes, every snapshot interval, not on calls:
///   a burst of failures opens the breaker at the next snapshot, up to one interval later. It
///   opens (dated at the snapshot) when `total ≥ circuitBreakerRequestVolumeThreshold` and the
///   error percentage, `Int(errors / total × 100)` truncated as Hystrix does, is
///   `≥ circuitBreakerErrorThresholdPercentage`. A snapshot at the same instant as a call is taken
///   before the call.
/// - **Counted**: successes, failures and timeouts; errors are failures and timeouts. With
///   `executionTimeoutEnabled`, a call whose duration is *strictly greater* than
///   `executionTimeoutInMilliseconds` is a timeout (an error) even if the trace says success.
///   Rejected calls (short-circuited) are not counted.
/// - **OPEN** rejects calls. The first call *strictly after* `openedAt + circuitBreakerSleepWindowInMilliseconds`
///   (Hystrix's `currentTime > openedAt + sleepWindow`) is the single test request: it moves the
///   breaker to HALF_OPEN at that call; every other call is rejected while HALF_OPEN.
/// - **HALF_OPEN**: a success closes the breaker and resets the counts; anything else (failure,
///   timeout, or an `ignored` outcome — Hystrix's bad request still calls `markNonSuccess`) reopens
///   it, restarting the sleep window from that instant. An `attempt` (a test request that never
///   completes) leaves it HALF_OPEN; in Hystrix the execution timeout would end such a call as a
///   timeout, which a trace expresses as a `failure` with its duration.
/// - **ignored** (bad request) is not counted in the health counts.
///
/// `circuitBreakerRequestVolumeThreshold` must be at least 1 here (Hystrix accepts 0, which would
/// open on an empty window). Forced open/closed are not modelled.
public struct HystrixPolicy: Sendable, Equatable {
    /// Calls in the window before the error percentage counts (≥ 1; default 20).
    public private(set) var circuitBreakerRequestVolumeThreshold: Int
    /// Error percentage that opens the breaker (0…100; default 50).
    public private(set) var circuitBreakerErrorThresholdPercentage: Int
    /// Milliseconds in OPEN before the test request (≥ 0; default 5000).
    public private(set) var circuitBreakerSleepWindowInMilliseconds: Int64
    /// The health window, milliseconds (> 0; default 10000).
    public private(set) var metricsRollingStatisticalWindowInMilliseconds: Int64
    /// Dashboard buckets (> 0, dividing the window evenly; default 10); no effect on the breaker.
    public private(set) var metricsRollingStatisticalWindowBuckets: Int
    /// Health bucket length and evaluation period, milliseconds (> 0, at most the window; default 500).
    public private(set) var metricsHealthSnapshotIntervalInMilliseconds: Int64
    public private(set) var executionTimeoutEnabled: Bool
    /// Calls longer than this are timeouts (> 0; default 1000).
    public private(set) var executionTimeoutInMilliseconds: Int64

    public static let parameterNames = [
        "circuitBreakerRequestVolumeThreshold", "circuitBreakerErrorThresholdPercentage",
        "circuitBreakerSleepWindowInMilliseconds", "metricsRollingStatisticalWindowInMilliseconds",
        "metricsRollingStatisticalWindowBuckets", "metricsHealthSnapshotIntervalInMilliseconds",
        "executionTimeoutEnabled", "executionTimeoutInMilliseconds",
    ]

    public init(circuitBreakerRequestVolumeThreshold: Int = 20, circuitBreakerErrorThresholdPercentage: Int = 50,
                circuitBreakerSleepWindowInMilliseconds: Int64 = 5_000,
                metricsRollingStatisticalWindowInMilliseconds: Int64 = 10_000, metricsRollingStatisticalWindowBuckets: Int = 10,
                metricsHealthSnapshotIntervalInMilliseconds: Int64 = 500, executionTimeoutEnabled: Bool = true,
                executionTimeoutInMilliseconds: Int64 = 1_000) throws(BreakerConfigurationError) {
        guard circuitBreakerRequestVolumeThreshold >= 1 else {
            throw .outOfRange(parameter: "circuitBreakerRequestVolumeThreshold",
                              value: String(circuitBreakerRequestVolumeThreshold), expected: "at least 1")
        }
        guard (0...100).contains(circuitBreakerErrorThresholdPercentage) else {
            throw .outOfRange(parameter: "circuitBreakerErrorThresholdPercentage",
                              value: String(circuitBreakerErrorThresholdPercentage), expected: "a whole percentage from 0 to 100")
        }
        guard circuitBreakerSleepWindowInMilliseconds >= 0 else {
            throw .outOfRange(parameter: "circuitBreakerSleepWindowInMilliseconds",
                              value: String(circuitBreakerSleepWindowInMilliseconds), expected: "0 or more milliseconds")
        }
        guard metricsRollingStatisticalWindowInMilliseconds > 0 else {
            throw .outOfRange(parameter: "metricsRollingStatisticalWindowInMilliseconds",
                              value: String(metricsRollingStatisticalWindowInMilliseconds), expected: "more than 0 milliseconds")
        }
        guard metricsRollingStatisticalWindowBuckets > 0 else {
            throw .outOfRange(parameter: "metricsRollingStatisticalWindowBuckets",
                              value: String(metricsRollingStatisticalWindowBuckets), expected: "at least 1")
        }
        guard metricsRollingStatisticalWindowInMilliseconds % Int64(metricsRollingStatisticalWindowBuckets) == 0 else {
            throw .inconsistent(parameters: ["metricsRollingStatisticalWindowInMilliseconds", "metricsRollingStatisticalWindowBuckets"],
                                message: "the window (\(metricsRollingStatisticalWindowInMilliseconds) ms) must divide evenly into \(metricsRollingStatisticalWindowBuckets) buckets, as Hystrix requires")
        }
        guard metricsHealthSnapshotIntervalInMilliseconds > 0 else {
            throw .outOfRange(parameter: "metricsHealthSnapshotIntervalInMilliseconds",
                              value: String(metricsHealthSnapshotIntervalInMilliseconds), expected: "more than 0 milliseconds")
        }
        guard metricsHealthSnapshotIntervalInMilliseconds <= metricsRollingStatisticalWindowInMilliseconds else {
            throw .inconsistent(parameters: ["metricsHealthSnapshotIntervalInMilliseconds", "metricsRollingStatisticalWindowInMilliseconds"],
                                message: "the snapshot interval (\(metricsHealthSnapshotIntervalInMilliseconds) ms) must not be longer than the window (\(metricsRollingStatisticalWindowInMilliseconds) ms)")
        }
        // Each snapshot is a step of the health ring, taken one by one while the window holds
        // calls: a 10-year window of 1 ms snapshots would take 3 × 10¹¹ steps through a quiet
        // stretch, and as many buckets.
        guard metricsRollingStatisticalWindowInMilliseconds / metricsHealthSnapshotIntervalInMilliseconds <= Int64(HystrixPolicy.mostHealthBuckets) else {
            throw .inconsistent(parameters: ["metricsRollingStatisticalWindowInMilliseconds", "metricsHealthSnapshotIntervalInMilliseconds"],
                                message: "the window (\(metricsRollingStatisticalWindowInMilliseconds) ms) holds "
                                    + "\(metricsRollingStatisticalWindowInMilliseconds / metricsHealthSnapshotIntervalInMilliseconds) snapshot intervals "
                                    + "(\(metricsHealthSnapshotIntervalInMilliseconds) ms); at most \(HystrixPolicy.mostHealthBuckets) are allowed")
        }
        guard executionTimeoutInMilliseconds > 0 else {
            throw .outOfRange(parameter: "executionTimeoutInMilliseconds",
                              value: String(executionTimeoutInMilliseconds), expected: "more than 0 milliseconds")
        }
        let limit = SimDuration.longestStated.nanoseconds / 1_000_000 // the longest duration an input may state
        for (name, value) in [("circuitBreakerSleepWindowInMilliseconds", circuitBreakerSleepWindowInMilliseconds),
                              ("metricsRollingStatisticalWindowInMilliseconds", metricsRollingStatisticalWindowInMilliseconds),
                              ("executionTimeoutInMilliseconds", executionTimeoutInMilliseconds)] where value > limit {
            throw .outOfRange(parameter: name, value: String(value), expected: "at most \(limit) milliseconds")
        }
        self.circuitBreakerRequestVolumeThreshold = circuitBreakerRequestVolumeThreshold
        self.circuitBreakerErrorThresholdPercentage = circuitBreakerErrorThresholdPercentage
        self.circuitBreakerSleepWindowInMilliseconds = circuitBreakerSleepWindowInMilliseconds
        self.metricsRollingStatisticalWindowInMilliseconds = metricsRollingStatisticalWindowInMilliseconds
        self.metricsRollingStatisticalWindowBuckets = metricsRollingStatisticalWindowBuckets
        self.metricsHealthSnapshotIntervalInMilliseconds = metricsHealthSnapshotIntervalInMilliseconds
        self.executionTimeoutEnabled = executionTimeoutEnabled
        self.executionTimeoutInMilliseconds = executionTimeoutInMilliseconds
    }

    public init(parameters: [String: String]) throws(BreakerConfigurationError) {
        let reader = try ParameterReader(policy: .hystrix, values: parameters)
        try self.init(
            circuitBreakerRequestVolumeThreshold: reader.integer("circuitBreakerRequestVolumeThreshold", default: 20),
            circuitBreakerErrorThresholdPercentage: reader.integer("circuitBreakerErrorThresholdPercentage", default: 50),
            circuitBreakerSleepWindowInMilliseconds: reader.milliseconds("circuitBreakerSleepWindowInMilliseconds", default: 5_000),
            metricsRollingStatisticalWindowInMilliseconds: reader.milliseconds("metricsRollingStatisticalWindowInMilliseconds", default: 10_000),
            metricsRollingStatisticalWindowBuckets: reader.integer("metricsRollingStatisticalWindowBuckets", default: 10),
            metricsHealthSnapshotIntervalInMilliseconds: reader.milliseconds("metricsHealthSnapshotIntervalInMilliseconds", default: 500),
            executionTimeoutEnabled: reader.boolean("executionTimeoutEnabled", default: true),
            executionTimeoutInMilliseconds: reader.milliseconds("executionTimeoutInMilliseconds", default: 1_000))
    }

    /// The most health buckets a window may hold (window over snapshot interval): 100,000, a
    /// 10-second window of 0.1 ms snapshots (the library's defaults make 20).
    public static let mostHealthBuckets = 100_000

    /// Health buckets in the window (the window over the snapshot interval, truncated).
    public var healthBucketCount: Int {
        Int(metricsRollingStatisticalWindowInMilliseconds / metricsHealthSnapshotIntervalInMilliseconds)
    }

    public var parameterValues: [(name: String, value: String)] {
        [("circuitBreakerRequestVolumeThreshold", String(circuitBreakerRequestVolumeThreshold)),
         ("circuitBreakerErrorThresholdPercentage", String(circuitBreakerErrorThresholdPercentage)),
         ("circuitBreakerSleepWindowInMilliseconds", String(circuitBreakerSleepWindowInMilliseconds)),
         ("metricsRollingStatisticalWindowInMilliseconds", String(metricsRollingStatisticalWindowInMilliseconds)),
         ("metricsRollingStatisticalWindowBuckets", String(metricsRollingStatisticalWindowBuckets)),
         ("metricsHealthSnapshotIntervalInMilliseconds", String(metricsHealthSnapshotIntervalInMilliseconds)),
         ("executionTimeoutEnabled", String(executionTimeoutEnabled)),
         ("executionTimeoutInMilliseconds", String(executionTimeoutInMilliseconds))]
    }
}

struct HystrixMachine: Sendable {
    let volumeThreshold: Int64
    let errorThreshold: Int
    let sleepWindow: Int64
    let snapshotInterval: Int64
    let timeout: Int64
    var circuitOpenedAt: SimTime = .zero
    var nextSnapshot: SimTime
    var bucketTotal: Int64 = 0
    var bucketErrors: Int64 = 0
    let bucketsInWindow: Int
    var ringTotals: [Int64]
    var ringErrors: [Int64]
    var ringHead = 0
    var windowTotal: Int64 = 0
    var windowErrors: Int64 = 0

    init(policy: HystrixPolicy) {
        volumeThreshold = Int64(policy.circuitBreakerRequestVolumeThreshold)
        errorThreshold = policy.circuitBreakerErrorThresholdPercentage
        sleepWindow = policy.circuitBreakerSleepWindowInMilliseconds * 1_000_000
        snapshotInterval = policy.metricsHealthSnapshotIntervalInMilliseconds * 1_000_000
        timeout = policy.executionTimeoutEnabled ? policy.executionTimeoutInMilliseconds * 1_000_000 : .max
        nextSnapshot = SimTime(nanoseconds: snapshotInterval)
        bucketsInWindow = policy.healthBucketCount
        // The ring grows as snapshots are taken, up to the window's buckets: slots not yet
        // written hold zero counts, which the library's pre-filled ring evicts as nothing.
        ringTotals = []
        ringErrors = []
    }

    /// Hystrix's `HealthCounts.getErrorPercentage`: a truncated whole percentage.
    static func errorPercentage(errors: Int64, total: Int64) -> Int {
        total > 0 ? Int(Double(errors) / Double(total) * 100) : 0
    }

    /// The first snapshot strictly after `now`, given that `nextSnapshot <= now`.
    private func firstSnapshot(after now: SimTime) -> SimTime {
        let skipped = (now.nanoseconds - nextSnapshot.nanoseconds) / snapshotInterval + 1
        return SimTime(nanoseconds: nextSnapshot.nanoseconds + skipped * snapshotInterval)
    }

    /// Takes every health snapshot due at or before `now`. Counts only matter while CLOSED (they
    /// are reset on closing), and an empty window cannot open the breaker, so long quiet gaps and
    /// non-CLOSED periods are skipped in O(1).
    @inline(__always)
    mutating func advance(to now: SimTime, recorder: inout TransitionRecorder) {
        guard nextSnapshot <= now else { return }
        takeSnapshots(upTo: now, recorder: &recorder)
    }

    private mutating func takeSnapshots(upTo now: SimTime, recorder: inout TransitionRecorder) {
        while nextSnapshot <= now {
            guard recorder.state == .closed else {
                nextSnapshot = firstSnapshot(after: now)
                return
            }
            if ringTotals.count < bucketsInWindow {
                ringTotals.append(bucketTotal)
                ringErrors.append(bucketErrors)
                ringHead = ringTotals.count - 1
                windowTotal += bucketTotal
                windowErrors += bucketErrors
            } else {
                ringHead += 1
                if ringHead == ringTotals.count { ringHead = 0 }
                windowTotal += bucketTotal - ringTotals[ringHead]
                windowErrors += bucketErrors - ringErrors[ringHead]
                ringTotals[ringHead] = bucketTotal
                ringErrors[ringHead] = bucketErrors
            }
            bucketTotal = 0
            bucketErrors = 0
            if windowTotal >= volumeThreshold
                && HystrixMachine.errorPercentage(errors: windowErrors, total: windowTotal) >= errorThreshold {
                circuitOpenedAt = nextSnapshot
                recorder.move(to: .open, at: nextSnapshot, because: .errorPercentageThresholdReached)
            }
            if windowTotal == 0 {
                nextSnapshot = firstSnapshot(after: now)
                return
            }
            nextSnapshot = SimTime(nanoseconds: nextSnapshot.nanoseconds + snapshotInterval)
        }
    }

    mutating func permitsCall(at now: SimTime, recorder: inout TransitionRecorder) -> Bool {
        advance(to: now, recorder: &recorder)
        switch recorder.state {
        case .closed:
            return true
        case .open:
            guard now.nanoseconds > circuitOpenedAt.nanoseconds &+ sleepWindow else { return false }
            recorder.move(to: .halfOpen, at: now, because: .sleepWindowElapsed)
            return true
        case .halfOpen:
            return false
        }
    }

    mutating func record(_ outcome: CallOutcome, duration: SimDuration?, at now: SimTime, recorder: inout TransitionRecorder) {
        advance(to: now, recorder: &recorder)
        let succeeded: Bool
        switch outcome {
        case .ignored:
            succeeded = false
        case .success, .failure:
            let isError = outcome == .failure || (duration?.nanoseconds ?? 0) > timeout
            if recorder.state == .closed {
                bucketTotal += 1
                if isError { bucketErrors += 1 }
            }
            succeeded = !isError
        }
        guard recorder.state == .halfOpen else { return }
        if succeeded {
            resetHealthCounts(at: now)
            recorder.move(to: .closed, at: now, because: .testRequestSucceeded)
        } else {
            circuitOpenedAt = now
            recorder.move(to: .open, at: now, because: .testRequestFailed)
        }
    }

    private mutating func resetHealthCounts(at now: SimTime) {
        ringTotals.removeAll(keepingCapacity: true)
        ringErrors.removeAll(keepingCapacity: true)
        ringHead = 0
        windowTotal = 0
        windowErrors = 0
        bucketTotal = 0
        bucketErrors = 0
        nextSnapshot = SimTime(nanoseconds: now.nanoseconds &+ snapshotInterval)
    }
}
