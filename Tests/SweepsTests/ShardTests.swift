import Foundation
import Testing
import ExperimentAnalysis
import FailoverModel
import ModelFiles
import RunResults
import RunStore
@testable import Sweeps

@Suite("Shards and merging")
struct ShardTests {
    @Test("A scheduler's environment names the shard: Slurm normalised by min and step, Kubernetes with a given count")
    func environment() throws {
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_STEP": "2",
                                           "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) == Shard(index: 2, count: 4))
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3"], count: 3) == Shard(index: 0, count: 3))
        // A re-submitted part of the array (--array=3,5 of 8 shards) keeps the shard numbers.
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "2"], count: 8)
                == Shard(index: 5, count: 8))
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "0"], count: nil) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) }
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "5"], count: 6) == Shard(index: 5, count: 6))
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "5"], count: nil) }
        #expect(throws: ShardError.indexOutOfRange(index: 6, count: 6)) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "6"], count: 6) }
        #expect(throws: ShardError.noScheduler) { try Shard.fromEnvironment([:], count: 2) }
    }

    @Test("Shards partition the plan: every run in exactly one shard, sizes within one")
    func partition() throws {
        let runs = try smallPlan().runs()
        for count in 1...5 {
            let shards = try (0..<count).map { try Shard(index: $0, count: count).runs(of: runs) }
            #expect(shards.flatMap { $0 }.map(\.runKey).sorted() == runs.map(\.runKey).sorted())
            let sizes = shards.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
        }
    }

    @Test("Shards 0..N-1 merged give exactly the runs, digests and comparison of the sweep on one machine; merging twice stores each run once; a missing shard shows")
    func mergeEqualsOneMachine() throws {
        let plan = try smallPlan(seeds: "2")
        let runs = plan.runs()
        let whole = try RunStore(path: temporaryDatabase())
        _ = try SweepRunner(plan: plan, store: whole).run(runs, jobs: 2)

        var shardFiles: [String] = []
        for index in 0..<3 {
            let local = try RunStore(path: temporaryDatabase())
            _ = try SweepRunner(plan: plan, store: local).run(try Shard(index: index, count: 3).runs(of: runs), jobs: 1)
            let exported = temporaryDatabase()
            try local.exportSingleFile(to: exported)
            // One self-contained file: no write-ahead log beside it.
            #expect(!FileManager.default.fileExists(atPath: exported + "-wal"))
            shardFiles.append(exported)
        }
        let lastShard = try Shard(index: 2, count: 3).runs(of: runs).count
        let merged = try RunStore(path: temporaryDatabase())
        // Two shards first: the third's runs are missing.
        let partial = try ShardMerge.merge(into: merged, shards: Array(shardFiles.prefix(2)))
        #expect(partial.added == runs.count - lastShard)
        #expect(try merged.storedRunKeys(among: runs.map(\.runKey)).count == partial.added)
        let outcome = try ShardMerge.merge(into: merged, shards: shardFiles)
        #expect(outcome.added == lastShard)
        #expect(outcome.alreadyPresent == partial.added)
        let again = try ShardMerge.merge(into: merged, shards: shardFiles)
        #expect(again.added == 0 && again.alreadyPresent == runs.count)
        // The identities the merge checks the output by are those of the runs loaded in full.
        let identities = try merged.runIdentities()
        #expect(identities.count == runs.count)
        #expect(identities == (try merged.runs().map { StoredRunIdentity(id: $0.id, identity: try #require(try merged.run(id: $0.id)).identity) }))

        let a = try storedResults(whole)
        let b = try storedResults(merged)
        #expect(Set(a.keys) == Set(b.keys))
        for (key, result) in a { #expect(result == b[key]) }
        let order = plan.variants.map(\.name)
        let compareWhole = try VariantComparison(runs: Array(a.values), options: ComparisonOptions(variantOrder: order))
        let compareMerged = try VariantComparison(runs: Array(b.values), options: ComparisonOptions(variantOrder: order))
        #expect(compareWhole == compareMerged)
    }

    @Test("A shard of another experiment, or a file that is not a run store, is refused and nothing is written")
    func foreignShard() throws {
        let plan = try smallPlan(seeds: "[1]")
        let ours = try RunStore(path: temporaryDatabase())
        _ = try SweepRunner(plan: plan, store: ours).run(Array(plan.runs().prefix(1)), jobs: 1)
        let other = try otherExperimentPlan()
        let theirs = try RunStore(path: temporaryDatabase())
        _ = try SweepRunner(plan: other, store: theirs).run(Array(other.runs().prefix(1)), jobs: 1)

        let out = try RunStore(path: temporaryDatabase())
        #expect(throws: ShardMerge.Refusal.self) { try ShardMerge.merge(into: out, shards: [ours.path, theirs.path]) }
        #expect(try out.runs().isEmpty)
        let garbage = temporaryDatabase()
        try Data("not a database, just text that is long enough to look like a header".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: ShardMerge.Refusal.self) { try ShardMerge.merge(into: out, shards: [garbage]) }
        #expect(throws: ShardMerge.Refusal.self) { try ShardMerge.merge(into: out, shards: ["/nonexistent/shard.sqlite"]) }
        #expect(try out.runs().isEmpty)
    }
}

/// The small plan's experiment under another name.
func otherExperimentPlan() throws -> ExperimentPlan {
    let modelPath = repositoryRoot.appendingPathComponent("models/esta-tracker.yaml").path
    let modelText = try String(contentsOfFile: modelPath, encoding: .utf8)
    let text = """
        kind: experiment
        name: another
        model: esta-tracker.yaml
        overrides: {traffic.requestsPerSecond: "100"}
        duration: 1m
        seeds: 1
        faults: []
        """
    return try ExperimentPlan(try ExperimentLoader.load(experimentText: text, experimentFile: "another.yaml") { _ throws(FileError) in
        (modelText, modelPath)
    })
}
