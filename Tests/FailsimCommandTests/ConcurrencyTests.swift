import Foundation
import RunStore
import Testing

/// A `failsim` process running in the background; its output goes to files, so that it never
/// blocks on a full pipe while the test does other things.
struct BackgroundFailsim {
    let process: Process
    let output: URL
    let errors: URL
    let arguments: [String]

    init(_ failsim: Failsim, _ arguments: [String], name: String, launcher: [String] = []) throws {
        let executable = try #require(Failsim.executable, "the failsim executable was not found; build it first")
        output = failsim.folder.appendingPathComponent("\(name).out")
        errors = failsim.folder.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        self.arguments = arguments
        process = Process()
        if launcher.isEmpty {
            process.executableURL = executable
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + arguments
        }
        process.currentDirectoryURL = failsim.folder
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    func wait() throws -> Invocation {
        process.waitUntilExit()
        return Invocation(status: process.terminationStatus,
                          stdout: try String(contentsOf: output, encoding: .utf8),
                          stderr: try String(contentsOf: errors, encoding: .utf8))
    }
}

extension Failsim {
    /// Every stored run read back through the store: each must be whole (its digest recomputes).
    func checkEveryRunIsWhole(_ path: String? = nil) throws -> [StoredRunSummary] {
        let store = try RunStore(path: path ?? db)
        #expect(try store.integrityCheck() == ["ok"])
        let runs = try store.runs()
        for summary in runs {
            let run = try #require(try store.run(id: summary.id))
            #expect(run.hasValidDigest, "run \(summary.id) is whole")
            #expect(run.identity.digest == summary.digest)
        }
        return runs
    }
}

@Suite("Concurrent writers and readers", .serialized)
struct ConcurrencyTests {
    /// `SweepCommandTests.tinySweep` (12 runs) under another name and other seeds.
    static func otherTinySweep(name: String) -> String {
        SweepCommandTests.tinySweep
            .replacingOccurrences(of: "name: tiny-sweep", with: "name: \(name)")
            .replacingOccurrences(of: "seeds: 3", with: "seeds: [11, 12, 13]")
    }

    @Test("Two `failsim run` processes writing one new database at once both succeed, each run stored once")
    func twoRunsAtOnce() throws {
        let failsim = try Failsim()
        let other = try failsim.write("other.yaml", Failsim.shortExperiment.replacingOccurrences(of: "name: short-test", with: "name: other-test"))
        // The database does not exist yet: both processes create and migrate it at the same moment.
        let first = try BackgroundFailsim(failsim, ["run", failsim.experiment, "--db", failsim.db, "--json"], name: "first")
        let second = try BackgroundFailsim(failsim, ["run", other, "--db", failsim.db, "--seed", "8", "--json"], name: "second")
        var digests: [String: String] = [:]
        for invocation in [try first.wait(), try second.wait()] {
            #expect(invocation.status == 0, "\(invocation.stderr)")
            let run = try #require((try invocation.json() as? [String: Any])?["run"] as? [String: Any])
            digests[try #require(run["experiment"] as? String)] = run["digest"] as? String
        }
        let runs = try failsim.checkEveryRunIsWhole()
        #expect(runs.count == 2)
        #expect(Set(runs.map(\.experiment)) == ["short-test", "other-test"])
        for run in runs { #expect(digests[run.experiment] == run.digest, "the stored run is the one each process printed") }
    }

    @Test("Two sweeps of different experiments into one database at once both finish; every run is stored once")
    func twoSweepsOfDifferentExperiments() throws {
        let failsim = try Failsim()
        let a = try failsim.write("a.yaml", Self.otherTinySweep(name: "tiny-a"))
        let b = try failsim.write("b.yaml", Self.otherTinySweep(name: "tiny-b").replacingOccurrences(of: "seeds: [11, 12, 13]", with: "seeds: [21, 22, 23]"))
        let first = try BackgroundFailsim(failsim, ["sweep", a, "--db", failsim.db, "--jobs", "2", "--json"], name: "a")
        let second = try BackgroundFailsim(failsim, ["sweep", b, "--db", failsim.db, "--jobs", "2", "--json"], name: "b")
        for invocation in [try first.wait(), try second.wait()] {
            #expect(invocation.status == 0, "\(invocation.stderr)")
            let summary = try #require(try invocation.json() as? [String: Any])
            #expect(summary["planned"] as? Int == 12)
            #expect(summary["ran"] as? Int == 12)
            #expect(summary["storedElsewhere"] as? Int == 0)
        }
        let runs = try failsim.checkEveryRunIsWhole()
        #expect(runs.count == 24)
        #expect(Set(runs.map(\.runKey)).count == 24)
        #expect(runs.filter { $0.experiment == "tiny-a" }.count == 12)
    }

    @Test("Two sweeps of the same experiment at once both finish and store every run exactly once between them")
    func twoSweepsOfTheSameExperiment() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("tiny.yaml", SweepCommandTests.tinySweep)
        let first = try BackgroundFailsim(failsim, ["sweep", experiment, "--db", failsim.db, "--jobs", "2", "--json"], name: "first")
        let second = try BackgroundFailsim(failsim, ["sweep", experiment, "--db", failsim.db, "--jobs", "2", "--json"], name: "second")
        var storedByEither = 0
        for invocation in [try first.wait(), try second.wait()] {
            #expect(invocation.status == 0, "\(invocation.stderr)")
            let summary = try #require(try invocation.json() as? [String: Any])
            let ran = try #require(summary["ran"] as? Int), elsewhere = try #require(summary["storedElsewhere"] as? Int)
            let skipped = try #require(summary["skipped"] as? Int)
            #expect(ran + skipped == 12)
            storedByEither += ran - elsewhere
        }
        #expect(storedByEither == 12, "each run is stored by one of the two, and only once")
        let runs = try failsim.checkEveryRunIsWhole()
        #expect(runs.count == 12)
        #expect(Set(runs.map(\.runKey)).count == 12)
        // A third sweep finds nothing left to do.
        let again = try failsim.run(["sweep", experiment, "--db", failsim.db, "--json"])
        #expect((try again.json() as? [String: Any])?["skipped"] as? Int == 12)
    }

    @Test("Readers polling during a sweep (runs, show, compare) only ever see whole runs")
    func readersDuringASweep() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("tiny.yaml", SweepCommandTests.tinySweep.replacingOccurrences(of: "seeds: 3", with: "seeds: 6"))
        // The database exists (empty, migrated) before the sweep, so readers, which never create
        // or migrate one, do not race its creation.
        _ = try RunStore(path: failsim.db)
        let sweep = try BackgroundFailsim(failsim, ["sweep", experiment, "--db", failsim.db, "--jobs", "2", "--json"], name: "sweep")
        var shown: [Int: String] = [:]
        var pollsDuringSweep = 0
        var runsSeenDuringSweep = 0
        var comparisonsDuringSweep = 0
        while true {
            let running = sweep.isRunning
            let listed = try failsim.run(["runs", "--db", failsim.db, "--json"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let runs = try #require(try listed.json() as? [[String: Any]])
            for run in runs {
                let id = try #require((run["id"] as? NSNumber)?.intValue)
                let digest = try #require(run["digest"] as? String)
                guard shown[id] == nil else {
                    #expect(shown[id] == digest, "run \(id) did not change")
                    continue
                }
                let show = try failsim.run(["show", "\(id)", "--db", failsim.db, "--json"])
                #expect(show.status == 0, "run \(id) listed but cannot be shown: \(show.stderr)")
                let document = try #require(try show.json() as? [String: Any])
                #expect((document["run"] as? [String: Any])?["digest"] as? String == digest)
                for part in ["triggers", "availability", "latency", "writes"] { #expect(document[part] != nil, "run \(id) lacks \(part)") }
                shown[id] = digest
            }
            if !runs.isEmpty {
                let compare = try failsim.run(["compare", experiment, "--db", failsim.db, "--json"])
                #expect(compare.status == 0, "compare during the sweep: \(compare.stderr)")
                #expect(try compare.json() is [String: Any])
                if running { comparisonsDuringSweep += 1 }
            }
            if running {
                pollsDuringSweep += 1
                runsSeenDuringSweep = runs.count
            } else {
                break
            }
        }
        let finished = try sweep.wait()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(pollsDuringSweep >= 2, "the readers polled while the sweep was writing")
        #expect(runsSeenDuringSweep > 0 && comparisonsDuringSweep > 0, "a reader saw runs stored while the sweep went on")
        #expect(shown.count == 24)
        // Read back in this process too: every run is whole.
        #expect(try failsim.checkEveryRunIsWhole().count == 24)
    }
}

/// Runs `failsim` as a user the file system's permissions apply to: as root (which ignores
/// them), without the capabilities that override them (`setpriv` from util-linux).
enum WithoutOverride {
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isRoot: Bool { geteuid() == 0 }
    static var isAvailable: Bool { !isRoot || setpriv != nil }
    static var launcher: [String] {
        guard isRoot, let setpriv else { return [] }
        return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    }
}

@Suite("Read-only and full disks", .serialized)
struct StorageFaultTests {
    /// A database with one stored run.
    static func databaseWithOneRun() throws -> Failsim {
        let failsim = try Failsim()
        let first = try failsim.runShort()
        try #require(first.status == 0, "\(first.stderr)")
        return failsim
    }

    @Test("A read-only database file exits 74 naming the file; nothing is stored", .enabled(if: WithoutOverride.isAvailable, "root without setpriv"))
    func readOnlyFile() throws {
        let failsim = try Self.databaseWithOneRun()
        let fm = FileManager.default
        try fm.setAttributes([.posixPermissions: 0o444], ofItemAtPath: failsim.db)
        defer { try? fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: failsim.db) }
        for arguments in [["run", failsim.experiment, "--db", failsim.db, "--seed", "8"],
                          ["sweep", failsim.experiment, "--db", failsim.db, "--seeds", "8,9"]] {
            let invocation = try BackgroundFailsim(failsim, arguments, name: arguments[0], launcher: WithoutOverride.launcher).wait()
            #expect(invocation.status == 74, "\(arguments[0]): \(invocation.stderr)")
            #expect(invocation.stderr.contains(failsim.db), "\(invocation.stderr)")
            #expect(invocation.stderr.contains("readonly") || invocation.stderr.contains("read-only"), "\(invocation.stderr)")
            #expect(!invocation.stdout.contains("stored in"))
        }
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: failsim.db)
        #expect(try failsim.checkEveryRunIsWhole().count == 1)
    }

    @Test("A read-only folder exits 74 for a new database and for an existing one; nothing is stored", .enabled(if: WithoutOverride.isAvailable, "root without setpriv"))
    func readOnlyFolder() throws {
        let failsim = try Failsim()
        let fm = FileManager.default
        let folder = failsim.folder.appendingPathComponent("locked")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let existing = folder.appendingPathComponent("runs.sqlite").path
        let created = try failsim.run(["run", failsim.experiment, "--db", existing])
        try #require(created.status == 0, "\(created.stderr)")
        let before = try fm.contentsOfDirectory(atPath: folder.path).sorted()
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        defer { try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        for database in [existing, folder.appendingPathComponent("new.sqlite").path] {
            let invocation = try BackgroundFailsim(failsim, ["run", failsim.experiment, "--db", database, "--seed", "8"], name: "locked",
                                                   launcher: WithoutOverride.launcher).wait()
            #expect(invocation.status == 74, "\(invocation.stderr)")
            #expect(invocation.stderr.contains(database), "\(invocation.stderr)")
        }
        #expect(try fm.contentsOfDirectory(atPath: folder.path).sorted() == before, "nothing was created in the folder")
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        #expect(try failsim.checkEveryRunIsWhole(existing).count == 1)
    }

    /// What the readers print for `database`, by command (the database's path and the report
    /// folder's name replaced by placeholders), after checking that each exits 0.
    static func readersOutput(_ failsim: Failsim, _ database: String, launcher: [String] = [], name: String) throws -> [String: String] {
        var printed: [String: String] = [:]
        for arguments in [["runs", "--db", database, "--json"], ["show", "1", "--db", database, "--json"],
                          ["compare", failsim.experiment, "--db", database, "--json"],
                          ["report", "1", "--db", database, "--out", failsim.folder.appendingPathComponent("report-\(name)").path]] {
            let invocation = try BackgroundFailsim(failsim, arguments, name: "\(name)-\(arguments[0])", launcher: launcher).wait()
            #expect(invocation.status == 0, "\(name): \(arguments[0]): \(invocation.stderr)")
            printed[arguments[0]] = invocation.stdout.replacingOccurrences(of: database, with: "DATABASE")
                .replacingOccurrences(of: "report-\(name)", with: "REPORT")
        }
        return printed
    }

    @Test("Readers (runs, show, compare, report) read a database whose file and folder cannot be written, and leave it byte-identical; a writer exits 74",
          .enabled(if: WithoutOverride.isAvailable, "root without setpriv"))
    func readersOfAReadOnlyDatabase() throws {
        let failsim = try Self.databaseWithOneRun()
        let fm = FileManager.default
        // The writer closed the database cleanly: no write-ahead log, and the folder cannot
        // receive the -shm file a reader of a WAL database otherwise needs.
        try #require(!fm.fileExists(atPath: failsim.db + "-wal") && !fm.fileExists(atPath: failsim.db + "-shm"))
        let before = try Data(contentsOf: URL(fileURLWithPath: failsim.db))
        // The database gets a folder of its own, so that reports can go to a writable one; a
        // symbolic link to it is read too.
        let locked = failsim.folder.appendingPathComponent("locked")
        try fm.createDirectory(at: locked, withIntermediateDirectories: true)
        let database = locked.appendingPathComponent("runs.sqlite").path
        try fm.moveItem(atPath: failsim.db, toPath: database)
        let link = failsim.folder.appendingPathComponent("link.sqlite").path
        try fm.createSymbolicLink(atPath: link, withDestinationPath: database)
        try fm.setAttributes([.posixPermissions: 0o444], ofItemAtPath: database)
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
        defer { try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }

        let readOnly = try Self.readersOutput(failsim, database, launcher: WithoutOverride.launcher, name: "read-only")
        let throughLink = try Self.readersOutput(failsim, link, launcher: WithoutOverride.launcher, name: "link")
        #expect(try fm.contentsOfDirectory(atPath: locked.path) == ["runs.sqlite"], "nothing was created beside the database")
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)

        // A writer cannot store into it, and says why.
        let run = try BackgroundFailsim(failsim, ["run", failsim.experiment, "--db", database, "--seed", "8"], name: "writer",
                                        launcher: WithoutOverride.launcher).wait()
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stderr.contains(database) && run.stderr.contains("cannot be written"), "\(run.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)

        // The folder writable again (the file still read-only): SQLite's -shm goes beside the file,
        // the file itself is still untouched.
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path)
        let fileReadOnly = try Self.readersOutput(failsim, database, launcher: WithoutOverride.launcher, name: "file-read-only")
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)

        // The readers printed what they print for a writable database.
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: database)
        let writable = try Self.readersOutput(failsim, database, name: "writable")
        #expect(writable.count == 4 && writable.values.allSatisfy { !$0.isEmpty })
        #expect(readOnly == writable)
        #expect(throughLink == writable)
        #expect(fileReadOnly == writable)
        #expect(try failsim.checkEveryRunIsWhole(database).count == 1)
    }

    @Test("A reader of a database an older failsim wrote says so, exits 74 and leaves it unmigrated",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func readerOfAnOlderDatabase() throws {
        let failsim = try Self.databaseWithOneRun()
        // Schema version 1: the uptime tables, the queueing table, the writes' applied and pending
        // columns and their migrations removed.
        let downgrade = Process()
        downgrade.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        downgrade.arguments = [failsim.db, "DROP TABLE uptimeYear; DROP TABLE uptimeStudy; DROP TABLE serviceQueueing; "
                               + "ALTER TABLE writeOutcome DROP COLUMN applied; ALTER TABLE writeOutcome DROP COLUMN pending; "
                               + "DELETE FROM grdb_migrations WHERE identifier IN ('failsim-2-uptime', 'failsim-3-writes-queueing'); "
                               + "PRAGMA user_version = 1;"]
        try downgrade.run()
        downgrade.waitUntilExit()
        try #require(downgrade.terminationStatus == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: failsim.db))
        for arguments in [["runs", "--db", failsim.db], ["show", "1", "--db", failsim.db],
                          ["compare", failsim.experiment, "--db", failsim.db]] {
            let invocation = try failsim.run(arguments)
            #expect(invocation.status == 74, "\(arguments[0]): \(invocation.stderr)")
            #expect(invocation.stderr.contains(failsim.db + ": written by an older failsim (schema version 1"), "\(invocation.stderr)")
            #expect(invocation.stderr.contains("failsim-2-uptime"), "\(invocation.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: failsim.db)) == before)
        // A writer upgrades it; readers then read it.
        #expect(try failsim.runShort(["--seed", "8"]).status == 0)
        #expect(try failsim.storedRuns().count == 2)
    }

    @Test("Readers of a database that does not exist exit 74 and create nothing")
    func readersOfAMissingDatabase() throws {
        let failsim = try Failsim()
        for arguments in [["runs", "--db", failsim.db], ["show", "1", "--db", failsim.db],
                          ["compare", failsim.experiment, "--db", failsim.db]] {
            let invocation = try failsim.run(arguments)
            #expect(invocation.status == 74, "\(arguments[0]): \(invocation.stderr)")
            #expect(invocation.stderr.contains(failsim.db + ": no such database"), "\(invocation.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: failsim.db))
    }

    /// A disk that fills up while a run is stored, simulated with a file-size limit
    /// (`ulimit -f`, RLIMIT_FSIZE) with SIGXFSZ ignored, so that writes past the limit fail with
    /// EFBIG as they would with ENOSPC: SQLite reports an I/O error and rolls the run back.
    @Test("A disk that fills up while a run is stored exits 74; no partial run; the database stays sound and usable",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/sh")))
    func fullDisk() throws {
        let failsim = try Self.databaseWithOneRun()
        let size = try #require((try FileManager.default.attributesOfItem(atPath: failsim.db)[.size] as? NSNumber)?.intValue)
        // 64 KiB (128 blocks of 512 bytes): room for the WAL index and the opening, not for a run.
        #expect(size > 64 << 10)
        let limited = ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f 128 && exec \"$0\" \"$@\""]
        for arguments in [["run", failsim.experiment, "--db", failsim.db, "--seed", "8"],
                          ["sweep", failsim.experiment, "--db", failsim.db, "--seeds", "8,9", "--jobs", "1"]] {
            let invocation = try BackgroundFailsim(failsim, arguments, name: "full-\(arguments[0])", launcher: limited).wait()
            #expect(invocation.status == 74, "\(arguments[0]): \(invocation.stderr)")
            #expect(invocation.stderr.contains(failsim.db) && invocation.stderr.contains("storing run"), "\(invocation.stderr)")
        }
        // Nothing of the refused runs is there, and the next run (with room) is stored.
        #expect(try failsim.checkEveryRunIsWhole().count == 1)
        #expect(try failsim.runShort(["--seed", "8"]).status == 0)
        #expect(try failsim.checkEveryRunIsWhole().count == 2)
    }
}

/// Finished runs and a database another process keeps locked (issue 15, item 22).
@Suite("A busy database keeps finished runs", .serialized)
struct BusyDatabaseCommandTests {
    // Before, the sweep exited 74 after the 10 s busy timeout and its finished simulations were lost.
    @Test("A sweep whose database stays locked keeps its runs aside, says where and how to merge them, exits 74",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 command"))
    func sweepKeepsRunsAside() throws {
        let failsim = try Failsim()
        // Two runs of about three seconds each in a debug build: the lock is taken while they run.
        let text = Failsim.shortExperiment.replacingOccurrences(of: "duration: 3m", with: "duration: 12m")
            .replacingOccurrences(of: "seeds: [7]", with: "seeds: [7, 8]")
        let experiment = try failsim.write("busy.yaml", text)
        #expect(try failsim.run(["sweep", experiment, "--variant", "impossible", "--db", failsim.db]).status == 0)  // the database exists
        let sweep = try BackgroundFailsim(failsim, ["sweep", experiment, "--variant", "baseline", "--jobs", "2", "--busy-wait", "0",
                                                    "--db", failsim.db], name: "busy-sweep")
        // The lock is taken once the sweep has the database open (its shared-memory file appears)
        // and is held until the sweep has exited, however slow a loaded machine makes the runs.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: failsim.db + "-shm") && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.5)
        let marker = failsim.folder.appendingPathComponent("locked").path
        let release = failsim.folder.appendingPathComponent("release").path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [failsim.db]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        input.fileHandleForWriting.write(Data((".bail on\n.timeout 10000\nBEGIN IMMEDIATE;\n.shell touch '\(marker)'\n"
                                               + ".shell while [ ! -e '\(release)' ]; do sleep 0.1; done\nCOMMIT;\n").utf8))
        try input.fileHandleForWriting.close()
        let result = try sweep.wait()
        FileManager.default.createFile(atPath: release, contents: nil)
        holder.waitUntilExit()
        try #require(FileManager.default.fileExists(atPath: marker), "sqlite3 held the lock")
        #expect(result.status == 74, "\(result.stderr)")
        let aside = failsim.folder.appendingPathComponent("runs-aside.sqlite").path
        #expect(result.stderr.contains("kept in \(failsim.db == aside ? "" : aside)"), "\(result.stderr)")
        #expect(result.stderr.contains("failsim merge \(failsim.db) \(aside)"), "\(result.stderr)")
        #expect(try failsim.checkEveryRunIsWhole(aside).count == 2)
        // Merged once the lock is gone: every run of the sweep is stored, none twice.
        let merge = try failsim.run(["merge", failsim.db, aside])
        #expect(merge.status == 0, "\(merge.stderr)")
        let runs = try failsim.checkEveryRunIsWhole()
        #expect(runs.filter { $0.variant == "baseline" }.count == 2 && runs.count == 4)
        let again = try failsim.run(["sweep", experiment, "--db", failsim.db, "--variant", "baseline"])
        #expect(again.stdout.contains("2 stored already, 0 run"), "\(again.stdout)")
    }
}
