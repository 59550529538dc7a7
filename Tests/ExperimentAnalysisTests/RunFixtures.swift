import Foundation
import RunResults
import SimulationCore
import SimulationStatistics

/// Small runs built in code: only what a test sets differs from a quiet, fault-free run.
struct RunFixture {
    var experiment = "exp"
    var variant = "baseline"
    var seed: UInt64 = 1
    var experimentHash = "e1"
    var status: RunStatus = .completed
    var triggers: [TriggerVerdict] = []
    var incidents: [IncidentResult] = []
    var requestAvailability = 0.999
    var timeAvailability = 1.0
    var errorBudgetUsed = 0.001
    var latency: [LatencyResult] = []
    var writesLost: Int64 = 0
    var writesRejected: Int64 = 0
    var breakers: [BreakerSummary] = []
    var events: [LoggedEvent] = []

    var result: RunResult {
        RunResult(
            identity: RunIdentity(
                runKey: "\(experiment)-\(variant)-\(seed)", model: "m", modelHash: "m1", experiment: experiment,
                experimentHash: experimentHash, variant: variant, seed: seed, engineVersion: "test",
                events: 1, simulatedSeconds: 600, wallSeconds: 0),
            status: status, incidents: incidents, triggers: triggers,
            availability: AvailabilityResult(
                requestBased: requestAvailability, timeBased: timeAvailability, errorBudgetUsed: errorBudgetUsed,
                requests: 1000, served: 999, goodMinutes: 10, badMinutes: 0, noDataMinutes: 0),
            latency: latency, writes: WriteOutcomes(acknowledged: 100, rejected: writesRejected, lost: writesLost),
            breakers: breakers, events: events)
    }

    /// A row-1 fault with onset at 30 s, lasting 60 s.
    static func incident(_ outcome: Outcome, recovery: Double? = nil, detection: Double? = nil,
                         censoredAt: Double? = nil, fault: String = "db-outage") -> IncidentResult {
        IncidentResult(
            fault: fault, faultKind: "databaseUnreachable", target: "us-central1", onsetSeconds: 30, endSeconds: 90,
            detectionSeconds: detection, recoverySeconds: recovery, readRecoverySeconds: recovery,
            outcome: outcome, censoredAtSeconds: censoredAt)
    }

    static func verdict(row: Int = 1, _ outcome: Outcome, recovery: Double? = nil, detection: Double? = nil,
                        target: Double = 60, fault: String = "db-outage") -> TriggerVerdict {
        TriggerVerdict(
            row: row, condition: "c\(row)", action: "a\(row)", targetSeconds: target, fault: fault,
            detectionSeconds: detection, recoverySeconds: recovery, outcome: outcome,
            passed: outcome == .noImpact || (outcome == .recovered && (recovery ?? .infinity) < target))
    }

    /// A run whose row 1 recovered after `recovery` seconds.
    static func recovered(_ variant: String, seed: UInt64, recovery: Double, detection: Double = 31) -> RunFixture {
        var fixture = RunFixture(variant: variant, seed: seed)
        fixture.triggers = [verdict(.recovered, recovery: recovery, detection: detection)]
        fixture.incidents = [incident(.recovered, recovery: recovery, detection: detection)]
        return fixture
    }

    /// A run whose row 1 had not recovered when its window closed `censoredAt` − 30 s after onset
    /// (the contract: `censoredAtSeconds` is the instant).
    static func notRecovered(_ variant: String, seed: UInt64, censoredAt: Double, detection: Double = 31) -> RunFixture {
        var fixture = RunFixture(variant: variant, seed: seed)
        fixture.triggers = [verdict(.notRecovered, detection: detection)]
        fixture.incidents = [incident(.notRecovered, detection: detection, censoredAt: censoredAt)]
        return fixture
    }

    /// A latency result of class `operation` holding `count` latencies of `milliseconds` each.
    static func latency(_ operation: String, _ samples: [(milliseconds: Int64, count: Int)]) -> LatencyResult {
        var histogram = LatencyHistogram()
        for sample in samples {
            for _ in 0 ..< sample.count { histogram.record(.milliseconds(sample.milliseconds)) }
        }
        func ms(_ p: Double) -> Double { histogram.percentile(p).seconds * 1000 }
        return LatencyResult(
            operation: operation, count: Int64(histogram.count), p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99),
            meanMs: histogram.mean.seconds * 1000, maxMs: histogram.max.seconds * 1000,
            histogram: Data(histogram.serialized()))
    }
}

enum LoggedEventFixture {
    static func transition(at time: Double, _ detail: String, breaker: String = "firestore@us-central1/api-1") -> LoggedEvent {
        LoggedEvent(timeSeconds: time, kind: "breakerTransition", subject: breaker, detail: detail)
    }

    static func alert(at time: Double) -> LoggedEvent {
        LoggedEvent(timeSeconds: time, kind: "alertFired", subject: "errorRate", detail: "critical")
    }
}
