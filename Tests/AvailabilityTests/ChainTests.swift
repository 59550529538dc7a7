import Foundation
import Testing
@testable import Availability
import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

/// Keeps every run the evaluator stores.
final class RecordingCache: ScenarioRunCache {
    var runs: [String: RunResult] = [:]
    var stored: [String: RunResult] = [:]
    func storedRun(runKey: String) throws -> RunResult? { stored[runKey] }
    func store(_ run: RunResult) throws { runs[run.identity.runKey] = run }
}

/// The library's chains: the k-th entry of each band and the k-th long entry share a seed and
/// differ only in when the fault ends, so the evaluator runs them as branches of the long one.
@Suite("Incident library chains")
struct ChainTests {
    static func setUp() throws -> (ModelConfiguration, ExperimentConfiguration, UptimeSettings) {
        let reference = try String(contentsOf: Support.repository.appendingPathComponent("models/esta-tracker.yaml"), encoding: .utf8)
        let model = try ExperimentLoader.model(text: reference, file: "esta-tracker.yaml", overrides: ["traffic.requestsPerSecond": "2"])
        let experiment = try ExperimentLoader.load(experimentText: BruteForceTests.experimentText, experimentFile: "brute-force.yaml") { _ throws(FileError) in
            (reference, "esta-tracker.yaml")
        }.experiment
        var settings = UptimeSettings()
        settings.library.post = .minutes(2)
        settings.library.compressAfter = .minutes(6)
        settings.library.normalOperation = .minutes(5)
        settings.library.entriesPerBand = 2
        settings.library.longEntries = 2
        settings.library.pairEntries = 0
        return (model, experiment, settings)
    }

    @Test("Band entries run as branches of their chain's long entry, and every run equals the same run from scratch")
    func chainsAreBranchesAndExact() throws {
        let (model, experiment, settings) = try Self.setUp()
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let library = IncidentLibrary.plan(processes: try #require(experiment.faultProcesses), levels: study.loadLevels, settings: settings.library)
        let cache = RecordingCache()
        let evaluator = ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study.loadLevels, cache: cache)
        let prepared = try library.scenarios.map { try evaluator.prepare($0, settings: settings.library) }
        let all = Array(prepared.indices)
        let tasks = ModelScenarioEvaluator.tasks(prepared: prepared, candidates: all, missing: all)

        // Every scenario is in exactly one task.
        let covered = tasks.flatMap { [$0.trunk] + $0.branches }.sorted()
        #expect(covered == all)
        // The band entries of processes with long entries are branches of a long entry of the same chain.
        let longShare = library.processes.filter { $0.long.contains { !$0.isEmpty } }
        #expect(!longShare.isEmpty)
        for process in longShare {
            for band in process.bands {
                for entry in band.entries.joined() {
                    let task = try #require(tasks.first { $0.branches.contains(entry) }, "\(library.scenarios[entry].name) is a branch")
                    #expect(library.scenarios[task.trunk].stretchable)
                    #expect(library.scenarios[task.trunk].seed == library.scenarios[entry].seed)
                }
            }
        }
        // Within a band, entries keep distinct seeds.
        for process in library.processes {
            for band in process.bands {
                let seeds = band.entries.joined().map { library.scenarios[$0].seed }
                #expect(Set(seeds).count == seeds.count)
            }
        }

        let effects = try evaluator.effects(of: library.scenarios, settings: settings.library, jobs: 2, progress: nil)
        #expect(effects.count == library.scenarios.count)
        #expect(cache.runs.count == library.scenarios.count)
        for item in prepared {
            let stored = try #require(cache.runs[item.runKey], "\(item.scenario.name) was stored under its run key")
            let alone = try FailoverSimulation.run(model: item.model, experiment: item.experiment, variant: item.variant,
                                                   overrides: item.overrides, seed: item.scenario.seed)
            #expect(stored.identity.digest == alone.identity.digest, "\(item.scenario.name)")
        }
    }

    @Test("Pair runs join the chain of the process that starts first, and equal their runs from scratch")
    func pairsBranchOffChains() throws {
        var (model, experiment, settings) = try Self.setUp()
        settings.library.pairEntries = 4
        settings.library.pairCrowding = 1_000
        settings.library.bands = 1
        settings.library.entriesPerBand = 1
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let library = IncidentLibrary.plan(processes: try #require(experiment.faultProcesses), levels: study.loadLevels, settings: settings.library)
        #expect(!library.pairs.isEmpty)
        let cache = RecordingCache()
        let evaluator = ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study.loadLevels, cache: cache)
        let prepared = try library.scenarios.map { try evaluator.prepare($0, settings: settings.library) }
        let all = Array(prepared.indices)
        let tasks = ModelScenarioEvaluator.tasks(prepared: prepared, candidates: all, missing: all)
        let pairRuns = library.pairs.flatMap { $0.entries.joined() }
        let branched = pairRuns.filter { index in tasks.contains { $0.branches.contains(index) } }
        #expect(!branched.isEmpty, "some pair runs are branches")
        // More runs per pair (4) than chains (2): the runs of a pair still have distinct seeds.
        for pair in library.pairs {
            for runs in pair.entries {
                #expect(Set(runs.map { library.scenarios[$0].seed }).count == runs.count)
            }
        }
        _ = try evaluator.effects(of: library.scenarios, settings: settings.library, jobs: 2, progress: nil)
        for index in pairRuns {
            let item = prepared[index]
            let alone = try FailoverSimulation.run(model: item.model, experiment: item.experiment, variant: item.variant,
                                                   overrides: item.overrides, seed: item.scenario.seed)
            #expect(try #require(cache.runs[item.runKey]).identity.digest == alone.identity.digest, "\(item.scenario.name)")
        }
    }

    @Test("With the long entries stored, the band entries still branch off them (the trunk is simulated, not stored again)")
    func storedTrunkIsSimulatedButNotStored() throws {
        let (model, experiment, settings) = try Self.setUp()
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let library = IncidentLibrary.plan(processes: try #require(experiment.faultProcesses), levels: study.loadLevels, settings: settings.library)
        let cache = RecordingCache()
        let evaluator = ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study.loadLevels, cache: cache)
        let prepared = try library.scenarios.map { try evaluator.prepare($0, settings: settings.library) }
        let long = prepared.indices.filter { prepared[$0].scenario.stretchable }
        #expect(!long.isEmpty)
        let missing = prepared.indices.filter { !prepared[$0].scenario.stretchable }
        let tasks = ModelScenarioEvaluator.tasks(prepared: prepared, candidates: Array(prepared.indices), missing: missing)
        #expect(tasks.contains { !$0.trunkWanted && !$0.branches.isEmpty })
        #expect(tasks.allSatisfy { $0.trunkWanted || long.contains($0.trunk) })
        for task in tasks where !task.trunkWanted {
            let outputs = try ModelScenarioEvaluator.simulate(task, prepared: prepared, limits: SimulationLimits())
            #expect(outputs.map(\.0) == task.branches, "only the branches come back")
        }
    }
}
