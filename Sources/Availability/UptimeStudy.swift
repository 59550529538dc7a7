import FailoverModel
import Foundation
import RunResults
import SimulationCore
import SimulationStatistics

/// Where a study is, for a progress display.
public enum UptimeProgress: Sendable {
    /// Library runs and on-demand scenarios available (from the store or simulated) of those needed.
    case scenarios(done: Int, total: Int)
    /// Library resamplings done (each re-adds every year).
    case resampling(done: Int, total: Int)
}

/// What a study cost, apart from its results (wall time is never part of a report).
public struct UptimeCost: Sendable, Equatable {
    public var scenarios: Int
    public var scenariosFromStore: Int
    public var scenariosSimulated: Int
    /// Wall-clock seconds the simulated scenarios took, summed over threads.
    public var simulationSeconds: Double
}

/// The annual uptime study behind `failsim uptime`: replicated years of the experiment's fault
/// processes, each incident's effect taken from the failover model through the incident library.
///
/// 1. Plan the library (``IncidentLibrary``) and draw every year's faults (``YearSchedule``).
///    Incidents whose windows meet become one scenario, simulated for that year alone — an
///    overlap is never added up from separate incidents — as is a duration the library lacks.
/// 2. Get every scenario's effect from the evaluator: the model at request level, runs found in
///    the store reused.
/// 3. Add up each year: healthy time at the background failure rate of the normal-operation run,
///    incidents as their runs' bins (``YearAssembler``).
/// 4. Measure the library's error: resample each band's runs (and the background's count) with
///    replacement, add the years up again, and take the spread of every estimate.
public struct UptimeStudy {
    public var model: ModelConfiguration
    public var experiment: ExperimentConfiguration
    public var settings: UptimeSettings

    /// A study of `experiment`'s fault processes on `model` (overrides already applied).
    public init(model: ModelConfiguration, experiment: ExperimentConfiguration, settings: UptimeSettings) {
        self.model = model
        self.experiment = experiment
        self.settings = settings
    }

    /// The load levels: the settings', or the model's rate all year.
    public var loadLevels: [LoadLevel] {
        settings.loadLevels.isEmpty ? [LoadLevel(requestsPerSecond: model.traffic.requestsPerSecond, share: 1)] : settings.loadLevels
    }

    /// The tenants reported.
    public var tenantRanks: [Int] {
        let tenants = model.traffic.tenants
        let wanted = settings.tenantRanks.isEmpty ? [1, 10, 100, tenants] : settings.tenantRanks
        var ranks: [Int] = []
        for rank in wanted where rank >= 1 && rank <= tenants && !ranks.contains(rank) { ranks.append(rank) }
        return ranks
    }

    /// Checks what a study needs before anything runs.
    public func validate() throws {
        guard let processes = experiment.faultProcesses, !processes.isEmpty else {
            throw ModelError("experiment '\(experiment.name)' has no faultProcesses: an uptime study samples years from them")
        }
        if Set(processes.map(\.name)).count != processes.count { throw ModelError("fault process names must be unique") }
        if !experiment.faults.isEmpty {
            throw ModelError("experiment '\(experiment.name)' has scripted faults; an uptime study uses only its faultProcesses")
        }
        guard settings.years >= 1 else { throw ModelError("at least one year is needed") }
        guard settings.yearLength >= UptimeSettings.shortestYear else { throw ModelError("a year must be at least \(UptimeSettings.shortestYear) long") }
        guard settings.bootstrapReplicates >= 0 else { throw ModelError("resamplings cannot be negative") }
        try LoadLevel.validate(loadLevels)
        // Every template must fit the model: check one scenario per process.
        let library = settings.library
        var probe = experiment
        probe.faultProcesses = nil
        probe.faults = processes.flatMap { process in
            process.faults.enumerated().map { index, template in
                template.fault(name: "\(process.name)-\(index)", at: library.warmUp, duration: .seconds(1))
            }
        }
        try FailoverSimulation.check(model: model, experiment: probe, seed: 1)
    }

    /// Runs the study.
    public func run(evaluator: ScenarioEvaluator, jobs: Int, progress: ((UptimeProgress) -> Void)? = nil) throws -> (report: UptimeReport, cost: UptimeCost) {
        try validate()
        let processes = experiment.faultProcesses ?? []
        let levels = loadLevels
        let library = IncidentLibrary.plan(processes: processes, levels: levels, settings: settings.library)
        let schedule = YearSchedule(processes: processes, library: library, levels: levels, settings: settings)

        // 1. Every year's scenarios.
        var exact: [Scenario] = []
        var placedYears: [[PlacedScenario]] = []
        var incidentCounts: [Int] = []
        placedYears.reserveCapacity(settings.years)
        for year in 0..<settings.years {
            let incidents = schedule.incidents(year: year)
            incidentCounts.append(incidents.count)
            placedYears.append(schedule.place(incidents, year: year, exact: &exact))
        }

        // 2. Their effects.
        let all = library.scenarios + exact
        let effects = try evaluator.effects(of: all, settings: settings.library, jobs: jobs) { done, total in
            progress?(.scenarios(done: done, total: total))
        }
        let libraryEffects = Array(effects[0..<library.scenarios.count])
        let exactEffects = Array(effects[library.scenarios.count...])
        let cost = UptimeCost(scenarios: effects.count, scenariosFromStore: effects.filter(\.fromStore).count,
                              scenariosSimulated: effects.filter { !$0.fromStore }.count,
                              simulationSeconds: effects.reduce(0) { $0 + $1.wallSeconds })

        // 3. The years.
        let backgroundPerBin = library.normal.map { index -> Double in
            let bins = libraryEffects[index].failed
            return bins.isEmpty ? 0 : bins.reduce(0, +) / Double(bins.count)
        }
        let backgroundShare = library.normal.map { index -> Double in
            let effect = libraryEffects[index]
            return effect.requests > 0 ? Double(effect.requestsFailed) / Double(effect.requests) : 0
        }
        let groups = Self.slotGroups(library)
        let assembler = YearAssembler(settings: settings, levels: levels, processNames: processes.map(\.name),
                                      triggerRows: model.triggers?.count ?? 0,
                                      processRows: processes.map { process in process.faults.lazy.compactMap(\.row).first.map { $0 - 1 } },
                                      tenantShares: tenantShares(tenantRanks),
                                      tenantRanks: tenantRanks, threshold: downtimeErrorRate, primaryRegion: model.regions.primary)
        let base = AssemblyTables(library: libraryEffects, exact: exactEffects, groups: groups, weights: library.weights,
                                  backgroundPerBin: backgroundPerBin, backgroundShare: backgroundShare)
        let years = try assembleYears(assembler, tables: base, placed: placedYears, incidents: incidentCounts, jobs: jobs)

        // 4. The library's error: each replicate resamples the library's runs and the background.
        // The k-th run of every band and the k-th long run of a process share a seed (a chain,
        // see IncidentLibrary), so their luck is alike — the probes' phase, say: a replicate draws
        // chains, the same picks for all of a process's bands and long runs at a level, so that
        // this likeness shows in the error instead of averaging out. Pairs draw their own.
        let replicates = settings.bootstrapReplicates
        var replicateStatistics: [[String: Double]] = []
        for replicate in 0..<replicates {
            var streams = RandomStreams(seed: settings.seed).stream(named: "uptime/resampling/\(replicate)")
            var tables = base
            var chainPicks: [ChainPick: [Int]] = [:]
            for key in groups.keys.sorted(by: Self.groupOrder) {
                let runs = groups[key]!
                // One set of picks per process, level, kind of group (pair partner) and size.
                let chain = ChainPick(process: key.process, level: key.level, partner: key.partner, size: runs.count)
                let picks = chainPicks[chain] ?? runs.indices.map { _ in Int(streams.nextIndex(below: UInt64(runs.count))) }
                chainPicks[chain] = picks
                tables.groups[key] = picks.map { runs[$0] }
            }
            for level in levels.indices {
                let normal = libraryEffects[library.normal[level]]
                let count = Double(normal.requestsFailed)
                let factor = count > 0 ? max(0, count + count.squareRoot() * Self.normal(&streams)) / count : 1
                tables.backgroundPerBin[level] *= factor
                tables.backgroundShare[level] *= factor
            }
            let resampled = try assembleYears(assembler, tables: tables, placed: placedYears, incidents: incidentCounts, jobs: jobs)
            replicateStatistics.append(statistics(resampled))
            progress?(.resampling(done: replicate + 1, total: replicates))
        }
        let keys = Set(replicateStatistics.flatMap(\.keys))
        var librarySD: [String: Double] = [:]
        for key in keys {
            librarySD[key] = Summaries.standardDeviation(replicateStatistics.compactMap { $0[key] })
        }
        let report = summarise(years: years, librarySD: librarySD, library: library, libraryEffects: libraryEffects,
                               exact: exact, exactEffects: exactEffects, backgroundShare: backgroundShare, levels: levels)
        return (report, cost)
    }

    /// Error rate above which a minute or block is down.
    public var downtimeErrorRate: Double {
        settings.downtimeErrorRate ?? model.alerts?.errorRate.critical ?? 0.05
    }

    /// Share of requests of each ranked tenant: Zipf over the model's tenants, as the model draws them.
    func tenantShares(_ ranks: [Int]) -> [Double] {
        let tenants = model.traffic.tenants
        let skew = model.traffic.tenantSkew
        var total = 0.0
        for rank in 1...max(1, tenants) { total += Foundation.pow(Double(rank), -skew) }
        return ranks.map { Foundation.pow(Double($0), -skew) / total }
    }

    static func slotGroups(_ library: IncidentLibrary) -> [SlotGroup: [Int]] {
        var groups: [SlotGroup: [Int]] = [:]
        for (p, process) in library.processes.enumerated() {
            for (b, band) in process.bands.enumerated() {
                for (level, runs) in band.entries.enumerated() { groups[SlotGroup(process: p, level: level, band: b)] = runs }
            }
            for (level, runs) in process.long.enumerated() where !runs.isEmpty {
                groups[SlotGroup(process: p, level: level, band: nil)] = runs
            }
        }
        for pair in library.pairs {
            for (level, runs) in pair.entries.enumerated() where !runs.isEmpty {
                groups[SlotGroup(process: pair.first, level: level, band: nil, partner: pair.second)] = runs
            }
        }
        return groups
    }

    static func groupOrder(_ a: SlotGroup, _ b: SlotGroup) -> Bool {
        (a.process, a.partner ?? -1, a.level, a.band ?? -1) < (b.process, b.partner ?? -1, b.level, b.band ?? -1)
    }

    /// A standard normal draw (Box–Muller, one of the pair).
    static func normal(_ stream: inout Xoshiro256StarStar) -> Double {
        let u = stream.nextUniform()
        let v = stream.nextUniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    func assembleYears(_ assembler: YearAssembler, tables: AssemblyTables, placed: [[PlacedScenario]], incidents: [Int], jobs: Int) throws -> [YearResult] {
        let chunk = 25
        let chunks = (placed.count + chunk - 1) / chunk
        let parts = try ParallelWork.map(count: chunks, jobs: jobs) { part in
            let inputs = tables.inputs
            return (part * chunk..<min(placed.count, (part + 1) * chunk)).map { year in
                assembler.assemble(year: year, incidents: incidents[year], placed: placed[year], inputs: inputs)
            }
        }
        return parts.flatMap { $0 }
    }

    // MARK: Summaries

    var yearMinutes: Double { settings.yearLength.seconds / 60 }
    var budgetMinutes: Double { (1 - model.slo.uptime) * yearMinutes }

    static let measureNames = ["requests", "minutes", "fiveMinuteBlocks", "downtimePeriods"]

    func downtimeMinutes(_ year: YearResult, measure: String) -> Double {
        switch measure {
        case "requests": return year.requests > 0 ? year.failed / year.requests * yearMinutes : 0
        case "minutes": return year.downMinutes
        case "fiveMinuteBlocks": return year.downBlocks * 5
        default: return Double(year.downtimePeriodMinutes)
        }
    }

    func tenantAvailability(_ year: YearResult, _ t: Int) -> Double {
        year.tenantRequests[t] > 0 ? 1 - year.tenantFailed[t] / year.tenantRequests[t] : 1
    }

    /// The estimates whose library error is measured, by name.
    func statistics(_ years: [YearResult]) -> [String: Double] {
        var values: [String: Double] = [:]
        let n = Double(years.count)
        let target = model.slo.uptime
        for measure in Self.measureNames {
            let downtime = years.map { downtimeMinutes($0, measure: measure) }
            values["downtime.\(measure)"] = downtime.reduce(0, +) / n
            values["meets.\(measure)"] = Double(downtime.filter { 1 - $0 / yearMinutes >= target }.count) / n
        }
        if let first = years.first {
            for type in first.failedByFaultType.indices {
                values["type.requests.\(type)"] = years.reduce(0) { $0 + ($1.requests > 0 ? $1.failedByFaultType[type] / $1.requests * yearMinutes : 0) } / n / budgetMinutes
                values["type.minutes.\(type)"] = years.reduce(0) { $0 + $1.downMinutesByFaultType[type] } / n / budgetMinutes
            }
            for row in first.failedByRow.indices {
                values["row.requests.\(row)"] = years.reduce(0) { $0 + ($1.requests > 0 ? $1.failedByRow[row] / $1.requests * yearMinutes : 0) } / n / budgetMinutes
                values["row.minutes.\(row)"] = years.reduce(0) { $0 + $1.downMinutesByRow[row] } / n / budgetMinutes
            }
            for t in first.tenantRequests.indices {
                let availability = years.map { tenantAvailability($0, t) }
                values["tenant.downtime.\(t)"] = availability.reduce(0) { $0 + (1 - $1) * yearMinutes } / n
                values["tenant.meets.\(t)"] = Double(availability.filter { $0 >= target }.count) / n
            }
        }
        let events = years.flatMap(\.regionLosses)
        let rtos = events.compactMap(\.rtoSeconds)
        if !rtos.isEmpty {
            values["rto.mean"] = rtos.reduce(0, +) / Double(rtos.count)
            if let target = model.slo.rto?.seconds {
                values["rto.within"] = Double(rtos.filter { $0 <= target }.count) / Double(rtos.count)
            }
        }
        let rpos = events.compactMap(\.rpoWrites).map(Double.init)
        if !rpos.isEmpty { values["rpo.mean"] = rpos.reduce(0, +) / Double(rpos.count) }
        if !events.isEmpty { values["rpo.none"] = Double(events.filter { $0.writesLost == 0 }.count) / Double(events.count) }
        return values
    }

    func summarise(years: [YearResult], librarySD: [String: Double], library: IncidentLibrary, libraryEffects: [ScenarioEffect],
                   exact: [Scenario], exactEffects: [ScenarioEffect], backgroundShare: [Double], levels: [LoadLevel]) -> UptimeReport {
        let level = settings.level
        let target = model.slo.uptime
        let processes = experiment.faultProcesses ?? []
        func sd(_ key: String) -> Double { librarySD[key] ?? 0 }
        var measures: [MeasureSummary] = []
        for measure in Self.measureNames {
            let downtime = years.map { downtimeMinutes($0, measure: measure) }
            let availability = downtime.map { 1 - $0 / yearMinutes }
            let meets = availability.filter { $0 >= target }.count
            let downtimeSD = sd("downtime.\(measure)")
            measures.append(MeasureSummary(
                measure: measure,
                downtimeMinutes: Summaries.distribution(downtime, librarySD: downtimeSD, level: level),
                availability: Summaries.distribution(availability, librarySD: downtimeSD / yearMinutes, level: level),
                budgetUsed: Summaries.distribution(downtime.map { $0 / budgetMinutes }, librarySD: downtimeSD / budgetMinutes, level: level),
                meetsTarget: Summaries.proportion(successes: meets, trials: years.count, librarySD: sd("meets.\(measure)"), level: level)))
        }
        let faultTypes = processes.map(\.name) + ["overlap", "background"]
        let rowNames = (model.triggers ?? []).enumerated().map { "row \($0.offset + 1): \($0.element.condition)" }
            + ["no trigger row", "overlap", "background"]
        func budgetShares(_ names: [String], prefix: String, failed: (YearResult) -> [Double], minutes: (YearResult) -> [Double]) -> [BudgetShare] {
            names.indices.map { index in
                let requestShare = years.map { $0.requests > 0 ? failed($0)[index] / $0.requests * yearMinutes / budgetMinutes : 0 }
                let minuteShare = years.map { minutes($0)[index] / budgetMinutes }
                return BudgetShare(name: names[index],
                                   requestBased: Summaries.estimate(requestShare, librarySD: sd("\(prefix).requests.\(index)"), level: level),
                                   minutes: Summaries.estimate(minuteShare, librarySD: sd("\(prefix).minutes.\(index)"), level: level))
            }
        }
        let events = years.flatMap(\.regionLosses)
        let rtos = events.compactMap(\.rtoSeconds)
        let rtoTarget = model.slo.rto?.seconds
        let rpos = events.compactMap(\.rpoWrites).map(Double.init)
        let regionLoss = RegionLossSummary(
            events: events.count,
            perYear: Summaries.estimate(years.map { Double($0.regionLosses.count) }, librarySD: 0, level: level),
            rtoSeconds: rtos.isEmpty ? nil : Summaries.distribution(rtos, librarySD: sd("rto.mean"), level: level),
            rtoWithinTarget: rtos.isEmpty || rtoTarget == nil ? nil
                : Summaries.proportion(successes: rtos.filter { $0 <= rtoTarget! }.count, trials: rtos.count, librarySD: sd("rto.within"), level: level),
            rtoTargetSeconds: rtoTarget,
            notPromoted: events.count - rtos.count,
            rpoWrites: rpos.isEmpty ? nil : Summaries.distribution(rpos, librarySD: sd("rpo.mean"), level: level),
            noWritesLost: events.isEmpty ? nil
                : Summaries.proportion(successes: events.filter { $0.writesLost == 0 }.count, trials: events.count, librarySD: sd("rpo.none"), level: level))
        let ranks = tenantRanks
        let shares = tenantShares(ranks)
        let tenants = ranks.indices.map { t -> TenantSummary in
            let availability = years.map { tenantAvailability($0, t) }
            let downtime = availability.map { (1 - $0) * yearMinutes }
            let downtimeSD = sd("tenant.downtime.\(t)")
            return TenantSummary(rank: ranks[t], requestShare: shares[t], requestsPerYear: years.first?.tenantRequests[t] ?? 0,
                                 availability: Summaries.distribution(availability, librarySD: downtimeSD / yearMinutes, level: level),
                                 downtimeMinutes: Summaries.distribution(downtime, librarySD: downtimeSD, level: level),
                                 meetsTarget: Summaries.proportion(successes: availability.filter { $0 >= target }.count, trials: years.count,
                                                                   librarySD: sd("tenant.meets.\(t)"), level: level))
        }
        let described = library.processes.map { entries -> LibraryDescription.Process in
            LibraryDescription.Process(
                process: entries.process,
                bandEdgesSeconds: entries.bands.map(\.upper.seconds),
                entrySeconds: entries.bands.map { band in (band.entries.first ?? []).map { library.scenarios[$0].faults[0].duration.seconds } },
                longShare: entries.longShare, longEntries: entries.long.first?.count ?? 0)
        }
        let simulated = { (effects: [ScenarioEffect]) in effects.reduce(0.0) { $0 + Double($1.failed.count) * ScenarioEffect.binSeconds } }
        let pairs = library.pairs.map {
            LibraryDescription.Pair(processes: [processes[$0.first].name, processes[$0.second].name], perYear: $0.perYear,
                                    runs: $0.entries.reduce(0) { $0 + $1.count })
        }
        let description = LibraryDescription(runs: library.scenarios.count, pairs: pairs, librarySimulatedSeconds: simulated(libraryEffects),
                                             exactScenarios: exact.count, exactSimulatedSeconds: simulated(exactEffects),
                                             backgroundFailureRate: backgroundShare, processes: described)
        return UptimeReport(
            experiment: experiment.name, model: model.name, engineVersion: FailoverSimulation.engineVersion, settings: settings,
            loadLevels: levels, target: target, budgetMinutes: budgetMinutes, downtimeErrorRate: downtimeErrorRate,
            faultTypes: faultTypes, rows: rowNames, tenantRanks: ranks, measures: measures,
            incidentsPerYear: Summaries.estimate(years.map { Double($0.incidents) }, librarySD: 0, level: level),
            overlapsPerYear: Summaries.estimate(years.map { Double($0.overlaps) }, librarySD: 0, level: level),
            faultTypeShares: budgetShares(faultTypes, prefix: "type", failed: \.failedByFaultType, minutes: \.downMinutesByFaultType),
            rowShares: budgetShares(rowNames, prefix: "row", failed: \.failedByRow, minutes: \.downMinutesByRow),
            regionLoss: regionLoss, tenants: tenants, library: description, years: years)
    }
}

/// The runs a library slot's position indexes: one process, load level and band (`nil`: long).
struct SlotGroup: Hashable, Sendable {
    var process: Int
    var level: Int
    var band: Int?
    /// For the runs of a pair of processes: the second process.
    var partner: Int? = nil
}

/// Which groups of library runs a bootstrap replicate resamples with the same picks (see the
/// library's error in ``UptimeStudy/run(evaluator:jobs:progress:)``).
struct ChainPick: Hashable {
    var process: Int
    var level: Int
    var partner: Int?
    var size: Int
}

/// ``AssemblyInputs`` in plain data, so that worker threads can share it.
struct AssemblyTables: Sendable {
    var library: [ScenarioEffect]
    var exact: [ScenarioEffect]
    var groups: [SlotGroup: [Int]]
    var weights: [Int: Double]
    var backgroundPerBin: [Double]
    var backgroundShare: [Double]

    var inputs: AssemblyInputs {
        let groups = self.groups
        let weights = self.weights
        return AssemblyInputs(library: library, exact: exact,
                              entryForSlot: { slot in groups[SlotGroup(process: slot.process, level: slot.level, band: slot.band)]![slot.position] },
                              entryForPair: { group, choice in
                                  // In proportion to the runs' weights (the pair's length bias).
                                  let runs = groups[group]!
                                  let total = runs.reduce(0.0) { $0 + weights[$1]! }
                                  var cumulative = 0.0
                                  for run in runs {
                                      cumulative += weights[run]!
                                      if choice * total < cumulative { return run }
                                  }
                                  return runs[runs.count - 1]
                              },
                              backgroundPerBin: backgroundPerBin, backgroundShare: backgroundShare)
    }
}

extension UptimeReport {
    /// The report's JSON with sorted keys (stored, printed with `--json`, and digested).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Hex SHA-256 of ``encoded()``: equal for equal inputs, whatever the store held or `--jobs`.
    public func digest() throws -> String { ContentHash.sha256Hex(try encoded()) }
}
