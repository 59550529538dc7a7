import ArgumentParser
import Foundation
import ModelFiles
import RunStore
import Sweeps

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine shard databases into one, by run key.",
        discussion: """
            Copies every run of every SHARD into OUT unless OUT holds its run key already, so \
            merging twice, or shards that overlap, stores each run once. Every run must come from \
            one experiment (same name and content) and one engine version, OUT's own included; a \
            shard that differs is refused before anything is written, as is a shard whose runs do \
            not match their digests. --mixed lifts the one-experiment rule, for a database of \
            single runs or runs that `run` or `sweep` kept aside while the database was locked.

            With --experiment, the merge also lists the experiment's runs still missing from OUT \
            and exits with status 1 if there are any (re-submit just those shards, or run \
            `failsim sweep EXPERIMENT --missing --db OUT`).

            Examples:
              failsim merge study.sqlite shards/shard-*.sqlite
              failsim merge study.sqlite shards/*.sqlite --experiment experiments/breaker-thresholds.yaml

            \(ExitCodes.help(one: "runs of the experiment are missing from the merged database (they are listed)"))
            """
    )

    @Argument(help: ArgumentHelp("The database to merge into (created if absent).", valueName: "out"))
    var output: String

    @Argument(help: ArgumentHelp("Shard databases.", valueName: "shard"))
    var shards: [String]

    @Option(name: .long, help: ArgumentHelp("The experiment the shards ran: list its runs still missing.", valueName: "file"))
    var experiment: String?

    @Option(name: .long, help: ArgumentHelp("With --experiment: the seeds the sweep ran, if not the experiment's (a count or a list).", valueName: "seeds"))
    var seeds: String?

    @Flag(name: .long, help: "Merge runs of several experiments or engines too (single runs, or runs kept aside while a database was locked).")
    var mixed = false

    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give at least one shard database") }
        if shards.contains(output) { throw ValidationError("the output \(output) is also given as a shard") }
        if let seeds, SweepCommand.parseSeeds(seeds) == nil {
            throw ValidationError("--seeds expects a count (e.g. 20) or a comma-separated list of seeds, found '\(seeds)'")
        }
    }

    func run() throws {
        let plan = try experiment.map { file in try reportingErrors { try ExperimentPlan(ExperimentLoader.load(experimentPath: file)) } }
        let out = try reportingErrors { try RunStore(path: output) }
        let outcome: ShardMerge.Outcome
        do {
            outcome = try reportingErrors { try ShardMerge.merge(into: out, shards: shards, mixed: mixed) }
        } catch let refusal as ShardMerge.Refusal {
            printError("error: \(refusal.description)")
            throw ExitCode(ExitCodes.dataError)
        }
        var missingRuns: [ExperimentPlan.Run] = []
        if let plan {
            let runs = plan.runs(seeds: seeds.flatMap(SweepCommand.parseSeeds))
            let stored = try reportingErrors { try out.storedRunKeys(among: runs.map(\.runKey)) }
            missingRuns = runs.filter { !stored.contains($0.runKey) }
        }
        if json {
            let missingItems: [[String: Any]] = missingRuns.map {
                ["variant": plan!.variants[$0.variant].name, "seed": NSNumber(value: $0.seed), "runKey": $0.runKey]
            }
            print(try Report.json([
                "output": output, "added": outcome.added, "alreadyPresent": outcome.alreadyPresent,
                "shards": shards.map { ["file": $0, "runs": outcome.runsPerShard[$0] ?? 0] as [String: Any] },
                "missing": plan == nil ? NSNull() : missingItems as Any,
            ] as [String: Any]))
        } else {
            print("Merged \(shards.count) shards into \(output): \(outcome.added) runs added, \(outcome.alreadyPresent) already there.")
            for shard in shards { print("  \(shard): \(outcome.runsPerShard[shard] ?? 0) runs") }
            if let plan {
                if missingRuns.isEmpty {
                    print("Every run of \(plan.experiment.name) is stored.")
                } else {
                    print("\(missingRuns.count) runs of \(plan.experiment.name) are still missing:")
                    for run in missingRuns.prefix(50) {
                        print("  \(plan.variants[run.variant].name)  seed \(run.seed)  \(run.runKey.prefix(16))")
                    }
                    if missingRuns.count > 50 { print("  … and \(missingRuns.count - 50) more") }
                }
            }
        }
        if !missingRuns.isEmpty { throw ExitCode(ExitCodes.checksFailed) }
    }
}
