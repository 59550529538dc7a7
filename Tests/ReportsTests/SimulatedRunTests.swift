// Reports of runs the model really made. The model and the file loader are dependencies of this
// test target in the full package only; a build of the Reports room alone skips these tests.
#if canImport(FailoverModel) && canImport(ModelFiles)
import FailoverModel
import Foundation
import ModelFiles
import RunResults
import Testing
@testable import Reports

/// The repository root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs one variant and seed of an experiment written inline against the reference model.
func simulate(_ experimentText: String, variant: String = "baseline", seed: UInt64 = 1) throws -> RunResult {
    let modelPath = repositoryRoot.appendingPathComponent("models/esta-tracker.yaml").path
    let modelText = try String(contentsOfFile: modelPath, encoding: .utf8)
    let loaded = try ExperimentLoader.load(experimentText: experimentText, experimentFile: "inline.yaml") { _ throws(FileError) in
        (modelText, modelPath)
    }
    let plan = try ExperimentPlan(loaded)
    let index = try #require(plan.variant(named: variant))
    let chosen = plan.variants[index]
    return try FailoverSimulation.run(model: chosen.model, experiment: plan.experiment, variant: chosen.name,
                                      overrides: chosen.overrides, seed: seed)
}

@Suite("Reports of simulated runs", .serialized)
struct SimulatedRunTests {
    // 200 req/s keeps a debug-build run to seconds while every controller window still holds
    // far more than the 100-request minimum.
    static let quiet = """
        kind: experiment
        name: quiet
        model: esta-tracker.yaml
        warmUp: 30s
        duration: 4m
        overrides: {traffic.requestsPerSecond: "200"}
        faults: []

        """

    static let threeRows = """
        kind: experiment
        name: three-rows
        model: esta-tracker.yaml
        warmUp: 30s
        duration: 15m
        overrides: {traffic.requestsPerSecond: "200"}
        faults:
          - {name: primary-db-outage, row: 1, kind: databaseUnreachable, mode: blackhole, target: us-central1, at: 1m, duration: 90s}
          - {name: primary-api-5xx, row: 2, kind: api5xx, fraction: 0.3, target: us-central1, at: 5m30s, duration: 2m}
          - {name: primary-region-partition, row: 3, kind: partition, links: [clients-region, edge-region, region-region], target: us-central1, at: 10m, duration: 3m}

        """

    @Test func aRunWithoutFaults() throws {
        let run = try simulate(Self.quiet)
        #expect(run.incidents.isEmpty && run.triggers.isEmpty)
        let bundle = RunReport.make(run: run, experimentFile: "inline.yaml")
        checkWellFormed(bundle)
        let markdown = text(bundle, "README.md")
        #expect(markdown.contains("The run injected no fault, so no trigger-table row is judged."))
        #expect(markdown.contains("No fault was injected."))
        // 4 minutes in 10 s intervals, a header, and the interval the monitor closes after the end.
        let rows = text(bundle, "timeline.csv").split(separator: "\n")
        #expect(rows.count >= 25)
        #expect(rows.dropFirst().allSatisfy { !$0.contains(",,") }, "every interval has every series")
        #expect(RunReport.make(run: run, experimentFile: "inline.yaml") == bundle)
    }

    @Test func aRunOfAllThreeTriggerRows() throws {
        let run = try simulate(Self.threeRows)
        #expect(run.triggers.map(\.row) == [1, 2, 3])
        let bundle = RunReport.make(run: run, experimentFile: "inline.yaml")
        checkWellFormed(bundle)
        let markdown = text(bundle, "README.md")
        for verdict in run.triggers {
            let recovery = verdict.recoverySeconds.map(NumberFormat.seconds) ?? "—"
            #expect(markdown.contains("| \(verdict.row) | \(verdict.condition) | \(verdict.action) | \(verdict.fault) | "
                                      + "\(NumberFormat.seconds(verdict.targetSeconds)) |"), "row \(verdict.row) is in the table")
            #expect(markdown.contains("| \(recovery) | \(verdict.outcome.rawValue) | \(verdict.passed ? "PASS" : "FAIL") | \(verdict.rule ?? "none") |"))
        }
        // Each row's action shows as a band: reads on the replica, traffic routed, the DNS record.
        let states = text(bundle, "states.csv")
        #expect(states.contains("\nReads on the replica,"))
        #expect(states.contains("\nTraffic routed to failover,"))
        #expect(states.contains("\nDNS record on failover,"))
        #expect(states.contains("\nEdge on failover DNS answer,"))
        #expect(states.contains("\nHealth /api/health/compute,"))
        #expect(states.contains(",OPEN,"), "breakers opened during the database outage")
        let timeline = text(bundle, "timeline.svg")
        #expect(timeline.contains(">detected (D)</text>") && timeline.contains(">recovered (R)</text>"))
        #expect(RunReport.make(run: run, experimentFile: "inline.yaml") == bundle)
    }
}
#endif
