import Foundation
import GRDB
import RunResults

/// Writes one run's rows. Called inside the insert transaction.
struct RunWriter {
    let db: Database
    let path: String

    func write(_ run: RunResult) throws -> Int64 {
        let identity = run.identity
        let overrides = String(decoding: try CanonicalJSON.encode(identity.overrides), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO run (runKey, model, modelHash, experiment, experimentHash, variant, overrides,
                                 seed, engineVersion, digest, status, statusDetail, events,
                                 simulatedSeconds, wallSeconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                identity.runKey, identity.model, identity.modelHash, identity.experiment,
                identity.experimentHash, identity.variant, overrides, Int64(bitPattern: identity.seed),
                identity.engineVersion, identity.digest, run.status.rawValue, run.statusDetail,
                identity.events, try number(identity.simulatedSeconds, "identity.simulatedSeconds"),
                try number(identity.wallSeconds, "identity.wallSeconds"),
            ])
        let runID = db.lastInsertedRowID

        let availability = run.availability
        try db.execute(
            sql: """
                INSERT INTO availability (runId, requestBased, timeBased, errorBudgetUsed, requests, served,
                                          goodMinutes, badMinutes, noDataMinutes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                runID, try number(availability.requestBased, "availability.requestBased"),
                try number(availability.timeBased, "availability.timeBased"),
                try number(availability.errorBudgetUsed, "availability.errorBudgetUsed"),
                availability.requests, availability.served, availability.goodMinutes,
                availability.badMinutes, availability.noDataMinutes,
            ])

        let scoped = try db.makeStatement(sql: """
            INSERT INTO scopedAvailability (runId, kind, scope, requests, served, requestBased, timeBased)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (kind, list) in [("region", availability.regions), ("tenant", availability.tenants)] {
            for (index, entry) in list.enumerated() {
                let field = kind == "region" ? "availability.regions[\(index)]" : "availability.tenants[\(index)]"
                try scoped.execute(arguments: [
                    runID, kind, entry.scope, entry.requests, entry.served,
                    try number(entry.requestBased, field + ".requestBased"),
                    try optionalNumber(entry.timeBased, field + ".timeBased"),
                ])
            }
        }

        let incident = try db.makeStatement(sql: """
            INSERT INTO incident (runId, fault, faultKind, target, onsetSeconds, endSeconds,
                                  detectedAtSeconds, mitigatedAtSeconds, recoveredAtSeconds,
                                  failbackEndedAtSeconds, detectionSeconds, recoverySeconds,
                                  readRecoverySeconds, writeRecoverySeconds, outcome, censoredAtSeconds,
                                  rule, requests, requestsFailed, failbackRequestsFailed, staleReads,
                                  writesQueued, writesRejected, writesReplayed, writesLost, rtoSeconds,
                                  rpoWrites)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (index, entry) in run.incidents.enumerated() {
            let field = "incidents[\(index)]."
            var arguments: [(any DatabaseValueConvertible)?] = [
                runID, entry.fault, entry.faultKind, entry.target,
                try number(entry.onsetSeconds, field + "onsetSeconds"),
                try number(entry.endSeconds, field + "endSeconds"),
                try optionalNumber(entry.detectedAtSeconds, field + "detectedAtSeconds"),
                try optionalNumber(entry.mitigatedAtSeconds, field + "mitigatedAtSeconds"),
                try optionalNumber(entry.recoveredAtSeconds, field + "recoveredAtSeconds"),
                try optionalNumber(entry.failbackEndedAtSeconds, field + "failbackEndedAtSeconds"),
                try optionalNumber(entry.detectionSeconds, field + "detectionSeconds"),
                try optionalNumber(entry.recoverySeconds, field + "recoverySeconds"),
                try optionalNumber(entry.readRecoverySeconds, field + "readRecoverySeconds"),
                try optionalNumber(entry.writeRecoverySeconds, field + "writeRecoverySeconds"),
            ]
            arguments += [
                entry.outcome.rawValue, try optionalNumber(entry.censoredAtSeconds, field + "censoredAtSeconds"),
                entry.rule, entry.requests, entry.requestsFailed, entry.failbackRequestsFailed,
                entry.staleReads, entry.writesQueued, entry.writesRejected, entry.writesReplayed,
                entry.writesLost, try optionalNumber(entry.rtoSeconds, field + "rtoSeconds"), entry.rpoWrites,
            ]
            try incident.execute(arguments: StatementArguments(arguments))
        }

        let verdict = try db.makeStatement(sql: """
            INSERT INTO triggerVerdict (runId, "row", condition, action, targetSeconds, fault,
                                        detectionSeconds, recoverySeconds, outcome, passed, rule)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (index, entry) in run.triggers.enumerated() {
            let field = "triggers[\(index)]."
            try verdict.execute(arguments: [
                runID, entry.row, entry.condition, entry.action,
                try number(entry.targetSeconds, field + "targetSeconds"), entry.fault,
                try optionalNumber(entry.detectionSeconds, field + "detectionSeconds"),
                try optionalNumber(entry.recoverySeconds, field + "recoverySeconds"),
                entry.outcome.rawValue, entry.passed, entry.rule,
            ])
        }

        let latency = try db.makeStatement(sql: """
            INSERT INTO latency (runId, operation, count, p50Ms, p95Ms, p99Ms, meanMs, maxMs,
                                 targetP50Ms, targetP95Ms, targetP99Ms, passed, histogram)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, x''))
            """)
        for (index, entry) in run.latency.enumerated() {
            let field = "latency[\(index)]."
            // An empty Data binds as NULL; coalesce stores it as an empty blob.
            try latency.execute(arguments: [
                runID, entry.operation, entry.count,
                try number(entry.p50Ms, field + "p50Ms"), try number(entry.p95Ms, field + "p95Ms"),
                try number(entry.p99Ms, field + "p99Ms"), try number(entry.meanMs, field + "meanMs"),
                try number(entry.maxMs, field + "maxMs"),
                try optionalNumber(entry.targetP50Ms, field + "targetP50Ms"),
                try optionalNumber(entry.targetP95Ms, field + "targetP95Ms"),
                try optionalNumber(entry.targetP99Ms, field + "targetP99Ms"),
                entry.passed, entry.histogram,
            ])
        }

        let writes = run.writes
        try db.execute(
            sql: """
                INSERT INTO writeOutcome (runId, acknowledged, queued, rejected, replayed, lost,
                                          duplicatesSuppressed, applied, pending)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                runID, writes.acknowledged, writes.queued, writes.rejected, writes.replayed, writes.lost,
                writes.duplicatesSuppressed, writes.applied, writes.pending,
            ])

        let queueing = try db.makeStatement(sql: """
            INSERT INTO serviceQueueing (runId, scope, utilisation, meanQueueLength, meanWaitSeconds,
                                         waitProbability, started, waited)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (index, entry) in run.queueing.enumerated() {
            let field = "queueing[\(index)]."
            try queueing.execute(arguments: [
                runID, entry.scope, try number(entry.utilisation, field + "utilisation"),
                try number(entry.meanQueueLength, field + "meanQueueLength"),
                try number(entry.meanWaitSeconds, field + "meanWaitSeconds"),
                try number(entry.waitProbability, field + "waitProbability"), entry.started, entry.waited,
            ])
        }

        let breaker = try db.makeStatement(sql: """
            INSERT INTO breakerSummary (runId, breaker, opens, falseOpens, secondsOpen, callsRejected)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for (index, entry) in run.breakers.enumerated() {
            try breaker.execute(arguments: [
                runID, entry.breaker, entry.opens, entry.falseOpens,
                try number(entry.secondsOpen, "breakers[\(index)].secondsOpen"), entry.callsRejected,
            ])
        }

        let sample = try db.makeStatement(sql: """
            INSERT INTO metricSample (runId, metric, scope, startSeconds, widthSeconds, value)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for (index, entry) in run.series.enumerated() {
            if entry.startSeconds.isNaN || entry.widthSeconds.isNaN || entry.value.isNaN {
                throw StoreError.invalidRun(path: path, reason: "series[\(index)] (\(entry.metric), \(entry.scope)) holds NaN")
            }
            try sample.execute(arguments: [
                runID, entry.metric, entry.scope, entry.startSeconds, entry.widthSeconds, entry.value,
            ])
        }

        let event = try db.makeStatement(sql: """
            INSERT INTO eventLog (runId, timeSeconds, kind, subject, detail) VALUES (?, ?, ?, ?, ?)
            """)
        for (index, entry) in run.events.enumerated() {
            try event.execute(arguments: [
                runID, try number(entry.timeSeconds, "events[\(index)].timeSeconds"), entry.kind,
                entry.subject, entry.detail,
            ])
        }
        return runID
    }

    /// SQLite stores NaN as NULL, which would not read back; refuse it by name.
    private func number(_ value: Double, _ field: @autoclosure () -> String) throws -> Double {
        if value.isNaN { throw StoreError.invalidRun(path: path, reason: "\(field()) is NaN") }
        return value
    }

    private func optionalNumber(_ value: Double?, _ field: @autoclosure () -> String) throws -> Double? {
        guard let value else { return nil }
        return try number(value, field())
    }
}

/// Reads one run's rows back into a `RunResult`. Called inside one read transaction, so the
/// rows form a consistent snapshot.
struct RunReader {
    let db: Database
    let path: String

    /// The `run` table's columns that make a `RunIdentity`, in the order ``identity(_:runID:)``
    /// reads them.
    static let identityColumns = """
        runKey, model, modelHash, experiment, experimentHash, variant, overrides, seed,
        engineVersion, digest, events, simulatedSeconds, wallSeconds
        """

    /// The identity in a row whose first columns are ``identityColumns``.
    func identity(_ row: Row, runID: Int64) throws -> RunIdentity {
        let overridesText: String = row[6]
        let overrides: [String: String]
        do {
            overrides = try JSONDecoder().decode([String: String].self, from: Data(overridesText.utf8))
        } catch {
            throw corrupt(runID, "overrides are not a JSON object of strings: \(overridesText)")
        }
        return RunIdentity(
            runKey: row[0], model: row[1], modelHash: row[2], experiment: row[3],
            experimentHash: row[4], variant: row[5], overrides: overrides,
            seed: UInt64(bitPattern: row[7] as Int64), engineVersion: row[8], digest: row[9],
            events: row[10], simulatedSeconds: row[11], wallSeconds: row[12])
    }

    /// Every stored run's id and identity, in id order, without its other rows.
    func identities() throws -> [(id: Int64, identity: RunIdentity)] {
        try Row.fetchAll(db, sql: "SELECT \(Self.identityColumns), id FROM run ORDER BY id").map { row in
            let id: Int64 = row[13]
            return (id, try identity(row, runID: id))
        }
    }

    func read(id runID: Int64) throws -> RunResult? {
        guard let runRow = try Row.fetchOne(
            db,
            sql: "SELECT \(Self.identityColumns), status, statusDetail FROM run WHERE id = ?",
            arguments: [runID])
        else { return nil }

        let identity = try identity(runRow, runID: runID)
        let status: RunStatus = try decode(runRow[13], runID, "status")

        guard let availabilityRow = try Row.fetchOne(
            db,
            sql: """
                SELECT requestBased, timeBased, errorBudgetUsed, requests, served, goodMinutes,
                       badMinutes, noDataMinutes
                FROM availability WHERE runId = ?
                """,
            arguments: [runID])
        else { throw corrupt(runID, "no availability row") }
        var regions: [ScopedAvailability] = []
        var tenants: [ScopedAvailability] = []
        let scopedRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT kind, scope, requests, served, requestBased, timeBased
                FROM scopedAvailability WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try scopedRows.next() {
            let entry = ScopedAvailability(
                scope: row[1], requests: row[2], served: row[3], requestBased: row[4], timeBased: row[5])
            switch row[0] as String {
            case "region": regions.append(entry)
            case "tenant": tenants.append(entry)
            case let other: throw corrupt(runID, "unknown scopedAvailability kind '\(other)'")
            }
        }
        let availability = AvailabilityResult(
            requestBased: availabilityRow[0], timeBased: availabilityRow[1], errorBudgetUsed: availabilityRow[2],
            requests: availabilityRow[3], served: availabilityRow[4], goodMinutes: availabilityRow[5],
            badMinutes: availabilityRow[6], noDataMinutes: availabilityRow[7], regions: regions, tenants: tenants)

        var incidents: [IncidentResult] = []
        let incidentRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT fault, faultKind, target, onsetSeconds, endSeconds, detectedAtSeconds,
                       mitigatedAtSeconds, recoveredAtSeconds, failbackEndedAtSeconds, detectionSeconds,
                       recoverySeconds, readRecoverySeconds, writeRecoverySeconds, outcome,
                       censoredAtSeconds, rule, requests, requestsFailed, failbackRequestsFailed,
                       staleReads, writesQueued, writesRejected, writesReplayed, writesLost, rtoSeconds,
                       rpoWrites
                FROM incident WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try incidentRows.next() {
            incidents.append(IncidentResult(
                fault: row[0], faultKind: row[1], target: row[2], onsetSeconds: row[3], endSeconds: row[4],
                detectedAtSeconds: row[5], mitigatedAtSeconds: row[6], recoveredAtSeconds: row[7],
                failbackEndedAtSeconds: row[8], detectionSeconds: row[9], recoverySeconds: row[10],
                readRecoverySeconds: row[11], writeRecoverySeconds: row[12],
                outcome: try decode(row[13], runID, "incident outcome"), censoredAtSeconds: row[14],
                rule: row[15], requests: row[16], requestsFailed: row[17], failbackRequestsFailed: row[18],
                staleReads: row[19], writesQueued: row[20], writesRejected: row[21], writesReplayed: row[22],
                writesLost: row[23], rtoSeconds: row[24], rpoWrites: row[25]))
        }

        var triggers: [TriggerVerdict] = []
        let verdictRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT "row", condition, action, targetSeconds, fault, detectionSeconds, recoverySeconds,
                       outcome, passed, rule
                FROM triggerVerdict WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try verdictRows.next() {
            triggers.append(TriggerVerdict(
                row: row[0], condition: row[1], action: row[2], targetSeconds: row[3], fault: row[4],
                detectionSeconds: row[5], recoverySeconds: row[6],
                outcome: try decode(row[7], runID, "trigger outcome"), passed: row[8], rule: row[9]))
        }

        var latency: [LatencyResult] = []
        let latencyRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT operation, count, p50Ms, p95Ms, p99Ms, meanMs, maxMs, targetP50Ms, targetP95Ms,
                       targetP99Ms, passed, histogram
                FROM latency WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try latencyRows.next() {
            latency.append(LatencyResult(
                operation: row[0], count: row[1], p50Ms: row[2], p95Ms: row[3], p99Ms: row[4], meanMs: row[5],
                maxMs: row[6], targetP50Ms: row[7], targetP95Ms: row[8], targetP99Ms: row[9], passed: row[10],
                histogram: (row[11] as Data?) ?? Data()))
        }

        guard let writeRow = try Row.fetchOne(
            db,
            sql: """
                SELECT acknowledged, queued, rejected, replayed, lost, duplicatesSuppressed, applied, pending
                FROM writeOutcome WHERE runId = ?
                """,
            arguments: [runID])
        else { throw corrupt(runID, "no writeOutcome row") }
        let writes = WriteOutcomes(
            acknowledged: writeRow[0], queued: writeRow[1], rejected: writeRow[2], replayed: writeRow[3],
            lost: writeRow[4], duplicatesSuppressed: writeRow[5], applied: writeRow[6], pending: writeRow[7])

        var queueing: [ServiceQueueing] = []
        let queueingRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT scope, utilisation, meanQueueLength, meanWaitSeconds, waitProbability, started, waited
                FROM serviceQueueing WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try queueingRows.next() {
            queueing.append(ServiceQueueing(
                scope: row[0], utilisation: row[1], meanQueueLength: row[2], meanWaitSeconds: row[3],
                waitProbability: row[4], started: row[5], waited: row[6]))
        }

        var breakers: [BreakerSummary] = []
        let breakerRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT breaker, opens, falseOpens, secondsOpen, callsRejected
                FROM breakerSummary WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try breakerRows.next() {
            breakers.append(BreakerSummary(
                breaker: row[0], opens: row[1], falseOpens: row[2], secondsOpen: row[3], callsRejected: row[4]))
        }

        var series: [MetricSample] = []
        let sampleRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT metric, scope, startSeconds, widthSeconds, value
                FROM metricSample WHERE runId = ? ORDER BY id
                """,
            arguments: [runID])
        while let row = try sampleRows.next() {
            series.append(MetricSample(
                metric: row[0], scope: row[1], startSeconds: row[2], widthSeconds: row[3], value: row[4]))
        }

        var events: [LoggedEvent] = []
        let eventRows = try Row.fetchCursor(
            db,
            sql: "SELECT timeSeconds, kind, subject, detail FROM eventLog WHERE runId = ? ORDER BY id",
            arguments: [runID])
        while let row = try eventRows.next() {
            events.append(LoggedEvent(timeSeconds: row[0], kind: row[1], subject: row[2], detail: row[3]))
        }

        return RunResult(
            identity: identity, status: status, statusDetail: runRow[14], incidents: incidents,
            triggers: triggers, availability: availability, latency: latency, writes: writes,
            breakers: breakers, queueing: queueing, series: series, events: events)
    }

    private func decode<T: RawRepresentable>(_ text: String, _ runID: Int64, _ what: String) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else { throw corrupt(runID, "unknown \(what) '\(text)'") }
        return value
    }

    private func corrupt(_ runID: Int64, _ detail: String) -> StoreError {
        StoreError.corruptRun(path: path, runID: runID, detail: detail)
    }
}
