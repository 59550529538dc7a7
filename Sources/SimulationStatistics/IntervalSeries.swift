import SimulationCore

/// The aggregates of one window of an ``IntervalSeries``: what a chart plots per second or per
/// ten seconds.
///
/// A plain record (like a table row): counts of events and of errors among them, the count, sum,
/// minimum and maximum of a recorded value, and optionally a compact latency histogram.
public struct IntervalWindow: Equatable, Sendable {
    /// The window's position: 0 for the window starting at the series' start.
    public var index: Int
    /// The first instant in the window.
    public var start: SimTime
    /// The instant after the window (exclusive). Equal to `start + windowWidth`, except for the last
    /// window of a series finished at an unaligned instant, which ends there.
    public var end: SimTime
    /// Events recorded in the window (for example requests, by arrival time).
    public var eventCount: Int = 0
    /// Events recorded as errors (a subset of ``eventCount``).
    public var errorCount: Int = 0
    /// How many values were recorded.
    public var valueCount: Int = 0
    /// The sum of the recorded values (zero when there are none), added in recording order.
    public var valueSum: Double = 0
    /// The smallest recorded value, or `nil` when there is none.
    public var valueMin: Double?
    /// The largest recorded value, or `nil` when there is none.
    public var valueMax: Double?
    /// The latencies recorded in the window, or `nil` when the series does not track latency. A
    /// window without latencies holds an empty histogram (sharing storage with the series'
    /// prototype, so empty windows cost no histogram memory).
    public var latency: LatencyHistogram?

    /// An empty window.
    public init(index: Int, start: SimTime, end: SimTime, latency: LatencyHistogram? = nil) {
        self.index = index
        self.start = start
        self.end = end
        self.latency = latency
    }

    /// The window's length.
    public var duration: SimDuration { end - start }

    /// Events per second of the window's length.
    public var eventRate: Double {
        let seconds = duration.seconds
        return seconds > 0 ? Double(eventCount) / seconds : 0
    }

    /// Errors per second of the window's length.
    public var errorRate: Double {
        let seconds = duration.seconds
        return seconds > 0 ? Double(errorCount) / seconds : 0
    }

    /// The share of events that are errors, or `nil` when the window has no events ("no data",
    /// which is not the same as no errors).
    public var errorRatio: Double? {
        eventCount == 0 ? nil : Double(errorCount) / Double(eventCount)
    }

    /// The mean of the recorded values, or `nil` when there are none.
    public var valueMean: Double? {
        valueCount == 0 ? nil : valueSum / Double(valueCount)
    }

    /// Whether nothing at all was recorded in the window.
    public var isEmpty: Bool {
        eventCount == 0 && valueCount == 0 && (latency?.isEmpty ?? true)
    }
}

/// Per-window aggregates over fixed windows aligned to a start instant, in memory bounded by the
/// windows open at once.
///
/// Window `k` covers `[start + k·windowWidth, start + (k+1)·windowWidth)`. Observations carry the
/// instant they are attributed to (for requests: their arrival time), which may be up to
/// `allowedLateness` behind the latest instant the series has seen, so requests that finish after
/// a window boundary still land in the window of their arrival.
///
/// **Order.** The series' clock is the latest instant it has seen, through an observation or
/// ``advance(to:)``. Window `k` closes as soon as the clock reaches its end plus `allowedLateness`;
/// with the default lateness of zero that is as soon as anything is recorded in a later window.
/// Observations may come in any order among the open windows; one that falls in a window already
/// closed is a programming error (the lateness bound was wrong) and traps, because dropping it
/// would silently change results.
///
/// **Output.** Closed windows are handed, in index order and with every empty window in between,
/// to the `sink` given at construction, or (without a sink) appended to ``closedWindows`` for the
/// owner to take with ``removeClosedWindows()``. ``finish(at:)`` closes the rest.
///
/// Recording is O(1) per observation (amortised: opening and closing windows is spread over the
/// observations); no window ever holds samples.
public struct IntervalSeries {
    /// The instant window 0 starts.
    public let start: SimTime
    /// The length of every window (the last may be cut short by ``finish(at:)``).
    public let windowWidth: SimDuration
    /// How far behind the series' clock an observation may be attributed.
    public let allowedLateness: SimDuration

    /// An empty histogram of the configuration each window uses, or `nil` when latency is not
    /// tracked. Windows start as copies of it.
    @usableFromInline let latencyPrototype: LatencyHistogram?
    @usableFromInline let sink: ((IntervalWindow) -> Void)?
    /// Whether windows carry a latency histogram.
    @usableFromInline let tracksLatency: Bool

    /// Windows `firstOpenIndex ..< firstOpenIndex + openWindows.count`, contiguous.
    @usableFromInline var openWindows: [IntervalWindow] = []
    @usableFromInline var firstOpenIndex = 0
    @usableFromInline var clock: SimTime
    /// The clock value at which window `firstOpenIndex` closes.
    @usableFromInline var nextClosingTime: SimTime
    @usableFromInline var isFinished = false

    /// Closed windows not yet taken, when the series has no sink.
    public private(set) var closedWindows: [IntervalWindow] = []

    /// Creates a series.
    ///
    /// - Parameters:
    ///   - start: the instant window 0 starts (for example the end of the warm-up).
    ///   - windowWidth: the window length (for example 1 s or 10 s), positive.
    ///   - allowedLateness: how far behind the latest instant seen an observation may be attributed
    ///     (for requests attributed to their arrival: the longest a request can take). Default zero.
    ///   - latencyHistogram: `nil` not to track latency, or the (empty) histogram each window copies,
    ///     typically `LatencyHistogram(significantDigits: 2)`.
    ///   - sink: called with each closed window in order; without one, windows collect in
    ///     ``closedWindows``.
    public init(start: SimTime, windowWidth: SimDuration, allowedLateness: SimDuration = .zero,
                latencyHistogram: LatencyHistogram? = nil,
                sink: ((IntervalWindow) -> Void)? = nil) {
        precondition(windowWidth > .zero, "an interval series needs a positive window width")
        precondition(allowedLateness >= .zero, "allowed lateness cannot be negative")
        var prototype = latencyHistogram
        prototype?.removeAll()
        self.start = start
        self.windowWidth = windowWidth
        self.allowedLateness = allowedLateness
        self.latencyPrototype = prototype
        self.tracksLatency = prototype != nil
        self.sink = sink
        self.clock = start
        self.nextClosingTime = start + windowWidth + allowedLateness
        openWindows.append(makeWindow(index: 0))
    }

    // MARK: Recording

    /// Counts one event attributed to `time`, as an error when `isError`. Amortised O(1).
    @inlinable
    public mutating func recordEvent(at time: SimTime, isError: Bool = false) {
        let slot = openSlot(for: time)
        openWindows[slot].eventCount += 1
        if isError { openWindows[slot].errorCount += 1 }
    }

    /// Adds `value` to the value aggregates (count, sum, minimum, maximum) of the window of `time`.
    /// Amortised O(1).
    @inlinable
    public mutating func recordValue(_ value: Double, at time: SimTime) {
        let slot = openSlot(for: time)
        openWindows[slot].valueCount += 1
        openWindows[slot].valueSum += value
        if let smallest = openWindows[slot].valueMin, smallest <= value {} else { openWindows[slot].valueMin = value }
        if let largest = openWindows[slot].valueMax, largest >= value {} else { openWindows[slot].valueMax = value }
    }

    /// Records `latency` in the histogram of the window of `time`.
    ///
    /// - Precondition: the series tracks latency.
    /// - Complexity: amortised O(1); the first latency of a window allocates its histogram.
    @inlinable
    public mutating func recordLatency(_ latency: SimDuration, at time: SimTime) {
        precondition(tracksLatency, "this interval series does not track latency")
        let slot = openSlot(for: time)
        openWindows[slot].latency!.record(latency)
    }

    /// Moves the series' clock to `time` (if later), closing every window that ends at or before
    /// `time − allowedLateness`. Call it as simulated time passes so windows close even when nothing
    /// is recorded. Amortised O(1) per window closed.
    public mutating func advance(to time: SimTime) {
        precondition(!isFinished, "interval series used after finish")
        if time > clock {
            clock = time
            if clock >= nextClosingTime { closeDueWindows() }
        }
    }

    /// Closes every window that starts before `end`, the last one cut short at `end` when `end` is
    /// not on a window boundary. Nothing can be recorded afterwards.
    ///
    /// - Precondition: `end` is not before the series' clock, and no observation was recorded at or
    ///   after `end`.
    public mutating func finish(at end: SimTime) {
        precondition(!isFinished, "interval series finished twice")
        precondition(end >= clock, "interval series finished before its latest observation")
        isFinished = true
        let endOffset = end.nanoseconds - start.nanoseconds
        // The number of windows that start before `end`.
        let windowCount = endOffset <= 0 ? 0 : Int((endOffset - 1) / windowWidth.nanoseconds) + 1
        while firstOpenIndex < windowCount {
            var window = openWindows.isEmpty ? makeWindow(index: firstOpenIndex) : openWindows.removeFirst()
            if window.end > end { window.end = end }
            emit(window)
            firstOpenIndex += 1
        }
        for window in openWindows {
            precondition(window.isEmpty, "interval series has observations at or after its finish instant")
        }
        openWindows.removeAll()
    }

    /// Takes the closed windows collected so far (when the series has no sink), leaving none.
    public mutating func removeClosedWindows() -> [IntervalWindow] {
        defer { closedWindows.removeAll() }
        return closedWindows
    }

    // MARK: Windows

    /// The slot in `openWindows` of the window holding `time`, opening and closing windows as
    /// needed.
    @inlinable
    mutating func openSlot(for time: SimTime) -> Int {
        if time > clock {
            if time >= nextClosingTime { return openSlotSlowly(for: time) }
            clock = time
        }
        let offset = time.nanoseconds - start.nanoseconds
        let slot = (offset >= 0 ? Int(offset / windowWidth.nanoseconds) : -1) - firstOpenIndex
        if slot >= 0 && slot < openWindows.count {
            return slot
        }
        return openSlotSlowly(for: time)
    }

    @usableFromInline
    mutating func openSlotSlowly(for time: SimTime) -> Int {
        precondition(!isFinished, "interval series used after finish")
        precondition(time >= start, "observation at \(time) before the interval series starts at \(start)")
        if time > clock {
            clock = time
            if clock >= nextClosingTime { closeDueWindows() }
        }
        let windowIndex = Int((time.nanoseconds - start.nanoseconds) / windowWidth.nanoseconds)
        precondition(windowIndex >= firstOpenIndex,
                     "observation at \(time) falls in a closed window; allowedLateness (\(allowedLateness)) is too short")
        while firstOpenIndex + openWindows.count <= windowIndex {
            openWindows.append(makeWindow(index: firstOpenIndex + openWindows.count))
        }
        return windowIndex - firstOpenIndex
    }

    /// Closes the windows whose end plus the allowed lateness the clock has reached.
    @usableFromInline
    mutating func closeDueWindows() {
        var closing = 0
        while closing < openWindows.count && windowEnd(firstOpenIndex + closing) + allowedLateness <= clock {
            closing += 1
        }
        for window in openWindows.prefix(closing) { emit(window) }
        openWindows.removeFirst(closing)
        firstOpenIndex += closing
        // Windows never opened (nothing recorded in them) close as empty ones.
        if openWindows.isEmpty {
            while windowEnd(firstOpenIndex) + allowedLateness <= clock {
                emit(makeWindow(index: firstOpenIndex))
                firstOpenIndex += 1
            }
            openWindows.append(makeWindow(index: firstOpenIndex))
        }
        nextClosingTime = windowEnd(firstOpenIndex) + allowedLateness
    }

    func windowStart(_ index: Int) -> SimTime { start + windowWidth * Int64(index) }
    func windowEnd(_ index: Int) -> SimTime { windowStart(index + 1) }

    func makeWindow(index: Int) -> IntervalWindow {
        IntervalWindow(index: index, start: windowStart(index), end: windowEnd(index), latency: latencyPrototype)
    }

    mutating func emit(_ window: IntervalWindow) {
        if let sink {
            sink(window)
        } else {
            closedWindows.append(window)
        }
    }
}
