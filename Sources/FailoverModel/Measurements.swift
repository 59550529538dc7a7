import DequeModule
import SimulationCore
import SimulationStatistics

/// Outcomes per 1-second bin of request *arrival* time, split by reads and writes, for the
/// measured run (contract §4: a request's outcome is attributed to its arrival time), evaluated
/// as the run goes so that memory does not grow with simulated time.
///
/// A bin is *open* while a request that arrived in it is still in flight (or new arrivals may
/// still fall in it); once closed it can no longer change, and it is folded into what the results
/// need: each incident's breach and recovery (the contract's rule, bin by bin), its request and
/// failure counts, the failures between recovery and the end of failback, and the whole minutes
/// of time-based availability. Only open bins are held — as many as the longest time a request is
/// in flight spans, not the run's length — and the results are exactly those of evaluating every
/// bin of the run at its end.
struct ArrivalBins {
    struct Bin: Equatable {
        var readTotal: Int32 = 0
        var readFailed: Int32 = 0
        var writeTotal: Int32 = 0
        var writeFailed: Int32 = 0
        /// Requests that arrived in this bin and have no outcome yet.
        var inFlight: Int32 = 0
    }

    enum Traffic { case reads, writes, all }

    /// The contract's recovery rule applied bin by bin: the first breach (a bin at or above the
    /// threshold), then the first t after it from which `window` bins in a row are below it.
    /// Bins without requests count as below.
    struct RecoveryDetector: Equatable {
        var breach: Int? = nil
        var recovery: Int? = nil
        var candidate = 0
        var clean = 0

        mutating func add(bin: Int, total: Int, failed: Int, threshold: Double, window: Int) {
            guard recovery == nil else { return }
            let breached = total > 0 && Double(failed) / Double(total) >= threshold
            guard breach != nil else {
                if breached { breach = bin; candidate = bin + 1; clean = 0 }
                return
            }
            if breached {
                clean = 0
                candidate = bin + 1
            } else {
                clean += 1
                if clean >= window { recovery = candidate }
            }
        }
    }

    /// One incident's stretch of bins, [from, to), and what was folded of it.
    struct Window: Equatable {
        var fault: Int
        var from: Int
        var to: Int
        /// The rule's traffic for this fault (reads for a database fault, else all).
        var mainIsReads: Bool
        var main = RecoveryDetector()
        var reads = RecoveryDetector()
        var writes = RecoveryDetector()
        var requests: Int64 = 0
        var failed: Int64 = 0
    }

    /// Failures in bins before `bin`, remembered for the last bins folded (a failback end
    /// registered a little after its bin passed, as breaker transitions are noted late).
    static let lookback = 4096

    let start: SimTime
    /// Bins of the measured period: one per whole second, and one for a last fraction.
    private(set) var count: Int
    let threshold: Double
    let stability: Int
    /// A minute is bad above this error rate (the critical alert level).
    let critical: Double
    /// Bins [0, folded) are closed and folded; the open ones follow.
    private(set) var folded = 0
    private(set) var open: Deque<Bin> = []
    /// The most open bins held at once.
    private(set) var peakOpen = 0
    private(set) var windows: [Window] = []
    /// Position in `windows` by fault index (-1: none).
    private var windowPosition: [Int] = []
    private var windowCursor = 0
    /// Failures (all traffic) in the folded bins.
    private var failedSoFar: Int64 = 0
    /// Bins at which the failures before them are wanted, not yet reached (ascending).
    private var wanted: [Int] = []
    private var wantedCursor = 0
    /// (bin, failures before it), ascending by bin.
    private var reached: [(bin: Int, failed: Int64)] = []
    private var recent: [Int64]
    /// Entries of the controller's failback ends already registered.
    var failbacksRegistered = 0
    private var minuteTotal = 0
    private var minuteFailed = 0
    private(set) var goodMinutes = 0
    private(set) var badMinutes = 0
    private(set) var noDataMinutes = 0
    private(set) var finalized = false
    /// When set (tests), every folded bin is kept, so a test can read any second of the run.
    private(set) var kept: [Bin]?

    init(start: SimTime, seconds: Int, threshold: Double, stability: Int, critical: Double) {
        self.start = start
        count = seconds + 1
        self.threshold = threshold
        self.stability = stability
        self.critical = critical
        recent = Array(repeating: 0, count: ArrivalBins.lookback)
    }

    /// Keeps every bin from now on (tests that read single seconds of a run).
    mutating func keepEveryBin() {
        precondition(folded == 0, "bins are kept from the start")
        kept = []
    }

    /// The bin of an arrival time.
    @inline(__always)
    func bin(of time: SimTime) -> Int { Int((time - start).nanoseconds / 1_000_000_000) }

    /// Sets the incidents' windows: `faults` (index, onset) sorted by onset; each window runs
    /// from its onset's bin to the next onset's, the last to `end`. A window already folded in
    /// part keeps what it holds (a branch may only move window ends that lie ahead).
    mutating func setWindows(_ faults: [(index: Int, onset: SimTime, mainIsReads: Bool)], end: SimTime) {
        let previous = windows
        let previousPosition = windowPosition
        windows = []
        windowPosition = Array(repeating: -1, count: (faults.map(\.index).max() ?? -1) + 1)
        var boundaries: [Int] = []
        for (position, fault) in faults.enumerated() {
            let windowEnd = position + 1 < faults.count ? faults[position + 1].onset : end
            let from = bin(of: fault.onset)
            let to = min(count, bin(of: windowEnd))
            var window = Window(fault: fault.index, from: from, to: to, mainIsReads: fault.mainIsReads)
            if fault.index < previousPosition.count, previousPosition[fault.index] >= 0 {
                window = previous[previousPosition[fault.index]]
                precondition(window.from == from, "a fault's onset cannot move")
                precondition(to >= folded || to == window.to, "a window cannot end among bins already folded")
                window.to = to
            }
            windowPosition[fault.index] = windows.count
            windows.append(window)
            boundaries.append(max(0, from))
            boundaries.append(max(0, to))
        }
        // A window carried over from the trunk asked for its boundaries already.
        for boundary in boundaries { want(boundary) }
        windowCursor = 0
    }

    /// The window of fault `index`, if the fault has one.
    func window(ofFault index: Int) -> Window? {
        guard index < windowPosition.count, windowPosition[index] >= 0 else { return nil }
        return windows[windowPosition[index]]
    }

    /// The same bins for a measured period of `seconds` (a branch), which must hold every bin
    /// recorded so far.
    mutating func resize(seconds: Int) {
        precondition(seconds + 1 >= folded + open.count, "a branch cannot drop arrivals already recorded")
        count = seconds + 1
    }

    /// Asks for the failures before `bin` (see ``failures(before:)``).
    mutating func want(_ bin: Int) {
        if bin <= 0 { return }
        if bin < folded {
            let index = ArrivalBins.insertionPoint(of: bin, in: reached.count) { reached[$0].bin }
            guard index == reached.count || reached[index].bin != bin else { return }
            precondition(folded - bin <= ArrivalBins.lookback, "failures before bin \(bin) asked for \(folded - bin) s after it closed")
            reached.insert((bin, recent[bin % ArrivalBins.lookback]), at: index)
        } else {
            let index = ArrivalBins.insertionPoint(of: bin, in: wanted.count) { wanted[$0] }
            precondition(index >= wantedCursor)
            guard index == wanted.count || wanted[index] != bin else { return }
            wanted.insert(bin, at: index)
        }
    }

    /// The first position in an ascending sequence whose key is at least `bin` (binary search:
    /// appending in order, the common case, costs one comparison).
    static func insertionPoint(of bin: Int, in count: Int, key: (Int) -> Int) -> Int {
        if count == 0 || key(count - 1) < bin { return count }
        var low = 0, high = count - 1
        while low < high {
            let middle = (low + high) / 2
            if key(middle) < bin { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Failures (all traffic) in bins before `bin`; once finalized, for any bin asked for with
    /// ``want(_:)`` (and any bin from the last folded on).
    func failures(before bin: Int) -> Int64 {
        if bin <= 0 { return 0 }
        if bin >= folded { return failedSoFar }
        let index = ArrivalBins.insertionPoint(of: bin, in: reached.count) { reached[$0].bin }
        precondition(index < reached.count && reached[index].bin == bin, "failures before bin \(bin) were not asked for in time")
        return reached[index].failed
    }

    /// A measured request arrived at `arrival`: its bin stays open until its outcome is recorded.
    /// Bins before it that hold nothing in flight close.
    @inline(__always)
    mutating func arrived(at arrival: SimTime) {
        let index = bin(of: arrival)
        guard index >= 0 && index < count else { return }
        if index > folded { close(before: index) }
        if folded + open.count <= index {
            while folded + open.count <= index { open.append(Bin()) }
            peakOpen = max(peakOpen, open.count)
        }
        open[index - folded].inFlight += 1
    }

    @inline(__always)
    mutating func record(arrival: SimTime, isWrite: Bool, failed: Bool) {
        let index = bin(of: arrival)
        guard index >= 0 && index < count else { return }
        precondition(index >= folded && index < folded + open.count, "an outcome for a bin that is not open")
        let slot = index - folded
        if isWrite {
            open[slot].writeTotal += 1
            if failed { open[slot].writeFailed += 1 }
        } else {
            open[slot].readTotal += 1
            if failed { open[slot].readFailed += 1 }
        }
        open[slot].inFlight -= 1
    }

    /// Folds the bins before `index` that nothing in flight holds open.
    mutating func close(before index: Int) {
        while folded < index {
            if let first = open.first {
                guard first.inFlight == 0 else { return }
                open.removeFirst()
                fold(first)
            } else {
                fold(Bin())
            }
        }
    }

    /// The run is over: every bin closes (requests still in flight never get an outcome).
    mutating func finalize() {
        guard !finalized else { return }
        while let first = open.first {
            open.removeFirst()
            fold(first)
        }
        while folded < count { fold(Bin()) }
        if (count - 1) % 60 != 0 { closeMinute() }
        finalized = true
    }

    private mutating func fold(_ bin: Bin) {
        let b = folded
        kept?.append(bin)
        while wantedCursor < wanted.count && wanted[wantedCursor] <= b {
            precondition(wanted[wantedCursor] == b, "a wanted bin was passed")
            reached.append((b, failedSoFar))
            wantedCursor += 1
        }
        recent[b % ArrivalBins.lookback] = failedSoFar
        let readTotal = Int(bin.readTotal), readFailed = Int(bin.readFailed)
        let writeTotal = Int(bin.writeTotal), writeFailed = Int(bin.writeFailed)
        let total = readTotal + writeTotal, failed = readFailed + writeFailed
        while windowCursor < windows.count && b >= windows[windowCursor].to { windowCursor += 1 }
        if windowCursor < windows.count && b >= windows[windowCursor].from {
            var window = windows[windowCursor]
            let recovered = window.main.recovery != nil
            window.reads.add(bin: b, total: readTotal, failed: readFailed, threshold: threshold, window: stability)
            window.writes.add(bin: b, total: writeTotal, failed: writeFailed, threshold: threshold, window: stability)
            if window.mainIsReads {
                window.main = window.reads
            } else {
                window.main.add(bin: b, total: total, failed: failed, threshold: threshold, window: stability)
            }
            window.requests += Int64(total)
            window.failed += Int64(failed)
            windows[windowCursor] = window
            // Failback failures are counted from the end of the stability window after recovery.
            if !recovered, let recovery = window.main.recovery { want(recovery + stability) }
        }
        failedSoFar += Int64(failed)
        if b < count - 1 {
            minuteTotal += total
            minuteFailed += failed
            if b % 60 == 59 { closeMinute() }
        }
        folded += 1
    }

    private mutating func closeMinute() {
        if minuteTotal < 10 {
            noDataMinutes += 1
        } else if Double(minuteFailed) / Double(minuteTotal) > critical {
            badMinutes += 1
        } else {
            goodMinutes += 1
        }
        minuteTotal = 0
        minuteFailed = 0
    }

    /// Counts of one kept bin (tests; see ``keepEveryBin()``).
    func rate(_ traffic: Traffic, bin: Int) -> (total: Int, failed: Int) {
        guard let kept, bin >= 0, bin < kept.count else { return (0, 0) }
        let b = kept[bin]
        switch traffic {
        case .reads: return (Int(b.readTotal), Int(b.readFailed))
        case .writes: return (Int(b.writeTotal), Int(b.writeFailed))
        case .all: return (Int(b.readTotal + b.writeTotal), Int(b.readFailed + b.writeFailed))
        }
    }

    /// The most bins held at once during the run: open bins (and every bin, when kept).
    var heldBins: Int { peakOpen + (kept?.count ?? 0) }
}

/// Responses observed at the edge per 1-second bin of *completion* time, in a ring: what the
/// controller and the monitor may look at (they see only bins that have fully passed).
struct ObservationRing {
    static let size = 128
    var second: [Int64]
    var total: [Int32]
    var failed: [Int32]
    var fiveXX: [Int32]
    var connectionErrors: [Int32]
    var cacheLookups: [Int32]
    var cacheMisses: [Int32]
    var latency: [LatencyHistogram]

    init() {
        second = Array(repeating: -1, count: ObservationRing.size)
        total = Array(repeating: 0, count: ObservationRing.size)
        failed = total
        fiveXX = total
        connectionErrors = total
        cacheLookups = total
        cacheMisses = total
        latency = Array(repeating: LatencyHistogram(highestTrackableValue: .seconds(60), significantDigits: 2),
                        count: ObservationRing.size)
    }

    @inline(__always)
    mutating func slot(for time: SimTime) -> Int {
        let s = time.nanoseconds / 1_000_000_000
        let index = Int(s % Int64(ObservationRing.size))
        if second[index] != s {
            second[index] = s
            total[index] = 0
            failed[index] = 0
            fiveXX[index] = 0
            connectionErrors[index] = 0
            cacheLookups[index] = 0
            cacheMisses[index] = 0
            latency[index].removeAll()
        }
        return index
    }

    /// Sums over the whole seconds in [now − window, now).
    func sum(_ field: KeyPath<ObservationRing, [Int32]>, now: SimTime, window: SimDuration) -> Int {
        let end = now.nanoseconds / 1_000_000_000
        let seconds = max(1, window.nanoseconds / 1_000_000_000)
        var result = 0
        let values = self[keyPath: field]
        var s = end - seconds
        while s < end {
            if s >= 0 {
                let index = Int(s % Int64(ObservationRing.size))
                if second[index] == s { result += Int(values[index]) }
            }
            s += 1
        }
        return result
    }

    /// Merges the latencies of the whole seconds in [now − window, now) into `histogram`.
    func mergeLatency(into histogram: inout LatencyHistogram, now: SimTime, window: SimDuration) {
        let end = now.nanoseconds / 1_000_000_000
        let seconds = max(1, window.nanoseconds / 1_000_000_000)
        var s = end - seconds
        while s < end {
            if s >= 0 {
                let index = Int(s % Int64(ObservationRing.size))
                if second[index] == s { histogram.merge(latency[index]) }
            }
            s += 1
        }
    }

    func latencyPercentile(_ p: Double, now: SimTime, window: SimDuration) -> SimDuration? {
        let end = now.nanoseconds / 1_000_000_000
        let seconds = max(1, window.nanoseconds / 1_000_000_000)
        var merged = LatencyHistogram(highestTrackableValue: .seconds(60), significantDigits: 2)
        var s = end - seconds
        while s < end {
            if s >= 0 {
                let index = Int(s % Int64(ObservationRing.size))
                if second[index] == s { merged.merge(latency[index]) }
            }
            s += 1
        }
        return merged.isEmpty ? nil : merged.percentile(p)
    }
}

/// A piecewise-constant quantity averaged over time within the measured period only: changes in
/// the warm-up set its value without counting, changes after the end are not counted.
struct MeasuredGauge {
    private(set) var value: Double = 0
    private var average: TimeWeightedAverage? = nil

    @inline(__always)
    mutating func set(_ newValue: Double, at time: SimTime, start: SimTime, end: SimTime) {
        if time >= start {
            if average == nil { average = TimeWeightedAverage(initialValue: value, start: start) }
            if time <= end { average!.update(newValue, at: time) }
        }
        value = newValue
    }

    /// ∫ value dt over [start, end], value × seconds.
    func integral(start: SimTime, end: SimTime) -> Double {
        (average ?? TimeWeightedAverage(initialValue: value, start: start)).integral(until: end)
    }
}

/// Queueing at one region's service, in fixed-size aggregates: busy and available instance
/// slots and the queue's length over time, and the wait of every request whose service began
/// (wait = from its arrival at the service to the start of its service; a request that finds a
/// free slot waits 0).
struct ServiceStatistics {
    var busySlots = MeasuredGauge()
    var availableSlots = MeasuredGauge()
    var queueLength = MeasuredGauge()
    /// Requests that arrived at the service in the measured period and began service.
    var started: Int64 = 0
    /// Of those, the ones that waited (wait > 0).
    var waited: Int64 = 0
    var waitNanoseconds: Double = 0
}
