import Foundation

/// Availability over the measured part of a run.
///
/// *Request-based* availability is served ÷ requests, where a request is served when it gets a
/// non-5xx answer within the client deadline (stale reads and queued writes count as served).
/// *Time-based* availability counts whole minutes aligned to the run's start: a minute is bad
/// when its error rate exceeds the critical alert threshold, "no data" when it had too few
/// requests to judge, good otherwise; it is good ÷ (good + bad).
public struct AvailabilityResult: Codable, Sendable, Equatable {
    /// Served ÷ requests over the run, as a fraction in [0, 1].
    public var requestBased: Double
    /// Good minutes ÷ (good + bad minutes), as a fraction in [0, 1].
    public var timeBased: Double
    /// Share of the annual error budget (e.g. 8.76 h at 99.9 %) that this run's bad time
    /// consumed, as a fraction (1 = the whole year's budget).
    public var errorBudgetUsed: Double
    /// Requests that arrived during the measured run.
    public var requests: Int64
    /// Of those, requests served (see the type's description).
    public var served: Int64
    /// Minutes judged good.
    public var goodMinutes: Int
    /// Minutes judged bad (error rate above the critical threshold).
    public var badMinutes: Int
    /// Minutes with too few requests to judge.
    public var noDataMinutes: Int
    /// The same measures per region (scope = region name, e.g. `us-central1`).
    public var regions: [ScopedAvailability]
    /// The same measures per tenant (scope = tenant identifier).
    public var tenants: [ScopedAvailability]

    /// Creates an availability result.
    public init(
        requestBased: Double,
        timeBased: Double,
        errorBudgetUsed: Double,
        requests: Int64,
        served: Int64,
        goodMinutes: Int,
        badMinutes: Int,
        noDataMinutes: Int,
        regions: [ScopedAvailability] = [],
        tenants: [ScopedAvailability] = []
    ) {
        self.requestBased = requestBased
        self.timeBased = timeBased
        self.errorBudgetUsed = errorBudgetUsed
        self.requests = requests
        self.served = served
        self.goodMinutes = goodMinutes
        self.badMinutes = badMinutes
        self.noDataMinutes = noDataMinutes
        self.regions = regions
        self.tenants = tenants
    }
}

/// Availability of one region or one tenant.
public struct ScopedAvailability: Codable, Sendable, Equatable {
    /// The region's or tenant's name.
    public var scope: String
    /// Requests in this scope.
    public var requests: Int64
    /// Requests in this scope that were served.
    public var served: Int64
    /// Served ÷ requests, as a fraction in [0, 1].
    public var requestBased: Double
    /// Time-based availability in this scope, as a fraction; `nil` when not computed (e.g. a
    /// tenant too small to have judged minutes).
    public var timeBased: Double?

    /// Creates a scoped availability.
    public init(scope: String, requests: Int64, served: Int64, requestBased: Double, timeBased: Double? = nil) {
        self.scope = scope
        self.requests = requests
        self.served = served
        self.requestBased = requestBased
        self.timeBased = timeBased
    }
}

/// Client-side latency of one operation class, measured per logical request (retries
/// included); failed requests are errors, not latencies, and are not in these numbers.
public struct LatencyResult: Codable, Sendable, Equatable {
    /// The operation class: `cached` (answered from L1 or L2 without a database call), `db`,
    /// `write`, `batch` or `report`.
    public var operation: String
    /// Successful requests measured.
    public var count: Int64
    /// Median latency, milliseconds.
    public var p50Ms: Double
    /// 95th percentile latency, milliseconds.
    public var p95Ms: Double
    /// 99th percentile latency, milliseconds.
    public var p99Ms: Double
    /// Mean latency, milliseconds.
    public var meanMs: Double
    /// Largest latency, milliseconds.
    public var maxMs: Double
    /// SLA target for the median, milliseconds; `nil` when the SLA table sets none.
    public var targetP50Ms: Double?
    /// SLA target for the 95th percentile, milliseconds; `nil` when none.
    public var targetP95Ms: Double?
    /// SLA target for the 99th percentile, milliseconds; `nil` when none.
    public var targetP99Ms: Double?
    /// Whether every set target was met; `nil` when there are no targets.
    public var passed: Bool?
    /// The serialised HDR histogram of the latencies (opaque bytes, written and read by the
    /// statistics module), kept so that percentiles can be pooled across seeds correctly.
    /// Base64 in JSON.
    public var histogram: Data

    /// Creates a latency result.
    public init(
        operation: String,
        count: Int64,
        p50Ms: Double,
        p95Ms: Double,
        p99Ms: Double,
        meanMs: Double,
        maxMs: Double,
        targetP50Ms: Double? = nil,
        targetP95Ms: Double? = nil,
        targetP99Ms: Double? = nil,
        passed: Bool? = nil,
        histogram: Data = Data()
    ) {
        self.operation = operation
        self.count = count
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.meanMs = meanMs
        self.maxMs = maxMs
        self.targetP50Ms = targetP50Ms
        self.targetP95Ms = targetP95Ms
        self.targetP99Ms = targetP99Ms
        self.passed = passed
        self.histogram = histogram
    }
}

/// What happened to the writes clients sent during the measured run.
///
/// Every write is counted once as acknowledged (applied or queued) or rejected; queued writes
/// are later replayed, still queued when the run ends (pending), or lost. Every run satisfies
/// `acknowledged == applied + pending + lost` (the simulation checks it).
public struct WriteOutcomes: Codable, Sendable, Equatable {
    /// Writes acknowledged to the client (applied at once, or accepted into a queue).
    public var acknowledged: Int64
    /// Of the acknowledged writes, those accepted into a failover queue.
    public var queued: Int64
    /// Writes rejected (503): write policy `reject`, or a full queue.
    public var rejected: Int64
    /// Queued writes replayed to the primary.
    public var replayed: Int64
    /// Acknowledged writes that were lost (the reference's goal is 0): committed but not yet
    /// replicated when the primary region was lost, or queued in a region that was lost.
    public var lost: Int64
    /// Retried writes recognised as already applied and not applied twice.
    public var duplicatesSuppressed: Int64
    /// Acknowledged writes committed on a database and not lost: applied as they came, or
    /// replayed from the queue. `nil` for runs stored before failsim counted it.
    public var applied: Int64?
    /// Acknowledged writes still queued when the run ended: neither applied nor lost yet. `nil`
    /// for runs stored before failsim counted it.
    public var pending: Int64?

    /// Creates write outcomes; every count defaults to 0 (`applied` and `pending` to `nil`).
    public init(
        acknowledged: Int64 = 0,
        queued: Int64 = 0,
        rejected: Int64 = 0,
        replayed: Int64 = 0,
        lost: Int64 = 0,
        duplicatesSuppressed: Int64 = 0,
        applied: Int64? = nil,
        pending: Int64? = nil
    ) {
        self.acknowledged = acknowledged
        self.queued = queued
        self.rejected = rejected
        self.replayed = replayed
        self.lost = lost
        self.duplicatesSuppressed = duplicatesSuppressed
        self.applied = applied
        self.pending = pending
    }
}

/// What one circuit-breaker instance did during the run.
public struct BreakerSummary: Codable, Sendable, Equatable {
    /// The breaker's name and scope instance, e.g. `firestore@us-central1/api-3`.
    public var breaker: String
    /// Times the breaker opened (CLOSED → OPEN and HALF_OPEN → OPEN).
    public var opens: Int
    /// Opens that happened while no fault affected the guarded path (caused by the background
    /// error rate alone).
    public var falseOpens: Int
    /// Total simulated time spent OPEN, seconds (HALF_OPEN not included).
    public var secondsOpen: Double
    /// Calls rejected without being attempted (while OPEN, or over the HALF_OPEN trial limit).
    public var callsRejected: Int64

    /// Creates a breaker summary.
    public init(breaker: String, opens: Int, falseOpens: Int, secondsOpen: Double, callsRejected: Int64) {
        self.breaker = breaker
        self.opens = opens
        self.falseOpens = falseOpens
        self.secondsOpen = secondsOpen
        self.callsRejected = callsRejected
    }
}

/// One value of one per-interval metric series, in long format.
///
/// Examples of metrics: `requestRate` (requests/s), `errorRate` (fraction), `p95Ms`,
/// `cacheHitRatio` (fraction), `poolUse` (fraction), `breakerOpen` (count of open instances).
public struct MetricSample: Codable, Sendable, Equatable {
    /// The metric's name; its unit is the metric's (documented by the model).
    public var metric: String
    /// What the value is about: `all`, a region, a breaker, a tenant…
    public var scope: String
    /// Start of the interval, seconds since run start.
    public var startSeconds: Double
    /// Length of the interval, seconds (greater than 0).
    public var widthSeconds: Double
    /// The metric's value over the interval.
    public var value: Double

    /// Creates a metric sample.
    public init(metric: String, scope: String, startSeconds: Double, widthSeconds: Double, value: Double) {
        self.metric = metric
        self.scope = scope
        self.startSeconds = startSeconds
        self.widthSeconds = widthSeconds
        self.value = value
    }
}

/// A notable discrete event of the run, for timelines.
public struct LoggedEvent: Codable, Sendable, Equatable {
    /// When it happened, seconds since run start.
    public var timeSeconds: Double
    /// What happened: `faultStart`, `faultEnd`, `breakerTransition`, `failover`, `failback`,
    /// `dnsChange`, `healthChange`, `alertFired`, `alertResolved`, `promotion`, … (not empty).
    public var kind: String
    /// What it happened to (a fault, a breaker instance, a health check, an alert rule…).
    public var subject: String
    /// Free-text details (e.g. `CLOSED → OPEN: 5 failures in 60 s`).
    public var detail: String

    /// Creates a logged event.
    public init(timeSeconds: Double, kind: String, subject: String, detail: String = "") {
        self.timeSeconds = timeSeconds
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }
}
