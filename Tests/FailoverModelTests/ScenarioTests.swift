import Foundation
import Testing
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

/// The repository root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func referenceModel(overrides: [String: String] = [:]) throws -> ModelConfiguration {
    let path = repositoryRoot.appendingPathComponent("models/esta-tracker.yaml").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    // Scenario tests run in debug builds: 200 req/s keeps each run to about a second while every
    // evaluation window still holds far more than the controller's 100-request minimum.
    var all = ["traffic.requestsPerSecond": "200"]
    all.merge(overrides) { $1 }
    return try ExperimentLoader.model(text: text, file: path, overrides: all)
}

func experiment(_ faults: [FaultSpec], duration: SimDuration = .minutes(8), warmUp: SimDuration = .seconds(30)) -> ExperimentConfiguration {
    ExperimentConfiguration(kind: "experiment", name: "scenario", description: nil, model: "esta-tracker.yaml",
                            overrides: nil, duration: duration, warmUp: warmUp, seeds: [1], faults: faults, variants: nil)
}

func run(_ model: ModelConfiguration, _ experiment: ExperimentConfiguration, seed: UInt64 = 1) throws -> RunResult {
    try FailoverSimulation.run(model: model, experiment: experiment, seed: seed)
}

@Suite("Trigger-table rows, one at a time")
struct TriggerRowTests {
    static let databaseOutage = FaultSpec(name: "db", kind: .databaseUnreachable, target: "us-central1",
                                          at: .seconds(60), duration: .seconds(90), mode: .blackhole, row: 1)

    @Test("DB unreachable: reads cannot recover before the 30 s rule switches them, and do before 60 s")
    func databaseRow() throws {
        for seed: UInt64 in 1...3 {
            let result = try run(try referenceModel(), experiment([Self.databaseOutage]), seed: seed)
            let verdict = try #require(result.triggers.first)
            #expect(verdict.rule == Rule.databaseUnreachable.rawValue, "seed \(seed)")
            #expect(verdict.outcome == .recovered, "seed \(seed)")
            let recovery = try #require(verdict.recoverySeconds, "seed \(seed)")
            let detection = try #require(verdict.detectionSeconds)
            #expect(detection > 30, "the rule needs more than 30 s of failing probes (seed \(seed))")
            #expect(recovery >= 30 && recovery < 60, "recovery \(recovery) s (seed \(seed))")
            #expect(verdict.passed)
            // Queued writes are acknowledged, replayed, never lost.
            #expect(result.writes.lost == 0)
            #expect(result.writes.queued > 0)
            #expect(result.writes.replayed == result.writes.queued)
        }
    }

    @Test("API 5xx at 30 %: the edge routes to the failover region within 30 s")
    func fiveXXRow() throws {
        let fault = FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(60), duration: .minutes(3), fraction: 0.3, row: 2)
        let result = try run(try referenceModel(), experiment([fault]))
        let verdict = try #require(result.triggers.first)
        #expect(verdict.rule == Rule.api5xx.rawValue)
        #expect(verdict.outcome == .recovered)
        #expect((verdict.recoverySeconds ?? .infinity) < 30)
        #expect(verdict.passed)
    }

    @Test("A 5xx rate below the 10 % threshold is never acted on")
    func fiveXXBelowThreshold() throws {
        let fault = FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(60), duration: .minutes(2), fraction: 0.05, row: 2)
        let model = try referenceModel(overrides: ["healthChecks.failureThreshold": "100"])
        let result = try run(model, experiment([fault]))
        let verdict = try #require(result.triggers.first)
        #expect(verdict.outcome == .notTriggered)
        #expect(!verdict.passed)
    }

    @Test("Partition: DNS failover recovers within 120 s; 30 s × 3 checks with a 60 s TTL do not")
    func partitionRow() throws {
        let fault = FaultSpec(name: "partition", kind: .partition, target: "us-central1", at: .seconds(60), duration: .minutes(5), row: 3)
        let result = try run(try referenceModel(), experiment([fault], duration: .minutes(12)))
        let verdict = try #require(result.triggers.first)
        #expect(verdict.rule == Rule.regionPartition.rawValue)
        #expect(verdict.outcome == .recovered)
        #expect((verdict.recoverySeconds ?? .infinity) < 120)

        let slow = try run(try referenceModel(overrides: ["healthChecks.interval": "30s"]), experiment([fault], duration: .minutes(12)))
        let slowVerdict = try #require(slow.triggers.first)
        #expect((slowVerdict.recoverySeconds ?? .infinity) > 120)
        #expect(!slowVerdict.passed)
    }

    @Test("Without precedence a database outage sets off the region failover, and the row fails")
    func noPrecedence() throws {
        let result = try run(try referenceModel(overrides: ["controller.precedence": "false"]), experiment([Self.databaseOutage]))
        let verdict = try #require(result.triggers.first)
        #expect(verdict.rule == Rule.api5xx.rawValue)
        #expect(!verdict.passed)
    }
}

@Suite("Writes and durability")
struct WriteTests {
    @Test("An overflowing write queue rejects new writes rather than dropping acknowledged ones")
    func queueOverflow() throws {
        let model = try referenceModel(overrides: ["writes.queueCapacity": "20"])
        let result = try run(model, experiment([TriggerRowTests.databaseOutage]))
        // The capacity bounds the queue at any moment; replay makes room again.
        let lengths = result.series.filter { $0.metric == "writeQueueLength" }.map(\.value)
        #expect(lengths.max() == 20)
        #expect(result.writes.queued >= 20)
        #expect(result.writes.rejected > 0)
        #expect(result.writes.lost == 0)
        #expect(result.writes.replayed == result.writes.queued)
    }

    @Test("Region loss: async replication loses exactly the unreplicated acknowledged writes; sync loses none")
    func regionLoss() throws {
        let loss = FaultSpec(name: "loss", kind: .regionLoss, target: "us-central1", at: .seconds(60), duration: .minutes(20))
        // A long lag makes unreplicated writes certain at the moment of loss.
        let asyncModel = try referenceModel(overrides: ["database.replication.lag.lognormal.median": "2s",
                                                         "database.replication.lag.lognormal.p99": "5s",
                                                         "writes.policy": "reject"])
        let asyncResult = try run(asyncModel, experiment([loss], duration: .minutes(5)))
        let incident = try #require(asyncResult.incidents.first)
        let rpo = try #require(incident.rpoWrites)
        #expect(rpo > 0)
        #expect(asyncResult.writes.lost == rpo)

        // Each loss its own RTO: a second loss after the promotion stops no writes; a loss of the
        // failover region has none.
        let later = FaultSpec(name: "again", kind: .regionLoss, target: "us-central1", at: .minutes(22), duration: .minutes(1))
        let east = FaultSpec(name: "east", kind: .regionLoss, target: "us-east1", at: .minutes(23) + .seconds(30), duration: .seconds(20))
        let twice = try run(asyncModel, experiment([loss, later, east], duration: .minutes(25)))
        let firstRTO = try #require(twice.incidents.first { $0.fault == "loss" }?.rtoSeconds)
        #expect(firstRTO >= 180 && firstRTO <= 900, "manual promotion takes 3–15 min: \(firstRTO) s")
        #expect(twice.incidents.first { $0.fault == "again" }?.rtoSeconds == 0)
        #expect(twice.incidents.first { $0.fault == "east" }?.rtoSeconds == nil)

        let syncModel = try referenceModel(overrides: ["database.replication.mode": "sync", "writes.policy": "reject"])
        let syncResult = try run(syncModel, experiment([loss], duration: .minutes(5)))
        #expect(syncResult.writes.lost == 0)
        #expect(syncResult.incidents.first?.rpoWrites == 0)
    }
}

@Suite("Determinism")
struct DeterminismTests {
    @Test("The same seed gives the same digest; another seed another")
    func digests() throws {
        let model = try referenceModel()
        let exp = experiment([TriggerRowTests.databaseOutage], duration: .minutes(3))
        let first = try run(model, exp, seed: 7)
        let second = try run(model, exp, seed: 7)
        let other = try run(model, exp, seed: 8)
        #expect(first.identity.digest == second.identity.digest,
                "not reproducible: rerun with swift test --filter DeterminismTests (seed 7)")
        #expect(first == second)
        #expect(first.identity.digest != other.identity.digest)
        #expect(first.identity.runKey != other.identity.runKey)
        #expect(first.hasValidDigest)
    }

    @Test("Variants see the same arrivals: a breaker threshold change leaves request counts unchanged")
    func commonRandomNumbers() throws {
        let exp = experiment([TriggerRowTests.databaseOutage], duration: .minutes(3))
        let base = try run(try referenceModel(), exp)
        let variant = try run(try referenceModel(overrides: ["breakers[0].failureThreshold": "50"]), exp)
        #expect(base.availability.requests == variant.availability.requests)
        #expect(base.availability.tenants.map(\.requests) == variant.availability.tenants.map(\.requests))
    }
}

@Suite("Files")
struct EmbeddedFileTests {
    @Test("The embedded model and experiment equal the files in models/ and experiments/")
    func embeddedMatchFiles() throws {
        let model = try String(contentsOf: repositoryRoot.appendingPathComponent(EmbeddedDefaults.modelFile), encoding: .utf8)
        let exp = try String(contentsOf: repositoryRoot.appendingPathComponent(EmbeddedDefaults.experimentFile), encoding: .utf8)
        #expect(model == EmbeddedDefaults.modelText, "regenerate Sources/ModelFiles/EmbeddedDefaults.swift from models/esta-tracker.yaml")
        #expect(exp == EmbeddedDefaults.experimentText, "regenerate Sources/ModelFiles/EmbeddedDefaults.swift from experiments/trigger-table.yaml")
    }

    @Test("Every shipped model and experiment file loads")
    func shippedFilesLoad() throws {
        let loaded = try ExperimentLoader.load(experimentPath: repositoryRoot.appendingPathComponent("experiments/trigger-table.yaml").path)
        for variant in loaded.experiment.variants ?? [] {
            _ = try ExperimentLoader.model(text: loaded.modelText, file: loaded.modelFile, overrides: variant.overrides)
        }
        #expect(loaded.experiment.faults.count == 3)
    }
}

@Suite("Golden digest")
struct GoldenDigestTests {
    /// The digest of a fixed short run on Linux x86-64 with Swift 6.3.1. When behaviour changes on
    /// purpose, bump `FailoverSimulation.engineVersion` and replace this value with the new digest.
    static let golden = "3b1e38410623112565a9e9e70f664cf0e2d2a0107256b31052d492f8075d7a4a"

    @Test("A fixed short run reproduces its committed digest")
    func golden() throws {
        let result = try run(try referenceModel(), experiment([TriggerRowTests.databaseOutage], duration: .minutes(3)), seed: 42)
        #expect(result.identity.digest == Self.golden,
                "digest \(result.identity.digest) (engine \(FailoverSimulation.engineVersion)); reproduce with swift test --filter GoldenDigestTests")
    }
}
