import ArgumentParser
import FailoverModel
import Foundation
import ModelFiles
import RunStore
import SimulationCore

/// The `failsim` command: parses, calls the model and the store, prints.
@main
struct Failsim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failsim",
        abstract: "A deterministic discrete-event failover simulator.",
        discussion: """
            failsim simulates a multi-region architecture (a model file) under injected faults \
            (an experiment file), measures detection and recovery times, latency, availability \
            and write outcomes, judges each trigger-table row, and stores every run in SQLite.

            With no arguments, `failsim run` runs the reference model's trigger-table experiment, \
            which is embedded in the binary, so it works from any folder.

            Examples:
              failsim run                # the embedded trigger-table experiment
              failsim run experiments/trigger-table.yaml --variant slow-dns-checks --seed 3
              failsim run my-experiment.yaml --json --check
              failsim sweep experiments/trigger-table.yaml --seeds 10 --jobs 2
              failsim runs
              failsim show 12
              failsim validate models/esta-tracker.yaml experiments/trigger-table.yaml
              failsim compare experiments/trigger-table.yaml --baseline baseline
              failsim report --experiment experiments/trigger-table.yaml   # HTML, Markdown, CSV in notebooks-output/
              failsim breaker replay --policy resilience4j calls.csv
              failsim uptime experiments/annual-uptime.yaml --years 1000   # the annual uptime distribution against the SLA

            \(ExitCodes.help)
            """,
        subcommands: [RunCommand.self, SweepCommand.self, MergeCommand.self, RunsCommand.self, ShowCommand.self, ValidateCommand.self, CompareCommand.self, BreakerCommand.self, ReportCommand.self, UptimeCommand.self]
    )
}

/// The exit codes, in one place so every help text says the same thing.
enum ExitCodes {
    static let checksFailed: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let ioError: Int32 = 74

    static let help = """
        Exit codes:
          0   success
          1   the run's checks failed (a trigger verdict failed); only
              with --check
          64  bad usage (unknown option, missing or invalid argument,
              unknown variant, no such run id)
          65  bad input file (syntax, unknown key, invalid value);
              stderr names the file, line and key
          74  a database or file I/O problem (the run store cannot be
              opened, read or written)
        """
}

/// Options shared by the commands that use the run store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite file runs are stored in.", valueName: "file"))
    var db: String = "failsim.sqlite"

    func validate() throws {
        if db.isEmpty { throw ValidationError("--db needs a file name, found an empty one") }
    }

    /// Opens the store to store runs: creates the file if missing and upgrades its schema.
    func open() throws -> RunStore {
        try RunStore(path: db)
    }

    /// Opens the store for a command that only reads it (runs, show, compare, report): the file
    /// is never created, upgraded or written, so a store on read-only media, in a folder the user
    /// cannot write, or another user's, can be read.
    func openForReading() throws -> RunStore {
        try RunStore(path: db, access: .readOnly)
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Runs `body`, turning the project's errors into messages on stderr and sysexits codes.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as FileError {
        printError("error: \(error.description)")
        throw ExitCode(ExitCodes.dataError)
    } catch let error as ModelError {
        printError("error: \(error.description)")
        throw ExitCode(ExitCodes.dataError)
    } catch let error as DistributionError {
        printError("error: \(error.description)")
        throw ExitCode(ExitCodes.dataError)
    } catch let error as StoreError {
        printError("error: \(error.description)")
        throw ExitCode(ExitCodes.ioError)
    }
}
