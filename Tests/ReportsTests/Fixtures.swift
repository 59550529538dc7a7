import Foundation
import RunResults
// Through SimulationStatistics: the histogram's durations are the core's.
import SimulationCore
import SimulationStatistics

/// Runs built in code, shaped like the model's: 10 s series, the model's event kinds and details.
enum Fixtures {
    static func identity(experiment: String = "fixture", variant: String = "baseline", seed: UInt64 = 1,
                         overrides: [String: String] = [:]) -> RunIdentity {
        RunIdentity(runKey: "key-\(experiment)-\(variant)-\(seed)", model: "esta-tracker", modelHash: "model-hash-\(variant)",
                    experiment: experiment, experimentHash: "experiment-hash", variant: variant, overrides: overrides, seed: seed,
                    engineVersion: "test-engine", digest: "digest-\(variant)-\(seed)", events: 1_234_567, simulatedSeconds: 1860,
                    wallSeconds: 3.5)
    }

    static let availability = AvailabilityResult(
        requestBased: 0.9991, timeBased: 0.9667, errorBudgetUsed: 0.0019, requests: 1_800_000, served: 1_798_380,
        goodMinutes: 29, badMinutes: 1, noDataMinutes: 0,
        regions: [ScopedAvailability(scope: "us-central1", requests: 1_700_000, served: 1_698_400, requestBased: 0.99906),
                  ScopedAvailability(scope: "us-east1", requests: 100_000, served: 99_980, requestBased: 0.9998)],
        tenants: (1...8).map { ScopedAvailability(scope: "tenant-\($0)", requests: 1000, served: Int64(1000 - $0), requestBased: Double(1000 - $0) / 1000) })

    /// A serialised histogram of a few latencies around `milliseconds`.
    static func histogram(_ milliseconds: Int64) -> Data {
        var histogram = LatencyHistogram()
        for offset in 0..<20 { histogram.record(.milliseconds(milliseconds + Int64(offset))) }
        return Data(histogram.serialized())
    }

    static let latency = [
        LatencyResult(operation: "cached", count: 900_000, p50Ms: 52.1, p95Ms: 61.3, p99Ms: 70.2, meanMs: 53, maxMs: 300,
                      targetP50Ms: 10, targetP95Ms: 50, targetP99Ms: 100, passed: false, histogram: histogram(50)),
        LatencyResult(operation: "db", count: 700_000, p50Ms: 80.5, p95Ms: 120.2, p99Ms: 180.9, meanMs: 85, maxMs: 900,
                      targetP50Ms: 100, targetP95Ms: 200, targetP99Ms: 500, passed: true, histogram: histogram(80)),
        LatencyResult(operation: "report", count: 1_000, p50Ms: 900, p95Ms: 1500, p99Ms: 2100, meanMs: 950, maxMs: 3000,
                      histogram: histogram(900)),
    ]

    /// 30 minutes of steady traffic in 10 s intervals; `errorAt` raises the error rate.
    static func series(end: Double = 1800, errorAt: (Double) -> Double = { _ in 0.001 },
                       replica: (Double) -> Double = { _ in 0 }, routed: (Double) -> Double = { _ in 0 },
                       dnsPrimary: (Double) -> Double = { _ in 1 }) -> [MetricSample] {
        var samples: [MetricSample] = []
        var start = 0.0
        while start < end {
            let error = errorAt(start)
            samples.append(MetricSample(metric: "requestsPerSecond", scope: "all", startSeconds: start, widthSeconds: 10,
                                        value: 1000 + (start.truncatingRemainder(dividingBy: 70) - 35) / 2))
            samples.append(MetricSample(metric: "errorRate", scope: "all", startSeconds: start, widthSeconds: 10, value: error))
            samples.append(MetricSample(metric: "p95LatencyMs", scope: "all", startSeconds: start, widthSeconds: 10, value: 95 + error * 4000))
            samples.append(MetricSample(metric: "readsToReplica", scope: "all", startSeconds: start, widthSeconds: 10, value: replica(start)))
            samples.append(MetricSample(metric: "routedToFailover", scope: "all", startSeconds: start, widthSeconds: 10, value: routed(start)))
            samples.append(MetricSample(metric: "dnsPrimaryShare", scope: "all", startSeconds: start, widthSeconds: 10, value: dnsPrimary(start)))
            samples.append(MetricSample(metric: "writeQueueLength", scope: "all", startSeconds: start, widthSeconds: 10, value: 0))
            samples.append(MetricSample(metric: "poolInUse", scope: "us-central1", startSeconds: start, widthSeconds: 10, value: 12))
            start += 10
        }
        return samples
    }

    /// A run with no fault: no incidents, no verdicts, no events.
    static func quietRun(seed: UInt64 = 1) -> RunResult {
        RunResult(identity: identity(experiment: "quiet", seed: seed), status: .completed,
                  availability: AvailabilityResult(requestBased: 0.999, timeBased: 1, errorBudgetUsed: 0, requests: 1_800_000, served: 1_798_200,
                                                   goodMinutes: 30, badMinutes: 0, noDataMinutes: 0),
                  latency: latency, writes: WriteOutcomes(acknowledged: 180_000), series: series())
    }

    /// The instance-scoped breaker names of the reference model.
    static func breaker(_ instance: Int, target: String = "us-central1") -> String {
        "firestore→db-\(target)@us-central1/api-\(instance)"
    }

    /// A run of the three trigger rows: a database outage at 120 s, API 5xx at 600 s, a partition
    /// at 1200 s. `recovery` sets each row's recovery time (nil: not recovered, censored).
    static func threeRowRun(variant: String = "baseline", seed: UInt64 = 1, recovery: [Double?] = [35, 8, 113],
                            detection: [Double] = [34, 6.9, 24], targets: [Double] = [60, 30, 120],
                            falseOpens: Int = 0, breakerDelay: Double = 5, experiment: String = "trigger-fixture") -> RunResult {
        let onsets: [Double] = [120, 600, 1200]
        let durations: [Double] = [90, 180, 300]
        let faults = ["primary-db-outage", "primary-api-5xx", "primary-region-partition"]
        let kinds = ["databaseUnreachable", "api5xx", "partition"]
        let rules = ["databaseUnreachable", "api5xx", "regionPartition"]
        var incidents: [IncidentResult] = []
        var triggers: [TriggerVerdict] = []
        for row in 0..<3 {
            let onset = onsets[row]
            let recovered = recovery[row]
            incidents.append(IncidentResult(
                fault: faults[row], faultKind: kinds[row], target: "us-central1", onsetSeconds: onset, endSeconds: onset + durations[row],
                detectedAtSeconds: onset + detection[row], mitigatedAtSeconds: onset + detection[row] + 1,
                recoveredAtSeconds: recovered.map { onset + $0 }, failbackEndedAtSeconds: onset + durations[row] + 150,
                detectionSeconds: detection[row], recoverySeconds: recovered, readRecoverySeconds: recovered, writeRecoverySeconds: recovered,
                outcome: recovered == nil ? .notRecovered : .recovered, censoredAtSeconds: recovered == nil ? onset + 500 : nil,
                rule: rules[row], requests: 90_000, requestsFailed: 3_000, failbackRequestsFailed: 12, staleReads: 40,
                writesQueued: row == 0 ? 5_000 : 0, writesReplayed: row == 0 ? 5_000 : 0))
            triggers.append(TriggerVerdict(
                row: row + 1, condition: ["Primary DB unreachable >30s", "Primary API 5xx rate >10%", "Primary region network partition"][row],
                action: ["Switch to read replica", "Route to failover region", "DNS failover"][row], targetSeconds: targets[row],
                fault: faults[row], detectionSeconds: detection[row], recoverySeconds: recovered,
                outcome: recovered == nil ? .notRecovered : .recovered, passed: recovered.map { $0 < targets[row] } ?? false, rule: rules[row]))
        }
        var events: [LoggedEvent] = []
        for row in 0..<3 {
            events.append(LoggedEvent(timeSeconds: onsets[row], kind: "faultStart", subject: faults[row], detail: "\(kinds[row]) on us-central1 for \(Int(durations[row]))s"))
            events.append(LoggedEvent(timeSeconds: onsets[row] + durations[row], kind: "faultEnd", subject: faults[row], detail: "\(kinds[row]) on us-central1 lifted"))
        }
        // Database outage: health check, replica switch, breakers of 8 instances open then close.
        events.append(LoggedEvent(timeSeconds: 130, kind: "healthChange", subject: "/api/health/db", detail: "unhealthy after 3 failing probes"))
        events.append(LoggedEvent(timeSeconds: 154, kind: "failover", subject: "databaseUnreachable", detail: "db unreachable for 30 s"))
        events.append(LoggedEvent(timeSeconds: 155, kind: "action", subject: "databaseUnreachable", detail: "reads switched to the replica in us-east1"))
        for instance in 0..<8 {
            let open = 120 + breakerDelay + Double(instance)
            events.append(LoggedEvent(timeSeconds: open, kind: "breakerTransition", subject: breaker(instance), detail: "CLOSED → OPEN: 5 failures in 60 s"))
            events.append(LoggedEvent(timeSeconds: open + 30, kind: "breakerTransition", subject: breaker(instance), detail: "OPEN → HALF_OPEN: reset timeout"))
            events.append(LoggedEvent(timeSeconds: open + 30, kind: "breakerTransition", subject: breaker(instance), detail: "HALF_OPEN → OPEN: trial failed"))
            events.append(LoggedEvent(timeSeconds: 240 + Double(instance), kind: "breakerTransition", subject: breaker(instance), detail: "OPEN → HALF_OPEN: reset timeout"))
            events.append(LoggedEvent(timeSeconds: 250 + Double(instance), kind: "breakerTransition", subject: breaker(instance), detail: "HALF_OPEN → CLOSED: 3 successes"))
        }
        for index in 0..<falseOpens {
            let time = 900 + Double(index) * 40
            events.append(LoggedEvent(timeSeconds: time, kind: "breakerTransition", subject: breaker(index % 8), detail: "CLOSED → OPEN: 5 failures in 60 s"))
            events.append(LoggedEvent(timeSeconds: time + 30, kind: "breakerTransition", subject: breaker(index % 8), detail: "OPEN → HALF_OPEN: reset timeout"))
            events.append(LoggedEvent(timeSeconds: time + 31, kind: "breakerTransition", subject: breaker(index % 8), detail: "HALF_OPEN → CLOSED: 3 successes"))
        }
        events.append(LoggedEvent(timeSeconds: 140, kind: "alertFired", subject: "errorRate", detail: "critical (value 0.31)"))
        events.append(LoggedEvent(timeSeconds: 200, kind: "alertResolved", subject: "errorRate", detail: "down to ok (value 0.001)"))
        events.append(LoggedEvent(timeSeconds: 240, kind: "healthChange", subject: "/api/health/db", detail: "healthy after 2 passing probes"))
        events.append(LoggedEvent(timeSeconds: 420, kind: "failback", subject: "databaseUnreachable", detail: "100% of reads back on the primary database"))
        // API 5xx: routing.
        events.append(LoggedEvent(timeSeconds: 607, kind: "failover", subject: "api5xx", detail: "5xx share 0.3 over 10 s"))
        events.append(LoggedEvent(timeSeconds: 608, kind: "action", subject: "api5xx", detail: "edge routes all traffic to us-east1"))
        events.append(LoggedEvent(timeSeconds: 610, kind: "alertFired", subject: "errorRate", detail: "warning (value 0.02)"))
        events.append(LoggedEvent(timeSeconds: 630, kind: "alertResolved", subject: "errorRate", detail: "down to ok (value 0.001)"))
        events.append(LoggedEvent(timeSeconds: 900, kind: "failback", subject: "api5xx", detail: "100% of traffic back on us-central1"))
        // Partition: DNS.
        events.append(LoggedEvent(timeSeconds: 1224, kind: "healthChange", subject: "/api/health/compute", detail: "unhealthy after 3 failing probes"))
        events.append(LoggedEvent(timeSeconds: 1224, kind: "failover", subject: "regionPartition", detail: "/api/health/compute unhealthy"))
        events.append(LoggedEvent(timeSeconds: 1225, kind: "dnsChange", subject: "api", detail: "record now answers us-east1; edge locations follow as their TTL expires"))
        events.append(LoggedEvent(timeSeconds: 1510, kind: "healthChange", subject: "/api/health/compute", detail: "healthy after 2 passing probes"))
        events.append(LoggedEvent(timeSeconds: 1600, kind: "dnsChange", subject: "api", detail: "record answers us-central1 again"))
        events.sort { $0.timeSeconds < $1.timeSeconds }

        let series = series(
            errorAt: { t in
                if t >= 120 && t < 160 { return 0.3 }
                if t >= 600 && t < 610 { return 0.3 }
                if t >= 1200 && t < 1310 { return 0.2 }
                return 0.001
            },
            replica: { t in t >= 150 && t < 420 ? 1 : 0 },
            routed: { t in t >= 600 && t < 900 ? 1 : 0 },
            dnsPrimary: { t in t >= 1230 && t < 1300 ? 0.1 : (t >= 1300 && t < 1600 ? 0 : (t >= 1600 && t < 1660 ? 0.5 : 1)) })
        let breakers = (0..<8).map { instance in
            BreakerSummary(breaker: breaker(instance), opens: 2 + (instance < falseOpens ? 1 : 0), falseOpens: instance < falseOpens ? 1 : 0,
                           secondsOpen: 120, callsRejected: 400)
        }
        return RunResult(identity: identity(experiment: experiment, variant: variant, seed: seed), status: .completed, incidents: incidents,
                         triggers: triggers, availability: availability, latency: latency,
                         writes: WriteOutcomes(acknowledged: 180_000, queued: 5_000, rejected: 0, replayed: 5_000, lost: 0, duplicatesSuppressed: 3),
                         breakers: breakers, series: series, events: events)
    }

    /// `variants` × `seeds` runs of the three rows, with per-variant shifts so that variants differ.
    static func experimentRuns(seeds: Int = 5, variants: [String] = ["baseline", "slow-dns-checks", "long-reset-timeout", "no-precedence"]) -> [RunResult] {
        var runs: [RunResult] = []
        for (index, variant) in variants.enumerated() {
            for seed in 1...UInt64(seeds) {
                let jitter = Double(seed % 5) * 1.5
                var recovery: [Double?] = [35 + jitter, 8 + jitter / 3, 100 + jitter * 3]
                if variant == "slow-dns-checks" { recovery[2] = seed % 3 == 0 ? nil : 150 + jitter }
                if variant == "long-reset-timeout" { recovery[0] = 38 + jitter }
                runs.append(threeRowRun(variant: variant, seed: seed, recovery: recovery, detection: [34 + jitter / 2, 6.9, 24 + (variant == "slow-dns-checks" ? 60 : 0)],
                                        falseOpens: index + Int(seed % 2), breakerDelay: 5 + Double(index) * 2))
            }
        }
        return runs
    }
}
