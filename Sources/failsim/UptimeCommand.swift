import ArgumentParser
import Availability
import FailoverModel
import Foundation
import ModelFiles
import RunResults
import RunStore
import SimulationCore

struct UptimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uptime",
        abstract: "The annual uptime distribution over replicated years, against the model's uptime SLA.",
        discussion: """
            Samples --years years of the experiment's fault processes (the experiment must have \
            faultProcesses and no scripted faults). Each incident's effect comes from the model at \
            request level through an incident library: runs per fault process × duration band × \
            load level, reused across years, each adjusted to the incident's own duration; likely \
            pairs of processes have library runs of their overlaps (--pair-entries); other \
            overlaps (faults whose windows, failback included, meet) and durations the library \
            lacks are simulated for that year alone, never added up from separate incidents. \
            Healthy time costs nothing: it fails at the background rate of a normal-operation run.

            Every library and overlap run is an ordinary run in the database (variant \
            `uptime:<scenario>`), found again by its run key: a second study of the same model and \
            experiment simulates only the overlaps its seed brings. The study itself goes to the \
            uptimeStudy and uptimeYear tables. Results are identical for any --jobs; more --years \
            only adds years (the first N are the same).

            Reported: downtime and availability per year by four measures (request-based; down \
            minutes, error rate above the model's critical alert level, 5 % by default; aligned \
            5-minute blocks; Firestore-style downtime periods of 5+ consecutive down minutes), the \
            chance of meeting the target with a Wilson interval, the budget share by fault process \
            and by trigger row, RTO and RPO per region-loss event, and tenants. Every mean has the \
            years' interval and the library's resampling error (± lib, a standard deviation over \
            --resamples library resamplings); the combined interval holds both.

            Examples:
              failsim uptime experiments/annual-uptime.yaml
              failsim uptime experiments/annual-uptime.yaml --years 200 --seed 7 --jobs 2
              failsim uptime experiments/annual-uptime.yaml --load 1000:0.75,2000:0.25 --tenant 1 --tenant 1000
              failsim uptime experiments/annual-uptime.yaml --json > uptime.json

            \(ExitCodes.help())
            """
    )

    @Argument(help: ArgumentHelp("The experiment file (kind: experiment) with faultProcesses.", valueName: "experiment-file"))
    var experimentFile: String

    @Option(name: .long, help: ArgumentHelp("Use this model file instead of the one the experiment names.", valueName: "file"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Replicated years.", valueName: "n"))
    var years: Int = 1000

    @Option(name: .long, help: ArgumentHelp("The study seed (the years' fault schedules; the library does not depend on it).", valueName: "n"))
    var seed: UInt64 = 1

    @Option(name: .customLong("jobs"), help: ArgumentHelp("Worker threads for library and overlap runs (default: every core).", valueName: "n"))
    var jobsOption: Int?

    /// Worker threads: --jobs, else every core.
    var jobs: Int { jobsOption ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(name: .long, help: ArgumentHelp("Load levels and their shares of the year, RATE:SHARE,… (default: the model's rate all year).",
                                            valueName: "levels"))
    var load: String?

    @Option(name: .long, help: ArgumentHelp("A tenant to report, by rank (1 = the largest); repeatable (default: 1, 10, 100 and the smallest).",
                                            valueName: "rank"))
    var tenant: [Int] = []

    @Option(name: .long, help: ArgumentHelp("Library resamplings that measure the library's error.", valueName: "n"))
    var resamples: Int = 40

    @Option(name: .long, help: ArgumentHelp("The length of a year (e.g. 365d; shorter ones for checks against brute force).", valueName: "duration"))
    var yearLength: String = "365d"

    @Option(name: .long, help: ArgumentHelp("Duration bands per fault process in the library.", valueName: "n"))
    var bands: Int = LibrarySettings().bands

    @Option(name: .long, help: ArgumentHelp("Library runs per band and load level.", valueName: "n"))
    var entriesPerBand: Int = LibrarySettings().entriesPerBand

    @Option(name: .long, help: ArgumentHelp("Library runs of long faults (stretched to each year's duration).", valueName: "n"))
    var longEntries: Int = LibrarySettings().longEntries

    @Option(name: .long, help: ArgumentHelp("Library runs per likely pair of fault processes (0: simulate every overlap as it comes).",
                                            valueName: "n"))
    var pairEntries: Int = LibrarySettings().pairEntries

    @Option(name: .long, help: ArgumentHelp("Simulate at most this much of any gap between fault starts and ends; the rest is the steady state repeated.",
                                            valueName: "duration"))
    var compressAfter: String = LibrarySettings().compressAfter.description

    @Option(name: .long, help: ArgumentHelp("Measured time after a scenario's last fault (failback, re-warm).", valueName: "duration"))
    var post: String = LibrarySettings().post.description

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print one JSON document (the study and its report) instead of the human summary.")
    var json = false

    mutating func validate() throws {
        if years < 1 { throw ValidationError("--years must be at least 1, found \(years)") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
        if resamples < 0 { throw ValidationError("--resamples cannot be negative") }
        if pairEntries < 0 { throw ValidationError("--pair-entries cannot be negative") }
        if bands < 1 || entriesPerBand < 1 || longEntries < 1 {
            throw ValidationError("--bands, --entries-per-band and --long-entries must be at least 1")
        }
        if let bad = tenant.first(where: { $0 < 1 }) { throw ValidationError("--tenant takes a rank of 1 or more, found \(bad)") }
        for (name, text) in [("--year-length", yearLength), ("--compress-after", compressAfter), ("--post", post)] {
            do { _ = try SimDuration(parsing: text) } catch { throw ValidationError("\(name): \(error)") }
        }
        if let length = try? SimDuration(parsing: yearLength), length < UptimeSettings.shortestYear {
            throw ValidationError("--year-length must be at least \(UptimeSettings.shortestYear), found \(yearLength)")
        }
        if let load {
            do { _ = try LoadLevel.parseList(load) } catch { throw ValidationError("--load: \(error)") }
        }
    }

    func settings() throws -> UptimeSettings {
        var settings = UptimeSettings()
        settings.years = years
        settings.seed = seed
        settings.yearLength = try SimDuration(parsing: yearLength)
        settings.loadLevels = try load.map { try LoadLevel.parseList($0) } ?? []
        settings.tenantRanks = tenant
        settings.bootstrapReplicates = resamples
        settings.library.bands = bands
        settings.library.entriesPerBand = entriesPerBand
        settings.library.longEntries = longEntries
        settings.library.pairEntries = pairEntries
        settings.library.compressAfter = try SimDuration(parsing: compressAfter)
        settings.library.post = try SimDuration(parsing: post)
        return settings
    }

    mutating func run() throws {
        let loaded = try reportingErrors { try ExperimentSource.load(experimentFile: experimentFile, model: model) }
        let plan = try reportingErrors { try ExperimentPlan(loaded) }
        let baseline = plan.variants[0]
        let settings = try self.settings()
        if settings.library.compressAfter < .minutes(1) {
            printError("error: --compress-after must be at least 1m")
            throw ExitCode(ExitCodes.usage)
        }
        let study = UptimeStudy(model: baseline.model, experiment: loaded.experiment, settings: settings)
        try reportingErrors { try study.validate() }
        let runStore = try reportingErrors { try store.open() }
        let cache = StoreCache(store: runStore)
        let evaluator = ModelScenarioEvaluator(model: baseline.model, experiment: loaded.experiment, loadLevels: study.loadLevels, cache: cache)
        let display = UptimeProgressDisplay.ifTerminal()
        let clock = ContinuousClock()
        let started = clock.now
        let (report, cost) = try reportingErrors {
            try study.run(evaluator: evaluator, jobs: jobs) { display?.update($0) }
        }
        display?.finish()
        let elapsed = clock.now - started
        let wall = elapsed.inSeconds
        let encoded = try report.encoded()
        let digest = ContentHash.sha256Hex(encoded)
        let modelData = CanonicalJSON.encodeChecked(baseline.model, "model '\(baseline.model.name)'")
        let experimentData = CanonicalJSON.encodeChecked(loaded.experiment, "experiment '\(loaded.experiment.name)'")
        let settingsData = CanonicalJSON.encodeChecked(settings, "the uptime settings")
        var keyInput = Data()
        for part in [modelData, experimentData, settingsData, Data(FailoverSimulation.engineVersion.utf8)] {
            keyInput.append(part)
            keyInput.append(0)
        }
        let studyKey = ContentHash.sha256Hex(keyInput)
        let record = StoredUptimeStudy(studyKey: studyKey, model: baseline.model.name, modelHash: ContentHash.sha256Hex(modelData),
                                       experiment: loaded.experiment.name, experimentHash: ContentHash.sha256Hex(experimentData),
                                       seed: seed, years: years, engineVersion: FailoverSimulation.engineVersion, digest: digest,
                                       report: encoded, wallSeconds: wall)
        let rows = report.years.map {
            StoredUptimeYear(year: $0.year, incidents: $0.incidents, overlaps: $0.overlaps, requestAvailability: $0.requestAvailability,
                             downMinutes: $0.downMinutes, downBlocks: $0.downBlocks, downtimePeriodMinutes: $0.downtimePeriodMinutes)
        }
        let id = try reportingErrors { try runStore.insertUptimeStudy(record, years: rows) }
        if json {
            let reportObject = try JSONSerialization.jsonObject(with: encoded)
            print(try Report.json([
                "study": ["id": id, "studyKey": studyKey, "digest": digest, "wallSeconds": wall, "jobs": jobs,
                          "scenarios": cost.scenarios, "scenariosFromStore": cost.scenariosFromStore,
                          "scenariosSimulated": cost.scenariosSimulated, "simulationSeconds": cost.simulationSeconds,
                          "rowAttribution": "a fault process's downtime goes to the trigger row its faults name (row:), whichever rule acted"]
                    as [String: Any],
                "report": reportObject,
            ]))
        } else {
            print(UptimeSummary.text(report, id: id, path: runStore.path, digest: digest, wallSeconds: wall, cost: cost, jobs: jobs))
        }
    }
}

/// The run store as the evaluator's cache: library and overlap runs are ordinary runs.
final class StoreCache: ScenarioRunCache {
    let store: RunStore
    init(store: RunStore) { self.store = store }
    func storedRun(runKey: String) throws -> RunResult? { try store.latestRun(runKey: runKey)?.result }
    func store(_ run: RunResult) throws { try store.insertIfAbsent(run) }
}

/// A one-line progress display on stderr, only when stderr is a terminal.
final class UptimeProgressDisplay {
    static func ifTerminal() -> UptimeProgressDisplay? { isatty(2) != 0 ? UptimeProgressDisplay() : nil }
    private var drew = false
    private let clock = ContinuousClock()
    /// When the current phase (runs, then resamplings) started: its ETA is from its own pace.
    private var phaseStarted: ContinuousClock.Instant?
    private var phaseIsResampling = false

    func update(_ progress: UptimeProgress) {
        let resampling: Bool
        if case .resampling = progress { resampling = true } else { resampling = false }
        if phaseStarted == nil || resampling != phaseIsResampling {
            phaseStarted = clock.now
            phaseIsResampling = resampling
        }
        let line = Self.line(progress, elapsedSeconds: (clock.now - phaseStarted!).inSeconds)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drew = true
    }

    /// `library and overlap runs 12/124  ETA 3:05`: the phase's count, and once a step is done and
    /// half a second has passed, the time left at the phase's pace so far.
    static func line(_ progress: UptimeProgress, elapsedSeconds: Double) -> String {
        let (label, done, total): (String, Int, Int)
        switch progress {
        case .scenarios(let d, let t): (label, done, total) = ("library and overlap runs", d, t)
        case .resampling(let d, let t): (label, done, total) = ("library resamplings", d, t)
        }
        var line = "\(label) \(done)/\(total)"
        if done > 0 && done < total && elapsedSeconds > 0.5 {
            let eta = Int((elapsedSeconds / Double(done) * Double(total - done)).rounded())
            line += eta >= 3600 ? String(format: "  ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60)
                : String(format: "  ETA %d:%02d", eta / 60, eta % 60)
        }
        return line
    }

    func finish() {
        if drew { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// The human summary of a study.
enum UptimeSummary {
    static func minutes(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    static func percent(_ value: Double, digits: Int = 3) -> String { String(format: "%.\(digits)f %%", value * 100) }

    static func text(_ report: UptimeReport, id: Int64, path: String, digest: String, wallSeconds: Double, cost: UptimeCost, jobs: Int) -> String {
        var out: [String] = []
        let settings = report.settings
        let yearText = settings.yearLength == .days(365) ? "years" : "years of \(settings.yearLength)"
        out.append("failsim uptime: \(report.experiment) on \(report.model) — \(settings.years) \(yearText), seed \(settings.seed)")
        out.append("Target \(percent(report.target, digits: 2)) uptime: a budget of \(minutes(report.budgetMinutes)) min a year. "
                   + "A minute or block is down above \(percent(report.downtimeErrorRate, digits: 0)) errors.")
        let levels = report.loadLevels.map { "\(LoadLevel.format($0.requestsPerSecond)) req/s × \(percent($0.share, digits: 0))" }
        out.append("Load: " + levels.joined(separator: ", ") + ".")
        out.append("")
        out.append("Downtime per year (minutes): mean [95 % over years] ± library SD, quantiles; P(year meets target) [Wilson] ± library SD")
        var rows: [[String]] = [["measure", "mean", "interval", "± lib", "p5", "median", "p95", "max", "availability", "P(meet)", "interval", "± lib"]]
        let names = ["requests": "request-based", "minutes": "down minutes", "fiveMinuteBlocks": "5-minute blocks",
                     "downtimePeriods": "downtime periods (≥ 5 min)"]
        for measure in report.measures {
            let d = measure.downtimeMinutes
            let p = measure.meetsTarget
            rows.append([names[measure.measure] ?? measure.measure, minutes(d.mean.mean),
                         "[\(minutes(d.mean.lower)), \(minutes(d.mean.upper))]", minutes(d.mean.librarySD),
                         minutes(d.p05), minutes(d.median), minutes(d.p95), minutes(d.max),
                         percent(measure.availability.mean.mean, digits: 4),
                         percent(p.proportion, digits: 1), "[\(percent(p.lower, digits: 1)), \(percent(p.upper, digits: 1))]",
                         percent(p.librarySD, digits: 1)])
        }
        out.append(contentsOf: Report.table(rows))
        out.append("")
        out.append("Share of the downtime budget (mean per year, ± library SD)")
        func shareTable(_ title: String, _ shares: [BudgetShare]) {
            var table: [[String]] = [[title, "request-based", "± lib", "down minutes", "± lib"]]
            for share in shares where share.requestBased.mean != 0 || share.minutes.mean != 0 {
                table.append([share.name, percent(share.requestBased.mean, digits: 1), percent(share.requestBased.librarySD, digits: 1),
                              percent(share.minutes.mean, digits: 1), percent(share.minutes.librarySD, digits: 1)])
            }
            out.append(contentsOf: Report.table(table))
        }
        shareTable("fault type", report.faultTypeShares)
        out.append("")
        out.append("By trigger row: each fault process's downtime goes to the row its faults name (row:), whichever rule acted.")
        shareTable("trigger row", report.rowShares)
        out.append("")
        let loss = report.regionLoss
        if loss.events == 0 {
            out.append("Region loss: no event in \(settings.years) years.")
        } else {
            out.append(String(format: "Region loss: %d events (%.3f a year).", loss.events, loss.perYear.mean))
            if let rto = loss.rtoSeconds {
                var line = "  RTO (loss → writes accepted): mean \(Report.duration(rto.mean.mean)) "
                    + "[\(Report.duration(max(0, rto.mean.combinedLower))), \(Report.duration(rto.mean.combinedUpper))], "
                    + "p95 \(Report.duration(rto.p95)), max \(Report.duration(rto.max))"
                if let within = loss.rtoWithinTarget, let target = loss.rtoTargetSeconds {
                    line += "; within \(Report.duration(target)): \(percent(within.proportion, digits: 1)) "
                        + "[\(percent(within.combinedLower, digits: 1)), \(percent(within.combinedUpper, digits: 1))]"
                }
                out.append(line)
            }
            if loss.notPromoted > 0 { out.append("  \(loss.notPromoted) events ended before the replica was promoted (no RTO).") }
            if let rpo = loss.rpoWrites {
                out.append(String(format: "  RPO: mean %.1f acknowledged writes not on the survivor, p95 %.0f, max %.0f", rpo.mean.mean, rpo.p95, rpo.max)
                           + (loss.noWritesLost.map { "; events losing no write: \(percent($0.proportion, digits: 1))" } ?? ""))
            }
        }
        out.append("")
        var tenants: [[String]] = [["tenant", "requests", "downtime mean", "interval", "p95", "availability", "P(meet)", "interval"]]
        for tenant in report.tenants {
            tenants.append(["rank \(tenant.rank)", percent(tenant.requestShare, digits: 2), minutes(tenant.downtimeMinutes.mean.mean) + " min",
                            "[\(minutes(tenant.downtimeMinutes.mean.combinedLower)), \(minutes(tenant.downtimeMinutes.mean.combinedUpper))]",
                            minutes(tenant.downtimeMinutes.p95), percent(tenant.availability.mean.mean, digits: 4),
                            percent(tenant.meetsTarget.proportion, digits: 1),
                            "[\(percent(tenant.meetsTarget.combinedLower, digits: 1)), \(percent(tenant.meetsTarget.combinedUpper, digits: 1))]"])
        }
        out.append("Tenants (request-based; intervals include the library's error)")
        out.append(contentsOf: Report.table(tenants))
        out.append("")
        let library = report.library
        out.append(String(format: "Incidents: %.1f a year; overlaps simulated together: %.3f a year (%d %@ for single years).",
                          report.incidentsPerYear.mean, report.overlapsPerYear.mean, library.exactScenarios,
                          library.exactScenarios == 1 ? "scenario" : "scenarios"))
        if !library.pairs.isEmpty {
            out.append("Pairs in the library: " + library.pairs.map { String(format: "%@ (%.4f a year)", $0.processes.joined(separator: "+"), $0.perYear) }
                .joined(separator: ", ") + ".")
        }
        out.append(String(format: "Library: %d runs (%.1f h of simulated time; what runs share is simulated once); background failure rate %@.", library.runs,
                          library.librarySimulatedSeconds / 3600, library.backgroundFailureRate.map { percent($0, digits: 4) }.joined(separator: ", ")))
        out.append("Cost: \(counted(cost.scenarios, "run")), \(cost.scenariosFromStore) from the store, \(cost.scenariosSimulated) simulated "
                   + String(format: "(%.0f s of simulation on %@); %.1f s wall.", cost.simulationSeconds, counted(jobs, "worker"), wallSeconds))
        out.append("Stored as uptime study \(id) in \(path); digest \(digest)")
        return out.joined(separator: "\n")
    }
}
