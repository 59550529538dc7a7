import Foundation
import RunResults
@testable import RunStore
import Testing

private struct InjectedFailure: Error {}

@Suite("Run store")
struct RunStoreTests {
    @Test func freshDatabaseGetsAllMigrations() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("fresh.sqlite"))
        #expect(try store.appliedMigrations() == RunStore.migrationIdentifiers)
        let pragmas = try store.pragmas()
        #expect(pragmas.userVersion == RunStore.schemaVersion)
        #expect(pragmas.applicationID == 0x6673_696D)
        #expect(pragmas.journalMode == "wal")
        #expect(try store.rowCounts().values.allSatisfy { $0 == 0 })
        #expect(try store.runs().isEmpty)
        // Reopening an up-to-date file changes nothing.
        let again = try RunStore(path: folder.path("fresh.sqlite"))
        #expect(try again.appliedMigrations() == RunStore.migrationIdentifiers)
    }

    @Test func aRunRoundTripsExactly() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("runs.sqlite"))
        let run = SampleRun.make()
        let id = try store.insert(run)
        let loaded = try #require(try store.run(id: id))
        #expect(loaded == run)
        #expect(loaded.canonicalJSON() == run.canonicalJSON())
        #expect(loaded.hasValidDigest)
        #expect(loaded.identity.seed == 0xFFFF_FFFF_FFFF_FFF0)
        #expect(loaded.latency[2].histogram.isEmpty)
        #expect(try store.run(id: id + 1) == nil)

        // Reading through a second store (a new pool) gives the same.
        let reopened = try RunStore(path: folder.path("runs.sqlite"))
        #expect(try reopened.run(id: id) == run)

        let summary = try #require(try store.runs().first)
        #expect(summary.id == id)
        #expect(summary.runKey == run.identity.runKey)
        #expect(summary.model == "reference")
        #expect(summary.experiment == "trigger-table")
        #expect(summary.variant == "baseline")
        #expect(summary.seed == run.identity.seed)
        #expect(summary.digest == run.identity.digest)
        #expect(summary.status == .stoppedAtTimeLimit)
        #expect(summary.events == 12_345_678)
        #expect(summary.simulatedSeconds == 3600)
        #expect(summary.wallSeconds == 1.234)
        #expect(summary.storedAt.hasSuffix("Z"))

        #expect(try store.containsRun(runKey: run.identity.runKey))
        #expect(try !store.containsRun(runKey: "no such key"))
        #expect(try store.runIDs(experiment: "trigger-table") == [id])
        #expect(try store.runIDs(experiment: "other").isEmpty)
        #expect(try store.latestRun(runKey: run.identity.runKey) == StoredRun(id: id, result: run))
        #expect(try store.latestRun(runKey: "no such key") == nil)

        let counts = try store.rowCounts()
        #expect(counts["run"] == 1)
        #expect(counts["incident"] == 3)
        #expect(counts["triggerVerdict"] == 2)
        #expect(counts["availability"] == 1)
        #expect(counts["scopedAvailability"] == 14)
        #expect(counts["latency"] == 3)
        #expect(counts["writeOutcome"] == 1)
        #expect(counts["breakerSummary"] == 2)
        #expect(counts["metricSample"] == 120)
        #expect(counts["eventLog"] == 4)
    }

    @Test func theSameRunKeyTwiceGivesTwoRuns() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("runs.sqlite"))
        var run = SampleRun.make()
        let first = try store.insert(run)
        run.identity.wallSeconds = 2.5
        let second = try store.insert(run)
        #expect(first != second)
        #expect(second > first)
        #expect(try store.runIDs(runKey: run.identity.runKey) == [first, second])
        #expect(try store.latestRun(runKey: run.identity.runKey)?.id == second)
        #expect(try store.latestRun(runKey: run.identity.runKey)?.result.identity.wallSeconds == 2.5)
        #expect(try store.runs().map(\.id) == [first, second])

        // Deleting cascades to every child row, and ids are never reused.
        #expect(try store.deleteRun(id: second))
        #expect(try !store.deleteRun(id: second))
        let third = try store.insert(SampleRun.minimal())
        #expect(third > second)
        #expect(try store.deleteRun(id: first))
        #expect(try store.deleteRun(id: third))
        #expect(try store.rowCounts().values.allSatisfy { $0 == 0 })
    }

    @Test func runIdentitiesAreThoseOfTheFullRuns() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("runs.sqlite"))
        #expect(try store.runIdentities().isEmpty)
        var other = SampleRun.make()
        other.identity.overrides = ["traffic.requestsPerSecond": "200", "healthChecks.interval": "30s"]
        other.identity.seed = 3
        other.identity.engineVersion = "another-engine"
        for run in [SampleRun.make(), SampleRun.minimal(runKey: "minimal"), other, SampleRun.make()] { try store.insert(run) }
        #expect(try store.deleteRun(id: 2))
        let identities = try store.runIdentities()
        let full = try store.runs().map { summary in
            StoredRunIdentity(id: summary.id, identity: try #require(try store.run(id: summary.id)).identity)
        }
        #expect(identities.map(\.id) == [1, 3, 4])
        #expect(identities == full)
        #expect(identities[1].identity.overrides == other.identity.overrides)
        #expect(identities[1].identity.engineVersion == "another-engine")
    }

    @Test func aFailingWriteLeavesNothing() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("runs.sqlite"))
        let kept = try store.insert(SampleRun.minimal(runKey: "kept"))
        let before = try store.rowCounts()

        // 1. A constraint violated by the very last row written (after 10,000 samples).
        var lateViolation = SampleRun.make(samples: 10_000)
        lateViolation.events.append(LoggedEvent(timeSeconds: 3_599, kind: "", subject: "nothing"))
        #expect(throws: StoreError.self) { try store.insert(lateViolation) }
        #expect(try store.rowCounts() == before)

        // 2. A constraint violated midway: two latency rows for one operation.
        var duplicate = SampleRun.make()
        duplicate.latency.append(duplicate.latency[0])
        do {
            try store.insert(duplicate)
            Issue.record("a duplicate latency operation must be refused")
        } catch let error as StoreError {
            guard case .database(let path, _, let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == folder.path("runs.sqlite"))
            #expect(message.contains("UNIQUE"))
        }
        #expect(try store.rowCounts() == before)

        // 3. A NaN found late, and 4. a failure injected after every row, just before commit.
        var notANumber = SampleRun.make(samples: 1_000)
        notANumber.series[999].value = .nan
        #expect {
            try store.insert(notANumber)
        } throws: { error in
            guard case .invalidRun(_, let reason) = error as? StoreError else { return false }
            return reason.contains("series[999]")
        }
        #expect(throws: StoreError.self) {
            try store.insert(SampleRun.make(), beforeCommit: { _ in throw InjectedFailure() })
        }
        #expect(try store.rowCounts() == before)
        #expect(try store.runs().map(\.id) == [kept])

        // The store still works afterwards.
        let next = try store.insert(SampleRun.make())
        #expect(try store.run(id: next) == SampleRun.make())
    }

    @Test func twoStoresOnOneFileWriteAtTheSameTime() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("shared.sqlite")
        let failures = Failures()
        // Two stores create and migrate the same new file at the same moment.
        let opened = Opened()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do { opened.add(try RunStore(path: path)) } catch { failures.add("open: \(error)") }
        }
        #expect(failures.all.isEmpty)
        let stores = opened.all
        try #require(stores.count == 2)
        #expect(try stores[0].appliedMigrations() == RunStore.migrationIdentifiers)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for index in 0..<15 {
                do {
                    try stores[worker].insert(SampleRun.make(seed: UInt64(worker * 100 + index), samples: 500))
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty)
        let runs = try stores[0].runs()
        #expect(runs.count == 30)
        #expect(Set(runs.map(\.id)).count == 30)
        var expectedSeeds: Set<UInt64> = []
        for worker in 0..<2 {
            for index in 0..<15 { expectedSeeds.insert(UInt64(worker * 100 + index)) }
        }
        #expect(Set(runs.map(\.seed)) == expectedSeeds)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: sqlite3Path), "needs the sqlite3 command"))
    func anotherProcessWritingAtTheSameTimeBothSucceed() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("shared.sqlite")
        let store = try RunStore(path: path)
        let marker = folder.path("child-holds-the-lock")
        // The child takes the write lock, stores a run, signals, keeps the lock busy, then commits.
        let script = """
            .bail on
            .timeout 10000
            BEGIN IMMEDIATE;
            INSERT INTO run (runKey, model, modelHash, experiment, experimentHash, variant, seed,
                             engineVersion, digest, status, events, simulatedSeconds, wallSeconds)
                VALUES ('from-sqlite3', 'm', '', 'cli', '', 'v', 42, '0', '', 'completed', 0, 0, 0);
            INSERT INTO availability (runId, requestBased, timeBased, errorBudgetUsed, requests, served,
                                      goodMinutes, badMinutes, noDataMinutes)
                VALUES (last_insert_rowid(), 1, 1, 0, 0, 0, 0, 0, 0);
            INSERT INTO writeOutcome (runId, acknowledged, queued, rejected, replayed, lost, duplicatesSuppressed)
                SELECT max(id), 0, 0, 0, 0, 0, 0 FROM run WHERE runKey = 'from-sqlite3';
            .shell touch '\(marker)'
            WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < 2000000)
                SELECT count(*) FROM counter;
            COMMIT;
            """
        let child = Process()
        child.executableURL = URL(fileURLWithPath: sqlite3Path)
        child.arguments = [path]
        let input = Pipe()
        child.standardInput = input
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()

        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.002)
        }
        #expect(FileManager.default.fileExists(atPath: marker))
        let childWasWriting = child.isRunning
        let start = Date()
        let id = try store.insert(SampleRun.make())  // waits for the child's lock, then writes
        let waited = Date().timeIntervalSince(start)
        child.waitUntilExit()

        #expect(child.terminationStatus == 0)
        #expect(try store.run(id: id) == SampleRun.make())
        let fromChild = try #require(try store.latestRun(runKey: "from-sqlite3"))
        #expect(fromChild.result.identity.seed == 42)
        #expect(try store.runs().count == 2)
        if childWasWriting {
            #expect(fromChild.id < id, "the child committed first; our insert waited \(waited) s")
        }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let folder = try TemporaryFolder()
        let byVersion = folder.path("newer-version.sqlite")
        _ = try RunStore(path: byVersion)
        try RunStore.executeRaw(path: byVersion, sql: "PRAGMA user_version = \(RunStore.schemaVersion + 1)")
        do {
            _ = try RunStore(path: byVersion)
            Issue.record("a file with a higher user_version must be refused")
        } catch let error as StoreError {
            #expect(error == .newerSchema(
                path: byVersion, schemaVersion: RunStore.schemaVersion + 1,
                supportedVersion: RunStore.schemaVersion, unknownMigrations: []))
            #expect(error.description.hasPrefix(byVersion + ": written by a newer failsim"))
            #expect(error.description.contains("supports up to version \(RunStore.schemaVersion)"))
        }

        let byMigration = folder.path("newer-migration.sqlite")
        _ = try RunStore(path: byMigration)
        try RunStore.executeRaw(path: byMigration, sql: "INSERT INTO grdb_migrations VALUES ('failsim-99-future')")
        #expect {
            _ = try RunStore(path: byMigration)
        } throws: { error in
            (error as? StoreError)?.description.contains("failsim-99-future") == true
        }
    }

    @Test func aForeignSQLiteFileIsRefusedAndLeftAlone() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("other.sqlite")
        try RunStore.executeRaw(path: path, sql: "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try RunStore(path: path)
            Issue.record("a foreign database must be refused")
        } catch let error as StoreError {
            guard case .notFailsimDatabase = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.hasPrefix(path + ": an SQLite database that failsim did not create"))
            #expect(error.description.contains("customer"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        let otherApplication = folder.path("other-application.sqlite")
        try RunStore.executeRaw(path: otherApplication, sql: "PRAGMA application_id = 42")
        #expect(throws: StoreError.self) { _ = try RunStore(path: otherApplication) }
    }

    @Test func aFileThatIsNotSQLiteIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("notes.sqlite")
        let text = Data("These are my notes, not a database.\n".utf8)
        try text.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notSQLite(path: path)) { _ = try RunStore(path: path) }
        #expect(StoreError.notSQLite(path: path).description.hasPrefix(path + ": not an SQLite database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)

        let tiny = folder.path("tiny.sqlite")
        try Data("x".utf8).write(to: URL(fileURLWithPath: tiny))
        #expect(throws: StoreError.notSQLite(path: tiny)) { _ = try RunStore(path: tiny) }

        #expect {
            _ = try RunStore(path: folder.path("missing-folder/runs.sqlite"))
        } throws: { error in
            guard case .cannotOpen(let path, _) = error as? StoreError else { return false }
            return path.hasSuffix("missing-folder/runs.sqlite")
        }
    }

    @Test func aLargeRunIsStoredQuickly() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("large.sqlite"))
        let run = SampleRun.make(samples: 10_000, tenants: 1_000)
        let clock = ContinuousClock()
        var id: Int64 = 0
        let elapsed = try clock.measure { id = try store.insert(run) }
        #expect(elapsed < .seconds(5), "inserting 10,000 samples and 1,000 tenants took \(elapsed)")
        #expect(try store.rowCounts()["metricSample"] == 10_000)
        #expect(try store.rowCounts()["scopedAvailability"] == 1_002)
        #expect(try store.run(id: id) == run)
    }
}

private let sqlite3Path = "/usr/bin/sqlite3"

/// Errors collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

private final class Opened: @unchecked Sendable {
    private let lock = NSLock()
    private var stores: [RunStore] = []
    func add(_ store: RunStore) { lock.withLock { stores.append(store) } }
    var all: [RunStore] { lock.withLock { stores } }
}

@Suite("Run store opened for reading only")
struct ReadOnlyRunStoreTests {
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func readsEverythingAndLeavesTheFileByteIdentical() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("runs.sqlite")
        let run = SampleRun.make()
        let id: Int64
        do {
            let writer = try RunStore(path: path)
            id = try writer.insert(run)
            try writer.insert(SampleRun.minimal(runKey: "second"))
        }  // the writer's pool closes: the file holds every run, no -wal is left
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let before = try Self.bytes(path)

        let reader = try RunStore(path: path, access: .readOnly)
        #expect(reader.access == .readOnly)
        #expect(try reader.run(id: id) == run)
        #expect(try reader.runs().map(\.runKey) == [run.identity.runKey, "second"])
        #expect(try reader.latestRun(runKey: "second")?.result == SampleRun.minimal(runKey: "second"))
        #expect(try reader.pragmas().journalMode == "wal", "the journal mode is left as it was")
        #expect(try reader.uptimeStudies().isEmpty)

        // Every write is refused, naming what was asked, and nothing changes.
        for attempt: () throws -> Void in [
            { _ = try reader.insert(SampleRun.minimal(runKey: "third")) },
            { _ = try reader.insertIfAbsent(SampleRun.minimal(runKey: "third")) },
            { _ = try reader.deleteRun(id: id) },
        ] {
            #expect {
                try attempt()
            } throws: { error in
                guard case .database(let errorPath, _, let message) = error as? StoreError else { return false }
                return errorPath == path && message.contains("reading only")
            }
        }
        #expect(try reader.runs().count == 2)
        #expect(try Self.bytes(path) == before)

        // A writer and a reader at once: the reader sees what the writer commits.
        let writer = try RunStore(path: path)
        try writer.insert(SampleRun.minimal(runKey: "third"))
        #expect(try reader.containsRun(runKey: "third"))
    }

    @Test func aMissingFileIsNotCreated() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("missing.sqlite")
        #expect(throws: StoreError.noDatabase(path: path)) { _ = try RunStore(path: path, access: .readOnly) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(StoreError.noDatabase(path: path).description.hasPrefix(path + ": no such database"))
    }

    @Test func anOlderSchemaIsReportedNotMigrated() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("older.sqlite")
        let first = try #require(RunStore.migrationIdentifiers.first)
        try RunStore.createOlderStore(path: path, migratedUpTo: first)
        let before = try Self.bytes(path)
        let missing = Array(RunStore.migrationIdentifiers.dropFirst())
        try #require(!missing.isEmpty, "this build has a migration after the first")
        do {
            _ = try RunStore(path: path, access: .readOnly)
            Issue.record("a reader must refuse a file that needs migrating")
        } catch let error as StoreError {
            #expect(error == .olderSchema(path: path, schemaVersion: 1, supportedVersion: RunStore.schemaVersion,
                                          missingMigrations: missing))
            #expect(error.description.hasPrefix(path + ": written by an older failsim (schema version 1"))
            #expect(error.description.contains(missing.joined(separator: ", ")))
            #expect(error.description.contains("do not upgrade it"))
        }
        #expect(try Self.bytes(path) == before, "the reader did not migrate")

        // A writer upgrades it; then it can be read.
        _ = try RunStore(path: path)
        #expect(try RunStore(path: path, access: .readOnly).runs().isEmpty)
    }

    @Test func anEmptyFileIsReportedAsHavingNoSchema() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(throws: StoreError.olderSchema(path: path, schemaVersion: 0, supportedVersion: RunStore.schemaVersion,
                                               missingMigrations: RunStore.migrationIdentifiers)) {
            _ = try RunStore(path: path, access: .readOnly)
        }
        #expect(try Self.bytes(path).isEmpty)
        #expect(StoreError.olderSchema(path: path, schemaVersion: 0, supportedVersion: 2, missingMigrations: [])
            .description.hasPrefix(path + ": an empty database"))
    }

    @Test func newerForeignAndNonSQLiteFilesAreRefusedAsByAWriter() throws {
        let folder = try TemporaryFolder()
        let newer = folder.path("newer.sqlite")
        _ = try RunStore(path: newer)
        try RunStore.executeRaw(path: newer, sql: "PRAGMA user_version = \(RunStore.schemaVersion + 1)")
        #expect(throws: StoreError.newerSchema(path: newer, schemaVersion: RunStore.schemaVersion + 1,
                                               supportedVersion: RunStore.schemaVersion, unknownMigrations: [])) {
            _ = try RunStore(path: newer, access: .readOnly)
        }

        let foreign = folder.path("foreign.sqlite")
        try RunStore.executeRaw(path: foreign, sql: "CREATE TABLE customer (id INTEGER PRIMARY KEY)")
        #expect {
            _ = try RunStore(path: foreign, access: .readOnly)
        } throws: { error in
            guard case .notFailsimDatabase = error as? StoreError else { return false }
            return true
        }

        let notes = folder.path("notes.sqlite")
        try Data("These are my notes, not a database.\n".utf8).write(to: URL(fileURLWithPath: notes))
        #expect(throws: StoreError.notSQLite(path: notes)) { _ = try RunStore(path: notes, access: .readOnly) }
    }
}

/// A finished run and a database another process keeps locked (issue 15, item 22).
@Suite("A busy database", .serialized)
struct BusyDatabaseTests {
    /// Starts sqlite3 holding the write lock of `path` for `seconds`; returns once it holds it.
    static func holdLock(_ path: String, seconds: Int, folder: TemporaryFolder) throws -> Process {
        let marker = folder.path("holds-the-lock-\(UUID().uuidString)")
        let script = """
            .bail on
            .timeout 10000
            BEGIN IMMEDIATE;
            .shell touch '\(marker)'
            .shell sleep \(seconds)
            COMMIT;
            """
        let child = Process()
        child.executableURL = URL(fileURLWithPath: sqlite3Path)
        child.arguments = [path]
        let input = Pipe()
        child.standardInput = input
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        try #require(FileManager.default.fileExists(atPath: marker), "sqlite3 took the lock")
        return child
    }

    // Before, a lock held past the 10 s busy timeout failed the insert (and the command threw the
    // finished run away with exit 74).
    @Test("A lock held past the busy timeout is waited for, with the user told, and the run is stored",
          .enabled(if: FileManager.default.isExecutableFile(atPath: sqlite3Path), "needs the sqlite3 command"))
    func waitsAndStores() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("busy.sqlite")
        let store = try RunStore(path: path)
        let child = try Self.holdLock(path, seconds: 12, folder: folder)
        var waits: [BusyWait] = []
        let id = try store.insert(SampleRun.make(), ifAbsent: false, policy: BusyPolicy(maximumWaitSeconds: 60)) { waits.append($0) }
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        #expect(!waits.isEmpty && waits[0].attempt == 1 && waits[0].waitedSeconds >= RunStore.busyTimeoutSeconds - 1)
        #expect(waits[0].description.contains("locked by another process; trying again in 1 s"))
        #expect(try store.run(id: try #require(id)) == SampleRun.make())
    }

    @Test("When the policy's wait is spent, nothing is stored and the error says how long it waited",
          .enabled(if: FileManager.default.isExecutableFile(atPath: sqlite3Path), "needs the sqlite3 command"))
    func givesUpAfterThePolicy() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("busy.sqlite")
        let store = try RunStore(path: path)
        let child = try Self.holdLock(path, seconds: 12, folder: folder)
        defer { child.waitUntilExit() }
        #expect(throws: StoreBusy.self) {
            try store.insert(SampleRun.make(), ifAbsent: true, policy: BusyPolicy(maximumWaitSeconds: 0)) { _ in Issue.record("no wait with 0 s") }
        }
        child.waitUntilExit()
        #expect(try store.runs().isEmpty)
        #expect(RunStore.asidePath(for: "/x/runs.sqlite") == "/x/runs-aside.sqlite")
        #expect(RunStore.asidePath(for: "db") == "db-aside.sqlite")
    }
}
