import SimulationCore
import SimulationStatistics

/// Outcomes per 1-second bin of request *arrival* time, split by reads and writes, for the whole
/// measured run (contract §4: a request's outcome is attributed to its arrival time).
struct ArrivalBins {
    var readTotal: [Int32]
    var readFailed: [Int32]
    var writeTotal: [Int32]
    var writeFailed: [Int32]
    let start: SimTime

    init(start: SimTime, seconds: Int) {
        self.start = start
        readTotal = Array(repeating: 0, count: seconds + 1)
        readFailed = readTotal
        writeTotal = readTotal
        writeFailed = readTotal
    }

    /// The same bins for a measured period of `seconds`, which must hold every bin recorded so far.
    func truncated(seconds: Int) -> ArrivalBins {
        var copy = self
        let count = seconds + 1
        if count < readTotal.count {
            precondition(readTotal[count...].allSatisfy { $0 == 0 } && writeTotal[count...].allSatisfy { $0 == 0 },
                         "a branch cannot drop arrivals already recorded")
            copy.readTotal.removeLast(readTotal.count - count)
            copy.readFailed.removeLast(readTotal.count - count)
            copy.writeTotal.removeLast(readTotal.count - count)
            copy.writeFailed.removeLast(readTotal.count - count)
        } else if count > readTotal.count {
            let extra = Array(repeating: Int32(0), count: count - readTotal.count)
            copy.readTotal += extra
            copy.readFailed += extra
            copy.writeTotal += extra
            copy.writeFailed += extra
        }
        return copy
    }

    @inline(__always)
    mutating func record(arrival: SimTime, isWrite: Bool, failed: Bool) {
        let index = Int((arrival - start).nanoseconds / 1_000_000_000)
        guard index >= 0 && index < readTotal.count else { return }
        if isWrite {
            writeTotal[index] += 1
            if failed { writeFailed[index] += 1 }
        } else {
            readTotal[index] += 1
            if failed { readFailed[index] += 1 }
        }
    }

    enum Traffic { case reads, writes, all }

    func rate(_ traffic: Traffic, bin: Int) -> (total: Int, failed: Int) {
        switch traffic {
        case .reads: return (Int(readTotal[bin]), Int(readFailed[bin]))
        case .writes: return (Int(writeTotal[bin]), Int(writeFailed[bin]))
        case .all: return (Int(readTotal[bin] + writeTotal[bin]), Int(readFailed[bin] + writeFailed[bin]))
        }
    }

    /// First breach and recovery of `traffic` between bins `from` and `to` (exclusive), per the
    /// contract: a bin is breached when its error rate is at or above `threshold`; recovery is the
    /// first bin t after the first breach such that every bin in [t, t + window) is below it.
    /// Bins with no requests count as below the threshold.
    func breachAndRecovery(_ traffic: Traffic, from: Int, to: Int, threshold: Double, window: Int)
        -> (breach: Int?, recovery: Int?)
    {
        var breach: Int? = nil
        var bin = max(0, from)
        let end = min(to, readTotal.count)
        while bin < end {
            let (total, failed) = rate(traffic, bin: bin)
            if total > 0 && Double(failed) / Double(total) >= threshold { breach = bin; break }
            bin += 1
        }
        guard let breach else { return (nil, nil) }
        var candidate = breach + 1
        var clean = 0
        bin = breach + 1
        while bin < end {
            let (total, failed) = rate(traffic, bin: bin)
            if total > 0 && Double(failed) / Double(total) >= threshold {
                clean = 0
                candidate = bin + 1
            } else {
                clean += 1
                if clean >= window { return (breach, candidate) }
            }
            bin += 1
        }
        return (breach, nil)
    }
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
