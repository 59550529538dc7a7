// The reference model and its trigger-table experiment, embedded so that `failsim run` works
// from any folder. They must equal models/esta-tracker.yaml and experiments/trigger-table.yaml
// byte for byte (a test checks; after editing either file, regenerate this one with
// `.ci/embed-defaults`).

/// Files built into the binary.
public enum EmbeddedDefaults {
    /// `models/esta-tracker.yaml`.
    public static let modelFile = "models/esta-tracker.yaml"
    /// `experiments/trigger-table.yaml`.
    public static let experimentFile = "experiments/trigger-table.yaml"

    /// The text of `models/esta-tracker.yaml`.
    public static let modelText = #"""
kind: model
name: esta-tracker
description: >
  ESTA Tracker's multi-region reliability architecture (shared/reference/esta-reliability-architecture.md).
  Numbers marked "reference" are the document's own; every other number is a default chosen here,
  with its source in the comment beside it.

regions:
  primary: us-central1      # reference: primary region (Iowa)
  failover: us-east1        # reference: failover region (South Carolina)

links:
  # default: client to a nearby edge PoP, ~10 ms one way with a long tail (typical CDN RTTs).
  clientToEdge: {lognormal: {median: 8ms, p99: 40ms}}
  # contract §2: edge → region 10–30 ms one way.
  edgeToRegion: {uniform: {low: 10ms, high: 30ms}}
  # contract §2: us-central1 ↔ us-east1 ≈ 15 ms one way (GCP inter-region latency tables).
  betweenRegions: {lognormal: {median: 15ms, p99: 22ms}}
  # default: a caller on a cut link gives up after 3 s (edge upstream connect timeout).
  connectTimeout: 3s

traffic:
  requestsPerSecond: 1000   # reference: load target 1,000 req/s
  tenants: 1000             # reference: 1,000 tenants
  tenantSkew: 1.0           # default: Zipf(1) tenant sizes — a few large employers, many small
  employeesPerTenant: 50    # reference: 50 employees per tenant (average)
  concurrentUsers: 10000    # reference: 10,000 concurrent users
  mix:                      # reference: 100 writes/s of 1,000 req/s; batch and report shares are defaults
    read: 0.88
    write: 0.10
    batch: 0.015
    report: 0.005
  deadline: 10s             # default: browser/client timeout for an API call
  retry:                    # default: no client retries (one attempt); set maxAttempts to enable
    maxAttempts: 1
    backoff: 200ms
    jitter: 0.5
    budget: 0.1
  peak:                     # reference: Q4-2025 peak expectation
    requestsPerSecond: 2000
    writesPerSecond: 200
    tenants: 1500
    employeesPerTenant: 75
    concurrentUsers: 15000

edge:
  locations: 8              # default: 8 edge regions each caching DNS separately (Vercel edge network)
  l1TTL: 15s                # reference: L1 TTL 5–30 s (midpoint)
  l1CacheableShare: 0.3     # default: share of reads that are hot-path data or session tokens
  processing: {lognormal: {median: 1ms, p99: 4ms}}   # default: edge function overhead

dns:
  ttl: 60s                  # default: 60 s record TTL (Route 53 failover records' common setting)
  staleShare: 0.05          # default: 5 % of resolvers keep a stale answer ...
  staleExtra: 30s           # ... for up to 30 s more (below the 120 s target: a stale tail delays, it does not prevent)

service:
  instances: 10             # default: primary Cloud Functions instances kept warm
  standbyInstances: 3       # default: warm standby instances in the failover region
  maxInstances: 10          # default: either region scales up to the primary's size
  scaleUpInterval: 5s       # default: one instance added per 5 s under queueing (Cloud Functions autoscaling)
  coldStart: {lognormal: {median: 800ms, p99: 3s}}   # default: Node.js Cloud Functions cold starts
  concurrency: 40           # default: requests per instance at once (2nd-gen functions allow up to 1,000)
  queueLimit: 2000          # default: requests waiting per region before 503s
  processing: {lognormal: {median: 3ms, p99: 15ms}}  # default: handler CPU time
  batchProcessing: {lognormal: {median: 250ms, p99: 900ms}}
  reportProcessing: {lognormal: {median: 1500ms, p99: 5s}}
  backgroundErrorRate: 0.0002   # default: 0.02 % of requests fail in normal operation (contract §3)

cache:
  ttl: 10m                  # reference: L2 TTL 1–30 min
  lookup: {lognormal: {median: 1ms, p99: 4ms}}       # default: Upstash Redis in-region round trip
  keysPerTenant: 51         # reference: 50 employees' accrual snapshots + 1 dashboard per tenant
  coldInFailover: true      # default: the replica Redis starts empty (cache is rebuilt, reference backup table)
  invalidation:             # reference: cache invalidation patterns (writes invalidate the key and the dashboard)
    - {event: Work log created, invalidates: employee accrual cache}
    - {event: Sick time approved, invalidates: employee + dashboard cache}
    - {event: Employee added, invalidates: employer dashboard cache}
    - {event: Tenant settings changed, invalidates: all tenant cache}

database:
  read: {lognormal: {median: 12ms, p99: 60ms}}       # default: Firestore document read in region
  write: {lognormal: {median: 40ms, p99: 150ms}}     # default: Firestore commit in region
  poolSize: 500             # default: connections per region's API
  callTimeout: 2s           # default: per-call deadline of the database client
  refuseLatency: 5ms        # default: a refused connection fails this fast
  errorRate: 0.0001         # default: 0.01 % of calls fail transiently (Firestore's regional SLA is 99.99 %)
  replication:
    mode: async             # reference: "async backup"; a variant sets sync
    lag: {lognormal: {median: 200ms, p99: 2s}}       # default: cross-region replication lag
  promotion:
    mode: manual            # reference: "< 15 min (manual intervention)"
    delay: {uniform: {low: 3m, high: 15m}}

breakers:                   # reference: circuit breaker configuration
  - {name: firestore, guards: database, failureThreshold: 5, successThreshold: 2, resetTimeout: 30s, monitorWindow: 60s, scope: instance, halfOpenMaxCalls: 1}
  - {name: external-api, guards: external, failureThreshold: 3, successThreshold: 2, resetTimeout: 60s, monitorWindow: 120s, scope: instance, halfOpenMaxCalls: 1}
  - {name: background-jobs, guards: batch, failureThreshold: 10, successThreshold: 3, resetTimeout: 120s, monitorWindow: 300s, scope: instance, halfOpenMaxCalls: 1}

healthChecks:
  location: external        # contract §2: probes from outside the regions, as a DNS health checker is
  interval: 10s             # default: Route 53 fast health checks (10 s) ...
  timeout: 2s
  failureThreshold: 3       # ... with a failure threshold of 3
  successThreshold: 2

controller:
  evaluationWindow: 10s     # contract §4: 10 s sliding window
  minimumRequests: 100      # contract §4: at least 100 requests
  errorRateThreshold: 0.10  # reference: 5xx rate > 10 % (strictly greater)
  databaseUnreachableFor: 30s   # reference: DB unreachable > 30 s
  precedence: true          # contract §4: the 5xx rule defers while /api/health/db fails and compute passes
  connectionErrorsAs5xx: false
  actionDelay: 1s           # default: time for an action to take effect after the rule fires
  failback:
    hysteresis: 60s         # default: primary healthy 60 s before traffic moves back
    steps: [0.1, 0.5, 1.0]  # contract §4: 10 % → 50 % → 100 %
    stepInterval: 30s

writes:
  policy: queue             # reference: "write operations queued or rejected"; queue is the contract's default
  queueCapacity: 100000     # default: ~15 min of writes at 100/s
  replayRate: 400           # default: replay at 4× the write rate once the primary is writable

slo:
  latency:                  # reference: latency SLA guarantees
    - {operation: cached, p50: 10ms, p95: 25ms, p99: 50ms}
    - {operation: db, p50: 50ms, p95: 100ms, p99: 200ms}
    - {operation: write, p50: 100ms, p95: 250ms, p99: 500ms}
    - {operation: batch, p50: 500ms, p95: 1000ms, p99: 2000ms}
    - {operation: report, p50: 2s, p95: 5s, p99: 10s}
  uptime: 0.999             # reference: 99.9 % uptime SLA
  recoveryErrorRate: 0.01   # contract §4: recovered below 1 % errors ...
  stabilityWindow: 10s      # ... for 10 s
  rpo: 0s                   # reference: RPO target 0 s
  rto: 5m                   # reference: RTO target < 5 min

triggers:                   # reference: automatic failover triggers
  - {condition: Primary DB unreachable >30s, action: Switch to read replica, rule: databaseUnreachable, target: 60s}
  - {condition: Primary API 5xx rate >10%, action: Route to failover region, rule: api5xx, target: 30s}
  - {condition: Primary region network partition, action: DNS failover, rule: regionPartition, target: 120s}

alerts:                     # reference: alert thresholds
  evaluationWindow: 1m      # default: alert rules look at the last minute
  errorRate: {warning: 0.01, critical: 0.05}
  p95Latency: {warning: 500ms, critical: 2s}
  circuitsOpen: {warning: 1, critical: 4}       # "any" and "> 3 circuits"
  cacheMissRate: {warning: 0.30, critical: 0.50}
  databaseConnections: {warning: 0.80, critical: 0.95}

backups:                    # reference: backup strategy
  - {data: Firestore, frequency: Continuous, retention: 30 days}
  - {data: Redis cache, frequency: On-demand, retention: N/A (rebuilt)}
  - {data: Configuration, frequency: Daily, retention: 90 days}
  - {data: Audit logs, frequency: Continuous, retention: 3 years}

"""#

    /// The text of `experiments/trigger-table.yaml`.
    public static let experimentText = #"""
kind: experiment
name: trigger-table
description: >
  One fault per row of the reference's trigger table, spaced so that each incident (failback and
  cache re-warm included) ends before the next begins. With the reference defaults every row
  should be measured and pass; the variants show settings a user would expect to fail.
model: ../models/esta-tracker.yaml
warmUp: 1m
duration: 40m
seeds: [1, 2, 3, 4, 5]
faults:
  - name: primary-db-outage
    row: 1
    kind: databaseUnreachable
    mode: blackhole
    target: us-central1
    at: 2m
    duration: 90s
  - name: primary-api-5xx
    row: 2
    kind: api5xx
    fraction: 0.3
    target: us-central1
    at: 13m
    duration: 3m
  - name: primary-region-partition
    row: 3
    kind: partition
    links: [clients-region, edge-region, region-region]
    target: us-central1
    at: 25m
    duration: 5m
variants:
  - name: slow-dns-checks
    description: DNS health checks every 30 s (× 3) with the 60 s TTL.
    overrides: {healthChecks.interval: 30s}
    expectation: the partition row misses its 120 s target
  - name: long-reset-timeout
    description: the firestore breaker waits 5 min before HALF_OPEN.
    overrides: {"breakers[0].resetTimeout": 5m}
    expectation: failback after the database outage is delayed
  - name: no-precedence
    description: the 5xx rule does not defer to the database rule.
    overrides: {controller.precedence: "false"}
    expectation: a database outage sets off the region failover (the wrong rule acts)

"""#
}
