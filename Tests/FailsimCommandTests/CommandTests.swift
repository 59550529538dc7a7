import Foundation
import Testing

final class DataBox: @unchecked Sendable { var data = Data() }

/// The result of running the `failsim` executable.
struct Invocation {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout parsed as JSON.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    }
}

/// Finds and runs the built `failsim` executable; writes test files into a fresh temp folder.
struct Failsim {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable: next to the test bundle (any scratch path), else in the usual build folders.
    static let executable: URL? = {
        let fm = FileManager.default
        var folders: [URL] = []
        if let path = ProcessInfo.processInfo.environment["FAILSIM_EXECUTABLE"] {
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle.main.bundleURL
        folders.append(bundle)
        folders.append(bundle.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        folders.append(argument0.deletingLastPathComponent())
        folders.append(argument0.deletingLastPathComponent().deletingLastPathComponent())
        for scratch in [".build", ".build-cli"] {
            folders.append(repository.appendingPathComponent(scratch).appendingPathComponent("debug"))
        }
        for folder in folders {
            let candidate = folder.appendingPathComponent("failsim")
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               fm.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }()

    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("failsim-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = try String(contentsOf: Self.repository.appendingPathComponent("models/esta-tracker.yaml"), encoding: .utf8)
        try write("esta-tracker.yaml", model)
        try write("short.yaml", Self.shortExperiment)
    }

    /// A three-minute experiment with one fault, 200 req/s: a second or so in a debug build.
    static let shortExperiment = """
        kind: experiment
        name: short-test
        model: esta-tracker.yaml
        warmUp: 10s
        duration: 3m
        seeds: [7]
        overrides: {traffic.requestsPerSecond: "200"}
        faults:
          - name: primary-db-outage
            row: 1
            kind: databaseUnreachable
            mode: blackhole
            target: us-central1
            at: 30s
            duration: 60s
        variants:
          - name: slow-dns-checks
            overrides: {healthChecks.interval: 30s}
          - name: impossible
            overrides: {"triggers[0].target": 1s}

        """

    var db: String { folder.appendingPathComponent("runs.sqlite").path }
    var experiment: String { folder.appendingPathComponent("short.yaml").path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func run(_ arguments: [String]) throws -> Invocation {
        let executable = try #require(Self.executable, "the failsim executable was not found; build it first")
        return try execute(executable, arguments)
    }

    /// Runs another program (`command[0]`, a path) with the rest as its arguments, in the folder.
    func run(_ ignored: [String], replacing command: [String]) throws -> Invocation {
        try execute(URL(fileURLWithPath: command[0]), Array(command.dropFirst()))
    }

    private func execute(_ executable: URL, _ arguments: [String]) throws -> Invocation {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs, so a large output cannot block it.
        let errBox = DataBox()
        let done = DispatchSemaphore(value: 0)
        Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); done.signal() }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Invocation(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
    }

    func runShort(_ extra: [String] = []) throws -> Invocation {
        try run(["run", experiment, "--db", db] + extra)
    }

    /// The runs `failsim runs` lists; none when the database was never created (`runs` only
    /// reads, and refuses a file that is not there).
    func storedRuns() throws -> [[String: Any]] {
        if !FileManager.default.fileExists(atPath: db) { return [] }
        let listed = try run(["runs", "--db", db, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        return try #require(try listed.json() as? [[String: Any]])
    }
}

@Suite("failsim command line", .serialized)
struct CommandTests {
    @Test("--help names every subcommand and the exit codes")
    func help() throws {
        let failsim = try Failsim()
        let help = try failsim.run(["--help"])
        #expect(help.status == 0)
        for word in ["run", "runs", "show", "validate", "Exit codes", "64", "65", "74"] {
            #expect(help.stdout.contains(word), "help lacks \(word)")
        }
        let runHelp = try failsim.run(["run", "--help"])
        #expect(runHelp.status == 0)
        for word in ["--seed", "--db", "--json", "--check", "--variant", "--model", "Exit codes"] {
            #expect(runHelp.stdout.contains(word), "run help lacks \(word)")
        }
    }

    @Test("run --json has the documented shape")
    func jsonShape() throws {
        let failsim = try Failsim()
        let invocation = try failsim.runShort(["--json"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let document = try #require(try invocation.json() as? [String: Any])
        for key in ["run", "triggers", "availability", "latency", "writes", "incidents"] {
            #expect(document[key] != nil, "missing \(key)")
        }
        let run = try #require(document["run"] as? [String: Any])
        for key in ["id", "runKey", "model", "experiment", "variant", "seed", "digest", "events", "simulatedSeconds", "wallSeconds"] {
            #expect(run[key] != nil, "run lacks \(key)")
        }
        #expect(run["experiment"] as? String == "short-test")
        #expect(run["variant"] as? String == "baseline")
        #expect((run["seed"] as? NSNumber)?.intValue == 7)  // the experiment's first seed
        let triggers = try #require(document["triggers"] as? [[String: Any]])
        #expect(!triggers.isEmpty)
        for trigger in triggers {
            for key in ["condition", "action", "targetSeconds", "detectionSeconds", "recoverySeconds", "outcome", "passed"] {
                #expect(trigger.keys.contains(key), "trigger lacks \(key)")
            }
        }
        let availability = try #require(document["availability"] as? [String: Any])
        for key in ["requestBased", "timeBased", "errorBudgetUsed"] { #expect(availability[key] != nil) }
        let latency = try #require(document["latency"] as? [[String: Any]])
        #expect(!latency.isEmpty)
        for entry in latency {
            for key in ["operation", "p50Ms", "p95Ms", "p99Ms", "targetP50Ms", "targetP95Ms", "targetP99Ms", "passed"] {
                #expect(entry.keys.contains(key), "latency lacks \(key)")
            }
        }
        let writes = try #require(document["writes"] as? [String: Any])
        for key in ["acknowledged", "queued", "rejected", "replayed", "lost"] { #expect(writes[key] != nil) }
    }

    @Test("the same seed gives the same digest, another seed another; every run is stored")
    func determinismAndStorage() throws {
        let failsim = try Failsim()
        func digest(_ seed: String) throws -> (digest: String, runKey: String, id: Int) {
            let invocation = try failsim.runShort(["--seed", seed, "--json"])
            #expect(invocation.status == 0, "\(invocation.stderr)")
            let run = try #require((try invocation.json() as? [String: Any])?["run"] as? [String: Any])
            return (try #require(run["digest"] as? String), try #require(run["runKey"] as? String),
                    try #require((run["id"] as? NSNumber)?.intValue))
        }
        let first = try digest("7")
        let second = try digest("7")
        let other = try digest("8")
        #expect(first.digest.count == 64)
        #expect(first.digest == second.digest)
        #expect(first.runKey == second.runKey)
        #expect(first.id != second.id)
        #expect(other.digest != first.digest)
        #expect(other.runKey != first.runKey)

        let runs = try failsim.storedRuns()
        #expect(runs.count == 3)
        for run in runs {
            for key in ["id", "runKey", "experiment", "variant", "seed", "digest"] { #expect(run[key] != nil, "runs lacks \(key)") }
        }
        #expect(runs.map { ($0["id"] as? NSNumber)?.intValue } == [first.id, second.id, other.id])
        #expect(runs.map { $0["runKey"] as? String } == [first.runKey, first.runKey, other.runKey])
        #expect(runs.map { $0["digest"] as? String } == [first.digest, first.digest, other.digest])
        #expect(runs.allSatisfy { $0["experiment"] as? String == "short-test" && $0["variant"] as? String == "baseline" })

        // show prints a stored run, as text and as JSON.
        let shown = try failsim.run(["show", "\(first.id)", "--db", failsim.db])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Trigger table"))
        #expect(shown.stdout.contains(first.digest))
        let shownJSON = try failsim.run(["show", "\(first.id)", "--db", failsim.db, "--json"])
        let run = try #require((try shownJSON.json() as? [String: Any])?["run"] as? [String: Any])
        #expect(run["digest"] as? String == first.digest)
        let human = try failsim.run(["runs", "--db", failsim.db])
        #expect(human.status == 0)
        #expect(human.stdout.contains("short-test"))
    }

    @Test("the human summary has every section")
    func humanSummary() throws {
        let failsim = try Failsim()
        let invocation = try failsim.runShort(["--variant", "slow-dns-checks"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        #expect(invocation.stdout.contains("PASS") || invocation.stdout.contains("FAIL"))
        for part in ["Trigger table", "Latency SLA", "p95", "Availability", "request-based", "time-based",
                     "error budget", "Writes", "Circuit breakers", "runKey", "digest", "stored in", "slow-dns-checks"] {
            #expect(invocation.stdout.contains(part), "summary lacks \(part)")
        }
        #expect(invocation.stdout.contains("Trigger table"))
        #expect(invocation.stdout.contains("stored in \(failsim.db)"))
        #expect(invocation.stderr.isEmpty, "no progress when stderr is not a terminal: \(invocation.stderr)")
    }

    @Test("a malformed experiment exits 65 naming file and line; the database is unchanged")
    func badExperiment() throws {
        let failsim = try Failsim()
        #expect(try failsim.runShort().status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: failsim.db))
        let bad = try failsim.write("bad.yaml", Failsim.shortExperiment.replacingOccurrences(of: "duration: 3m", with: "duration: 3 parsecs"))
        let invocation = try failsim.run(["run", bad, "--db", failsim.db])
        #expect(invocation.status == 65)
        #expect(try Data(contentsOf: URL(fileURLWithPath: failsim.db)) == before, "the bad run did not touch the database")
        #expect(invocation.stderr.contains("bad.yaml:"))
        #expect(invocation.stderr.range(of: #"bad\.yaml:\d+"#, options: .regularExpression) != nil, "\(invocation.stderr)")
        #expect(invocation.stderr.contains("duration"))
        #expect(invocation.stdout.isEmpty)
        #expect(try failsim.storedRuns().count == 1)

        let misspelled = try failsim.write("misspelled.yaml", Failsim.shortExperiment.replacingOccurrences(of: "warmUp:", with: "warmup:"))
        let second = try failsim.run(["run", misspelled, "--db", failsim.db])
        #expect(second.status == 65)
        #expect(second.stderr.range(of: #"misspelled\.yaml:\d+"#, options: .regularExpression) != nil, "\(second.stderr)")
        #expect(try failsim.storedRuns().count == 1)

        let missing = try failsim.run(["run", failsim.folder.appendingPathComponent("nope.yaml").path, "--db", failsim.db])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("nope.yaml"))
    }

    @Test("bad usage exits 64")
    func badUsage() throws {
        let failsim = try Failsim()
        let unknownOption = try failsim.run(["run", failsim.experiment, "--db", failsim.db, "--frobnicate"])
        #expect(unknownOption.status == 64)
        #expect(unknownOption.stderr.contains("frobnicate"))
        let badSeed = try failsim.run(["run", failsim.experiment, "--db", failsim.db, "--seed", "minus-one"])
        #expect(badSeed.status == 64)
        let unknownVariant = try failsim.run(["run", failsim.experiment, "--db", failsim.db, "--variant", "nonesuch"])
        #expect(unknownVariant.status == 64)
        #expect(unknownVariant.stderr.contains("slow-dns-checks"), "lists the variants: \(unknownVariant.stderr)")
        let stored = FileManager.default.fileExists(atPath: failsim.db) ? try failsim.storedRuns().count : 0
        #expect(stored == 0)
    }

    @Test("a database that is not SQLite exits 74")
    func badDatabase() throws {
        let failsim = try Failsim()
        let notSQLite = try failsim.write("not.sqlite", "this is not a database, just some text to fill the header\n")
        let invocation = try failsim.run(["runs", "--db", notSQLite])
        #expect(invocation.status == 74)
        #expect(invocation.stderr.contains("not.sqlite"))
        let run = try failsim.runShort(["--db", notSQLite])
        #expect(run.status == 74)
        let show = try failsim.run(["show", "1", "--db", notSQLite])
        #expect(show.status == 74)
    }

    @Test("validate accepts good files and names the place of an error")
    func validate() throws {
        let failsim = try Failsim()
        let good = try failsim.run(["validate", failsim.folder.appendingPathComponent("esta-tracker.yaml").path, failsim.experiment])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.components(separatedBy: "OK").count - 1 == 2)
        let bad = try failsim.write("bad-model.yaml", "kind: model\nname: broken\nregions: [1, 2\n")
        let wrongKind = try failsim.write("wrong-kind.yaml", "kind: modle\nname: x\n")
        let result = try failsim.run(["validate", failsim.experiment, bad, wrongKind])
        #expect(result.status == 65)
        #expect(result.stdout.contains("short.yaml: OK"))
        #expect(result.stderr.range(of: #"bad-model\.yaml:\d+"#, options: .regularExpression) != nil, "\(result.stderr)")
        #expect(result.stderr.contains("wrong-kind.yaml:1"))
        #expect(result.stderr.contains("kind"))
    }

    @Test("--check exits 1 only when a trigger verdict fails")
    func check() throws {
        let failsim = try Failsim()
        let invocation = try failsim.runShort(["--json", "--check"])
        let document = try #require(try invocation.json() as? [String: Any])
        let triggers = try #require(document["triggers"] as? [[String: Any]])
        let allPassed = triggers.allSatisfy { $0["passed"] as? Bool == true }
        #expect(invocation.status == (allPassed ? 0 : 1))
        // A 1 s target cannot be met: the row fails, and --check says so with exit status 1.
        let strict = try failsim.runShort(["--variant", "impossible", "--check"])
        #expect(strict.status == 1, "\(strict.stderr)")
        #expect(strict.stdout.contains("FAIL"))
        let unchecked = try failsim.runShort(["--variant", "impossible"])
#expect(unchecked.status == 0, "without --check a failing verdict still exits 0")
    }
}
