import Foundation
import GRDB
import RunResults

/// One stored run, as listed by ``RunStore/runs()``.
public struct StoredRunSummary: Codable, Sendable, Equatable {
    /// The run's row id in this database: unique, never reused, increasing in insertion order.
    public var id: Int64
    /// The run key (identity of the inputs); repeats when a run is stored again.
    public var runKey: String
    /// The model's name.
    public var model: String
    /// The experiment's name.
    public var experiment: String
    /// The variant's name.
    public var variant: String
    /// The run's seed.
    public var seed: UInt64
    /// The result digest.
    public var digest: String
    /// How the run ended.
    public var status: RunStatus
    /// Events processed.
    public var events: Int64
    /// Simulated time covered, seconds.
    public var simulatedSeconds: Double
    /// Wall-clock time the run took, seconds.
    public var wallSeconds: Double
    /// When the run was stored: UTC, ISO 8601 with milliseconds (`2025-11-25T09:44:00.123Z`).
    /// Wall-clock information, not part of the results or the digest.
    public var storedAt: String

    /// Creates a summary.
    public init(
        id: Int64, runKey: String, model: String, experiment: String, variant: String, seed: UInt64,
        digest: String, status: RunStatus, events: Int64, simulatedSeconds: Double, wallSeconds: Double,
        storedAt: String
    ) {
        self.id = id
        self.runKey = runKey
        self.model = model
        self.experiment = experiment
        self.variant = variant
        self.seed = seed
        self.digest = digest
        self.status = status
        self.events = events
        self.simulatedSeconds = simulatedSeconds
        self.wallSeconds = wallSeconds
        self.storedAt = storedAt
    }
}

/// A stored run with its row id.
public struct StoredRun: Sendable, Equatable {
    /// The run's row id in this database.
    public var id: Int64
    /// The run's results, exactly as they were inserted.
    public var result: RunResult

    /// Creates a stored run.
    public init(id: Int64, result: RunResult) {
        self.id = id
        self.result = result
    }
}

/// A stored run's identity with its row id, as listed by ``RunStore/runIdentities()``.
public struct StoredRunIdentity: Sendable, Equatable {
    /// The run's row id in this database.
    public var id: Int64
    /// What identifies the run: its run key, inputs, seed, engine version and digest.
    public var identity: RunIdentity

    /// Creates a stored run identity.
    public init(id: Int64, identity: RunIdentity) {
        self.id = id
        self.identity = identity
    }
}

/// Runs kept in one SQLite file.
///
/// The file is opened as a GRDB `DatabasePool` in WAL mode, with a busy timeout of
/// ``busyTimeoutSeconds``, so several processes can read and write it at once: a writer waits up
/// to the timeout for another writer's transaction to finish. Each run is written in one short
/// transaction: it is stored whole or not at all, even if the process is killed.
///
/// Opened for writing (``Access/readWrite``, the default), a file is created if missing and gets
/// the schema migrations it lacks. Opened for reading only (``Access/readOnly``), nothing is
/// created, migrated or written, so that a store on read-only media, in a folder the user cannot
/// write, or owned by someone else can still be listed and compared; see ``Access/readOnly``.
///
/// The store refuses
/// - a file that is not SQLite (``StoreError/notSQLite(path:)``);
/// - an SQLite file that failsim did not create: its `application_id` is another application's,
///   or it has tables but none of failsim's migrations (``StoreError/notFailsimDatabase(path:detail:)``);
/// - a file written by a newer failsim: it records a migration identifier this build does not
///   know, or its `PRAGMA user_version` (the schema version, raised by every migration) is above
///   ``schemaVersion`` (``StoreError/newerSchema(path:schemaVersion:supportedVersion:unknownMigrations:)``);
/// - when reading only: a missing file (``StoreError/noDatabase(path:)``) and a file that lacks
///   some of this build's migrations (``StoreError/olderSchema(path:schemaVersion:supportedVersion:missingMigrations:)``),
///   which only a writer may upgrade.
///
/// Every statement is parameterised. All methods are safe to call from any thread.
public final class RunStore: Sendable {
    /// How a store opens its file.
    public enum Access: Sendable, Equatable {
        /// Creates the file if missing, brings its schema up to date, and stores runs.
        case readWrite
        /// Opens the file with SQLite's read-only flag: never creates, migrates or writes it,
        /// and never switches its journal mode, so the file stays byte-for-byte as it was.
        ///
        /// A file in WAL mode needs its shared-memory index (`-shm`) to be read. SQLite creates it
        /// beside the file when the folder can be written (and, as a reader cannot remove it,
        /// leaves it there with an empty `-wal`; the next writer to close the store removes
        /// both). In a folder that cannot be written and without a write-ahead log (`-wal`, or an
        /// empty one), the file holds every committed run and is opened as immutable instead; a
        /// writer that starts meanwhile is not seen. In such a folder with a non-empty `-wal` but
        /// no `-shm`, the committed runs in the log cannot be read and the store is refused
        /// (``StoreError/cannotOpen(path:reason:)``).
        case readOnly
    }

    /// The database file's path, as given.
    public let path: String
    /// How the file was opened.
    public let access: Access
    let pool: DatabasePool

    /// How long a write waits for another connection's write lock before failing.
    public static let busyTimeoutSeconds: Double = 10

    /// The schema version this build writes (the `PRAGMA user_version` of an up-to-date file).
    public static var schemaVersion: Int { Schema.version }

    /// The identifiers of the schema migrations this build knows, in order.
    public static var migrationIdentifiers: [String] { Schema.migrations.map(\.identifier) }

    /// Opens the database at `path`. For writing (the default) it is created if it does not exist
    /// and its schema is brought up to date; for reading only, it must exist with an up-to-date
    /// schema and is never written (see ``Access/readOnly``).
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened or is refused (see the type's
    ///   description).
    public init(path: String, access: Access = .readWrite) throws {
        self.path = path
        self.access = access
        if access == .readOnly {
            pool = try Self.openReadOnly(path: path)
            return
        }
        try Self.checkHeader(path: path)
        if Self.fileHasContent(path: path) {
            // Inspect an existing file read-only first, so that a refused file is left
            // byte-for-byte untouched (opening a pool would switch it to WAL mode).
            try Self.inspectReadOnly(path: path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeoutSeconds)
        configuration.foreignKeysEnabled = true
        configuration.label = "failsim.RunStore"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notSQLite(path: path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.message(error) + Self.readOnlyHint(error))
        }
        // Again through the pool: another process may have created the file meanwhile.
        try read("open") { db in try Self.checkCompatibility(db, path: path) }
        try migrate()
    }

    // MARK: - Opening

    private static func checkHeader(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // absent: created
        defer { try? handle.close() }
        let header: Data
        do {
            header = try handle.read(upToCount: 16) ?? Data()
        } catch {
            // A directory or an unreadable file: let SQLite report it.
            return
        }
        if header.isEmpty { return }  // an empty file is an empty SQLite database
        if header != Data("SQLite format 3\u{0}".utf8) {
            throw StoreError.notSQLite(path: path)
        }
    }

    private static func fileHasContent(path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return ((attributes?[.size] as? NSNumber)?.intValue ?? 0) > 0
            && (attributes?[.type] as? FileAttributeType) == .typeRegular
    }

    private static func inspectReadOnly(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in try checkCompatibility(db, path: path) }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notSQLite(path: path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: message(error) + readOnlyHint(error))
        }
    }

    /// What to do about a file or folder that cannot be written: readers do not need to.
    private static func readOnlyHint(_ error: any Error) -> String {
        guard let error = error as? DatabaseError, error.resultCode == .SQLITE_READONLY else { return "" }
        return " (the file or its folder cannot be written; failsim runs, show, compare and report only read it)"
    }

    // MARK: - Opening for reading only

    private static func openReadOnly(path: String) throws -> DatabasePool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw StoreError.noDatabase(path: path)
        }
        // SQLite follows a symbolic link and keeps -wal and -shm beside the file it names.
        let file = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if !isFolder.boolValue {
            try checkHeader(path: path)
            if !fileHasContent(path: file) {
                // An empty file is an empty SQLite database: no schema at all.
                throw StoreError.olderSchema(
                    path: path, schemaVersion: 0, supportedVersion: Schema.version,
                    missingMigrations: Schema.migrations.map(\.identifier))
            }
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.foreignKeysEnabled = true
        configuration.label = "failsim.RunStore.readOnly"
        do {
            return try openAndCheck(path, as: path, configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN {
            // A WAL file whose -shm cannot be created (a folder that cannot be written).
            guard isInWALMode(path: file) else {
                throw StoreError.cannotOpen(path: path, reason: message(error))
            }
            let log = try? FileManager.default.attributesOfItem(atPath: file + "-wal")
            if let log, ((log[.size] as? NSNumber)?.intValue ?? 0) > 0 {
                throw StoreError.cannotOpen(
                    path: path,
                    reason: "its write-ahead log \(path)-wal may hold committed runs, which SQLite reads only through "
                        + "\(path)-shm, and that file cannot be created in this folder (\(message(error))); open the "
                        + "database once where its folder can be written, or copy it with its -wal file to such a folder")
            }
            // No write-ahead log, or an empty one: the file itself holds every committed run.
            do {
                return try openAndCheck(immutableURI(file), as: path, configuration)
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.cannotOpen(path: path, reason: message(error))
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notSQLite(path: path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: message(error))
        }
    }

    /// Opens `location` (a path or an SQLite URI) read-only and checks that the schema is one this
    /// build reads without migrating; errors name `path`.
    private static func openAndCheck(_ location: String, as path: String, _ configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: location, configuration: configuration)
        try pool.read { db in
            try checkCompatibility(db, path: path)
            let applied = try Schema.makeMigrator().appliedIdentifiers(db)
            let missing = Schema.migrations.map(\.identifier).filter { !applied.contains($0) }
            if !missing.isEmpty {
                let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                throw StoreError.olderSchema(
                    path: path, schemaVersion: userVersion, supportedVersion: Schema.version, missingMigrations: missing)
            }
        }
        return pool
    }

    /// Whether the file's header says WAL mode (bytes 18 and 19, the read and write format
    /// versions, are 2; they are 1 for a rollback journal).
    private static func isInWALMode(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header[header.startIndex + 18] == 2 && header[header.startIndex + 19] == 2
    }

    /// An SQLite URI that opens `path` as immutable: no locks, no -shm, no -wal.
    private static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        // ASCII letters and digits only: every other byte of the UTF-8 path is percent-encoded.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._~")
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:" + encoded + "?immutable=1"
    }

    /// Refuses files that are not failsim's or are newer than this build.
    private static func checkCompatibility(_ db: Database, path: String) throws {
        let migrator = Schema.makeMigrator()
        let known = Set(Schema.migrations.map(\.identifier))
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let applied = try migrator.appliedIdentifiers(db)
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'grdb_migrations'
            ORDER BY name
            """)
        if applicationID != 0 && applicationID != Schema.applicationID {
            throw StoreError.notFailsimDatabase(
                path: path, detail: "its application_id \(applicationID) is another application's")
        }
        let isFailsim = applicationID == Schema.applicationID || !applied.isDisjoint(with: known)
        if !isFailsim {
            if tables.isEmpty && applied.isEmpty { return }  // a new, empty database
            let listed = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw StoreError.notFailsimDatabase(
                path: path,
                detail: tables.isEmpty ? "no failsim migrations" : "tables \(listed) but no failsim migrations")
        }
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty || userVersion > Schema.version {
            throw StoreError.newerSchema(
                path: path, schemaVersion: userVersion, supportedVersion: Schema.version, unknownMigrations: unknown)
        }
    }

    /// Runs missing migrations. Another process may be migrating the same new file at the same
    /// moment; each migration is one transaction, so when ours fails because theirs won, the
    /// schema is complete and we go on.
    private func migrate() throws {
        let migrator = Schema.makeMigrator()
        var attempt = 0
        while true {
            attempt += 1
            do {
                try migrator.migrate(pool)
                return
            } catch {
                let isComplete = (try? pool.read { db in try migrator.hasCompletedMigrations(db) }) ?? false
                if isComplete { return }
                if attempt >= 3 {
                    throw StoreError.database(path: path, operation: "schema migration", message: Self.message(error))
                }
            }
        }
    }

    // MARK: - Writing

    /// Stores a whole run in one transaction and returns its new row id.
    ///
    /// Every call adds a new run with a new id, even when a run with the same run key is already
    /// stored. If anything fails (a constraint, a NaN, a full disk, a lock held longer than the
    /// busy timeout), the transaction is rolled back and nothing of the run is stored.
    ///
    /// - Throws: ``StoreError/invalidRun(path:reason:)`` or ``StoreError/database(path:operation:message:)``.
    @discardableResult
    public func insert(_ run: RunResult) throws -> Int64 {
        try insert(run, beforeCommit: nil)
    }

    /// ``insert(_:)`` with a hook run inside the transaction after every row is written and before
    /// the commit; an error thrown by the hook rolls the whole run back. For tests of atomicity.
    @discardableResult
    func insert(_ run: RunResult, beforeCommit: ((Int64) throws -> Void)?) throws -> Int64 {
        try requireWritable("storing run \(run.identity.runKey.prefix(12))")
        do {
            return try write(run, ifAbsent: false, beforeCommit: beforeCommit)!
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(path: path, operation: "storing run \(run.identity.runKey.prefix(12))", message: Self.message(error))
        }
    }

    /// One run in one immediate transaction; with `ifAbsent`, only if its run key is not stored
    /// (then `nil`). Throws SQLite's errors as they are, so that a caller can tell a lock held too
    /// long from other failures.
    private func write(_ run: RunResult, ifAbsent: Bool, beforeCommit: ((Int64) throws -> Void)? = nil) throws -> Int64? {
        let path = self.path
        return try pool.writeWithoutTransaction { db in
            var id: Int64? = nil
            try db.inTransaction(.immediate) {
                let present = ifAbsent ? try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM run WHERE runKey = ?)",
                                                           arguments: [run.identity.runKey]) ?? false : false
                if !present {
                    id = try RunWriter(db: db, path: path).write(run)
                    try beforeCommit?(id!)
                }
                return .commit
            }
            return id
        }
    }

    /// Whether `error` is SQLite's "database is locked" after the busy timeout.
    static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.extendedResultCode == .SQLITE_BUSY
    }

    /// Stores `run` like ``insert(_:)`` (or, with `ifAbsent`, like ``insertIfAbsent(_:)``), and
    /// when another process holds the write lock past the busy timeout, waits and tries again
    /// with growing pauses (``BusyPolicy``), telling `waiting` before each pause, until the
    /// policy's total wait is spent.
    ///
    /// - Throws: ``StoreBusy`` when the lock never came free within the policy's wait; other
    ///   errors as ``insert(_:)``. Nothing is stored then.
    public func insert(_ run: RunResult, ifAbsent: Bool, policy: BusyPolicy, waiting: (BusyWait) -> Void) throws -> Int64? {
        let operation = "storing run \(run.identity.runKey.prefix(12))"
        try requireWritable(operation)
        let clock = ContinuousClock()
        let started = clock.now
        var pause = policy.firstPauseSeconds
        var attempt = 1
        while true {
            do {
                return try write(run, ifAbsent: ifAbsent)
            } catch let error as StoreError {
                throw error
            } catch where Self.isBusy(error) {
                let elapsed = clock.now - started
                let waited = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                if waited + pause > policy.maximumWaitSeconds {
                    throw StoreBusy(path: path, operation: operation, waitedSeconds: waited, attempts: attempt)
                }
                waiting(BusyWait(path: path, attempt: attempt, waitedSeconds: waited, pauseSeconds: pause,
                                 maximumWaitSeconds: policy.maximumWaitSeconds))
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * policy.growth, policy.longestPauseSeconds)
                attempt += 1
            } catch {
                throw StoreError.database(path: path, operation: operation, message: Self.message(error))
            }
        }
    }

    /// Stores a run unless a run with its run key is stored already — checked and written in one
    /// immediate transaction, so that two processes sweeping into one database never store a
    /// run twice. Returns the new run's id, or nil when it was already there.
    ///
    /// - Throws: as ``insert(_:)``.
    @discardableResult
    public func insertIfAbsent(_ run: RunResult) throws -> Int64? {
        try requireWritable("storing run \(run.identity.runKey.prefix(12))")
        do {
            return try write(run, ifAbsent: true)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(path: path, operation: "storing run \(run.identity.runKey.prefix(12))", message: Self.message(error))
        }
    }

    /// Writes the whole database, write-ahead log included, as one self-contained SQLite file at
    /// `path` (`VACUUM INTO` a `.partial` file beside it, then a rename), so that a reader of
    /// `path` — a merge job on a shared file system — never sees half a file.
    public func exportSingleFile(to path: String) throws {
        let partial = path + ".partial"
        let fileManager = FileManager.default
        try? fileManager.removeItem(atPath: partial)
        do {
            // VACUUM cannot run inside a transaction.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [partial]) }
        } catch {
            throw StoreError.database(path: self.path, operation: "exporting to \(path)", message: Self.message(error))
        }
        do {
            if fileManager.fileExists(atPath: path) { try fileManager.removeItem(atPath: path) }
            try fileManager.moveItem(atPath: partial, toPath: path)
        } catch {
            throw StoreError.database(path: path, operation: "exporting", message: "cannot move \(partial) into place: \(error.localizedDescription)")
        }
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound database, else its findings.
    public func integrityCheck() throws -> [String] {
        try read("checking integrity") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// The run keys among `keys` that are stored (one query per thousand keys).
    public func storedRunKeys(among keys: [String]) throws -> Set<String> {
        var found: Set<String> = []
        for start in stride(from: 0, to: keys.count, by: 1000) {
            let chunk = Array(keys[start..<min(keys.count, start + 1000)])
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let stored = try read("looking up run keys") { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT runKey FROM run WHERE runKey IN (\(placeholders))",
                                    arguments: StatementArguments(chunk))
            }
            found.formUnion(stored)
        }
        return found
    }

    /// Deletes a run and all its rows. Returns whether a run with that id existed.
    @discardableResult
    public func deleteRun(id: Int64) throws -> Bool {
        try write("deleting run \(id)") { db in
            try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    // MARK: - Reading

    /// Every stored run, in insertion (id) order.
    public func runs() throws -> [StoredRunSummary] {
        let path = self.path
        return try read("listing runs") { db in
            try Row.fetchAll(db, sql: """
                SELECT id, runKey, model, experiment, variant, seed, digest, status, events,
                       simulatedSeconds, wallSeconds, storedAt
                FROM run ORDER BY id
                """).map { row in
                let id: Int64 = row[0]
                let statusText: String = row[7]
                guard let status = RunStatus(rawValue: statusText) else {
                    throw StoreError.corruptRun(path: path, runID: id, detail: "unknown status '\(statusText)'")
                }
                return StoredRunSummary(
                    id: id, runKey: row[1], model: row[2], experiment: row[3], variant: row[4],
                    seed: UInt64(bitPattern: row[5] as Int64), digest: row[6], status: status,
                    events: row[8], simulatedSeconds: row[9], wallSeconds: row[10], storedAt: row[11])
            }
        }
    }

    /// Every stored run's id and identity (run key, model, experiment and their hashes, variant,
    /// overrides, seed, engine version, digest, counts), in insertion (id) order: the `run` rows
    /// alone, without the rows of the results. Each identity equals the one ``run(id:)`` returns.
    public func runIdentities() throws -> [StoredRunIdentity] {
        let path = self.path
        return try read("listing run identities") { db in
            try RunReader(db: db, path: path).identities().map { StoredRunIdentity(id: $0.id, identity: $0.identity) }
        }
    }

    /// The run with row id `id`, exactly as it was inserted; `nil` if there is none.
    public func run(id: Int64) throws -> RunResult? {
        let path = self.path
        return try read("reading run \(id)") { db in
            try RunReader(db: db, path: path).read(id: id)
        }
    }

    /// The most recently stored run with run key `runKey`, with its id; `nil` if there is none.
    public func latestRun(runKey: String) throws -> StoredRun? {
        let path = self.path
        return try read("reading run \(runKey.prefix(12))") { db in
            guard let id = try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM run WHERE runKey = ?", arguments: [runKey])
            else { return nil }
            guard let result = try RunReader(db: db, path: path).read(id: id) else { return nil }
            return StoredRun(id: id, result: result)
        }
    }

    /// Whether a run with run key `runKey` is stored.
    public func containsRun(runKey: String) throws -> Bool {
        try read("looking up run \(runKey.prefix(12))") { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM run WHERE runKey = ?)", arguments: [runKey]) ?? false
        }
    }

    /// The ids of the runs of experiment `experiment` (by name), in insertion order.
    public func runIDs(experiment: String) throws -> [Int64] {
        try read("listing runs of \(experiment)") { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE experiment = ? ORDER BY id", arguments: [experiment])
        }
    }

    /// The ids of the runs with run key `runKey`, in insertion order.
    public func runIDs(runKey: String) throws -> [Int64] {
        try read("listing runs \(runKey.prefix(12))") { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE runKey = ? ORDER BY id", arguments: [runKey])
        }
    }

    // MARK: - Helpers

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notSQLite(path: path)
        } catch {
            throw StoreError.database(path: path, operation: operation, message: Self.message(error))
        }
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try requireWritable(operation)
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(path: path, operation: operation, message: Self.message(error))
        }
    }

    /// Refuses a write on a store opened for reading only, naming the operation, before SQLite
    /// would with a less telling message.
    func requireWritable(_ operation: String) throws {
        if access == .readOnly {
            throw StoreError.database(path: path, operation: operation, message: "the store was opened for reading only")
        }
    }

    static func message(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            var text = error.message ?? "\(error.resultCode)"
            if error.extendedResultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_BUSY {
                text += " (the database stayed locked longer than \(Int(busyTimeoutSeconds)) s)"
            }
            return text
        }
        return "\(error)"
    }
}
