import ArgumentParser
import ExperimentAnalysis
import FailoverModel
import Foundation
import ModelFiles
import RunResults
import RunStore
import Sweeps

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run every variant × seed of an experiment on several workers, storing each run as it finishes.",
        discussion: """
            The experiment's variants are `baseline`, its named variants and the points of its \
            `sweep` grid; its seeds are its `seeds` (a count or a list). Runs already stored in \
            the database (same run key: same model, experiment, variant, overrides, seed and \
            engine version) are skipped, so running the command again after an interruption \
            does only what is missing. Results are identical for any --jobs.

            --until-ci METRIC=HALFWIDTH keeps adding seeds (--batch at a time, the next integers \
            in order) until every variant's 95 % interval of the metric is that narrow on each \
            side, or --max-seeds is reached (exit status 1 then). Metric names are those of \
            `failsim compare` (row1.recoveryTime, availability.requestBased, breakers.falseOpens, \
            latency.db.p99, …). The seeds it ends with do not depend on --jobs.

            Progress (runs done, ETA) goes to stderr when it is a terminal. Afterwards, \
            `failsim compare` reads the stored runs.

            Examples:
              failsim sweep experiments/breaker-thresholds.yaml --jobs 2
              failsim sweep experiments/trigger-table.yaml --seeds 20 --db study.sqlite
              failsim sweep experiments/trigger-table.yaml --variant baseline --variant slow-dns-checks
              failsim sweep experiments/write-policy.yaml --plan
              failsim sweep experiments/trigger-table.yaml --until-ci row1.recoveryTime=1 --max-seeds 40

            \(ExitCodes.help(one: "with --until-ci: the target was not met at --max-seeds", usage: "bad usage (unknown option, missing or invalid argument, unknown variant, bad shard)"))
            """
    )

    @Argument(help: ArgumentHelp("The experiment file (kind: experiment). Default: the embedded trigger-table experiment.",
                                 valueName: "experiment-file"))
    var experimentFile: String?

    @Option(name: .long, help: ArgumentHelp("Use this model file instead of the one the experiment names.", valueName: "file"))
    var model: String?

    @Option(name: .customLong("jobs"), help: ArgumentHelp("Worker threads (default: every core).", valueName: "n"))
    var jobsOption: Int?

    /// Worker threads: --jobs, else every core.
    var jobs: Int { jobsOption ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(name: .long, help: ArgumentHelp("Seeds instead of the experiment's: a count (20 means 1…20) or a list (3,7,11).", valueName: "seeds"))
    var seeds: String?

    @Option(name: .long, help: ArgumentHelp("Run only this variant (repeatable).", valueName: "name"))
    var variant: [String] = []

    @Flag(name: .long, help: "Print the runs the sweep would do (and which are stored) without running them.")
    var plan = false

    @Option(name: .long, help: ArgumentHelp("Run only shard I (0-based) of --shard-count. Without it, the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set.", valueName: "i"))
    var shard: Int?

    @Option(name: .customLong("shard-count"), help: ArgumentHelp("How many shards the sweep is split into (Slurm's SLURM_ARRAY_TASK_COUNT when not given).", valueName: "n"))
    var shardCount: Int?

    @Option(name: .customLong("copy-to"), help: ArgumentHelp("When done, write the database as one self-contained file here (for a shard on local disk to hand its runs to a shared place).", valueName: "file"))
    var copyTo: String?

    @Flag(name: .long, help: "List the runs not yet stored in the database (of the shard, if one is given) without running them.")
    var missing = false

    @Option(name: .customLong("until-ci"), help: ArgumentHelp(
        "Add seeds in batches until every variant's 95 % interval of METRIC is at most HALFWIDTH on each side (e.g. row1.recoveryTime=2, availability.requestBased=0.0005).",
        valueName: "metric=halfwidth"))
    var untilCI: String?

    @Option(name: .long, help: ArgumentHelp("With --until-ci: seeds added per round.", valueName: "n"))
    var batch: Int = 5

    @Option(name: .customLong("max-seeds"), help: ArgumentHelp("With --until-ci: the most seeds per variant.", valueName: "n"))
    var maxSeeds: Int = 100

    @OptionGroup var store: StoreOptions

    @OptionGroup(title: "Busy database") var busy: BusyOptions

    @OptionGroup(title: "Limits") var limits: LimitOptions

    @Option(name: .customLong("max-runs"), help: ArgumentHelp("Runs in one sweep (variants × seeds).", valueName: "n"))
    var maxRuns: Int = 1_000_000

    @Flag(name: .long, help: "Print one JSON document instead of the human summary.")
    var json = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
        if untilCI != nil && (shard != nil || shardCount != nil) {
            throw ValidationError("--until-ci cannot be sharded: whether to add seeds depends on every shard's results; run it on one machine")
        }
        if batch < 1 { throw ValidationError("--batch must be at least 1, found \(batch)") }
        if maxSeeds < 2 { throw ValidationError("--max-seeds must be at least 2 (an interval needs two seeds), found \(maxSeeds)") }
        if let untilCI, PrecisionTarget(parsing: untilCI) == nil {
            throw ValidationError("--until-ci expects METRIC=HALFWIDTH with a metric failsim compare reports (e.g. row1.recoveryTime=2) and a positive half-width, found '\(untilCI)'")
        }
        if let seeds, Self.parseSeeds(seeds) == nil {
            throw ValidationError("--seeds expects a count (e.g. 20) or a comma-separated list of seeds (e.g. 3,7,11), found '\(seeds)'")
        }
    }

    static func parseSeeds(_ text: String) -> [UInt64]? {
        if !text.contains(","), let count = Int(text) {
            return count >= 1 && count <= 1_000_000 ? Array(1...UInt64(count)) : nil
        }
        let list = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, !list.contains(nil) else { return nil }
        let seeds = list.map { $0! }
        return Set(seeds).count == seeds.count ? seeds : nil
    }

    mutating func run() throws {
        let loaded = try reportingErrors {
            try ExperimentSource.load(experimentFile: experimentFile, model: model)
        }
        let experimentPlan = try reportingErrors { try ExperimentPlan(loaded) }
        var chosen: [Int]? = nil
        if !variant.isEmpty {
            chosen = []
            for name in variant {
                guard let index = experimentPlan.variant(named: name) else {
                    let names = experimentPlan.variants.map(\.name)
                    printError("error: unknown variant '\(name)' for experiment '\(loaded.experiment.name)'; "
                               + "its variants are: \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", …" : "")")
                    throw ExitCode(ExitCodes.usage)
                }
                chosen!.append(index)
            }
        }
        let chosenSeeds = seeds.flatMap(Self.parseSeeds)
        let seedCount = chosenSeeds?.count ?? experimentPlan.seeds.count
        let variantCount = chosen?.count ?? experimentPlan.variants.count
        let (runCount, overflow) = variantCount.multipliedReportingOverflow(by: seedCount)
        if overflow || runCount > maxRuns {
            printError("error: the sweep has \(variantCount) variants × \(seedCount) seeds, above the limit of \(maxRuns) runs (raise it with --max-runs)")
            throw ExitCode(ExitCodes.usage)
        }
        let allRuns = experimentPlan.runs(seeds: chosenSeeds, variants: chosen)
        let sharding = try resolveShard()
        let runs = sharding.map { $0.runs(of: allRuns) } ?? allRuns
        if plan || missing {
            // Only reads: a store that does not exist yet holds nothing, and an existing one is
            // opened read-only (never created, upgraded or switched to WAL by a look at the plan).
            let stored: Set<String> = FileManager.default.fileExists(atPath: store.db)
                ? try reportingErrors { try store.openForReading().storedRunKeys(among: allRuns.map(\.runKey)) }
                : []
            let count = sharding?.count ?? shardCount
            let shown = missing ? (plan ? allRuns : runs).filter { !stored.contains($0.runKey) } : allRuns
            try printPlan(shown, all: allRuns, plan: experimentPlan, stored: stored, shardCount: count, missingOnly: missing)
            return
        }
        let runStore = try reportingErrors { try store.open() }
        let runner = SweepRunner(plan: experimentPlan, store: runStore, limits: limits.engine, sizeLimits: limits.size)
        runner.busyPolicy = busy.policy
        runner.onBusy = BusyOptions.tell
        // Every variant to run, before the first run: a value beyond a size limit is named where
        // it is written, instead of stopping the sweep when that variant's turn comes.
        try reportingErrors { try experimentPlan.checkSizeLimits(limits.size, variants: chosen) }
        if let untilCI, untilCI.isEmpty == false, sharding != nil {
            printError("error: --until-ci cannot be sharded (the scheduler's environment names a shard)")
            throw ExitCode(ExitCodes.usage)
        }

        if let untilCI, let target = PrecisionTarget(parsing: untilCI, batch: batch, maximumSeeds: maxSeeds) {
            try runUntilPrecise(target, runner: runner, variants: chosen, loaded: loaded)
            return
        }

        if let copyTo {
            // Found out now, not after the shard's work: a folder that is not there is made, one
            // that cannot be written is an error.
            let folder = (copyTo as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                guard FileManager.default.isWritableFile(atPath: folder) else {
                    printError("error: --copy-to: cannot write into \(folder)")
                    throw ExitCode(ExitCodes.ioError)
                }
            }
        }
        let display = SweepProgressDisplay.ifTerminal()
        var tallies: [Int: CheckTally] = [:]
        let checks = loaded.experiment.runChecks
        let summary: SweepRunner.Summary
        do {
            summary = try reportingErrors {
                try runner.run(runs, jobs: jobs) { progress in
                    display?.update(progress)
                    tallies[progress.last.run.variant, default: CheckTally()].add(checks.evaluate(progress.last.result))
                }
            }
        } catch let failure as SweepRunner.RunFailure {
            display?.finish()
            printError("error: \(failure.description)")
            printError("Runs finished before it are stored; fix the input and run the sweep again to do the rest.")
            throw ExitCode(ExitCodes.dataError)
        }
        display?.finish()
        // Runs kept aside because the database stayed locked: said first, and the exit is 74 after the summary.
        let keptAside = summary.asidePath.map {
            BusyOptions.keptAsideLines(count: summary.keptAside, aside: $0, database: runStore.path,
                                       reason: summary.asideReason ?? "the database stayed locked", mixed: false)
        }
        defer { if let keptAside { keptAside.forEach(printError) } }
        if keptAside != nil, json == false { print("\(counted(summary.keptAside, "run was", "runs were")) kept aside in \(summary.asidePath!).") }
        if let copyTo, keptAside == nil {
            try reportingErrors { try runStore.exportSingleFile(to: copyTo) }
        }

        let variantOrder = Array(Set(runs.map(\.variant))).sorted()
        if json {
            let variants: [[String: Any]] = variantOrder.map { index in
                let tally = tallies[index] ?? CheckTally()
                return ["variant": experimentPlan.variants[index].name, "runsThisTime": tally.runs, "passedChecksThisTime": tally.passed,
                        "failingChecksThisTime": tally.failing.map { ["name": $0.name, "runs": $0.runs] as [String: Any] }]
            }
            var document: [String: Any] = [
                "experiment": loaded.experiment.name, "database": runStore.path, "planned": summary.planned,
                "skipped": summary.skipped, "ran": summary.ran, "storedElsewhere": summary.storedElsewhere,
                "jobs": jobs, "wallSeconds": summary.wallSeconds, "variants": variants, "checks": checks.summary,
            ]
            document["sameModelAs"] = Self.duplicates(experimentPlan, among: chosen).map {
                ["variant": experimentPlan.variants[$0.variant].name, "sameAs": experimentPlan.variants[$0.sameAs].name]
            }
            document["shard"] = sharding.map { ["index": $0.index, "count": $0.count] as [String: Any] } ?? NSNull()
            document["copiedTo"] = copyTo ?? NSNull()
            document["keptAside"] = summary.asidePath.map { ["runs": summary.keptAside, "path": $0] as [String: Any] } ?? NSNull()
            print(try Report.json(document))
            if keptAside != nil { throw ExitCode(ExitCodes.ioError) }
            return
        }
        let rate = summary.wallSeconds > 0 ? Double(summary.ran) / summary.wallSeconds * 60 : 0
        if let sharding {
            print("Sweep \(loaded.experiment.name), \(sharding): \(summary.planned) of \(counted(allRuns.count, "run")).")
        }
        if let copyTo { print("Copied the database as one file to \(copyTo).") }
        print("Sweep \(loaded.experiment.name): \(counted(summary.planned, "run")) planned "
              + "(\(counted(variantOrder.count, "variant")) × \(counted(summary.planned / max(1, variantOrder.count), "seed"))); "
              + "\(summary.skipped) stored already, \(summary.ran) run in \(String(format: "%.1f", summary.wallSeconds)) s "
              + "on \(counted(min(jobs, max(1, summary.ran)), "worker")) (\(String(format: "%.0f", rate)) runs/min).")
        for line in Self.duplicateLines(experimentPlan, among: chosen) { print(line) }
        if summary.storedElsewhere > 0 {
            print("\(counted(summary.storedElsewhere, "run was", "runs were")) stored meanwhile by another process; each is stored once.")
        }
        if summary.ran > 0 {
            let width = max(7, variantOrder.map { experimentPlan.variants[$0].name.count }.max() ?? 7)
            print("")
            print("Checks: \(checks.summary)")
            var rows = [["variant", "runs", "passed checks", "failing checks"]]
            for index in variantOrder {
                guard let tally = tallies[index] else { continue }
                rows.append([experimentPlan.variants[index].name, "\(tally.runs)", "\(tally.passed)/\(tally.runs)",
                             tally.failing.isEmpty ? "—" : tally.failing.map { "\($0.name): \($0.runs == 1 ? "1 run" : "\($0.runs) runs")" }.joined(separator: "; ")])
            }
            Report.table(rows).forEach { print($0.dropFirst(2)) }
        }
        print("")
        print("Stored in \(runStore.path). Compare the variants: failsim compare \(experimentFile ?? EmbeddedDefaults.experimentFile) --db \(runStore.path)")
        if keptAside != nil { throw ExitCode(ExitCodes.ioError) }
    }

    private func runUntilPrecise(_ target: PrecisionTarget, runner: SweepRunner, variants: [Int]?, loaded: LoadedExperiment) throws {
        let display = SweepProgressDisplay.ifTerminal()
        let outcome: PrecisionTarget.Outcome
        do {
            outcome = try reportingErrors {
                try runner.run(untilPrecise: target, variants: variants, seeds: seeds.flatMap(Self.parseSeeds), jobs: jobs) {
                    display?.update($0)
                }
            }
        } catch let failure as SweepRunner.RunFailure {
            display?.finish()
            printError("error: \(failure.description)")
            throw ExitCode(ExitCodes.dataError)
        }
        display?.finish()
        if json {
            let standings: [[String: Any]] = outcome.standings.map {
                ["variant": $0.variant, "seeds": $0.seeds, "halfWidth": $0.halfWidth.map { $0 as Any } ?? NSNull(), "met": $0.met]
            }
            print(try Report.json([
                "experiment": loaded.experiment.name, "metric": target.metric.name, "targetHalfWidth": target.halfWidth,
                "seeds": outcome.seeds.map { NSNumber(value: $0) }, "rounds": outcome.rounds, "ran": outcome.ran,
                "met": outcome.met, "standings": standings,
            ] as [String: Any]))
        } else {
            print("Sweep \(loaded.experiment.name) until the 95 % interval of \(target.metric.name) is ±\(target.halfWidth) or narrower: "
                  + "\(outcome.seeds.count) seeds in \(outcome.rounds) rounds, \(outcome.ran) runs this time; "
                  + (outcome.met ? "target met." : "target NOT met at the maximum of \(target.maximumSeeds) seeds."))
            let width = max(7, outcome.standings.map(\.variant.count).max() ?? 7)
            print("")
            print("variant".padding(toLength: width, withPad: " ", startingAt: 0) + "  seeds  half-width  met")
            for standing in outcome.standings {
                let half = standing.halfWidth.map { String(format: "%.4g", $0) } ?? "—"
                print(standing.variant.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                      + String(standing.seeds).padding(toLength: 5, withPad: " ", startingAt: 0) + "  "
                      + half.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " + (standing.met ? "yes" : "no"))
            }
            print("")
            print("Stored in \(store.db). Compare: failsim compare \(experimentFile ?? EmbeddedDefaults.experimentFile) --db \(store.db)")
        }
        if !outcome.met { throw ExitCode(ExitCodes.checksFailed) }
    }

    /// The variants (of `chosen`, default all) not run because an earlier variant has the same
    /// model; that variant's runs stand for them.
    static func duplicates(_ plan: ExperimentPlan, among chosen: [Int]?) -> [(variant: Int, sameAs: Int)] {
        plan.duplicateVariants.filter { chosen?.contains($0.variant) ?? true }
    }

    static func duplicateLines(_ plan: ExperimentPlan, among chosen: [Int]?) -> [String] {
        duplicates(plan, among: chosen).map {
            "Variant '\(plan.variants[$0.variant].name)' has the same model as '\(plan.variants[$0.sameAs].name)' after its overrides: "
                + "not run; the runs of '\(plan.variants[$0.sameAs].name)' stand for it (and it is not compared twice)."
        }
    }

    /// The shard to run: --shard, else the scheduler's environment, else none.
    private func resolveShard() throws -> Shard? {
        do {
            if let shard {
                guard let shardCount else {
                    printError("error: --shard needs --shard-count")
                    throw ExitCode(ExitCodes.usage)
                }
                return try Shard(index: shard, count: shardCount)
            }
            let environment = ProcessInfo.processInfo.environment
            if environment["SLURM_ARRAY_TASK_ID"] != nil || environment["JOB_COMPLETION_INDEX"] != nil {
                return try Shard.fromEnvironment(environment, count: shardCount)
            }
            return nil
        } catch let error as ShardError {
            printError("error: \(error.description)")
            throw ExitCode(ExitCodes.usage)
        }
    }

    private func printPlan(_ runs: [ExperimentPlan.Run], all: [ExperimentPlan.Run], plan: ExperimentPlan, stored: Set<String>,
                           shardCount: Int?, missingOnly: Bool) throws {
        let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.runKey, $0.offset) })
        func shardOf(_ run: ExperimentPlan.Run) -> Int? { shardCount.map { (position[run.runKey] ?? 0) % $0 } }
        if json {
            let items: [[String: Any]] = runs.map { run in
                ["variant": plan.variants[run.variant].name, "seed": NSNumber(value: run.seed),
                 "runKey": run.runKey, "stored": stored.contains(run.runKey),
                 "shard": shardOf(run).map { $0 as Any } ?? NSNull()]
            }
            let duplicates = Self.duplicates(plan, among: nil).map {
                ["variant": plan.variants[$0.variant].name, "sameAs": plan.variants[$0.sameAs].name]
            }
            print(try Report.json(["experiment": plan.experiment.name, "runs": items, "sameModelAs": duplicates,
                                   "shardCount": shardCount.map { $0 as Any } ?? NSNull()] as [String: Any]))
            return
        }
        defer { for line in Self.duplicateLines(plan, among: nil) { print(line) } }
        if missingOnly {
            print("\(runs.count) runs of \(plan.experiment.name) not stored in \(store.db)\(runs.isEmpty ? "." : ":")")
        } else {
            print("\(runs.count) runs of \(plan.experiment.name), \(runs.filter { stored.contains($0.runKey) }.count) stored already"
                  + (shardCount.map { " (in \($0) shards: run k of the plan goes to shard k mod \($0))" } ?? "") + ":")
        }
        for run in runs {
            let shardText = shardOf(run).map { "  shard \($0)" } ?? ""
            print("  \(plan.variants[run.variant].name)  seed \(run.seed)  \(run.runKey.prefix(16))\(shardText)\(stored.contains(run.runKey) ? "  stored" : "")")
        }
        if let shardCount, !missingOnly {
            let sizes = (0..<shardCount).map { shard in all.indices.filter { $0 % shardCount == shard }.count }
            print("Shard sizes: " + sizes.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", "))
        }
    }
}

/// Where the experiment comes from: a file, or the embedded trigger-table experiment.
enum ExperimentSource {
    static func load(experimentFile: String?, model: String?) throws -> LoadedExperiment {
        if let experimentFile {
            return try ExperimentLoader.load(experimentPath: experimentFile, modelOverride: model)
        }
        return try ExperimentLoader.load(
            experimentText: EmbeddedDefaults.experimentText, experimentFile: EmbeddedDefaults.experimentFile,
            modelOverride: model
        ) { _ throws(FileError) in (EmbeddedDefaults.modelText, EmbeddedDefaults.modelFile) }
    }
}

/// A one-line sweep progress display on stderr, only when stderr is a terminal.
final class SweepProgressDisplay {
    static func ifTerminal() -> SweepProgressDisplay? { isatty(2) != 0 ? SweepProgressDisplay() : nil }
    private var drew = false

    func update(_ progress: SweepRunner.Progress) {
        var line = "runs \(progress.done)/\(progress.total)"
        if progress.skipped > 0 { line += " (\(progress.skipped) stored already)" }
        if progress.done > 0 && progress.elapsedSeconds > 0.5 {
            let eta = progress.elapsedSeconds / Double(progress.done) * Double(progress.total - progress.done)
            line += String(format: "  ETA %d:%02d", Int(eta) / 60, Int(eta) % 60)
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drew = true
    }

    func finish() {
        if drew { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
