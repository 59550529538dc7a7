import ArgumentParser
import FailoverModel
import Foundation
import ModelFiles
import RunResults
import RunStore
import SimulationCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one experiment variant with one seed, store it and print a summary.",
        discussion: """
            Loads the experiment (and the model it names, relative to the experiment file, unless \
            --model gives another), applies the experiment's overrides and then the variant's, \
            runs the simulation and stores the run in the database (failsim.sqlite in the working \
            folder unless --db). Every invocation stores a new run with a new id; rerunning the \
            same inputs repeats the run key and, for the same engine version, the digest.

            Without EXPERIMENT-FILE, the reference trigger-table experiment and model embedded in \
            the binary are used (identical to experiments/trigger-table.yaml and \
            models/esta-tracker.yaml).

            The default seed is the experiment's first `seeds` entry (1 if it lists none). \
            Progress (simulated time, events/s, ETA) goes to stderr only when stderr is a terminal.

            Examples:
              failsim run
              failsim run experiments/trigger-table.yaml --variant no-precedence
              failsim run mine.yaml --model other.yaml --seed 2 --db runs.sqlite
              failsim run mine.yaml --json
              failsim run --check    # exit status 1 when the experiment's checks fail

            \(ExitCodes.help(one: "the run failed the experiment's checks (only with --check)", usage: "bad usage (unknown option, missing or invalid argument, unknown variant)"))
            """
    )

    @Argument(help: ArgumentHelp("The experiment file (kind: experiment). Default: the embedded trigger-table experiment.",
                                 valueName: "experiment-file"))
    var experimentFile: String?

    @Option(name: .long, help: ArgumentHelp("Use this model file instead of the one the experiment names.", valueName: "file"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("The experiment variant to run.", valueName: "name"))
    var variant: String = "baseline"

    @Option(name: .long, help: ArgumentHelp("The seed (default: the experiment's first seed, else 1).", valueName: "n"))
    var seed: UInt64?

    @OptionGroup var store: StoreOptions

    @OptionGroup(title: "Busy database") var busy: BusyOptions

    @OptionGroup(title: "Limits") var limits: LimitOptions

    @Flag(name: .long, help: "Print one JSON document instead of the human summary.")
    var json = false

    @Flag(name: .long, help: "Exit with status 1 when the run fails the experiment's checks (its `checks:`; without one, every trigger row passes), as the summary lists them.")
    var check = false

    mutating func run() throws {
        let loaded = try reportingErrors { try ExperimentSource.load(experimentFile: experimentFile, model: model) }
        let plan = try reportingErrors { try ExperimentPlan(loaded) }
        let experiment = loaded.experiment
        guard let variantIndex = plan.variant(named: variant) else {
            let names = plan.variants.map(\.name)
            printError("error: unknown variant '\(variant)' for experiment '\(experiment.name)'; "
                       + "its variants are: \(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", …" : "")")
            printError("Usage: failsim " + RunCommand.usageString())
            throw ExitCode(ExitCodes.usage)
        }
        // A value beyond a size limit is named where it is written, before anything is opened.
        try reportingErrors { try plan.checkSizeLimits(limits.size, variants: [variantIndex]) }
        let chosen = plan.variants[variantIndex]
        let overrides = chosen.overrides
        let seed = self.seed ?? plan.seeds.first ?? 1
        // Open the store before running, so that a database problem shows before a long run.
        let runStore = try reportingErrors { try store.open() }

        let progress = ProgressDisplay.ifTerminal()
        let clock = ContinuousClock()
        let started = clock.now
        var result = try reportingErrors {
            try FailoverSimulation.run(
                model: chosen.model, experiment: experiment, variant: variant, overrides: overrides,
                seed: seed, limits: limits.engine, sizeLimits: limits.size,
                progress: progress.map { display in { display.update($0) } })
        }
        progress?.finish()
        let elapsed = clock.now - started
        result.identity.wallSeconds = elapsed.inSeconds
        if result.identity.digest.isEmpty { result = result.withDigest() }

        // A finished run is kept: a database locked by another process is waited for, and if it
        // stays locked the run goes to a store of its own beside it.
        var keptAside: (path: String, reason: String)?
        let id: Int64
        do {
            id = try reportingErrors { try runStore.insert(result, ifAbsent: false, policy: busy.policy, waiting: BusyOptions.tell)! }
        } catch let error as StoreBusy {
            let aside = RunStore.asidePath(for: runStore.path)
            id = try reportingErrors { try RunStore(path: aside).insert(result) }
            keptAside = (aside, error.description)
        }
        if json {
            print(try Report.json(runJSON(id: id, result: result, checks: experiment.runChecks, storedIn: keptAside?.path)))
        } else {
            print(Report.summary(result, id: id, storedIn: keptAside?.path ?? runStore.path, checks: experiment.runChecks))
        }
        if let keptAside {
            BusyOptions.keptAsideLines(count: 1, aside: keptAside.path, database: runStore.path, reason: keptAside.reason, mixed: true)
                .forEach(printError)
            throw ExitCode(ExitCodes.ioError)
        }
        if check && !experiment.runChecks.failures(of: result).isEmpty {
            throw ExitCode(ExitCodes.checksFailed)
        }
    }
}
