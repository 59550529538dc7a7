import Foundation

/// Everything one simulation run reports: its identity, how it ended, and what it measured.
///
/// A `RunResult` is plain data. The simulation model fills it at the end of a run, the store
/// (`RunStore`) writes it to SQLite and reads it back unchanged, and the command line prints it.
///
/// All times are **seconds of simulated time since the start of the run** (after any warm-up),
/// all durations are seconds, and all latencies are milliseconds, as the field names say.
/// Floating-point fields must not be NaN (SQLite cannot store NaN; the store refuses such a run).
///
/// The order of every array is part of the result: the store keeps it, and the digest covers it.
/// Producers should emit arrays in a deterministic order (e.g. incidents by onset, samples by
/// metric, scope and start time).
///
/// ### Digest
/// ``computeDigest()`` is the hex SHA-256 of ``canonicalDigestInput()``: the canonical encoding
/// (see ``canonicalJSON()``) of this value with ``RunIdentity/wallSeconds`` set to `0` and
/// ``RunIdentity/digest`` set to the empty string. It therefore covers every result and every
/// run-defining identity field (run key, model and experiment names and hashes, variant,
/// overrides, seed, engine version, event count, simulated time, status) and nothing that varies
/// between two executions of the same run (wall time) or between two stores (database row ids,
/// which are not part of a `RunResult` at all).
public struct RunResult: Codable, Sendable, Equatable {
    /// Who ran: the run key, model, experiment, variant, seed, engine version, digest, counts.
    public var identity: RunIdentity
    /// How the run ended: completed, or stopped at a limit.
    public var status: RunStatus
    /// Free text explaining ``status`` (e.g. which limit was hit and when); `nil` when there is
    /// nothing to add.
    public var statusDetail: String?
    /// One entry per fault occurrence that the run injected, in onset order.
    public var incidents: [IncidentResult]
    /// One verdict per trigger-table row that the experiment judged.
    public var triggers: [TriggerVerdict]
    /// Availability over the whole measured run, and per region and per tenant.
    public var availability: AvailabilityResult
    /// Client-side latency summaries, one per operation class.
    public var latency: [LatencyResult]
    /// What happened to the writes clients sent.
    public var writes: WriteOutcomes
    /// One summary per circuit-breaker instance.
    public var breakers: [BreakerSummary]
    /// Queueing at each region's service (utilisation, wait in queue), in region order.
    public var queueing: [ServiceQueueing]
    /// Per-interval metric series in long format (one row per metric, scope and interval). The
    /// interval width is fixed per run by its measured duration — 10 s up to 12 hours, then 1 min,
    /// 5 min, 15 min, 1 h, 6 h, 1 d as needed — so that a metric has at most 4,321 intervals.
    public var series: [MetricSample]
    /// Notable discrete events: fault starts and ends, breaker transitions, failovers, alerts.
    public var events: [LoggedEvent]

    /// Creates a run result. Collections default to empty.
    public init(
        identity: RunIdentity,
        status: RunStatus,
        statusDetail: String? = nil,
        incidents: [IncidentResult] = [],
        triggers: [TriggerVerdict] = [],
        availability: AvailabilityResult,
        latency: [LatencyResult] = [],
        writes: WriteOutcomes,
        breakers: [BreakerSummary] = [],
        queueing: [ServiceQueueing] = [],
        series: [MetricSample] = [],
        events: [LoggedEvent] = []
    ) {
        self.identity = identity
        self.status = status
        self.statusDetail = statusDetail
        self.incidents = incidents
        self.triggers = triggers
        self.availability = availability
        self.latency = latency
        self.writes = writes
        self.breakers = breakers
        self.queueing = queueing
        self.series = series
        self.events = events
    }
}

/// How a run ended.
public enum RunStatus: String, Codable, Sendable, Equatable, CaseIterable {
    /// The run reached the end of its simulated duration normally.
    case completed
    /// The run stopped because it processed its maximum number of events; results cover the
    /// simulated time reached so far (``RunIdentity/simulatedSeconds``).
    case stoppedAtEventLimit
    /// The run stopped because it reached its time limit before its workload ended; results cover
    /// the simulated time reached so far.
    case stoppedAtTimeLimit
}

/// The outcome of an incident, judged on the traffic the acting rule restores.
///
/// `recovered` is the only outcome with a numeric recovery time; the others name why there is
/// no number.
public enum Outcome: String, Codable, Sendable, Equatable, CaseIterable {
    /// Error rates breached the recovery SLO and later held below it for the stability window.
    case recovered
    /// Error rates never breached the recovery SLO: the fault had no visible impact.
    case noImpact
    /// Error rates breached the SLO but no controller rule acted on the fault.
    case notTriggered
    /// The run ended (was censored) before recovery; the recovery time is at least
    /// `censoredAtSeconds − onsetSeconds`.
    case notRecovered
}

extension RunResult {
    /// Where the measured period starts, in result seconds: every time a run reports is on the
    /// experiment's clock (t = 0 at the start of the simulation, the clock a fault's `at:` is
    /// written on), and measuring starts at the end of the warm-up. Read from the series, whose
    /// first interval starts there; 0 for a run without series.
    public var measuredFromSeconds: Double {
        series.lazy.map(\.startSeconds).min() ?? 0
    }
}
