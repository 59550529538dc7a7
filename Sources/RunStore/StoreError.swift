import Foundation

/// Why the run store could not do what was asked. Every case names the database file.
///
/// The command line maps every `StoreError` to exit code 74 (a database or file I/O problem) and
/// prints ``description``.
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file exists but is not an SQLite database (its header is not SQLite's).
    case notSQLite(path: String)
    /// The file is an SQLite database that failsim did not create: it has tables (listed) but
    /// none of failsim's migrations, or another application's identifier.
    case notFailsimDatabase(path: String, detail: String)
    /// The file was written by a newer failsim: it records schema migrations this build does not
    /// know, or a schema version (`PRAGMA user_version`) above the one this build supports.
    /// `schemaVersion` is the file's `user_version`.
    case newerSchema(path: String, schemaVersion: Int, supportedVersion: Int, unknownMigrations: [String])
    /// The file was written by an older failsim: it lacks some of this build's schema
    /// migrations (`missingMigrations`, in order). A store opened for reading only never
    /// migrates; opening it for writing (any command that stores runs) brings it up to date.
    /// `schemaVersion` is the file's `user_version`: 0 for an empty database.
    case olderSchema(path: String, schemaVersion: Int, supportedVersion: Int, missingMigrations: [String])
    /// A store opened for reading only names a file that does not exist (readers never create one).
    case noDatabase(path: String)
    /// The file could not be opened or created (missing folder, permissions, a directory…).
    case cannotOpen(path: String, reason: String)
    /// The run cannot be stored as given (e.g. a NaN, which SQLite cannot hold); nothing was
    /// written.
    case invalidRun(path: String, reason: String)
    /// SQLite reported an error during `operation` (e.g. a constraint violation, a disk full, a
    /// lock that did not clear within the busy timeout). A failed insert wrote nothing.
    case database(path: String, operation: String, message: String)
    /// A stored row could not be turned back into results (an unknown enum value, a missing
    /// one-per-run row).
    case corruptRun(path: String, runID: Int64, detail: String)

    /// The database file this error is about.
    public var path: String {
        switch self {
        case .notSQLite(let path), .notFailsimDatabase(let path, _), .newerSchema(let path, _, _, _),
             .olderSchema(let path, _, _, _), .noDatabase(let path),
             .cannotOpen(let path, _), .invalidRun(let path, _), .database(let path, _, _),
             .corruptRun(let path, _, _):
            path
        }
    }

    /// A message for people: the file first, then what is wrong and, where possible, what to do.
    public var description: String {
        switch self {
        case .notSQLite(let path):
            return "\(path): not an SQLite database (the file's header is not SQLite's); "
                + "choose another file with --db"
        case .notFailsimDatabase(let path, let detail):
            return "\(path): an SQLite database that failsim did not create (\(detail)); "
                + "failsim will not write into it; choose another file with --db"
        case .newerSchema(let path, let version, let supported, let unknown):
            var facts: [String] = []
            if version > supported {
                facts.append("schema version \(version); this failsim supports up to version \(supported)")
            }
            if !unknown.isEmpty {
                facts.append("migrations unknown to this failsim: \(unknown.joined(separator: ", "))")
            }
            return "\(path): written by a newer failsim (\(facts.joined(separator: "; "))). "
                + "Use a newer failsim to open it, or choose another file with --db"
        case .olderSchema(let path, let version, let supported, let missing):
            let written = version == 0
                ? "an empty database: no failsim schema and no runs yet"
                : "written by an older failsim (schema version \(version); this failsim reads version \(supported), "
                    + "after the migrations \(missing.joined(separator: ", ")))"
            return "\(path): \(written). Commands that only read (runs, show, compare, report) do not upgrade it; "
                + "a command that stores runs (run, sweep, merge) into it does"
        case .noDatabase(let path):
            return "\(path): no such database; store runs with `failsim run` or `failsim sweep` first, or name another file with --db"
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open or create the database: \(reason)"
        case .invalidRun(let path, let reason):
            return "\(path): run not stored, nothing written: \(reason)"
        case .database(let path, let operation, let message):
            return "\(path): \(operation) failed: \(message)"
        case .corruptRun(let path, let runID, let detail):
            return "\(path): run \(runID) cannot be read back: \(detail)"
        }
    }
}
