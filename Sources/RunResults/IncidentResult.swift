import Foundation

/// What one fault occurrence did to the system, and how the system coped.
///
/// Instants (`…AtSeconds`, ``onsetSeconds``, ``endSeconds``) are seconds of simulated time since
/// the start of the run. Durations (``detectionSeconds``, ``recoverySeconds``,
/// ``readRecoverySeconds``, ``writeRecoverySeconds``, ``rtoSeconds``) are seconds measured from
/// ``onsetSeconds``. A `nil` instant or duration means "did not happen during the run".
///
/// Request and write counts cover requests *arriving* between onset and the incident's close
/// (failback end plus the stability window, or the end of the run).
public struct IncidentResult: Codable, Sendable, Equatable {
    /// The fault's name, as declared in the experiment.
    public var fault: String
    /// The fault's kind (e.g. `dbUnreachable`, `api5xx`, `partition`, `regionLoss`).
    public var faultKind: String
    /// What the fault hit (e.g. `firestore@us-central1`, `us-central1`, `edge↔us-central1`).
    public var target: String
    /// When the fault began (seconds since run start).
    public var onsetSeconds: Double
    /// When the fault ended (seconds since run start); the run's end if it never ended.
    public var endSeconds: Double
    /// When the acting controller rule fired (its condition had held as long as required).
    public var detectedAtSeconds: Double?
    /// When the acting rule's action took effect.
    public var mitigatedAtSeconds: Double?
    /// The recovery instant: the first t after the first breach such that every 1 s bin in
    /// [t, t + stability window) has an error rate below the recovery SLO.
    public var recoveredAtSeconds: Double?
    /// When traffic had fully returned to the primary (last failback step taken).
    public var failbackEndedAtSeconds: Double?
    /// Detection time: ``detectedAtSeconds`` − ``onsetSeconds``.
    public var detectionSeconds: Double?
    /// Recovery time of the traffic the acting rule restores (reads for the DB rule):
    /// ``recoveredAtSeconds`` − ``onsetSeconds``. `nil` unless ``outcome`` is
    /// ``Outcome/recovered``.
    public var recoverySeconds: Double?
    /// Recovery time of read traffic alone (seconds from onset).
    public var readRecoverySeconds: Double?
    /// Recovery time of write traffic alone (seconds from onset).
    public var writeRecoverySeconds: Double?
    /// The incident's outcome (see ``Outcome``).
    public var outcome: Outcome
    /// For ``Outcome/notRecovered``: the instant the run ended (censoring time); the recovery time
    /// is at least `censoredAtSeconds − onsetSeconds`.
    public var censoredAtSeconds: Double?
    /// The controller rule that acted on this incident (e.g. `dbUnreachable`, `api5xx`,
    /// `partition`); `nil` when none acted.
    public var rule: String?
    /// Requests affected by the fault that arrived during the incident.
    public var requests: Int64
    /// Of those, requests that failed (5xx, refused, or no answer within the client deadline).
    public var requestsFailed: Int64
    /// Requests that failed during failback (cold caches, replay load): the failback impact.
    public var failbackRequestsFailed: Int64
    /// Reads answered from a cache with data older than the primary's (successes, counted).
    public var staleReads: Int64
    /// Writes acknowledged and queued for later replay.
    public var writesQueued: Int64
    /// Writes rejected (503) because of the write policy or a full queue.
    public var writesRejected: Int64
    /// Queued writes replayed to the primary.
    public var writesReplayed: Int64
    /// Acknowledged writes that were lost (the goal is zero).
    public var writesLost: Int64
    /// For region loss: recovery time objective achieved, seconds from loss until writes were
    /// accepted again; `nil` when not applicable or not reached.
    public var rtoSeconds: Double?
    /// For region loss: recovery point achieved, as the number of acknowledged writes not present
    /// on the survivor; `nil` when not applicable.
    public var rpoWrites: Int64?

    /// Creates an incident result. Optional instants and durations default to `nil`, counts to 0.
    public init(
        fault: String,
        faultKind: String,
        target: String,
        onsetSeconds: Double,
        endSeconds: Double,
        detectedAtSeconds: Double? = nil,
        mitigatedAtSeconds: Double? = nil,
        recoveredAtSeconds: Double? = nil,
        failbackEndedAtSeconds: Double? = nil,
        detectionSeconds: Double? = nil,
        recoverySeconds: Double? = nil,
        readRecoverySeconds: Double? = nil,
        writeRecoverySeconds: Double? = nil,
        outcome: Outcome,
        censoredAtSeconds: Double? = nil,
        rule: String? = nil,
        requests: Int64 = 0,
        requestsFailed: Int64 = 0,
        failbackRequestsFailed: Int64 = 0,
        staleReads: Int64 = 0,
        writesQueued: Int64 = 0,
        writesRejected: Int64 = 0,
        writesReplayed: Int64 = 0,
        writesLost: Int64 = 0,
        rtoSeconds: Double? = nil,
        rpoWrites: Int64? = nil
    ) {
        self.fault = fault
        self.faultKind = faultKind
        self.target = target
        self.onsetSeconds = onsetSeconds
        self.endSeconds = endSeconds
        self.detectedAtSeconds = detectedAtSeconds
        self.mitigatedAtSeconds = mitigatedAtSeconds
        self.recoveredAtSeconds = recoveredAtSeconds
        self.failbackEndedAtSeconds = failbackEndedAtSeconds
        self.detectionSeconds = detectionSeconds
        self.recoverySeconds = recoverySeconds
        self.readRecoverySeconds = readRecoverySeconds
        self.writeRecoverySeconds = writeRecoverySeconds
        self.outcome = outcome
        self.censoredAtSeconds = censoredAtSeconds
        self.rule = rule
        self.requests = requests
        self.requestsFailed = requestsFailed
        self.failbackRequestsFailed = failbackRequestsFailed
        self.staleReads = staleReads
        self.writesQueued = writesQueued
        self.writesRejected = writesRejected
        self.writesReplayed = writesReplayed
        self.writesLost = writesLost
        self.rtoSeconds = rtoSeconds
        self.rpoWrites = rpoWrites
    }
}

/// The verdict on one trigger-table row: did the system detect and recover in time?
public struct TriggerVerdict: Codable, Sendable, Equatable {
    /// The row's position in the trigger table (1-based, as printed).
    public var row: Int
    /// The row's condition, as written (e.g. `primary DB unreachable > 30 s`).
    public var condition: String
    /// The row's action, as written (e.g. `switch reads to the read replica`).
    public var action: String
    /// The row's recovery target, in seconds (e.g. 60).
    public var targetSeconds: Double
    /// The name of the fault that exercised this row.
    public var fault: String
    /// Detection time in seconds from onset; `nil` when no rule fired.
    public var detectionSeconds: Double?
    /// Recovery time in seconds from onset; `nil` when ``outcome`` is not numeric (anything but
    /// ``Outcome/recovered``).
    public var recoverySeconds: Double?
    /// The incident's outcome.
    public var outcome: Outcome
    /// Whether the row passed: recovered within ``targetSeconds``. How non-numeric outcomes are
    /// judged is the model's rule and is documented with the model.
    public var passed: Bool
    /// The controller rule that acted; `nil` when none did. A different rule than the row's own
    /// shows which rule acts first under this configuration.
    public var rule: String?

    /// Creates a trigger verdict.
    public init(
        row: Int,
        condition: String,
        action: String,
        targetSeconds: Double,
        fault: String,
        detectionSeconds: Double? = nil,
        recoverySeconds: Double? = nil,
        outcome: Outcome,
        passed: Bool,
        rule: String? = nil
    ) {
        self.row = row
        self.condition = condition
        self.action = action
        self.targetSeconds = targetSeconds
        self.fault = fault
        self.detectionSeconds = detectionSeconds
        self.recoverySeconds = recoverySeconds
        self.outcome = outcome
        self.passed = passed
        self.rule = rule
    }
}
