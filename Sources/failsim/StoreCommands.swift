import ArgumentParser
import Foundation
import RunResults
import RunStore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs stored in the database.",
        discussion: """
            Lists every stored run in insertion order: id, experiment, variant, seed, status, \
            events, simulated and wall time, and the start of its run key and digest. With \
            --json, prints an array of objects with id, runKey, model, experiment, variant, seed, \
            digest, status, events, simulatedSeconds, wallSeconds and storedAt.

            Examples:
              failsim runs
              failsim runs --db sweep.sqlite --json

            \(ExitCodes.help(input: nil, io: "the run store cannot be opened or read"))
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print a JSON array instead of a table.")
    var json = false

    func run() throws {
        let runs = try reportingErrors { try store.openForReading().runs() }
        if json {
            print(try Report.json(runs.map(summaryJSON)))
            return
        }
        if runs.isEmpty {
            print("No runs stored in \(store.db).")
            return
        }
        var rows = [["id", "experiment", "variant", "seed", "status", "events", "simulated", "wall", "runKey", "digest", "stored at"]]
        for r in runs {
            rows.append([
                "\(r.id)", r.experiment, r.variant, "\(r.seed)", r.status.rawValue, "\(r.events)",
                Report.duration(r.simulatedSeconds), String(format: "%.2f s", r.wallSeconds),
                String(r.runKey.prefix(12)), String(r.digest.prefix(12)), r.storedAt,
            ])
        }
        Report.table(rows).forEach { print($0) }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one stored run.",
        discussion: """
            Prints the stored run with the given id (see `failsim runs`) as the same summary \
            `failsim run` prints, or with --json as the same JSON document.

            Examples:
              failsim show 3
              failsim show 3 --db sweep.sqlite --json

            \(ExitCodes.help(usage: "bad usage (unknown option, no such run id)", input: nil, io: "the run store cannot be opened or read"))
            """
    )

    @Argument(help: ArgumentHelp("The run's id, as `failsim runs` lists it.", valueName: "run"))
    var id: Int64

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print one JSON document instead of the summary.")
    var json = false

    func run() throws {
        let (result, summary) = try reportingErrors { () throws -> (RunResult?, StoredRunSummary?) in
            let runStore = try store.openForReading()
            return (try runStore.run(id: id), try runStore.runs().first { $0.id == id })
        }
        guard let result else {
            printError("error: \(store.db): no run with id \(id); `failsim runs` lists the stored runs")
            throw ExitCode(ExitCodes.usage)
        }
        if json {
            print(try Report.json(runJSON(id: id, result: result, storedIn: store.db, storedAt: summary?.storedAt)))
        } else {
            print(Report.summary(result, id: id, storedIn: store.db, storedAt: summary?.storedAt))
        }
    }
}
