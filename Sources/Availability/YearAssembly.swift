import Foundation
import SimulationCore

/// One region-loss event of a year: what its incident recorded.
public struct RegionLossEvent: Codable, Sendable, Equatable {
    /// The fault process.
    public var process: String
    /// Loss → writes accepted again, seconds; `nil` when the region returned before promotion.
    public var rtoSeconds: Double?
    /// Acknowledged writes not on the survivor at the loss.
    public var rpoWrites: Int64?
    /// Acknowledged writes lost in the whole incident (queued writes lost with the region too).
    public var writesLost: Int64
}

/// One simulated year.
///
/// Failures are counted by 10-second bin: the background rate in healthy time, the library runs'
/// bins during incidents. A minute is down when its error rate is above the study's downtime
/// error rate; a 5-minute block (aligned to the year's start) likewise over its five minutes; a
/// downtime period is a run of at least five consecutive down minutes (Firestore's SLA counts
/// only those).
public struct YearResult: Codable, Sendable, Equatable {
    /// 1-based.
    public var year: Int
    /// Faults that started in the year.
    public var incidents: Int
    /// Scenarios of several faults whose windows met.
    public var overlaps: Int
    /// Scenarios simulated for this year alone (overlaps, durations the library lacks).
    public var exactScenarios: Int
    /// Requests (expected: rate × time).
    public var requests: Double
    /// Failed requests (background included).
    public var failed: Double
    /// Down minutes (healthy time's expected chance of a down minute included).
    public var downMinutes: Double
    /// Down 5-minute blocks.
    public var downBlocks: Double
    /// Minutes in runs of at least five consecutive down minutes.
    public var downtimePeriodMinutes: Int
    /// Failed requests by fault type (aligned with ``UptimeReport/faultTypes``).
    public var failedByFaultType: [Double]
    /// Down minutes by fault type.
    public var downMinutesByFaultType: [Double]
    /// Failed requests by trigger row (aligned with ``UptimeReport/rows``).
    public var failedByRow: [Double]
    /// Down minutes by trigger row.
    public var downMinutesByRow: [Double]
    /// Per reported tenant (aligned with ``UptimeReport/tenantRanks``).
    public var tenantRequests: [Double]
    public var tenantFailed: [Double]
    /// Region-loss events in the year.
    public var regionLosses: [RegionLossEvent]

    /// Served ÷ requests.
    public var requestAvailability: Double { requests > 0 ? 1 - failed / requests : 1 }
}

/// Everything the year assembly reads besides the schedule: the runs' effects and the
/// background. A library resampling changes ``entryForSlot`` and the background.
struct AssemblyInputs {
    /// Effects of the library's scenarios (by scenario index).
    var library: [ScenarioEffect]
    /// Effects of the on-demand scenarios (by their index).
    var exact: [ScenarioEffect]
    /// The library scenario a slot takes.
    var entryForSlot: (LibrarySlot) -> Int
    /// The pair run a choice in [0, 1) takes.
    var entryForPair: (SlotGroup, Double) -> Int = { _, _ in 0 }
    /// Background failures per bin, per load level (from the normal-operation runs' bins).
    var backgroundPerBin: [Double]
    /// Background failed share of requests by arrival, per load level (tenants).
    var backgroundShare: [Double]
}

/// Adds up a year from its placed scenarios.
struct YearAssembler {
    let settings: UptimeSettings
    let levels: [LoadLevel]
    let processNames: [String]
    /// Rows of the model's trigger table.
    let triggerRows: Int
    /// Each fault process's trigger row (0-based; `nil` when its faults name none): a
    /// scenario's downtime goes to the row of the fault that caused it, not to the row whose
    /// rule happened to act (a rule of another row acting is itself a finding, shown per run by
    /// the trigger table; here it would move a process's budget to a row it does not belong to).
    let processRows: [Int?]
    /// Request share of each reported tenant.
    let tenantShares: [Double]
    let tenantRanks: [Int]
    let threshold: Double
    /// Region-loss events count when they hit this region (RTO and RPO are the primary's).
    var primaryRegion: String = ""

    var faultTypeCount: Int { processNames.count + 2 }     // processes, overlap, background

    /// Bins averaged for a cut's steady state: never more than a third of the compressed gap, so
    /// that the onset's transient is not taken for the steady state.
    var steadyWindow: Int {
        let gapBins = Int(settings.library.compressAfter.nanoseconds / ScenarioEffect.binLength.nanoseconds)
        return max(1, min(settings.library.steadyBins, gapBins / 3))
    }
    var rowCount: Int { triggerRows + 3 }                  // rows, no row named, overlap, background

    private struct Minute {
        var failed = 0.0
        var total = 0.0
        var covered = 0
        var dominant = -1
        var dominantFailed = -1.0
    }

    func assemble(year: Int, incidents: Int, placed: [PlacedScenario], inputs: AssemblyInputs) -> YearResult {
        let bin = ScenarioEffect.binSeconds
        let yearSeconds = settings.yearLength.seconds
        let yearBins = Int64((yearSeconds / bin).rounded(.down))
        let meanRate = levels.reduce(0) { $0 + $1.share * $1.requestsPerSecond }
        let backgroundBin = zip(levels, inputs.backgroundPerBin).reduce(0) { $0 + $1.0.share * $1.1 }
        let backgroundShare = zip(levels, inputs.backgroundShare).reduce(0) { $0 + $1.0.share * $1.1 }
        let requests = meanRate * Double(yearBins) * bin
        var failed = backgroundBin * Double(yearBins)
        var failedByType = Array(repeating: 0.0, count: faultTypeCount)
        var failedByRow = Array(repeating: 0.0, count: rowCount)
        failedByType[faultTypeCount - 1] = failed
        failedByRow[rowCount - 1] = failed
        let tenantRequests = tenantShares.map { $0 * requests }
        var tenantFailed = tenantRequests.map { $0 * backgroundShare }
        var minutes: [Int64: Minute] = [:]
        var regionLosses: [RegionLossEvent] = []
        var exactCount = 0
        var overlaps = 0
        // Category of each placed scenario: fault type and row.
        var types: [Int] = []
        var rows: [Int] = []
        var values: [Double] = []

        for (index, scenario) in placed.enumerated() {
            let effect: ScenarioEffect
            var duration: SimDuration? = nil
            switch scenario.source {
            case .library(let slot, let drawn):
                effect = inputs.library[inputs.entryForSlot(slot)]
                duration = drawn
            case .pair(let group, let choice):
                effect = inputs.library[inputs.entryForPair(group, choice)]
            case .exact(let position):
                effect = inputs.exact[position]
                exactCount += 1
            }
            if scenario.isOverlap { overlaps += 1 }
            let type = scenario.isOverlap ? processNames.count : scenario.processes[0]
            let row = scenario.isOverlap ? triggerRows + 1 : (processRows[scenario.processes[0]] ?? triggerRows)
            types.append(type)
            rows.append(row)

            let background = inputs.backgroundPerBin[scenario.level]
            let totalPerBin = effect.arrivalRate * bin
            let startBin = Int64((scenario.onset.seconds / bin).rounded(.down)) - Int64(effect.preBins)
            // The scenario's bins, with the steady state a cut repeats put back in, and a library
            // run adjusted to the incident's own duration: bins of the state just before the
            // fault's end added, or bins before its end removed (a first-order correction in the
            // duration, exact for a fault whose effect is steady at its end).
            var cuts = effect.cuts
            var removeFrom = Int.max, removeTo = Int.max
            var adjustWindow = steadyWindow
            if let drawn = duration, let end = effect.faultEndBin, let simulated = effect.faultSeconds {
                let delta = Int(((drawn.seconds - simulated) / bin).rounded())
                let faultBins = end - effect.preBins
                adjustWindow = max(1, min(steadyWindow, faultBins / 3))
                if delta > 0 {
                    cuts.append(ScenarioCut(bin: end, bins: delta))
                } else if delta < 0 {
                    removeFrom = end - min(-delta, faultBins)
                    removeTo = end
                }
            }
            cuts.sort { $0.bin < $1.bin }
            values.removeAll(keepingCapacity: true)
            var insertedExcess = 0.0
            var nextCut = 0
            for position in 0..<effect.failed.count {
                while nextCut < cuts.count && cuts[nextCut].bin == position {
                    let window = effect.cuts.contains(cuts[nextCut]) ? steadyWindow : adjustWindow
                    let steady = effect.steadyFailures(before: position, window: window)
                    values.append(contentsOf: repeatElement(steady, count: cuts[nextCut].bins))
                    insertedExcess += Double(cuts[nextCut].bins) * (steady - background)
                    nextCut += 1
                }
                if position >= removeFrom && position < removeTo {
                    insertedExcess -= effect.failed[position] - background
                    continue
                }
                values.append(effect.failed[position])
            }
            // Bins outside the year are dropped (a fault running over the year's end).
            var excessAll = 0.0
            for value in values { excessAll += value - background }
            let first = max(0, -startBin)
            let last = min(Int64(values.count), yearBins - startBin)
            var excessInYear = 0.0
            if first < last {
                var position = Int(first)
                while position < Int(last) {
                    let absolute = startBin + Int64(position)
                    let key = absolute / 6
                    let through = min(Int(last), position + Int(6 - absolute % 6))
                    var failedInMinute = 0.0
                    for offset in position..<through { failedInMinute += values[offset] }
                    let covered = through - position
                    excessInYear += failedInMinute - Double(covered) * background
                    var stored = minutes[key] ?? Minute()
                    stored.failed += failedInMinute
                    stored.total += Double(covered) * totalPerBin
                    stored.covered += covered
                    // The scenario that failed most in the minute takes the minute.
                    if failedInMinute > stored.dominantFailed { stored.dominant = index; stored.dominantFailed = failedInMinute }
                    minutes[key] = stored
                    position = through
                }
            }
            let clip = excessAll != 0 ? excessInYear / excessAll : 1
            failed += excessInYear
            failedByType[type] += excessInYear
            failedByRow[row] += excessInYear

            // Tenants: the run's own failures by arrival, less the background; the bins a cut
            // added are shared out as the run's excess was (or by traffic when it had none).
            let runExcess = Double(effect.requestsFailed) - inputs.backgroundShare[scenario.level] * Double(effect.requests)
            let noise = 3 * (inputs.backgroundShare[scenario.level] * Double(effect.requests)).squareRoot() + 1
            for (t, rank) in tenantRanks.enumerated() where rank - 1 < effect.tenantRequests.count {
                let tenantRequestsRun = Double(effect.tenantRequests[rank - 1])
                let tenantExcess = Double(effect.tenantFailed[rank - 1]) - inputs.backgroundShare[scenario.level] * tenantRequestsRun
                let share = runExcess > noise ? tenantExcess / runExcess
                    : (effect.requests > 0 ? tenantRequestsRun / Double(effect.requests) : tenantShares[t])
                tenantFailed[t] += (tenantExcess + insertedExcess * share) * clip
            }
            if scenario.onset < settings.yearLength {
                for incident in effect.incidents where incident.faultKind == "regionLoss" && incident.target == primaryRegion {
                    regionLosses.append(RegionLossEvent(process: incident.process, rtoSeconds: incident.rtoSeconds,
                                                        rpoWrites: incident.rpoWrites, writesLost: incident.writesLost))
                }
            }
        }

        // Minutes and blocks: covered bins as the runs had them, the rest at the background.
        let healthyBinTotal = meanRate * bin
        var downMinutes = 0.0
        var downMinutesByType = Array(repeating: 0.0, count: faultTypeCount)
        var downMinutesByRow = Array(repeating: 0.0, count: rowCount)
        var downList: [Int64] = []
        var blockSums: [Int64: (failed: Double, total: Double)] = [:]
        for (key, minute) in minutes {
            let missing = Double(6 - min(6, minute.covered))
            let failedInMinute = minute.failed + missing * backgroundBin
            let totalInMinute = minute.total + missing * healthyBinTotal
            if totalInMinute > 0 && failedInMinute / totalInMinute > threshold {
                downMinutes += 1
                downList.append(key)
                if minute.dominant >= 0 {
                    downMinutesByType[types[minute.dominant]] += 1
                    downMinutesByRow[rows[minute.dominant]] += 1
                }
            }
            var block = blockSums[key / 5] ?? (0, 0)
            block.failed += failedInMinute
            block.total += totalInMinute
            blockSums[key / 5] = block
        }
        var downBlocks = 0.0
        for (key, block) in blockSums {
            let present = (0..<5).filter { minutes[key * 5 + Int64($0)] != nil }.count
            let missing = Double(5 - present)
            let failedInBlock = block.failed + missing * 6 * backgroundBin
            let totalInBlock = block.total + missing * 6 * healthyBinTotal
            if totalInBlock > 0 && failedInBlock / totalInBlock > threshold { downBlocks += 1 }
        }
        // Healthy time's own chance of a down minute or block (background errors alone).
        let yearMinutes = Double(yearBins / 6)
        let healthyMinuteChance = Self.chanceAbove(mean: backgroundBin * 6, total: healthyBinTotal * 6, threshold: threshold)
        let healthyBlockChance = Self.chanceAbove(mean: backgroundBin * 30, total: healthyBinTotal * 30, threshold: threshold)
        let healthyDown = (yearMinutes - Double(minutes.count)) * healthyMinuteChance
        downMinutes += healthyDown
        downMinutesByType[faultTypeCount - 1] += healthyDown
        downMinutesByRow[rowCount - 1] += healthyDown
        downBlocks += (yearMinutes / 5 - Double(blockSums.count)) * healthyBlockChance
        downList.sort()
        var periods = 0
        var run = 0
        for (position, minute) in downList.enumerated() {
            run = position > 0 && downList[position - 1] == minute - 1 ? run + 1 : 1
            let endsHere = position == downList.count - 1 || downList[position + 1] != minute + 1
            if endsHere && run >= 5 { periods += run }
        }
        return YearResult(year: year + 1, incidents: incidents, overlaps: overlaps, exactScenarios: exactCount,
                          requests: requests, failed: failed, downMinutes: downMinutes, downBlocks: downBlocks,
                          downtimePeriodMinutes: periods, failedByFaultType: failedByType, downMinutesByFaultType: downMinutesByType,
                          failedByRow: failedByRow, downMinutesByRow: downMinutesByRow, tenantRequests: tenantRequests,
                          tenantFailed: tenantFailed, regionLosses: regionLosses)
    }

    /// P(X / total > threshold) for X ~ Poisson(mean): the chance that background errors alone
    /// push a healthy minute or block over the line.
    static func chanceAbove(mean: Double, total: Double, threshold: Double) -> Double {
        guard mean > 0, total > 0 else { return 0 }
        let k = Int((threshold * total).rounded(.down))  // X must exceed k
        if Double(k) > mean + 40 * mean.squareRoot() + 40 { return 0 }
        var logTerm = -mean + Double(k + 1) * Foundation.log(mean) - Foundation.lgamma(Double(k + 2))
        var sum = 0.0
        var x = k + 1
        while true {
            let term = Foundation.exp(logTerm)
            sum += term
            if term < 1e-18 * max(sum, 1e-300) && Double(x) > mean { break }
            x += 1
            logTerm += Foundation.log(mean) - Foundation.log(Double(x))
            if x > k + 1_000_000 { break }
        }
        return min(1, sum)
    }
}
