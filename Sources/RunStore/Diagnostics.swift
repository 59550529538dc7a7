import Foundation
import GRDB

/// Inspection helpers used by the tests (through `@testable import`); not public API.
extension RunStore {
    /// The tables of a failsim schema, child tables first.
    static let tableNames = [
        "eventLog", "metricSample", "breakerSummary", "writeOutcome", "latency", "availability",
        "scopedAvailability", "triggerVerdict", "incident", "run",
    ]

    /// The number of rows in each failsim table.
    func rowCounts() throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for table in Self.tableNames {
                // Table names are the constants above, never values from outside.
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }

    /// The migration identifiers recorded in the file, in the order they were applied.
    func appliedMigrations() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }

    /// The file's `PRAGMA user_version`, `PRAGMA application_id` and `PRAGMA journal_mode`.
    func pragmas() throws -> (userVersion: Int, applicationID: Int32, journalMode: String) {
        try pool.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            )
        }
    }

    /// Creates a failsim database at `path` with this build's migrations up to and including
    /// `identifier` only, as an older failsim left it (to test upgrades, and readers that refuse
    /// to upgrade).
    static func createOlderStore(path: String, migratedUpTo identifier: String) throws {
        let queue = try DatabaseQueue(path: path)
        try Schema.makeMigrator().migrate(queue, upTo: identifier)
        try queue.close()
    }

    /// Runs literal SQL on a file through a fresh connection, outside any `RunStore` (to build
    /// foreign or tampered files in tests).
    static func executeRaw(path: String, sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
        try queue.close()
    }
}
