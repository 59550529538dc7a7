import Foundation
import Testing
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

/// Every acknowledged write is applied, still pending, or lost.
func expectWritesAccounted(_ result: RunResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let w = result.writes
    #expect(w.applied != nil && w.pending != nil, "\(what): applied and pending are reported", sourceLocation: sourceLocation)
    #expect(w.acknowledged == (w.applied ?? 0) + (w.pending ?? 0) + w.lost,
            "\(what): \(w.acknowledged) acknowledged, \(w.applied ?? -1) applied + \(w.pending ?? -1) pending + \(w.lost) lost",
            sourceLocation: sourceLocation)
}

@Suite("Acknowledged writes are accounted for: applied, pending or lost")
struct WriteAccountingTests {
    @Test("A run that ends with writes still queued reports them as pending, not as safe")
    func pendingAtTheEnd() throws {
        // The primary database stays away past the end: the DB rule acts, writes are queued and
        // acknowledged, and nothing replays them before the run ends.
        let outage = FaultSpec(name: "db", kind: .databaseUnreachable, target: "us-central1", at: .seconds(60), duration: .minutes(30),
                               mode: .blackhole, row: 1)
        let result = try run(try referenceModel(), experiment([outage], duration: .minutes(3)))
        let w = result.writes
        #expect(w.queued > 100)
        #expect(w.replayed == 0)
        #expect(w.lost == 0)
        #expect(w.pending == w.queued, "every queued write is still queued: \(w)")
        expectWritesAccounted(result, "outage to the end")
        let applied = try #require(w.applied)
        #expect(applied > 0 && applied < w.acknowledged)
    }

    @Test("A queue partly replayed when the run ends: replayed and pending add up to queued")
    func partlyReplayed() throws {
        // The outage ends shortly before the run does, and replay at 10 writes/s needs longer.
        let outage = FaultSpec(name: "db", kind: .databaseUnreachable, target: "us-central1", at: .seconds(30), duration: .seconds(100),
                               mode: .blackhole, row: 1)
        let result = try run(try referenceModel(overrides: ["writes.replayRate": "10"]), experiment([outage], duration: .seconds(200)))
        let w = result.writes
        let pending = try #require(w.pending)
        #expect(w.replayed > 0 && pending > 0, "\(w)")
        #expect(w.replayed + pending == w.queued)
        expectWritesAccounted(result, "partly replayed")
    }

    @Test("The identity holds over the trigger table, a region loss and a flapping loss")
    func identityOverScenarios() throws {
        let loaded = try ExperimentLoader.load(experimentPath: repositoryRoot.appendingPathComponent("experiments/trigger-table.yaml").path)
        let table = try run(try referenceModel(), loaded.experiment)
        #expect(table.writes.queued > 0)
        expectWritesAccounted(table, "trigger table")

        let asyncModel = try referenceModel(overrides: ["database.replication.lag.lognormal.median": "2s",
                                                         "database.replication.lag.lognormal.p99": "5s"])
        let loss = FaultSpec(name: "loss", kind: .regionLoss, target: "us-central1", at: .seconds(60), duration: .minutes(20))
        let lost = try run(asyncModel, experiment([loss], duration: .minutes(5)))
        #expect(lost.writes.lost > 0)
        #expect(lost.incidents.first?.rpoWrites == lost.writes.lost)
        expectWritesAccounted(lost, "region loss")

        var flapping = FaultSpec(name: "flap", kind: .regionLoss, target: "us-central1", at: .seconds(60), duration: .seconds(300))
        flapping.period = .seconds(60)
        flapping.dutyCycle = 0.5
        let flapped = try run(try unmitigatedModel(overrides: ["database.replication.lag.lognormal.median": "2s",
                                                                "database.replication.lag.lognormal.p99": "5s",
                                                                "writes.policy": "reject"]),
                              experiment([flapping], duration: .seconds(400)))
        #expect(flapped.writes.lost > 0)
        expectWritesAccounted(flapped, "flapping loss")
    }
}
