import Foundation
import GRDB

/// A `failsim uptime` study as stored: its identity, its report (JSON, written and read by the
/// Availability module) and when it ran. Its library runs are ordinary runs in the `run` table.
public struct StoredUptimeStudy: Codable, Sendable, Equatable {
    /// Row id (0 before it is stored).
    public var id: Int64
    /// Hex SHA-256 of the study's inputs (model, experiment, settings, engine version).
    public var studyKey: String
    public var model: String
    public var modelHash: String
    public var experiment: String
    public var experimentHash: String
    public var seed: UInt64
    public var years: Int
    public var engineVersion: String
    /// Hex SHA-256 of ``report``.
    public var digest: String
    /// The report's JSON.
    public var report: Data
    /// Wall-clock seconds the study took (not part of the report or its digest).
    public var wallSeconds: Double
    /// When it was stored (UTC, ISO 8601); empty before it is stored.
    public var storedAt: String

    /// Creates a study record.
    public init(id: Int64 = 0, studyKey: String, model: String, modelHash: String, experiment: String, experimentHash: String,
                seed: UInt64, years: Int, engineVersion: String, digest: String, report: Data, wallSeconds: Double, storedAt: String = "") {
        self.id = id
        self.studyKey = studyKey
        self.model = model
        self.modelHash = modelHash
        self.experiment = experiment
        self.experimentHash = experimentHash
        self.seed = seed
        self.years = years
        self.engineVersion = engineVersion
        self.digest = digest
        self.report = report
        self.wallSeconds = wallSeconds
        self.storedAt = storedAt
    }
}

/// One replicated year of a study, as a row for SQL queries over the distribution.
public struct StoredUptimeYear: Codable, Sendable, Equatable {
    /// 1-based.
    public var year: Int
    public var incidents: Int
    public var overlaps: Int
    /// Served ÷ requests over the year.
    public var requestAvailability: Double
    /// Minutes with an error rate above the downtime line.
    public var downMinutes: Double
    /// Aligned 5-minute blocks above the line.
    public var downBlocks: Double
    /// Minutes in runs of five or more down minutes.
    public var downtimePeriodMinutes: Int

    /// Creates a year row.
    public init(year: Int, incidents: Int, overlaps: Int, requestAvailability: Double, downMinutes: Double, downBlocks: Double,
                downtimePeriodMinutes: Int) {
        self.year = year
        self.incidents = incidents
        self.overlaps = overlaps
        self.requestAvailability = requestAvailability
        self.downMinutes = downMinutes
        self.downBlocks = downBlocks
        self.downtimePeriodMinutes = downtimePeriodMinutes
    }
}

extension RunStore {
    /// Stores a study and its years in one transaction; returns the study's new id.
    @discardableResult
    public func insertUptimeStudy(_ study: StoredUptimeStudy, years: [StoredUptimeYear]) throws -> Int64 {
        guard let report = String(data: study.report, encoding: .utf8) else {
            throw StoreError.invalidRun(path: path, reason: "the uptime report is not UTF-8 JSON")
        }
        if let bad = years.first(where: { !$0.requestAvailability.isFinite || !$0.downMinutes.isFinite || !$0.downBlocks.isFinite }) {
            throw StoreError.invalidRun(path: path, reason: "year \(bad.year) of the uptime study has a value that is not a number")
        }
        return try write("storing uptime study \(study.studyKey.prefix(12))") { db in
            try db.execute(sql: """
                INSERT INTO uptimeStudy (studyKey, model, modelHash, experiment, experimentHash, seed, years, engineVersion,
                                         digest, report, wallSeconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [study.studyKey, study.model, study.modelHash, study.experiment, study.experimentHash,
                                 Int64(bitPattern: study.seed), study.years, study.engineVersion, study.digest, report,
                                 study.wallSeconds])
            let id = db.lastInsertedRowID
            let statement = try db.makeStatement(sql: """
                INSERT INTO uptimeYear (studyId, year, incidents, overlaps, requestAvailability, downMinutes, downBlocks,
                                        downtimePeriodMinutes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for year in years {
                try statement.execute(arguments: [id, year.year, year.incidents, year.overlaps, year.requestAvailability,
                                                  year.downMinutes, year.downBlocks, year.downtimePeriodMinutes])
            }
            return id
        }
    }

    /// Every stored study (reports included), in id order.
    public func uptimeStudies() throws -> [StoredUptimeStudy] {
        try read("listing uptime studies") { db in
            try Row.fetchAll(db, sql: "\(Self.uptimeColumns) ORDER BY id").map(Self.uptimeStudy)
        }
    }

    /// The study with row id `id`; `nil` if there is none.
    public func uptimeStudy(id: Int64) throws -> StoredUptimeStudy? {
        try read("reading uptime study \(id)") { db in
            try Row.fetchOne(db, sql: "\(Self.uptimeColumns) WHERE id = ?", arguments: [id]).map(Self.uptimeStudy)
        }
    }

    /// The latest study stored with this study key; `nil` if there is none.
    public func latestUptimeStudy(studyKey: String) throws -> StoredUptimeStudy? {
        try read("reading uptime study \(studyKey.prefix(12))") { db in
            try Row.fetchOne(db, sql: "\(Self.uptimeColumns) WHERE studyKey = ? ORDER BY id DESC LIMIT 1",
                             arguments: [studyKey]).map(Self.uptimeStudy)
        }
    }

    /// The years of study `id`, in order.
    public func uptimeYears(studyID id: Int64) throws -> [StoredUptimeYear] {
        try read("reading the years of uptime study \(id)") { db in
            try Row.fetchAll(db, sql: """
                SELECT year, incidents, overlaps, requestAvailability, downMinutes, downBlocks, downtimePeriodMinutes
                FROM uptimeYear WHERE studyId = ? ORDER BY year
                """, arguments: [id]).map { row in
                StoredUptimeYear(year: row[0], incidents: row[1], overlaps: row[2], requestAvailability: row[3],
                                 downMinutes: row[4], downBlocks: row[5], downtimePeriodMinutes: row[6])
            }
        }
    }

    private static let uptimeColumns = """
        SELECT id, studyKey, model, modelHash, experiment, experimentHash, seed, years, engineVersion, digest, report,
               wallSeconds, storedAt FROM uptimeStudy
        """

    private static func uptimeStudy(_ row: Row) -> StoredUptimeStudy {
        let report: String = row[10]
        return StoredUptimeStudy(id: row[0], studyKey: row[1], model: row[2], modelHash: row[3], experiment: row[4],
                                 experimentHash: row[5], seed: UInt64(bitPattern: row[6] as Int64), years: row[7],
                                 engineVersion: row[8], digest: row[9], report: Data(report.utf8), wallSeconds: row[11],
                                 storedAt: row[12])
    }
}
