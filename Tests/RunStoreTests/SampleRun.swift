import Foundation
import RunResults

/// Builds run results for tests: every field set, optionals both present and absent, awkward
/// strings, a large seed, an empty and a non-empty histogram.
enum SampleRun {
    static func make(
        seed: UInt64 = 0xFFFF_FFFF_FFFF_FFF0,
        variant: String = "baseline",
        experiment: String = "trigger-table",
        samples: Int = 120,
        tenants: Int = 12
    ) -> RunResult {
        let runKey = RunKey.make(
            modelCanonical: Data("model: reference".utf8),
            experimentCanonical: Data("experiment: \(experiment)".utf8),
            variant: variant,
            overrides: ["breakers.firestore.failureThreshold": "5", "traffic.rate": "1000/s"],
            seed: seed,
            engineVersion: "0.1.0")
        let identity = RunIdentity(
            runKey: runKey,
            model: "reference",
            modelHash: ContentHash.sha256Hex("model: reference"),
            experiment: experiment,
            experimentHash: ContentHash.sha256Hex("experiment: \(experiment)"),
            variant: variant,
            overrides: ["traffic.rate": "1000/s", "breakers.firestore.failureThreshold": "5"],
            seed: seed,
            engineVersion: "0.1.0",
            events: 12_345_678,
            simulatedSeconds: 3600,
            wallSeconds: 1.234)
        let incidents = [
            IncidentResult(
                fault: "db-unreachable", faultKind: "dbUnreachable", target: "firestore@us-central1",
                onsetSeconds: 600.25, endSeconds: 900, detectedAtSeconds: 631.5, mitigatedAtSeconds: 631.5,
                recoveredAtSeconds: 640.1, failbackEndedAtSeconds: 1_010, detectionSeconds: 31.25,
                recoverySeconds: 39.85, readRecoverySeconds: 39.85, writeRecoverySeconds: 310,
                outcome: .recovered, rule: "dbUnreachable", requests: 300_000, requestsFailed: 4_200,
                failbackRequestsFailed: 17, staleReads: 9_001, writesQueued: 29_000, writesRejected: 0,
                writesReplayed: 29_000, writesLost: 0),
            IncidentResult(
                fault: "region-partition", faultKind: "partition", target: "edge↔us-central1",
                onsetSeconds: 1_800, endSeconds: 3_600, outcome: .notRecovered, censoredAtSeconds: 3_600,
                requests: 1_800_000, requestsFailed: 1_700_000, rtoSeconds: nil, rpoWrites: 12),
            IncidentResult(
                fault: "quiet \"fault\"\n\ttab", faultKind: "api5xx", target: "api@us-central1",
                onsetSeconds: 0.1, endSeconds: 0.2, outcome: .noImpact, rtoSeconds: 0, rpoWrites: 0),
        ]
        let triggers = [
            TriggerVerdict(
                row: 1, condition: "primary DB unreachable > 30 s", action: "switch reads to the read replica",
                targetSeconds: 60, fault: "db-unreachable", detectionSeconds: 31.25, recoverySeconds: 39.85,
                outcome: .recovered, passed: true, rule: "dbUnreachable"),
            TriggerVerdict(
                row: 3, condition: "primary region network partition", action: "DNS failover",
                targetSeconds: 120, fault: "region-partition", outcome: .notRecovered, passed: false),
        ]
        let availability = AvailabilityResult(
            requestBased: 0.99912345678901234, timeBased: 0.9, errorBudgetUsed: 1.0 / 3.0,
            requests: 3_600_000, served: 3_596_841, goodMinutes: 54, badMinutes: 6, noDataMinutes: 0,
            regions: [
                ScopedAvailability(scope: "us-central1", requests: 3_000_000, served: 2_997_000, requestBased: 0.999, timeBased: 0.95),
                ScopedAvailability(scope: "us-east1", requests: 600_000, served: 599_841, requestBased: 0.99973),
            ],
            tenants: (0..<tenants).map(tenant))
        let latency = [
            LatencyResult(
                operation: "cached", count: 2_000_000, p50Ms: 12.5, p95Ms: 48.0, p99Ms: 97.25, meanMs: 17.125,
                maxMs: 812.0, targetP50Ms: 50, targetP95Ms: 100, targetP99Ms: 200, passed: true,
                histogram: Data((0..<600).map { UInt8(truncatingIfNeeded: $0 &* 31) })),
            LatencyResult(
                operation: "db", count: 1_000_000, p50Ms: 80, p95Ms: 310.5, p99Ms: 900, meanMs: 120.0000001,
                maxMs: 30_000, targetP50Ms: 100, targetP95Ms: 300, targetP99Ms: nil, passed: false,
                histogram: Data([0, 1, 2, 0, 255])),
            LatencyResult(
                operation: "report", count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, meanMs: 0, maxMs: 0,
                histogram: Data()),
        ]
        let writes = WriteOutcomes(
            acknowledged: 360_000, queued: 29_000, rejected: 14, replayed: 29_000, lost: 0, duplicatesSuppressed: 3)
        let breakers = [
            BreakerSummary(breaker: "firestore@us-central1/api-3", opens: 4, falseOpens: 1, secondsOpen: 240.5, callsRejected: 51_000),
            BreakerSummary(breaker: "external-api@global", opens: 0, falseOpens: 0, secondsOpen: 0, callsRejected: 0),
        ]
        let metrics = ["requestRate", "errorRate", "p95Ms", "cacheHitRatio", "poolUse"]
        let scopes = ["all", "us-central1", "us-east1"]
        var series: [MetricSample] = []
        series.reserveCapacity(samples)
        for index in 0..<samples {
            let metric: String = metrics[index % metrics.count]
            let scope: String = scopes[(index / metrics.count) % scopes.count]
            let interval: Int = index / (metrics.count * scopes.count)
            let value: Double = Double(index) * 0.1 + 1e-9
            series.append(MetricSample(
                metric: metric, scope: scope, startSeconds: Double(interval) * 10, widthSeconds: 10, value: value))
        }
        let events = [
            LoggedEvent(timeSeconds: 600.25, kind: "faultStart", subject: "db-unreachable", detail: "mode blackhole"),
            LoggedEvent(timeSeconds: 612, kind: "breakerTransition", subject: "firestore@us-central1/api-3",
                        detail: "CLOSED → OPEN: 5 failures in 60 s"),
            LoggedEvent(timeSeconds: 631.5, kind: "failover", subject: "reads", detail: "to replica us-east1"),
            LoggedEvent(timeSeconds: 700, kind: "alertFired", subject: "errorRate critical", detail: ""),
        ]
        return RunResult(
            identity: identity, status: .stoppedAtTimeLimit, statusDetail: "time limit 1h reached",
            incidents: incidents, triggers: triggers, availability: availability, latency: latency,
            writes: writes, breakers: breakers, series: series, events: events
        ).withDigest()
    }

    static func tenant(_ index: Int) -> ScopedAvailability {
        let requests: Int64 = Int64(1_000 + index)
        let served: Int64 = Int64(990 + index)
        let timeBased: Double? = index % 3 == 0 ? nil : 1 - Double(index) * 1e-4
        return ScopedAvailability(
            scope: "tenant-\(index)", requests: requests, served: served,
            requestBased: Double(served) / Double(requests), timeBased: timeBased)
    }

    /// The smallest valid run.
    static func minimal(runKey: String = "k") -> RunResult {
        RunResult(
            identity: RunIdentity(
                runKey: runKey, model: "m", modelHash: "", experiment: "e", experimentHash: "", variant: "v",
                seed: 1, engineVersion: "0", events: 0, simulatedSeconds: 0, wallSeconds: 0),
            status: .completed,
            availability: AvailabilityResult(
                requestBased: 1, timeBased: 1, errorBudgetUsed: 0, requests: 0, served: 0, goodMinutes: 0,
                badMinutes: 0, noDataMinutes: 0),
            writes: WriteOutcomes())
    }
}

/// A fresh temporary folder, removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("failsim-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
