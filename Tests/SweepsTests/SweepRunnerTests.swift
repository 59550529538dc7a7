import ExperimentAnalysis
import Foundation
import Testing
import FailoverModel
import ModelFiles
import RunResults
import RunStore
@testable import Sweeps

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small sweep: the reference model at 100 req/s for 2 simulated minutes, a database outage,
/// two named variants and a two-point grid, three seeds: 12 runs of about a quarter second each.
func smallPlan(seeds: String = "3", thresholds: String = #"["3", "10"]"#) throws -> ExperimentPlan {
    let text = """
        kind: experiment
        name: small-sweep
        model: esta-tracker.yaml
        overrides: {traffic.requestsPerSecond: "100"}
        duration: 2m
        warmUp: 20s
        seeds: \(seeds)
        faults:
          - {name: db, kind: databaseUnreachable, at: 40s, duration: 50s, mode: blackhole, row: 1}
        variants:
          - {name: refuse-fast, overrides: {database.callTimeout: 200ms}}
        sweep:
          parameters:
            - {name: "breakers[0].failureThreshold", values: \(thresholds)}
        """
    let modelPath = repositoryRoot.appendingPathComponent("models/esta-tracker.yaml").path
    let modelText = try String(contentsOfFile: modelPath, encoding: .utf8)
    let loaded = try ExperimentLoader.load(experimentText: text, experimentFile: "small-sweep.yaml") { _ throws(FileError) in
        (modelText, modelPath)
    }
    return try ExperimentPlan(loaded)
}

func temporaryDatabase() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("failsim-sweeps-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("runs.sqlite").path
}

/// Every stored run of a store, by run key, without the wall-clock time (informative only).
func storedResults(_ store: RunStore) throws -> [String: RunResult] {
    var results: [String: RunResult] = [:]
    for summary in try store.runs() {
        var result = try #require(try store.run(id: summary.id))
        #expect(results[result.identity.runKey] == nil, "run key \(result.identity.runKey.prefix(12)) stored twice")
        result.identity.wallSeconds = 0
        results[result.identity.runKey] = result
    }
    return results
}

@Suite("Sweeps")
struct SweepRunnerTests {
    @Test("The plan lists variants × seeds in order, with distinct run keys")
    func planOrder() throws {
        let plan = try smallPlan()
        #expect(plan.variants.map(\.name) == ["baseline", "refuse-fast", "failureThreshold=3", "failureThreshold=10"])
        let runs = plan.runs()
        #expect(runs.count == 12)
        #expect(runs.map(\.seed).prefix(4) == [1, 2, 3, 1])
        #expect(Set(runs.map(\.runKey)).count == 12)
        // A plan made again from the same text has the same keys.
        #expect(try smallPlan().runs() == runs)
        #expect(plan.variants[1].overrides["database.callTimeout"] == "200ms")
        #expect(plan.variants[1].overrides["traffic.requestsPerSecond"] == "100")
    }

    // Before, the point failureThreshold=5 (the model's own value) was run again under its own
    // run key, and its tests against the baseline enlarged the Holm family.
    @Test("A sweep point with the baseline's model is not run again, nor compared twice")
    func pointEqualToTheBaselineIsReused() throws {
        let plan = try smallPlan(seeds: "2", thresholds: #"["5", "10"]"#)
        #expect(plan.variants.map(\.name) == ["baseline", "refuse-fast", "failureThreshold=5", "failureThreshold=10"])
        #expect(plan.sameModelAs == [nil, nil, 0, nil])
        #expect(plan.duplicateVariants.map(\.variant) == [2] && plan.duplicateVariants.map(\.sameAs) == [0])
        let runs = plan.runs()
        #expect(runs.map(\.variant) == [0, 0, 1, 1, 3, 3])
        // Asking for the duplicate runs the variant it equals, once.
        #expect(plan.runs(variants: [2]).map(\.variant) == [0, 0])
        #expect(plan.runningVariants([0, 2, 3]) == [0, 3])
        let store = try RunStore(path: temporaryDatabase())
        let summary = try SweepRunner(plan: plan, store: store).run(runs, jobs: 2)
        #expect(summary.ran == 6)
        let stored = try store.runs()
        #expect(Set(stored.map(\.variant)) == ["baseline", "refuse-fast", "failureThreshold=10"])
        // The comparison's family counts each real variant once.
        let results = try stored.map { try #require(try store.run(id: $0.id)) }
        let comparison = try VariantComparison(runs: results, options: ComparisonOptions(comparedMetrics: [.recoveryTime(row: 1)]))
        #expect(comparison.variants.map(\.variant).contains("failureThreshold=5") == false)
        #expect(comparison.differences.count == 2)
    }

    @Test("--jobs 1 and --jobs 2 store identical results")
    func jobsDoNotChangeResults() throws {
        let plan = try smallPlan()
        let one = try RunStore(path: temporaryDatabase())
        let two = try RunStore(path: temporaryDatabase())
        let summaryOne = try SweepRunner(plan: plan, store: one).run(plan.runs(), jobs: 1)
        let summaryTwo = try SweepRunner(plan: plan, store: two).run(plan.runs(), jobs: 2)
        #expect(summaryOne.ran == 12 && summaryTwo.ran == 12)
        let a = try storedResults(one)
        let b = try storedResults(two)
        #expect(a.count == 12)
        #expect(Set(a.keys) == Set(b.keys))
        for (key, result) in a {
            #expect(result == b[key], "run \(key.prefix(12)) differs between 1 and 2 workers")
            #expect(result.identity.digest == b[key]?.identity.digest)
        }
    }

    @Test("Running again skips stored runs and does only the rest")
    func resumes() throws {
        let plan = try smallPlan()
        let store = try RunStore(path: temporaryDatabase())
        let runner = SweepRunner(plan: plan, store: store)
        let firstHalf = Array(plan.runs().prefix(5))
        #expect(try runner.run(firstHalf, jobs: 2).ran == 5)
        let second = try runner.run(plan.runs(), jobs: 2)
        #expect(second.skipped == 5)
        #expect(second.ran == 7)
        let third = try runner.run(plan.runs(), jobs: 2)
        #expect(third.ran == 0 && third.skipped == 12)
        #expect(try storedResults(store).count == 12)
        #expect(try store.runs().count == 12)
    }

    @Test("A run stored by another writer meanwhile is not stored twice")
    func insertIfAbsent() throws {
        let plan = try smallPlan(seeds: "[5]")
        let store = try RunStore(path: temporaryDatabase())
        let run = plan.runs()[0]
        guard case .success(let result) = SweepRunner.execute(run, plan: plan, limits: .init()) else {
            Issue.record("the run failed")
            return
        }
        #expect(try store.insertIfAbsent(result) != nil)
        #expect(try store.insertIfAbsent(result) == nil)
        #expect(try store.runs().count == 1)
    }

    @Test("A run that fails stops the sweep with its variant and seed; finished runs stay stored")
    func failingRun() throws {
        var plan = try smallPlan()
        // A model the simulation refuses (found only when the run starts).
        plan.variants[3].model.service.instances = 0
        let store = try RunStore(path: temporaryDatabase())
        do {
            _ = try SweepRunner(plan: plan, store: store).run(plan.runs(), jobs: 1)
            Issue.record("the sweep did not stop")
        } catch let failure as SweepRunner.RunFailure {
            #expect(failure.variant == "failureThreshold=10")
            #expect(failure.description.contains("instances"))
        }
        #expect(try store.runs().count == 9)
    }
}

@Suite("Sweeps until an interval is narrow enough")
struct PrecisionTargetTests {
    @Test("Seeds are added in batches until the target is met; the seeds do not depend on the number of workers")
    func untilPrecise() throws {
        let plan = try smallPlan(seeds: "2")
        let target = try #require(PrecisionTarget(parsing: "row1.detectionTime=3", batch: 2, maximumSeeds: 10))
        #expect(target.metric.name == "row1.detectionTime")
        let one = try SweepRunner(plan: plan, store: try RunStore(path: temporaryDatabase())).run(untilPrecise: target, variants: [0, 1], jobs: 1)
        let two = try SweepRunner(plan: plan, store: try RunStore(path: temporaryDatabase())).run(untilPrecise: target, variants: [0, 1], jobs: 2)
        #expect(one.seeds == two.seeds)
        #expect(one.standings.map(\.halfWidth) == two.standings.map(\.halfWidth))
        #expect(one.seeds.count >= 2 && one.seeds.count <= 10)
        #expect(Array(one.seeds.prefix(2)) == [1, 2])
        // Either the target is met by every variant, or the maximum stopped the sweep.
        #expect(one.met || one.seeds.count == 10)
        if one.met { #expect(one.standings.allSatisfy { ($0.halfWidth ?? .infinity) <= 3 }) }
        #expect(one.ran == one.seeds.count * 2)
    }

    @Test("A target needing more seeds than allowed stops at the maximum, unmet")
    func unreachable() throws {
        let plan = try smallPlan(seeds: "2")
        let target = try #require(PrecisionTarget(parsing: "row1.detectionTime=0.000001", batch: 1, maximumSeeds: 4))
        let outcome = try SweepRunner(plan: plan, store: try RunStore(path: temporaryDatabase())).run(untilPrecise: target, variants: [0], jobs: 2)
        #expect(!outcome.met)
        #expect(outcome.seeds == [1, 2, 3, 4])
        #expect(outcome.rounds == 3)
        #expect(PrecisionTarget(parsing: "nonsense=1") == nil)
        #expect(PrecisionTarget(parsing: "row1.recoveryTime=-1") == nil)
    }
}
