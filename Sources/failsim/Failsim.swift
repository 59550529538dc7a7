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

            \(ExitCodes.all)
            """,
        version: Failsim.versionText,
        subcommands: [RunCommand.self, SweepCommand.self, MergeCommand.self, RunsCommand.self, ShowCommand.self, ValidateCommand.self, CompareCommand.self, BreakerCommand.self, ReportCommand.self, UptimeCommand.self]
    )
}

extension Failsim {
    /// The version of the command line; the engine's (which run keys cover) is printed with it.
    static let version = "0.4.0"

    /// What `failsim --version` prints.
    static let versionText = "failsim \(version) (engine \(FailoverSimulation.engineVersion))"

    /// Parses and runs like ArgumentParser's own `main()`, with two changes: a first argument
    /// that is no subcommand gets a "did you mean" (ArgumentParser would report the words as
    /// unexpected arguments of the root command), and every error is printed in the one style
    /// the commands use, `error: …`.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        // `help` is ArgumentParser's own (`failsim help sweep`).
        if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first), first != "help" {
            let hint = didYouMean(first, among: names).map { "; did you mean '\($0)'?" } ?? ""
            printError("error: unknown command '\(first)'\(hint) The commands are: \(names.joined(separator: ", ")).")
            printError("Usage: failsim <subcommand>; see 'failsim --help'.")
            Foundation.exit(ExitCodes.usage)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
            } else if !message.isEmpty {
                printError(message.hasPrefix("Error: ") ? "error: " + message.dropFirst("Error: ".count) : message)
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// The exit codes, in one place, and each command's help text about them: a command lists only
/// the codes it can exit with, each in its own words.
enum ExitCodes {
    static let checksFailed: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let ioError: Int32 = 74

    /// The `Exit codes:` paragraph. `one` is what exit status 1 means for the command (`nil`: it
    /// never exits 1); `usage`, `input` and `io` what 64, 65 and 74 mean (`nil`: not used).
    static func help(one: String? = nil,
                     usage: String = "bad usage (unknown option, missing or invalid argument)",
                     input: String? = "bad input file (syntax, unknown key, invalid value); stderr names the file, line and key",
                     io: String? = "a database or file I/O problem (the run store cannot be opened, read or written)") -> String {
        var lines = ["Exit codes:", "  0   success"]
        func add(_ code: Int32, _ text: String) {
            lines.append(contentsOf: wrapped(text, width: 66).enumerated().map { index, part in
                (index == 0 ? "  \(code)".padding(toLength: 6, withPad: " ", startingAt: 0) : "      ") + part
            })
        }
        if let one { add(checksFailed, one) }
        add(self.usage, usage)
        if let input { add(dataError, input) }
        if let io { add(ioError, io) }
        return lines.joined(separator: "\n")
    }

    /// Words of `text` in lines of at most `width` characters.
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// The root command's: every code, with what 1 means for each command that uses it.
    static let all = help(
        one: "run --check: the run failed the experiment's checks; sweep --until-ci: the target was not met at --max-seeds; "
            + "merge: runs are missing",
        usage: "bad usage (unknown command or option, missing or invalid argument, unknown variant, no such run id)")
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

/// How long a command that stores runs waits for a database another process keeps locked.
struct BusyOptions: ParsableArguments {
    @Option(name: .customLong("busy-wait"), help: ArgumentHelp(
        "Seconds a finished run waits, retrying with growing pauses, for a database another process keeps locked; "
            + "after that it is kept in a database of its own beside it (NAME-aside.sqlite) and the command exits 74.",
        valueName: "seconds"))
    var busyWait: Double = 120

    func validate() throws {
        if !(busyWait >= 0 && busyWait.isFinite) { throw ValidationError("--busy-wait must be 0 or more seconds, found \(busyWait)") }
    }

    var policy: BusyPolicy { BusyPolicy(maximumWaitSeconds: busyWait) }

    /// Tells the user on stderr that the run waits.
    static func tell(_ wait: BusyWait) { printError("waiting: \(wait)") }

    /// What to say when runs were kept aside: where, and how to bring them in.
    static func keptAsideLines(count: Int, aside: String, database: String, reason: String, mixed: Bool) -> [String] {
        ["error: \(reason)",
         "\(count == 1 ? "The finished run is" : "The \(count) finished runs are") kept in \(aside); nothing is lost. "
            + "Bring \(count == 1 ? "it" : "them") into \(database) once it is free with:",
         "  failsim merge \(database) \(aside)\(mixed ? " --mixed" : "")"]
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
    } catch let error as StoreBusy {
        printError("error: \(error.description)")
        throw ExitCode(ExitCodes.ioError)
    }
}
