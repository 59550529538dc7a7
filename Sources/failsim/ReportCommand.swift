import ArgumentParser
import ExperimentAnalysis
import FailoverModel
import Foundation
import ModelFiles
import Reports
import RunResults
import RunStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report of a stored run or of an experiment's variants: HTML, Markdown with SVG figures, CSV.",
        discussion: """
            A run's report: request rate, error rate and p95 latency over time with the fault \
            windows shaded and detection, mitigation and recovery marked; health checks, \
            failover actions, DNS, breakers and alerts as bands; the trigger table, the latency \
            SLA table, availability and error-budget use, writes, breakers and the event log.

            An experiment's report (--experiment): per variant and metric, means with confidence \
            intervals; every seed's recovery time per trigger row against its target; pass rates \
            with Wilson intervals; paired differences against the baseline with Holm-corrected \
            significance; the ranking; the Pareto frontier of breaker detection time against \
            false opens when breakers differ. It uses the stored runs whose run key matches the \
            experiment file, its model and this engine version (one per variant and seed, the \
            latest); runs of older inputs are left out and counted in the notes. With --variant \
            (and --seed), the report of that one run instead.

            The folder gets report.html (self-contained: inline SVG, nothing fetched, prints \
            well), README.md (the same tables, figures as the .svg files beside it), one CSV per \
            figure, and sources.json (run keys, digests, engine version, model and experiment \
            hashes). The same runs give the same bytes. Files a previous report wrote there and \
            this one does not are removed; nothing else is touched.

            Default folder: notebooks-output/<experiment name>/ for an experiment, \
            notebooks-output/run-<experiment>-<variant>-seed<seed>/ for a run.

            Examples:
              failsim report 12
              failsim report --experiment experiments/trigger-table.yaml --db sweep.sqlite
              failsim report --experiment experiments/trigger-table.yaml --variant no-precedence --seed 2
              failsim report --experiment experiments/breaker-thresholds.yaml --out /tmp/breakers

            \(ExitCodes.help(usage: "bad usage (unknown option or variant, no such run id, no runs stored)", io: "the run store cannot be read, or the report folder cannot be written"))
            """
    )

    @Argument(help: ArgumentHelp("The stored run to report on (its id, as `failsim runs` lists it).", valueName: "run"))
    var runID: Int64?

    @Option(name: .long, help: ArgumentHelp("Report on this experiment's stored runs instead.", valueName: "file"))
    var experiment: String?

    @Option(name: .long, help: ArgumentHelp("With --experiment: report on one run of this variant.", valueName: "name"))
    var variant: String?

    @Option(name: .long, help: ArgumentHelp("With --variant: the run's seed (default: the experiment's first).", valueName: "n"))
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("With --experiment: the variant the others are compared with.", valueName: "variant"))
    var baseline: String?

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The folder to write (created if missing).", valueName: "dir"))
    var out: String?

    func validate() throws {
        if runID == nil && experiment == nil { throw ValidationError("give a run id, or an experiment file with --experiment") }
        if runID != nil && experiment != nil { throw ValidationError("give a run id or --experiment, not both") }
        if experiment == nil && (variant != nil || seed != nil || baseline != nil) {
            throw ValidationError("--variant, --seed and --baseline go with --experiment")
        }
        if seed != nil && variant == nil { throw ValidationError("--seed goes with --variant") }
        if variant != nil && baseline != nil { throw ValidationError("--baseline compares variants; a --variant report shows one run") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: store.db) else {
            printError("error: \(store.db): no such database; store runs with `failsim run` or `failsim sweep` first")
            throw ExitCode(ExitCodes.ioError)
        }
        let bundle: ReportBundle
        let described: String
        if let runID {
            let result = try reportingErrors { try store.openForReading().run(id: runID) }
            guard let result else {
                printError("error: \(store.db): no run with id \(runID); `failsim runs` lists the stored runs")
                throw ExitCode(ExitCodes.usage)
            }
            bundle = RunReport.make(run: result)
            described = "run \(runID)"
        } else {
            let file = Self.normalised(experiment!)
            let plan = try reportingErrors { try ExperimentPlan(ExperimentLoader.load(experimentPath: file)) }
            let runStore = try reportingErrors { try store.openForReading() }
            if let variant {
                (bundle, described) = try runReport(plan: plan, file: file, variant: variant, store: runStore)
            } else {
                (bundle, described) = try experimentReport(plan: plan, file: file, store: runStore)
            }
        }
        let folder = out ?? ("notebooks-output/" + bundle.folderName)
        do {
            try Self.write(bundle, to: folder)
        } catch {
            printError("error: \(folder): cannot write the report: \(error.localizedDescription)")
            throw ExitCode(ExitCodes.ioError)
        }
        let figures = bundle.files.filter { $0.path.hasSuffix(".svg") }.count
        let tables = bundle.files.filter { $0.path.hasSuffix(".csv") }.count
        print("Wrote \(folder)/report.html and README.md (\(figures) figures, \(tables) CSV files) from \(described).")
    }

    /// One run of the experiment, found by its run key at the current inputs.
    func runReport(plan: ExperimentPlan, file: String, variant: String, store runStore: RunStore) throws -> (ReportBundle, String) {
        guard let index = plan.variant(named: variant) else {
            printError("error: unknown variant '\(variant)' for experiment '\(plan.experiment.name)'; its variants are: "
                       + plan.variants.prefix(20).map(\.name).joined(separator: ", ") + (plan.variants.count > 20 ? ", …" : ""))
            throw ExitCode(ExitCodes.usage)
        }
        let seed = self.seed ?? plan.seeds.first ?? 1
        let key = plan.runKey(variant: index, seed: seed)
        let stored = try reportingErrors { try runStore.latestRun(runKey: key) }
        guard let stored else {
            printError("error: \(store.db): no stored run of \(plan.experiment.name) variant '\(variant)' seed \(seed) with the current "
                       + "experiment, model and engine \(FailoverSimulation.engineVersion); store it with "
                       + "`failsim run \(file) --variant \(Self.quoted(variant)) --seed \(seed) --db \(store.db)`")
            throw ExitCode(ExitCodes.usage)
        }
        return (RunReport.make(run: stored.result, experimentFile: file, checks: plan.experiment.runChecks), "\(variant) seed \(seed) of \(plan.experiment.name)")
    }

    /// Every stored run of the experiment whose run key matches its current inputs.
    func experimentReport(plan: ExperimentPlan, file: String, store runStore: RunStore) throws -> (ReportBundle, String) {
        let name = plan.experiment.name
        let summaries = try reportingErrors { try runStore.runs().filter { $0.experiment == name } }
        // The key each (variant, seed) has today; a stored run with another key was made from
        // other inputs (an edited file, an older engine) and would mix configurations.
        var expected: [String: [UInt64: String]] = [:]
        var kept: [Int64] = []
        var leftOut = 0
        for summary in summaries {
            guard let index = plan.variant(named: summary.variant) else {
                leftOut += 1
                continue
            }
            if expected[summary.variant]?[summary.seed] == nil {
                expected[summary.variant, default: [:]][summary.seed] = plan.runKey(variant: index, seed: summary.seed)
            }
            if expected[summary.variant]![summary.seed] == summary.runKey { kept.append(summary.id) } else { leftOut += 1 }
        }
        guard !kept.isEmpty else {
            let other = summaries.isEmpty ? "" : " (\(summaries.count) stored runs are of other inputs or engine versions)"
            printError("error: \(store.db): no runs of experiment '\(name)' with its current inputs and engine "
                       + "\(FailoverSimulation.engineVersion)\(other); store some with `failsim sweep \(file) --db \(store.db)`")
            throw ExitCode(ExitCodes.usage)
        }
        let runs = try reportingErrors { () throws -> [RunResult] in
            try kept.sorted().compactMap { try runStore.run(id: $0) }
        }
        let options = ComparisonOptions(baseline: baseline, variantOrder: plan.variants.map(\.name), checks: plan.experiment.runChecks)
        let comparison: VariantComparison
        do {
            comparison = try VariantComparison(runs: runs, options: options)
        } catch {
            printError("error: \(store.db), experiment '\(name)': \(error.description)")
            throw ExitCode(ExitCodes.usage)
        }
        var notes: [String] = []
        if leftOut > 0 {
            notes.append("\(leftOut) stored run\(leftOut == 1 ? "" : "s") of this experiment from other inputs (an earlier version of the "
                         + "experiment or model file, a variant no longer declared, or another engine version) "
                         + "\(leftOut == 1 ? "was" : "were") left out.")
        }
        for (variant, sameAs) in plan.duplicateVariants {
            notes.append("Variant \(plan.variants[variant].name) has the same model as \(plan.variants[sameAs].name) after its overrides; "
                         + "it is not run, and the runs of \(plan.variants[sameAs].name) stand for it.")
        }
        let context = ExperimentReportContext(experimentFile: file, description: plan.experiment.description,
                                              variants: Self.variants(of: plan), notes: notes)
        let bundle = ExperimentReport.make(comparison: comparison, runs: runs, context: context)
        return (bundle, "\(comparison.runCount) run\(comparison.runCount == 1 ? "" : "s") of \(name)")
    }

    /// The experiment's variants as declared, with the overrides each adds to the experiment's own.
    static func variants(of plan: ExperimentPlan) -> [ExperimentReportContext.Variant] {
        let common = plan.experiment.overrides ?? [:]
        let declared = plan.experiment.variants ?? []
        return plan.variants.map { variant in
            let own = declared.first { $0.name == variant.name }
            let added = variant.overrides.filter { common[$0.key] != $0.value }
            return ExperimentReportContext.Variant(name: variant.name, description: own?.description, expectation: own?.expectation,
                                                   overrides: added)
        }
    }

    /// `./experiments/x.yaml` and `experiments/x.yaml` name the same file; record one spelling.
    static func normalised(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path
    }

    static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == " " || $0 == "'" }) ? "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" : text
    }

    /// Writes the bundle into `folder`, removing the files a previous report there listed in
    /// its sources.json that this one no longer writes (a variant dropped, a chart gone), and
    /// nothing else.
    static func write(_ bundle: ReportBundle, to folder: String) throws {
        let manager = FileManager.default
        let url = URL(fileURLWithPath: folder, isDirectory: true)
        try manager.createDirectory(at: url, withIntermediateDirectories: true)
        let previous = url.appendingPathComponent(ReportSources.fileName)
        if let data = manager.contents(atPath: previous.path), let sources = try? ReportSources.decode(data) {
            let current = Set(bundle.files.map(\.path))
            for name in sources.files where !current.contains(name) && !name.contains("/") && !name.hasPrefix(".") {
                try? manager.removeItem(at: url.appendingPathComponent(name))
            }
        }
        for file in bundle.files {
            try file.contents.write(to: url.appendingPathComponent(file.path), options: .atomic)
        }
    }
}
