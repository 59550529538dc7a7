import CircuitBreakers
import SimulationCore

/// A model file (`kind: model`): the architecture, its parameters and its targets.
///
/// Components are optional where an architecture can do without them: a model with only
/// `traffic` and `service` (a region with instances and a concurrency limit) is valid, and its
/// requests are served by the service alone. The reference model (`models/esta-tracker.yaml`)
/// fills every section; each default it adds to the reference's own numbers says where it comes
/// from.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    public var kind: String
    public var name: String
    public var description: String?
    public var regions: Regions
    public var links: Links?
    public var traffic: Traffic
    public var edge: Edge?
    public var dns: DNS?
    public var service: Service
    public var cache: Cache?
    public var database: Database?
    public var breakers: [BreakerConfiguration]?
    public var healthChecks: HealthChecks?
    public var controller: Controller?
    public var writes: Writes?
    public var slo: ServiceLevels
    public var triggers: [TriggerRow]?
    public var alerts: Alerts?
    public var backups: [Backup]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, description, regions, links, traffic, edge, dns, service, cache, database, breakers
        case healthChecks, controller, writes, slo, triggers, alerts, backups
    }

    /// The primary and failover regions (the failover is optional for single-region models).
    public struct Regions: Codable, Sendable, Equatable {
        public var primary: String
        public var failover: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case primary, failover }
    }

    /// One-way latencies of the network links.
    public struct Links: Codable, Sendable, Equatable {
        public var clientToEdge: DurationSpec
        public var edgeToRegion: DurationSpec
        public var betweenRegions: DurationSpec
        /// How long a caller waits on a cut link before it gives up (a connect timeout).
        public var connectTimeout: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case clientToEdge, edgeToRegion, betweenRegions, connectTimeout }
    }

    /// Open-loop tenant traffic.
    ///
    /// Only `requestsPerSecond` and `deadline` are required; a model of one queue needs no
    /// tenants: `tenants` defaults to 1, `tenantSkew` to 0, `employeesPerTenant` to 1 and `mix`
    /// to reads only (`{read: 1}`; a share the mix leaves out is 0).
    public struct Traffic: Codable, Sendable, Equatable {
        /// Mean arrival rate (Poisson arrivals) at the start; `profile` may change it.
        public var requestsPerSecond: Double
        /// Steps of the rate: from `at` on, the rate is `requestsPerSecond`.
        public var profile: [RateStep]?
        public var tenants: Int
        /// Zipf exponent of tenant sizes (0: all equal).
        public var tenantSkew: Double
        public var employeesPerTenant: Int
        public var concurrentUsers: Int?
        /// Share of each operation; read + write + batch + report = 1.
        public var mix: OperationMix
        /// The client gives up on a request after this long (a timeout is a failure).
        public var deadline: SimDuration
        public var retry: Retry?
        /// The reference's peak expectations, for profiles and reports.
        public var peak: Peak?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case requestsPerSecond, profile, tenants, tenantSkew, employeesPerTenant, concurrentUsers, mix, deadline, retry, peak
        }

        /// The highest rate the traffic reaches: `requestsPerSecond` or a step of `profile`.
        public var highestRate: Double { ([requestsPerSecond] + (profile ?? []).map(\.requestsPerSecond)).max() ?? requestsPerSecond }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            requestsPerSecond = try c.decode(Double.self, forKey: .requestsPerSecond)
            profile = try c.decodeIfPresent([RateStep].self, forKey: .profile)
            tenants = try c.decodeIfPresent(Int.self, forKey: .tenants) ?? 1
            tenantSkew = try c.decodeIfPresent(Double.self, forKey: .tenantSkew) ?? 0
            employeesPerTenant = try c.decodeIfPresent(Int.self, forKey: .employeesPerTenant) ?? 1
            concurrentUsers = try c.decodeIfPresent(Int.self, forKey: .concurrentUsers)
            mix = try c.decodeIfPresent(OperationMix.self, forKey: .mix) ?? OperationMix(read: 1, write: 0, batch: 0, report: 0)
            deadline = try c.decode(SimDuration.self, forKey: .deadline)
            retry = try c.decodeIfPresent(Retry.self, forKey: .retry)
            peak = try c.decodeIfPresent(Peak.self, forKey: .peak)
        }
    }

    public struct RateStep: Codable, Sendable, Equatable {
        public var at: SimDuration
        public var requestsPerSecond: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case at, requestsPerSecond }
    }

    public struct Peak: Codable, Sendable, Equatable {
        public var requestsPerSecond: Double
        public var writesPerSecond: Double
        public var tenants: Int
        public var employeesPerTenant: Int
        public var concurrentUsers: Int
        enum CodingKeys: String, CodingKey, CaseIterable { case requestsPerSecond, writesPerSecond, tenants, employeesPerTenant, concurrentUsers }
    }

    /// Shares of the operations, adding up to 1; a share left out is 0.
    public struct OperationMix: Codable, Sendable, Equatable {
        public var read: Double
        public var write: Double
        public var batch: Double
        public var report: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case read, write, batch, report }

        public init(read: Double, write: Double, batch: Double, report: Double) {
            self.read = read
            self.write = write
            self.batch = batch
            self.report = report
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            read = try c.decodeIfPresent(Double.self, forKey: .read) ?? 0
            write = try c.decodeIfPresent(Double.self, forKey: .write) ?? 0
            batch = try c.decodeIfPresent(Double.self, forKey: .batch) ?? 0
            report = try c.decodeIfPresent(Double.self, forKey: .report) ?? 0
        }
    }

    /// Client retries of failed attempts.
    public struct Retry: Codable, Sendable, Equatable {
        /// Attempts in all, the first included (1: no retries).
        public var maxAttempts: Int
        public var backoff: SimDuration
        /// Each backoff is multiplied by a uniform factor in [1 − jitter, 1 + jitter].
        public var jitter: Double
        /// Retries may add at most this share of first attempts (a retry budget).
        public var budget: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case maxAttempts, backoff, jitter, budget }
    }

    /// The edge: entry point of all client traffic, L1 cache, routing and DNS caching.
    public struct Edge: Codable, Sendable, Equatable {
        /// Edge locations; each caches the DNS answer on its own.
        public var locations: Int
        public var l1TTL: SimDuration
        /// Share of reads whose data may be served from L1 (hot path data, session tokens).
        public var l1CacheableShare: Double
        public var processing: DurationSpec
        enum CodingKeys: String, CodingKey, CaseIterable { case locations, l1TTL, l1CacheableShare, processing }
    }

    /// The failover DNS record.
    public struct DNS: Codable, Sendable, Equatable {
        public var ttl: SimDuration
        /// Share of edge locations that keep a stale answer for up to `staleExtra` beyond the TTL.
        public var staleShare: Double
        public var staleExtra: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case ttl, staleShare, staleExtra }
    }

    /// The API service, deployed in each region.
    public struct Service: Codable, Sendable, Equatable {
        /// Warm instances in the primary region.
        public var instances: Int
        /// Warm instances kept in the failover region (the standby).
        public var standbyInstances: Int?
        /// Most instances a region can scale up to.
        public var maxInstances: Int?
        /// A region under load adds one instance per this interval, up to `maxInstances`.
        public var scaleUpInterval: SimDuration?
        /// A new instance's first request waits this long.
        public var coldStart: DurationSpec?
        /// Requests one instance serves at once.
        public var concurrency: Int
        /// Requests waiting per region beyond that; more are refused with a 503.
        public var queueLimit: Int
        /// The service's own processing time per request (before cache and database calls).
        public var processing: DurationSpec
        /// Extra processing for batch and report operations.
        public var batchProcessing: DurationSpec?
        public var reportProcessing: DurationSpec?
        /// Share of requests that fail with a 5xx in normal operation.
        public var backgroundErrorRate: Double
        enum CodingKeys: String, CodingKey, CaseIterable {
            case instances, standbyInstances, maxInstances, scaleUpInterval, coldStart, concurrency, queueLimit
            case processing, batchProcessing, reportProcessing, backgroundErrorRate
        }
    }

    /// The L2 cache (Redis) in each region.
    public struct Cache: Codable, Sendable, Equatable {
        public var ttl: SimDuration
        public var lookup: DurationSpec
        /// Cacheable keys per tenant (its employees' accrual snapshots plus its dashboard).
        public var keysPerTenant: Int?
        /// Whether the failover region's cache starts empty.
        public var coldInFailover: Bool
        /// The invalidation table, informational: writes invalidate the written key and the tenant's dashboard.
        public var invalidation: [Invalidation]?
        enum CodingKeys: String, CodingKey, CaseIterable { case ttl, lookup, keysPerTenant, coldInFailover, invalidation }
    }

    public struct Invalidation: Codable, Sendable, Equatable {
        public var event: String
        public var invalidates: String
        public var share: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case event, invalidates, share }
    }

    /// The primary database and its read replica in the failover region.
    public struct Database: Codable, Sendable, Equatable {
        public var read: DurationSpec
        public var write: DurationSpec
        /// Connections per region; a call finding none free fails at once (pool exhausted).
        public var poolSize: Int
        /// A call waits at most this long (an unreachable database makes calls hang until then).
        public var callTimeout: SimDuration
        /// Refused connections fail after this long.
        public var refuseLatency: SimDuration
        public var replication: Replication
        public var promotion: Promotion
        /// The share of calls to a reachable database that fail anyway in normal operation
        /// (transient errors); breakers see them, so false opens are measured. Default 0.
        public var errorRate: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case read, write, poolSize, callTimeout, refuseLatency, replication, promotion, errorRate }
    }

    public struct Replication: Codable, Sendable, Equatable {
        public enum Mode: String, Codable, Sendable, CaseIterable { case async, sync }
        public var mode: Mode
        /// Async: delay until a committed write reaches the replica.
        public var lag: DurationSpec
        enum CodingKeys: String, CodingKey, CaseIterable { case mode, lag }
    }

    public struct Promotion: Codable, Sendable, Equatable {
        public enum Mode: String, Codable, Sendable, CaseIterable { case automatic, manual }
        public var mode: Mode
        public var delay: DurationSpec
        enum CodingKeys: String, CodingKey, CaseIterable { case mode, delay }
    }

    /// Health-check probing.
    public struct HealthChecks: Codable, Sendable, Equatable {
        public enum Location: String, Codable, Sendable, CaseIterable { case external, edge }
        public var location: Location
        public var interval: SimDuration
        public var timeout: SimDuration
        /// Consecutive failures that mark a target unhealthy.
        public var failureThreshold: Int
        /// Consecutive successes that mark it healthy again.
        public var successThreshold: Int
        enum CodingKeys: String, CodingKey, CaseIterable { case location, interval, timeout, failureThreshold, successThreshold }
    }

    /// The failover controller's rules (the trigger table) and failback.
    public struct Controller: Codable, Sendable, Equatable {
        public var evaluationWindow: SimDuration
        public var minimumRequests: Int
        /// The 5xx rule fires when the primary's 5xx share over the window is strictly above this.
        public var errorRateThreshold: Double
        /// The database rule fires when `/api/health/db` has failed for strictly longer than this.
        public var databaseUnreachableFor: SimDuration
        /// While `/api/health/db` fails and `/api/health/compute` passes, the 5xx rule defers.
        public var precedence: Bool
        /// Count connection failures and timeouts between edge and region as 5xx (default: no).
        public var connectionErrorsAs5xx: Bool
        /// Delay between a rule firing and its action taking effect.
        public var actionDelay: SimDuration
        public var failback: Failback
        enum CodingKeys: String, CodingKey, CaseIterable {
            case evaluationWindow, minimumRequests, errorRateThreshold, databaseUnreachableFor, precedence
            case connectionErrorsAs5xx, actionDelay, failback
        }
    }

    public struct Failback: Codable, Sendable, Equatable {
        /// The primary must be healthy this long before traffic moves back.
        public var hysteresis: SimDuration
        /// Shares of traffic moved back, one step per `stepInterval` (the last must be 1).
        public var steps: [Double]
        public var stepInterval: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case hysteresis, steps, stepInterval }
    }

    /// What happens to writes while the primary database cannot take them.
    public struct Writes: Codable, Sendable, Equatable {
        public enum Policy: String, Codable, Sendable, CaseIterable { case queue, reject }
        public var policy: Policy
        public var queueCapacity: Int
        /// Replayed writes per second once the primary is writable.
        public var replayRate: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case policy, queueCapacity, replayRate }
    }

    /// Targets: latency SLA table, uptime, recovery definition, RPO/RTO.
    ///
    /// Every key is optional, and so is `slo` itself: no latency targets, `uptime` 0.999 (the
    /// reference's SLA), `recoveryErrorRate` 0.01 and `stabilityWindow` 10s (the contract's
    /// definition of recovered: 10 s below 1 % errors).
    public struct ServiceLevels: Codable, Sendable, Equatable {
        public var latency: [LatencyTarget]
        public var uptime: Double
        /// A bin is recovered when its error rate is below this.
        public var recoveryErrorRate: Double
        /// Every bin in this window must be recovered.
        public var stabilityWindow: SimDuration
        public var rpo: SimDuration?
        public var rto: SimDuration?
        enum CodingKeys: String, CodingKey, CaseIterable { case latency, uptime, recoveryErrorRate, stabilityWindow, rpo, rto }

        /// The defaults of every key (see the type's documentation).
        public static let defaults = ServiceLevels(latency: [], uptime: 0.999, recoveryErrorRate: 0.01, stabilityWindow: .seconds(10))

        public init(latency: [LatencyTarget], uptime: Double, recoveryErrorRate: Double, stabilityWindow: SimDuration,
                    rpo: SimDuration? = nil, rto: SimDuration? = nil) {
            self.latency = latency
            self.uptime = uptime
            self.recoveryErrorRate = recoveryErrorRate
            self.stabilityWindow = stabilityWindow
            self.rpo = rpo
            self.rto = rto
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = ServiceLevels.defaults
            latency = try c.decodeIfPresent([LatencyTarget].self, forKey: .latency) ?? defaults.latency
            uptime = try c.decodeIfPresent(Double.self, forKey: .uptime) ?? defaults.uptime
            recoveryErrorRate = try c.decodeIfPresent(Double.self, forKey: .recoveryErrorRate) ?? defaults.recoveryErrorRate
            stabilityWindow = try c.decodeIfPresent(SimDuration.self, forKey: .stabilityWindow) ?? defaults.stabilityWindow
            rpo = try c.decodeIfPresent(SimDuration.self, forKey: .rpo)
            rto = try c.decodeIfPresent(SimDuration.self, forKey: .rto)
        }
    }

    public struct LatencyTarget: Codable, Sendable, Equatable {
        public var operation: OperationClass
        public var p50: SimDuration
        public var p95: SimDuration
        public var p99: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case operation, p50, p95, p99 }
    }

    /// A row of the trigger table.
    public struct TriggerRow: Codable, Sendable, Equatable {
        public var condition: String
        public var action: String
        public var rule: Rule
        public var target: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case condition, action, rule, target }
    }

    /// Alert thresholds (warning, critical).
    public struct Alerts: Codable, Sendable, Equatable {
        public var evaluationWindow: SimDuration
        public var errorRate: Levels
        public var p95Latency: DurationLevels
        /// Open breaker instances: warning at `warning` or more, critical above `critical`.
        public var circuitsOpen: Levels
        public var cacheMissRate: Levels
        public var databaseConnections: Levels
        enum CodingKeys: String, CodingKey, CaseIterable { case evaluationWindow, errorRate, p95Latency, circuitsOpen, cacheMissRate, databaseConnections }
    }

    public struct Levels: Codable, Sendable, Equatable {
        public var warning: Double
        public var critical: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case warning, critical }
    }

    public struct DurationLevels: Codable, Sendable, Equatable {
        public var warning: SimDuration
        public var critical: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case warning, critical }
    }

    public struct Backup: Codable, Sendable, Equatable {
        public var data: String
        public var frequency: String
        public var retention: String
        enum CodingKeys: String, CodingKey, CaseIterable { case data, frequency, retention }
    }
}

/// The controller's rules, one per trigger-table row.
public enum Rule: String, Codable, Sendable, CaseIterable {
    /// Primary DB unreachable → switch reads to the read replica.
    case databaseUnreachable
    /// Primary API 5xx rate → route traffic to the failover region at the edge.
    case api5xx
    /// Primary region partitioned → DNS failover.
    case regionPartition
}

/// How the client-side latency of a request is classified (the SLA table's rows).
public enum OperationClass: String, Codable, Sendable, CaseIterable {
    /// A read answered from L1 or L2 without a database call.
    case cached
    /// A read that called a database.
    case db
    case write
    case batch
    case report
}

/// A breaker configuration: which call path it guards, its scope, and its policy.
///
/// The reference policy's parameters (`failureThreshold`, `successThreshold`, `resetTimeout`,
/// `monitorWindow`, `halfOpenMaxCalls`) sit on the breaker itself, as the reference writes them.
/// Another policy is chosen with `policy:` and takes its parameters, under the library's own
/// names, from a mapping named after it — `resilience4j: {failureRateThreshold: 20}`,
/// `hystrix: {…}`, `polly: {…}`, `consecutive: {…}` — missing ones take the library's defaults.
/// Every policy's mapping may be present at once, so that a sweep can switch `policy` with an
/// override; only the chosen policy's parameters are in force (the reference fields are then
/// ignored; under the reference policy each one left out takes its default).
public struct BreakerConfiguration: Codable, Sendable, Equatable {
    public enum Scope: String, Codable, Sendable, CaseIterable { case instance, region, global }
    /// The call path it guards.
    public enum Guards: String, Codable, Sendable, CaseIterable { case database, external, batch }
    public var name: String
    public var guards: Guards
    public var scope: Scope
    /// The policy in force (default `reference`).
    public var policy: BreakerPolicyKind
    /// The reference policy's parameters; each one left out takes the default
    /// `failsim breaker policies` lists (``ReferencePolicy``).
    public var failureThreshold: Int?
    public var successThreshold: Int?
    public var resetTimeout: SimDuration?
    public var monitorWindow: SimDuration?
    /// Trial calls admitted at once in HALF_OPEN (reference policy).
    public var halfOpenMaxCalls: Int?
    /// Parameters of the other policies, by policy, with the libraries' names.
    public var consecutive: [String: String]?
    public var resilience4j: [String: String]?
    public var hystrix: [String: String]?
    public var polly: [String: String]?
    /// The policy with every parameter resolved: what each breaker instance is built from.
    public let policyConfiguration: BreakerPolicyConfiguration
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, guards, scope, policy, failureThreshold, successThreshold, resetTimeout, monitorWindow, halfOpenMaxCalls
        case consecutive, resilience4j, hystrix, polly
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        guards = try c.decode(Guards.self, forKey: .guards)
        scope = try c.decodeIfPresent(Scope.self, forKey: .scope) ?? .instance
        policy = try c.decodeIfPresent(BreakerPolicyKind.self, forKey: .policy) ?? .reference
        failureThreshold = try c.decodeIfPresent(Int.self, forKey: .failureThreshold)
        successThreshold = try c.decodeIfPresent(Int.self, forKey: .successThreshold)
        resetTimeout = try c.decodeIfPresent(SimDuration.self, forKey: .resetTimeout)
        monitorWindow = try c.decodeIfPresent(SimDuration.self, forKey: .monitorWindow)
        halfOpenMaxCalls = try c.decodeIfPresent(Int.self, forKey: .halfOpenMaxCalls)
        consecutive = try c.decodeIfPresent([String: String].self, forKey: .consecutive)
        resilience4j = try c.decodeIfPresent([String: String].self, forKey: .resilience4j)
        hystrix = try c.decodeIfPresent([String: String].self, forKey: .hystrix)
        polly = try c.decodeIfPresent([String: String].self, forKey: .polly)
        // Every policy's parameters are checked, the chosen one's and the others', so that a typo
        // in a mapping not in force today is not found only by the sweep that switches to it.
        var resolved: BreakerPolicyConfiguration? = nil
        for kind in BreakerPolicyKind.allCases {
            let key: CodingKeys
            let parameters: [String: String]
            switch kind {
            case .reference:
                guard policy == .reference || failureThreshold != nil else { continue }
                var given: [String: String] = [:]
                for (field, value) in [(CodingKeys.failureThreshold, failureThreshold.map(String.init)),
                                       (.successThreshold, successThreshold.map(String.init)),
                                       (.resetTimeout, resetTimeout?.description), (.monitorWindow, monitorWindow?.description)] {
                    // A field left out takes the reference policy's default, the one
                    // `failsim breaker policies` lists (`ReferencePolicy(parameters:)`).
                    guard let value else { continue }
                    given[field.rawValue] = value
                }
                if let halfOpenMaxCalls { given["halfOpenMaxCalls"] = String(halfOpenMaxCalls) }
                (key, parameters) = (.failureThreshold, given)
            case .consecutive: guard let consecutive else { continue }; (key, parameters) = (.consecutive, consecutive)
            case .resilience4j: guard let resilience4j else { continue }; (key, parameters) = (.resilience4j, resilience4j)
            case .hystrix: guard let hystrix else { continue }; (key, parameters) = (.hystrix, hystrix)
            case .polly: guard let polly else { continue }; (key, parameters) = (.polly, polly)
            }
            do {
                let configuration = try BreakerPolicyConfiguration(kind: kind, parameters: parameters)
                if kind == policy { resolved = configuration }
            } catch {
                if kind == .reference, case .outOfRange(let parameter, _, _) = error, let field = CodingKeys(rawValue: parameter) {
                    throw DecodingError.dataCorruptedError(forKey: field, in: c, debugDescription: error.description)
                }
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(kind.rawValue) policy: \(error.description)")
            }
        }
        if let resolved {
            policyConfiguration = resolved
        } else {
            // The chosen policy has no mapping: the library's defaults throughout.
            do { policyConfiguration = try BreakerPolicyConfiguration(kind: policy, parameters: [:]) } catch {
                throw DecodingError.dataCorruptedError(forKey: .policy, in: c, debugDescription: error.description)
            }
        }
    }
}

// MARK: - Checked values

/// The coding key of a list element in a validation error's path (`[2]` in the key path).
struct ListIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) { intValue = index; stringValue = "Index \(index)" }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { nil }
}

extension ModelConfiguration {
    /// Decodes every section, then refuses values that would make a run meaningless, hang or
    /// crash (a probe every 0 s, no edge locations, a share above 1…); the error names the
    /// offending value's key path, so that the file decoder reports its line and column. A zero
    /// that means something (a DNS or cache TTL of 0, no warm standby) is allowed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        regions = try c.decode(Regions.self, forKey: .regions)
        links = try c.decodeIfPresent(Links.self, forKey: .links)
        traffic = try c.decode(Traffic.self, forKey: .traffic)
        edge = try c.decodeIfPresent(Edge.self, forKey: .edge)
        dns = try c.decodeIfPresent(DNS.self, forKey: .dns)
        service = try c.decode(Service.self, forKey: .service)
        cache = try c.decodeIfPresent(Cache.self, forKey: .cache)
        database = try c.decodeIfPresent(Database.self, forKey: .database)
        breakers = try c.decodeIfPresent([BreakerConfiguration].self, forKey: .breakers)
        healthChecks = try c.decodeIfPresent(HealthChecks.self, forKey: .healthChecks)
        controller = try c.decodeIfPresent(Controller.self, forKey: .controller)
        writes = try c.decodeIfPresent(Writes.self, forKey: .writes)
        slo = try c.decodeIfPresent(ServiceLevels.self, forKey: .slo) ?? .defaults
        triggers = try c.decodeIfPresent([TriggerRow].self, forKey: .triggers)
        alerts = try c.decodeIfPresent(Alerts.self, forKey: .alerts)
        backups = try c.decodeIfPresent([Backup].self, forKey: .backups)
        try checkValues(at: decoder.codingPath)
    }

    /// The shortest period of anything the run repeats (probes, scale-up steps, failback steps)
    /// and the shortest look-back window.
    public static let shortestPeriod = SimDuration.milliseconds(1)
    /// The longest window the controller's and the alerts' rules may look back over: the
    /// observation ring's length.
    public static let longestLookBack = SimDuration.seconds(Int64(ObservationRing.size))
    /// The lowest arrival rate above zero, requests per second.
    public static let lowestRate = 1e-6
    /// How far the mix's shares may add up from 1 (rounding of decimal shares).
    public static let mixTolerance = 1e-9

    /// The value checks of ``init(from:)``, in file order.
    func checkValues(at base: [any CodingKey]) throws {
        func refuse(_ path: [any CodingKey], _ message: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: base + path, debugDescription: message))
        }
        func atLeastOne(_ value: Int, _ path: [any CodingKey]) throws {
            if value < 1 { throw refuse(path, "\(path.last!.stringValue) must be at least 1, found \(value)") }
        }
        func notNegative(_ value: Int, _ path: [any CodingKey]) throws {
            if value < 0 { throw refuse(path, "\(path.last!.stringValue) must be zero or more, found \(value)") }
        }
        func notNegative(_ value: Double, _ path: [any CodingKey]) throws {
            if value < 0 { throw refuse(path, "\(path.last!.stringValue) must be zero or more, found \(value)") }
        }
        func share(_ value: Double, _ path: [any CodingKey]) throws {
            if !(value >= 0 && value <= 1) { throw refuse(path, "\(path.last!.stringValue) must be from 0 to 1, found \(value)") }
        }
        func positive(_ value: SimDuration, _ path: [any CodingKey]) throws {
            if value.nanoseconds <= 0 { throw refuse(path, "\(path.last!.stringValue) must be longer than zero, found \(value)") }
        }
        /// A period or window the run acts on again and again: at least a millisecond, or a
        /// probe every nanosecond would deliver a billion events per simulated second.
        func periodic(_ value: SimDuration, _ path: [any CodingKey]) throws {
            if value < Self.shortestPeriod {
                throw refuse(path, "\(path.last!.stringValue) must be at least \(Self.shortestPeriod), found \(value)")
            }
        }
        /// A window the controller or the monitor looks back over: at most what the observation
        /// ring keeps (a longer one would silently see only the ring).
        func lookBack(_ value: SimDuration, _ path: [any CodingKey]) throws {
            try periodic(value, path)
            if value > Self.longestLookBack {
                throw refuse(path, "\(path.last!.stringValue) is at most \(Self.longestLookBack) (the responses of the last "
                             + "\(ObservationRing.size) seconds are kept), found \(value)")
            }
        }
        func rate(_ value: Double, _ path: [any CodingKey]) throws {
            try notNegative(value, path)
            // Arrival gaps are drawn as −ln(u)/rate ≤ 37/rate seconds; a rate this low would draw
            // gaps beyond the longest simulated time.
            if value > 0 && value < Self.lowestRate {
                throw refuse(path, "\(path.last!.stringValue) must be 0 or at least \(Self.lowestRate) (one request in about 12 days), found \(value)")
            }
        }
        typealias K = CodingKeys

        if let problem = RunName.problem(name) { throw refuse([K.name], "a model's name: \(problem)") }
        if regions.primary.isEmpty { throw refuse([K.regions, Regions.CodingKeys.primary], "a region needs a name") }
        if let failover = regions.failover, failover == regions.primary || failover.isEmpty {
            throw refuse([K.regions, Regions.CodingKeys.failover], "the failover region must have a name other than the primary's ('\(regions.primary)')")
        }

        typealias T = Traffic.CodingKeys
        try rate(traffic.requestsPerSecond, [K.traffic, T.requestsPerSecond])
        for (index, step) in (traffic.profile ?? []).enumerated() {
            try rate(step.requestsPerSecond, [K.traffic, T.profile, ListIndexKey(index), RateStep.CodingKeys.requestsPerSecond])
        }
        try atLeastOne(traffic.tenants, [K.traffic, T.tenants])
        try notNegative(traffic.tenantSkew, [K.traffic, T.tenantSkew])
        try notNegative(traffic.employeesPerTenant, [K.traffic, T.employeesPerTenant])
        if let users = traffic.concurrentUsers { try notNegative(users, [K.traffic, T.concurrentUsers]) }
        typealias X = OperationMix.CodingKeys
        let mix = traffic.mix
        for (value, key) in [(mix.read, X.read), (mix.write, .write), (mix.batch, .batch), (mix.report, .report)] {
            try notNegative(value, [K.traffic, T.mix, key])
        }
        let sum = mix.read + mix.write + mix.batch + mix.report
        if !(abs(sum - 1) <= Self.mixTolerance) {
            throw refuse([K.traffic, T.mix], "the shares of the mix must add up to 1, found \(sum) "
                         + "(read \(mix.read) + write \(mix.write) + batch \(mix.batch) + report \(mix.report))")
        }
        try positive(traffic.deadline, [K.traffic, T.deadline])
        if let retry = traffic.retry {
            try atLeastOne(retry.maxAttempts, [K.traffic, T.retry, Retry.CodingKeys.maxAttempts])
            try share(retry.jitter, [K.traffic, T.retry, Retry.CodingKeys.jitter])
            try notNegative(retry.budget, [K.traffic, T.retry, Retry.CodingKeys.budget])
        }

        if let edge {
            try atLeastOne(edge.locations, [K.edge, Edge.CodingKeys.locations])
            try share(edge.l1CacheableShare, [K.edge, Edge.CodingKeys.l1CacheableShare])
        }
        if let dns { try share(dns.staleShare, [K.dns, DNS.CodingKeys.staleShare]) }

        typealias S = Service.CodingKeys
        try atLeastOne(service.instances, [K.service, S.instances])
        if let standby = service.standbyInstances { try notNegative(standby, [K.service, S.standbyInstances]) }
        if let most = service.maxInstances { try atLeastOne(most, [K.service, S.maxInstances]) }
        if let interval = service.scaleUpInterval { try periodic(interval, [K.service, S.scaleUpInterval]) }
        try atLeastOne(service.concurrency, [K.service, S.concurrency])
        try notNegative(service.queueLimit, [K.service, S.queueLimit])
        try share(service.backgroundErrorRate, [K.service, S.backgroundErrorRate])

        if let cache {
            if let keys = cache.keysPerTenant { try atLeastOne(keys, [K.cache, Cache.CodingKeys.keysPerTenant]) }
            for (index, entry) in (cache.invalidation ?? []).enumerated() {
                if let value = entry.share { try share(value, [K.cache, Cache.CodingKeys.invalidation, ListIndexKey(index), Invalidation.CodingKeys.share]) }
            }
        }
        if let database {
            try atLeastOne(database.poolSize, [K.database, Database.CodingKeys.poolSize])
            try positive(database.callTimeout, [K.database, Database.CodingKeys.callTimeout])
            if let rate = database.errorRate { try share(rate, [K.database, Database.CodingKeys.errorRate]) }
        }
        if let checks = healthChecks {
            typealias H = HealthChecks.CodingKeys
            try positive(checks.interval, [K.healthChecks, H.interval])
            try periodic(checks.interval, [K.healthChecks, H.interval])
            try atLeastOne(checks.failureThreshold, [K.healthChecks, H.failureThreshold])
            try atLeastOne(checks.successThreshold, [K.healthChecks, H.successThreshold])
        }
        if let controller {
            typealias C = Controller.CodingKeys
            try positive(controller.evaluationWindow, [K.controller, C.evaluationWindow])
            try lookBack(controller.evaluationWindow, [K.controller, C.evaluationWindow])
            try periodic(controller.failback.stepInterval, [K.controller, C.failback, Failback.CodingKeys.stepInterval])
            try notNegative(controller.minimumRequests, [K.controller, C.minimumRequests])
            try share(controller.errorRateThreshold, [K.controller, C.errorRateThreshold])
            let steps = controller.failback.steps
            let stepsPath: [any CodingKey] = [K.controller, C.failback, Failback.CodingKeys.steps]
            for (index, step) in steps.enumerated() where !(step > 0 && step <= 1) {
                throw refuse(stepsPath + [ListIndexKey(index)], "a failback step is a share of traffic above 0 and at most 1, found \(step)")
            }
            if steps.last != 1 { throw refuse(stepsPath, "the last failback step must be 1 (all traffic back), found \(steps.last.map { "\($0)" } ?? "no steps")") }
        }
        if let writes {
            try notNegative(writes.queueCapacity, [K.writes, Writes.CodingKeys.queueCapacity])
            if !(writes.replayRate > 0) { throw refuse([K.writes, Writes.CodingKeys.replayRate], "replayRate must be above zero, found \(writes.replayRate)") }
        }

        if let alerts {
            try lookBack(alerts.evaluationWindow, [K.alerts, Alerts.CodingKeys.evaluationWindow])
        }

        typealias L = ServiceLevels.CodingKeys
        if !(slo.uptime > 0 && slo.uptime <= 1) {
            throw refuse([K.slo, L.uptime], "uptime is a share above 0 and at most 1 (99.9 % is 0.999), found \(slo.uptime)")
        }
        try share(slo.recoveryErrorRate, [K.slo, L.recoveryErrorRate])
        try positive(slo.stabilityWindow, [K.slo, L.stabilityWindow])
        for (index, row) in (triggers ?? []).enumerated() {
            try positive(row.target, [K.triggers, ListIndexKey(index), TriggerRow.CodingKeys.target])
        }
    }
}
