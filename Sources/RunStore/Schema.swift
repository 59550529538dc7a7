import GRDB

/// The store's schema: append-only migrations in literal SQL.
///
/// Rules: a shipped migration is never edited or removed; changes come as new migrations appended
/// at the end, each raising `PRAGMA user_version` to its schema version. See the Schema article
/// for every table and column.
enum Schema {
    /// The `PRAGMA application_id` of failsim databases: the ASCII bytes `fsim`.
    static let applicationID: Int32 = 0x6673_696D

    /// Prefix shared by every failsim migration identifier; an unknown identifier with this
    /// prefix means a newer failsim migrated the file.
    static let migrationPrefix = "failsim-"

    /// The migrations, in order: identifier and SQL. Append only.
    static let migrations: [(identifier: String, sql: String)] = [
        ("failsim-1-runs", version1),
        ("failsim-2-uptime", version2Uptime),
        ("failsim-3-writes-queueing", version3WritesQueueing),
    ]

    /// The schema version this build writes and understands (the last migration's version).
    static let version = 3

    static func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            let sql = migration.sql
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }

    static let version1 = """
        PRAGMA application_id = 1718839661;
        PRAGMA user_version = 1;

        CREATE TABLE run (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runKey TEXT NOT NULL,
            model TEXT NOT NULL,
            modelHash TEXT NOT NULL,
            experiment TEXT NOT NULL,
            experimentHash TEXT NOT NULL,
            variant TEXT NOT NULL,
            overrides TEXT NOT NULL DEFAULT '{}',
            seed INTEGER NOT NULL,
            engineVersion TEXT NOT NULL,
            digest TEXT NOT NULL,
            status TEXT NOT NULL,
            statusDetail TEXT,
            events INTEGER NOT NULL,
            simulatedSeconds REAL NOT NULL,
            wallSeconds REAL NOT NULL,
            storedAt TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX run_runKey ON run(runKey);
        CREATE INDEX run_experiment ON run(experiment, variant);

        CREATE TABLE incident (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            fault TEXT NOT NULL,
            faultKind TEXT NOT NULL,
            target TEXT NOT NULL,
            onsetSeconds REAL NOT NULL,
            endSeconds REAL NOT NULL,
            detectedAtSeconds REAL,
            mitigatedAtSeconds REAL,
            recoveredAtSeconds REAL,
            failbackEndedAtSeconds REAL,
            detectionSeconds REAL,
            recoverySeconds REAL,
            readRecoverySeconds REAL,
            writeRecoverySeconds REAL,
            outcome TEXT NOT NULL,
            censoredAtSeconds REAL,
            rule TEXT,
            requests INTEGER NOT NULL,
            requestsFailed INTEGER NOT NULL,
            failbackRequestsFailed INTEGER NOT NULL,
            staleReads INTEGER NOT NULL,
            writesQueued INTEGER NOT NULL,
            writesRejected INTEGER NOT NULL,
            writesReplayed INTEGER NOT NULL,
            writesLost INTEGER NOT NULL,
            rtoSeconds REAL,
            rpoWrites INTEGER
        );
        CREATE INDEX incident_runId ON incident(runId);

        CREATE TABLE triggerVerdict (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            "row" INTEGER NOT NULL,
            condition TEXT NOT NULL,
            action TEXT NOT NULL,
            targetSeconds REAL NOT NULL,
            fault TEXT NOT NULL,
            detectionSeconds REAL,
            recoverySeconds REAL,
            outcome TEXT NOT NULL,
            passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
            rule TEXT
        );
        CREATE INDEX triggerVerdict_runId ON triggerVerdict(runId);

        CREATE TABLE availability (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL UNIQUE REFERENCES run(id) ON DELETE CASCADE,
            requestBased REAL NOT NULL,
            timeBased REAL NOT NULL,
            errorBudgetUsed REAL NOT NULL,
            requests INTEGER NOT NULL,
            served INTEGER NOT NULL,
            goodMinutes INTEGER NOT NULL,
            badMinutes INTEGER NOT NULL,
            noDataMinutes INTEGER NOT NULL
        );

        CREATE TABLE scopedAvailability (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('region', 'tenant')),
            scope TEXT NOT NULL,
            requests INTEGER NOT NULL,
            served INTEGER NOT NULL,
            requestBased REAL NOT NULL,
            timeBased REAL
        );
        CREATE INDEX scopedAvailability_runId ON scopedAvailability(runId, kind);

        CREATE TABLE latency (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            operation TEXT NOT NULL,
            count INTEGER NOT NULL,
            p50Ms REAL NOT NULL,
            p95Ms REAL NOT NULL,
            p99Ms REAL NOT NULL,
            meanMs REAL NOT NULL,
            maxMs REAL NOT NULL,
            targetP50Ms REAL,
            targetP95Ms REAL,
            targetP99Ms REAL,
            passed INTEGER CHECK (passed IN (0, 1)),
            histogram BLOB NOT NULL,
            UNIQUE (runId, operation)
        );

        CREATE TABLE writeOutcome (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL UNIQUE REFERENCES run(id) ON DELETE CASCADE,
            acknowledged INTEGER NOT NULL,
            queued INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            replayed INTEGER NOT NULL,
            lost INTEGER NOT NULL,
            duplicatesSuppressed INTEGER NOT NULL
        );

        CREATE TABLE breakerSummary (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            breaker TEXT NOT NULL,
            opens INTEGER NOT NULL,
            falseOpens INTEGER NOT NULL,
            secondsOpen REAL NOT NULL,
            callsRejected INTEGER NOT NULL
        );
        CREATE INDEX breakerSummary_runId ON breakerSummary(runId);

        CREATE TABLE metricSample (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            metric TEXT NOT NULL,
            scope TEXT NOT NULL,
            startSeconds REAL NOT NULL,
            widthSeconds REAL NOT NULL CHECK (widthSeconds > 0),
            value REAL NOT NULL
        );
        CREATE INDEX metricSample_runId ON metricSample(runId, metric, scope);

        CREATE TABLE eventLog (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            timeSeconds REAL NOT NULL,
            kind TEXT NOT NULL CHECK (kind <> ''),
            subject TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX eventLog_runId ON eventLog(runId, kind);
        """

    /// `failsim uptime` studies: one row per study with its report, one row per replicated year
    /// (see the UptimeTables article).
    static let version2Uptime = """
        PRAGMA user_version = 2;

        CREATE TABLE uptimeStudy (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            studyKey TEXT NOT NULL,
            model TEXT NOT NULL,
            modelHash TEXT NOT NULL,
            experiment TEXT NOT NULL,
            experimentHash TEXT NOT NULL,
            seed INTEGER NOT NULL,
            years INTEGER NOT NULL CHECK (years >= 1),
            engineVersion TEXT NOT NULL,
            digest TEXT NOT NULL,
            report TEXT NOT NULL,
            wallSeconds REAL NOT NULL,
            storedAt TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX uptimeStudy_studyKey ON uptimeStudy(studyKey);
        CREATE INDEX uptimeStudy_experiment ON uptimeStudy(experiment);

        CREATE TABLE uptimeYear (
            id INTEGER PRIMARY KEY,
            studyId INTEGER NOT NULL REFERENCES uptimeStudy(id) ON DELETE CASCADE,
            year INTEGER NOT NULL CHECK (year >= 1),
            incidents INTEGER NOT NULL,
            overlaps INTEGER NOT NULL,
            requestAvailability REAL NOT NULL,
            downMinutes REAL NOT NULL,
            downBlocks REAL NOT NULL,
            downtimePeriodMinutes INTEGER NOT NULL,
            UNIQUE (studyId, year)
        );
        """

    /// Writes applied and still pending at the end (NULL for runs stored before), and queueing
    /// at each region's service (see the Schema article).
    static let version3WritesQueueing = """
        PRAGMA user_version = 3;

        ALTER TABLE writeOutcome ADD COLUMN applied INTEGER;
        ALTER TABLE writeOutcome ADD COLUMN pending INTEGER;

        CREATE TABLE serviceQueueing (
            id INTEGER PRIMARY KEY,
            runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            scope TEXT NOT NULL,
            utilisation REAL NOT NULL,
            meanQueueLength REAL NOT NULL,
            meanWaitSeconds REAL NOT NULL,
            waitProbability REAL NOT NULL,
            started INTEGER NOT NULL,
            waited INTEGER NOT NULL
        );
        CREATE INDEX serviceQueueing_runId ON serviceQueueing(runId);
        """
}
