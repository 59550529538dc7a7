import SimulationCore

/// Failure rate and slow-call rate over a count- or time-based sliding window: Resilience4j's
/// `CircuitBreakerConfig`, with its own parameter names.
///
/// Followed: `CircuitBreakerStateMachine`, `CircuitBreakerMetrics`, `CircuitBreakerConfig`,
/// `FixedSizeSlidingWindowMetrics`, `SlidingTimeWindowMetrics`, `SnapshotImpl` and
/// `IntervalFunction` of resilience4j 2.x (the `resilience4j/resilience4j` sources), and the
/// Spring properties for the exponential wait (`enableExponentialBackoff`,
/// `exponentialBackoffMultiplier`, `exponentialMaxWaitDurationInOpenState`). Boundaries:
///
/// - **Recording.** A call is slow when its duration is *strictly greater* than
///   `slowCallDurationThreshold` (a call with no duration is not slow); a slow call can also be a
///   failure. Rates are single-precision percentages, `failed × 100 / calls`, as the library
///   computes them.
/// - **Evaluation** happens after *every* recorded call, a success as much as a failure, so a
///   success recorded while the rate is at or over the threshold trips the breaker. Nothing is
///   decided until the window holds `minimumNumberOfCalls` calls; for a COUNT_BASED window that
///   minimum is capped at `slidingWindowSize`, for TIME_BASED it is not. The comparison is ≥
///   (`failureRate >= failureRateThreshold`, `slowCallRate >= slowCallRateThreshold`); either
///   one opens the breaker.
/// - **COUNT_BASED** keeps the last `slidingWindowSize` calls. **TIME_BASED** keeps
///   `slidingWindowSize` one-second buckets aligned to whole seconds (of simulated time here, of the
///   epoch there): the window is the current second plus the `slidingWindowSize − 1` before it, so a
///   call leaves the window when the clock enters second `its second + slidingWindowSize`. Expiry is
///   only looked at when a call is recorded.
/// - **OPEN** rejects calls. A permission request *strictly after* `openedAt + wait` moves it to
///   HALF_OPEN at that request (the library's `isAfter`; a request exactly at the instant is
///   rejected). With `automaticTransitionFromOpenToHalfOpenEnabled` a timer moves it at exactly
///   `openedAt + wait` instead, before any call at that instant. The wait is
///   `waitDurationInOpenState` in whole milliseconds, or with `enableExponentialBackoff` the
///   library's interval function of the number of consecutive opens `n` (1 after CLOSED, +1 per
///   reopen from HALF_OPEN, back to 0 on closing): start at the wait in milliseconds and multiply
///   by `exponentialBackoffMultiplier` `n − 1` times, truncating to whole milliseconds each time,
///   capped at `exponentialMaxWaitDurationInOpenState` when given.
/// - **HALF_OPEN** admits `permittedNumberOfCallsInHalfOpenState` calls and rejects the rest. Its
///   outcomes go to a fresh COUNT_BASED window of that size whose minimum is
///   `min(minimumNumberOfCalls, permittedNumberOfCallsInHalfOpenState)`: with the defaults it
///   decides after all permitted calls completed, with a smaller `minimumNumberOfCalls` earlier.
///   Above a threshold → OPEN (next wait); below both → CLOSED with a fresh window.
/// - `maxWaitDurationInHalfOpenState` of at least 1 ms arms a timer on entering HALF_OPEN; when it
///   fires (exactly at entry + that time) the breaker goes to `transitionToStateAfterWaitDuration`
///   (OPEN by default, counting as a reopen; or CLOSED). 0 (the default) waits for the calls.
/// - **ignored** outcomes are not recorded; in HALF_OPEN they give their permit back (the library's
///   `releasePermission`). An `attempt` in a trace keeps its HALF_OPEN permit for good.
/// - Outcomes recorded while OPEN go to a window that is discarded on HALF_OPEN: no effect.
///
/// Not modelled: `enableRandomizedWait` (random), FORCED_OPEN, DISABLED, METRICS_ONLY,
/// `recordExceptions`/`recordResult` predicates (the trace already says what failed).
public struct Resilience4jPolicy: Sendable, Equatable {
    public enum SlidingWindowType: String, Sendable, CaseIterable, Codable {
        case countBased = "COUNT_BASED"
        case timeBased = "TIME_BASED"
    }

    /// Where HALF_OPEN goes when `maxWaitDurationInHalfOpenState` runs out.
    public enum StateAfterWait: String, Sendable, CaseIterable, Codable {
        case open = "OPEN"
        case closed = "CLOSED"
    }

    /// Percent, greater than 0 and at most 100 (default 50).
    public private(set) var failureRateThreshold: Float
    /// Percent, greater than 0 and at most 100 (default 100).
    public private(set) var slowCallRateThreshold: Float
    /// Calls longer than this are slow (at least 1 ns; default 60 s).
    public private(set) var slowCallDurationThreshold: SimDuration
    public private(set) var slidingWindowType: SlidingWindowType
    /// Calls (COUNT_BASED) or seconds (TIME_BASED), at least 1 (default 100).
    public private(set) var slidingWindowSize: Int
    /// At least 1 (default 100).
    public private(set) var minimumNumberOfCalls: Int
    /// At least 1 (default 10).
    public private(set) var permittedNumberOfCallsInHalfOpenState: Int
    /// At least 1 ms (default 60 s); used in whole milliseconds.
    public private(set) var waitDurationInOpenState: SimDuration
    /// 0 (wait for the calls, the default) or at least 1 ms.
    public private(set) var maxWaitDurationInHalfOpenState: SimDuration
    public private(set) var transitionToStateAfterWaitDuration: StateAfterWait
    public private(set) var automaticTransitionFromOpenToHalfOpenEnabled: Bool
    public private(set) var enableExponentialBackoff: Bool
    /// At least 1 (default 1.5, the library's `DEFAULT_MULTIPLIER`).
    public private(set) var exponentialBackoffMultiplier: Double
    /// Cap on the exponential wait (at least 1 ms), or none.
    public private(set) var exponentialMaxWaitDurationInOpenState: SimDuration?

    public static let parameterNames = [
        "failureRateThreshold", "slowCallRateThreshold", "slowCallDurationThreshold", "slidingWindowType",
        "slidingWindowSize", "minimumNumberOfCalls", "permittedNumberOfCallsInHalfOpenState", "waitDurationInOpenState",
        "maxWaitDurationInHalfOpenState", "transitionToStateAfterWaitDuration", "automaticTransitionFromOpenToHalfOpenEnabled",
        "enableExponentialBackoff", "exponentialBackoffMultiplier", "exponentialMaxWaitDurationInOpenState",
    ]

    public init(failureRateThreshold: Float = 50, slowCallRateThreshold: Float = 100,
                slowCallDurationThreshold: SimDuration = .seconds(60), slidingWindowType: SlidingWindowType = .countBased,
                slidingWindowSize: Int = 100, minimumNumberOfCalls: Int = 100,
                permittedNumberOfCallsInHalfOpenState: Int = 10, waitDurationInOpenState: SimDuration = .seconds(60),
                maxWaitDurationInHalfOpenState: SimDuration = .zero, transitionToStateAfterWaitDuration: StateAfterWait = .open,
                automaticTransitionFromOpenToHalfOpenEnabled: Bool = false, enableExponentialBackoff: Bool = false,
                exponentialBackoffMultiplier: Double = 1.5,
                exponentialMaxWaitDurationInOpenState: SimDuration? = nil) throws(BreakerConfigurationError) {
        let percent = "a percentage greater than 0 and at most 100"
        guard failureRateThreshold > 0, failureRateThreshold <= 100 else {
            throw .outOfRange(parameter: "failureRateThreshold", value: parameterText(failureRateThreshold), expected: percent)
        }
        guard slowCallRateThreshold > 0, slowCallRateThreshold <= 100 else {
            throw .outOfRange(parameter: "slowCallRateThreshold", value: parameterText(slowCallRateThreshold), expected: percent)
        }
        guard slowCallDurationThreshold.nanoseconds >= 1 else {
            throw .outOfRange(parameter: "slowCallDurationThreshold", value: slowCallDurationThreshold.description, expected: "at least 1ns")
        }
        guard slidingWindowSize >= 1 else {
            throw .outOfRange(parameter: "slidingWindowSize", value: String(slidingWindowSize), expected: "at least 1")
        }
        guard minimumNumberOfCalls >= 1 else {
            throw .outOfRange(parameter: "minimumNumberOfCalls", value: String(minimumNumberOfCalls), expected: "at least 1")
        }
        guard permittedNumberOfCallsInHalfOpenState >= 1 else {
            throw .outOfRange(parameter: "permittedNumberOfCallsInHalfOpenState",
                              value: String(permittedNumberOfCallsInHalfOpenState), expected: "at least 1")
        }
        guard waitDurationInOpenState.nanoseconds >= 1_000_000 else {
            throw .outOfRange(parameter: "waitDurationInOpenState", value: waitDurationInOpenState.description, expected: "at least 1ms")
        }
        guard maxWaitDurationInHalfOpenState >= .zero else {
            throw .outOfRange(parameter: "maxWaitDurationInHalfOpenState", value: maxWaitDurationInHalfOpenState.description,
                              expected: "0 (wait for the permitted calls) or at least 1ms")
        }
        guard exponentialBackoffMultiplier >= 1, exponentialBackoffMultiplier.isFinite else {
            throw .outOfRange(parameter: "exponentialBackoffMultiplier", value: parameterText(exponentialBackoffMultiplier),
                              expected: "a number of at least 1")
        }
        if let cap = exponentialMaxWaitDurationInOpenState, cap.nanoseconds < 1_000_000 {
            throw .outOfRange(parameter: "exponentialMaxWaitDurationInOpenState", value: cap.description, expected: "at least 1ms")
        }
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationThreshold = slowCallDurationThreshold
        self.slidingWindowType = slidingWindowType
        self.slidingWindowSize = slidingWindowSize
        self.minimumNumberOfCalls = minimumNumberOfCalls
        self.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState
        self.waitDurationInOpenState = waitDurationInOpenState
        self.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState
        self.transitionToStateAfterWaitDuration = transitionToStateAfterWaitDuration
        self.automaticTransitionFromOpenToHalfOpenEnabled = automaticTransitionFromOpenToHalfOpenEnabled
        self.enableExponentialBackoff = enableExponentialBackoff
        self.exponentialBackoffMultiplier = exponentialBackoffMultiplier
        self.exponentialMaxWaitDurationInOpenState = exponentialMaxWaitDurationInOpenState
    }

    public init(parameters: [String: String]) throws(BreakerConfigurationError) {
        let reader = try ParameterReader(policy: .resilience4j, values: parameters)
        let cap: SimDuration? = parameters["exponentialMaxWaitDurationInOpenState"] == nil
            ? nil : try reader.duration("exponentialMaxWaitDurationInOpenState", default: .zero)
        try self.init(
            failureRateThreshold: Float(reader.number("failureRateThreshold", default: 50)),
            slowCallRateThreshold: Float(reader.number("slowCallRateThreshold", default: 100)),
            slowCallDurationThreshold: reader.duration("slowCallDurationThreshold", default: .seconds(60)),
            slidingWindowType: reader.word("slidingWindowType", default: SlidingWindowType.countBased),
            slidingWindowSize: reader.integer("slidingWindowSize", default: 100),
            minimumNumberOfCalls: reader.integer("minimumNumberOfCalls", default: 100),
            permittedNumberOfCallsInHalfOpenState: reader.integer("permittedNumberOfCallsInHalfOpenState", default: 10),
            waitDurationInOpenState: reader.duration("waitDurationInOpenState", default: .seconds(60)),
            maxWaitDurationInHalfOpenState: reader.duration("maxWaitDurationInHalfOpenState", default: .zero),
            transitionToStateAfterWaitDuration: reader.word("transitionToStateAfterWaitDuration", default: StateAfterWait.open),
            automaticTransitionFromOpenToHalfOpenEnabled: reader.boolean("automaticTransitionFromOpenToHalfOpenEnabled", default: false),
            enableExponentialBackoff: reader.boolean("enableExponentialBackoff", default: false),
            exponentialBackoffMultiplier: reader.number("exponentialBackoffMultiplier", default: 1.5),
            exponentialMaxWaitDurationInOpenState: cap)
    }

    public var parameterValues: [(name: String, value: String)] {
        var values: [(name: String, value: String)] = [
            ("failureRateThreshold", parameterText(failureRateThreshold)),
            ("slowCallRateThreshold", parameterText(slowCallRateThreshold)),
            ("slowCallDurationThreshold", slowCallDurationThreshold.description),
            ("slidingWindowType", slidingWindowType.rawValue),
            ("slidingWindowSize", String(slidingWindowSize)),
            ("minimumNumberOfCalls", String(minimumNumberOfCalls)),
            ("permittedNumberOfCallsInHalfOpenState", String(permittedNumberOfCallsInHalfOpenState)),
            ("waitDurationInOpenState", waitDurationInOpenState.description),
            ("maxWaitDurationInHalfOpenState", maxWaitDurationInHalfOpenState.description),
            ("transitionToStateAfterWaitDuration", transitionToStateAfterWaitDuration.rawValue),
            ("automaticTransitionFromOpenToHalfOpenEnabled", String(automaticTransitionFromOpenToHalfOpenEnabled)),
            ("enableExponentialBackoff", String(enableExponentialBackoff)),
            ("exponentialBackoffMultiplier", parameterText(exponentialBackoffMultiplier)),
        ]
        if let cap = exponentialMaxWaitDurationInOpenState {
            values.append(("exponentialMaxWaitDurationInOpenState", cap.description))
        }
        return values
    }

    /// The wait in OPEN, in milliseconds, after `attempt` consecutive opens (1 after CLOSED).
    public func waitMilliseconds(attempt: Int) -> Int64 {
        let initial = waitDurationInOpenState.nanoseconds / 1_000_000
        guard enableExponentialBackoff, attempt > 1 else { return initial }
        let cap = exponentialMaxWaitDurationInOpenState.map { $0.nanoseconds / 1_000_000 }
        var interval = initial
        var step = 1
        while step < attempt {
            let product = Double(interval) * exponentialBackoffMultiplier
            // Java's (long) cast: truncation toward zero, saturating at Long.MAX_VALUE.
            let next = product >= 9.223372036854775807e18 ? Int64.max : Int64(product)
            step += 1
            if next == interval { break }
            interval = next
            if let cap, interval >= cap { break }
            if interval == .max { break }
        }
        return cap.map { min(interval, $0) } ?? interval
    }
}

/// Totals over a window, as the library's snapshot holds them.
struct WindowTotals: Sendable, Equatable {
    var calls: Int32 = 0
    var failed: Int32 = 0
    var slow: Int32 = 0
}

/// The outcomes Resilience4j aggregates: the last N calls (COUNT_BASED) or N one-second
/// buckets (TIME_BASED), with running totals updated subtract-on-evict as the library does.
///
/// Neither allocates in proportion to N: the COUNT_BASED ring grows as calls come, up to N slots
/// (a slot never written holds no call, so evicting it subtracts nothing, as the library's
/// pre-filled ring does); the TIME_BASED window keeps only the seconds that had calls, and at most
/// the N latest of them. A `slidingWindowSize` of 10⁹ costs what the calls actually made cost.
struct OutcomeWindow: Sendable {
    let isTimeBased: Bool
    let size: Int
    /// COUNT_BASED slots: bit 0 a call, bit 1 failed, bit 2 slow.
    var slots: [UInt8]
    /// TIME_BASED: the seconds that had calls, oldest first, in a circular buffer from `first`.
    var bucketSeconds: [Int64]
    var bucketTotals: [WindowTotals]
    var first = 0
    var bucketCount = 0
    var head = 0
    var totals = WindowTotals()

    init(countBased size: Int) {
        isTimeBased = false
        self.size = size
        slots = []
        bucketSeconds = []
        bucketTotals = []
    }

    init(timeBasedSeconds size: Int, createdAt time: SimTime) {
        isTimeBased = true
        self.size = size
        slots = []
        bucketSeconds = []
        bucketTotals = []
    }

    @inline(__always)
    mutating func record(at now: SimTime, failed: Bool, slow: Bool) -> WindowTotals {
        let failedCount: Int32 = failed ? 1 : 0
        let slowCount: Int32 = slow ? 1 : 0
        if !isTimeBased {
            let entry = 1 | UInt8(failedCount << 1) | UInt8(slowCount << 2)
            if slots.count < size {
                slots.append(entry)
                head = slots.count - 1
            } else {
                head += 1
                if head == size { head = 0 }
                let evicted = slots[head]
                totals.calls -= Int32(evicted & 1)
                totals.failed -= Int32((evicted >> 1) & 1)
                totals.slow -= Int32((evicted >> 2) & 1)
                slots[head] = entry
            }
        } else {
            let second = now.nanoseconds / 1_000_000_000
            // Seconds at or before `second − size` have left the window.
            while bucketCount > 0 && bucketSeconds[first] <= second - Int64(size) {
                let evicted = bucketTotals[first]
                totals.calls -= evicted.calls
                totals.failed -= evicted.failed
                totals.slow -= evicted.slow
                first += 1
                if first == bucketSeconds.count { first = 0 }
                bucketCount -= 1
            }
            if bucketCount == 0 || bucketSeconds[last] < second {
                appendBucket(second)
            }
            bucketTotals[last].calls += 1
            bucketTotals[last].failed += failedCount
            bucketTotals[last].slow += slowCount
        }
        totals.calls += 1
        totals.failed += failedCount
        totals.slow += slowCount
        return totals
    }

    /// The newest bucket's index (with at least one bucket).
    private var last: Int {
        let index = first + bucketCount - 1
        return index >= bucketSeconds.count ? index - bucketSeconds.count : index
    }

    private mutating func appendBucket(_ second: Int64) {
        if bucketCount == bucketSeconds.count {
            // Full: lay the buffer out oldest first and double it (at most `size` buckets live,
            // so it stops growing there).
            let order = (0..<bucketCount).map { (first + $0) % max(1, bucketSeconds.count) }
            let capacity = min(size, max(4, 2 * bucketCount))
            var seconds = order.map { bucketSeconds[$0] }
            var counts = order.map { bucketTotals[$0] }
            seconds.reserveCapacity(capacity)
            counts.reserveCapacity(capacity)
            while seconds.count < capacity {
                seconds.append(0)
                counts.append(WindowTotals())
            }
            bucketSeconds = seconds
            bucketTotals = counts
            first = 0
        }
        bucketCount += 1
        bucketSeconds[last] = second
        bucketTotals[last] = WindowTotals()
    }
}

/// The library's verdict on a snapshot (`CircuitBreakerMetrics.Result`).
enum ThresholdResult {
    case belowMinimumCalls
    case belowThresholds
    case failureRateAbove
    case slowCallRateAbove
    case bothAbove

    var openingReason: TransitionReason? {
        switch self {
        case .belowMinimumCalls, .belowThresholds: return nil
        case .failureRateAbove: return .failureRateThresholdReached
        case .slowCallRateAbove: return .slowCallRateThresholdReached
        case .bothAbove: return .failureAndSlowCallRateThresholdsReached
        }
    }
}

struct Resilience4jMachine: Sendable {
    let policy: Resilience4jPolicy
    let slowNanoseconds: Int64
    let closedMinimumCalls: Int32
    let halfOpenMinimumCalls: Int32
    let maxWaitInHalfOpen: Int64?
    var closedWindow: OutcomeWindow
    var halfOpenWindow: OutcomeWindow
    /// Consecutive opens without closing (the library's `attempts`).
    var attempts = 0
    var retryAfter: SimTime = .zero
    var halfOpenPermits = 0
    var halfOpenDeadline: SimTime = .distantFuture

    init(policy: Resilience4jPolicy) {
        self.policy = policy
        slowNanoseconds = policy.slowCallDurationThreshold.nanoseconds
        closedMinimumCalls = Int32(clamping: policy.slidingWindowType == .countBased
            ? min(policy.minimumNumberOfCalls, policy.slidingWindowSize) : policy.minimumNumberOfCalls)
        halfOpenMinimumCalls = Int32(clamping: min(policy.minimumNumberOfCalls, policy.permittedNumberOfCallsInHalfOpenState))
        let maxWait = policy.maxWaitDurationInHalfOpenState.nanoseconds / 1_000_000
        maxWaitInHalfOpen = maxWait >= 1 ? maxWait * 1_000_000 : nil
        closedWindow = Resilience4jMachine.makeClosedWindow(policy, at: .zero)
        halfOpenWindow = OutcomeWindow(countBased: policy.permittedNumberOfCallsInHalfOpenState)
    }

    static func makeClosedWindow(_ policy: Resilience4jPolicy, at time: SimTime) -> OutcomeWindow {
        switch policy.slidingWindowType {
        case .countBased: return OutcomeWindow(countBased: policy.slidingWindowSize)
        case .timeBased: return OutcomeWindow(timeBasedSeconds: policy.slidingWindowSize, createdAt: time)
        }
    }

    @inline(__always)
    func evaluate(_ totals: WindowTotals, minimumCalls: Int32) -> ThresholdResult {
        guard totals.calls > 0, totals.calls >= minimumCalls else { return .belowMinimumCalls }
        let failureRate = Float(totals.failed) * 100 / Float(totals.calls)
        let slowCallRate = Float(totals.slow) * 100 / Float(totals.calls)
        let failureAbove = failureRate >= policy.failureRateThreshold
        let slowAbove = slowCallRate >= policy.slowCallRateThreshold
        switch (failureAbove, slowAbove) {
        case (true, true): return .bothAbove
        case (true, false): return .failureRateAbove
        case (false, true): return .slowCallRateAbove
        case (false, false): return .belowThresholds
        }
    }

    /// Fires the library's timers that are due at or before `now`: the automatic move to
    /// HALF_OPEN and the maximum wait in HALF_OPEN. Each can lead to the other, so it loops.
    mutating func advance(to now: SimTime, recorder: inout TransitionRecorder) {
        while true {
            switch recorder.state {
            case .open where policy.automaticTransitionFromOpenToHalfOpenEnabled && retryAfter <= now:
                enterHalfOpen(at: retryAfter, recorder: &recorder)
            case .halfOpen where halfOpenDeadline <= now:
                let deadline = halfOpenDeadline
                switch policy.transitionToStateAfterWaitDuration {
                case .open: open(at: deadline, because: .maxWaitDurationInHalfOpenStateElapsed, recorder: &recorder)
                case .closed: close(at: deadline, because: .maxWaitDurationInHalfOpenStateElapsed, recorder: &recorder)
                }
            default:
                return
            }
        }
    }

    mutating func permitsCall(at now: SimTime, recorder: inout TransitionRecorder) -> Bool {
        switch recorder.state {
        case .closed:
            return true
        case .open, .halfOpen:
            advance(to: now, recorder: &recorder)
            switch recorder.state {
            case .closed:
                return true
            case .open:
                guard now > retryAfter else { return false }
                enterHalfOpen(at: now, recorder: &recorder)
                return acquireHalfOpenPermit()
            case .halfOpen:
                return acquireHalfOpenPermit()
            }
        }
    }

    @inline(__always)
    private mutating func acquireHalfOpenPermit() -> Bool {
        guard halfOpenPermits > 0 else { return false }
        halfOpenPermits -= 1
        return true
    }

    mutating func record(_ outcome: CallOutcome, duration: SimDuration?, at now: SimTime, recorder: inout TransitionRecorder) {
        if recorder.state != .closed { advance(to: now, recorder: &recorder) }
        let failed: Bool
        switch outcome {
        case .ignored:
            if recorder.state == .halfOpen { halfOpenPermits += 1 }
            return
        case .success: failed = false
        case .failure: failed = true
        }
        let slow = (duration?.nanoseconds ?? 0) > slowNanoseconds
        switch recorder.state {
        case .closed:
            let totals = closedWindow.record(at: now, failed: failed, slow: slow)
            if let reason = evaluate(totals, minimumCalls: closedMinimumCalls).openingReason {
                open(at: now, because: reason, recorder: &recorder)
            }
        case .open:
            return
        case .halfOpen:
            let totals = halfOpenWindow.record(at: now, failed: failed, slow: slow)
            let result = evaluate(totals, minimumCalls: halfOpenMinimumCalls)
            if let reason = result.openingReason {
                open(at: now, because: reason, recorder: &recorder)
            } else if result == .belowThresholds {
                close(at: now, because: .halfOpenCallsBelowThresholds, recorder: &recorder)
            }
        }
    }

    private mutating func open(at time: SimTime, because reason: TransitionReason, recorder: inout TransitionRecorder) {
        attempts += 1
        let wait = policy.waitMilliseconds(attempt: attempts)
        let (waitNanoseconds, overflow) = wait.multipliedReportingOverflow(by: 1_000_000)
        retryAfter = overflow ? .distantFuture : (time.adding(SimDuration(nanoseconds: waitNanoseconds)) ?? .distantFuture)
        halfOpenDeadline = .distantFuture
        recorder.move(to: .open, at: time, because: reason)
    }

    private mutating func enterHalfOpen(at time: SimTime, recorder: inout TransitionRecorder) {
        halfOpenWindow = OutcomeWindow(countBased: policy.permittedNumberOfCallsInHalfOpenState)
        halfOpenPermits = policy.permittedNumberOfCallsInHalfOpenState
        if let maxWaitInHalfOpen {
            halfOpenDeadline = time.adding(SimDuration(nanoseconds: maxWaitInHalfOpen)) ?? .distantFuture
        } else {
            halfOpenDeadline = .distantFuture
        }
        recorder.move(to: .halfOpen, at: time, because: .waitDurationInOpenStateElapsed)
    }

    private mutating func close(at time: SimTime, because reason: TransitionReason, recorder: inout TransitionRecorder) {
        attempts = 0
        closedWindow = Resilience4jMachine.makeClosedWindow(policy, at: time)
        halfOpenDeadline = .distantFuture
        recorder.move(to: .closed, at: time, because: reason)
    }
}

extension ThresholdResult: Equatable {}
