import Foundation
import ModelFiles
import RunResults
import RunStore

/// One shard of a sweep: worker `index` of `count`, as a cluster scheduler numbers them.
///
/// The split deals the plan's runs out in turn (run *k* of the plan goes to shard *k* mod
/// `count`), so every shard gets a mix of variants and seeds, and the split stays the same for as
/// long as the experiment (and the seeds asked for) does.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw .badCount(count) }
        guard index >= 0 && index < count else { throw .indexOutOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    public var description: String { "shard \(index) of \(count)" }

    /// The runs of `runs` that belong to this shard, in plan order.
    public func runs(of runs: [ExperimentPlan.Run]) -> [ExperimentPlan.Run] {
        runs.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    /// The shard a scheduler's environment names: Slurm's array task, or Kubernetes'
    /// `JOB_COMPLETION_INDEX` (whose count Kubernetes does not provide: `count` must be given).
    ///
    /// With `count` given, Slurm's `SLURM_ARRAY_TASK_ID` is the shard index as it is, so that a
    /// re-submission of some shards (`--array=3,5`) runs exactly those. Without it, the index is
    /// normalised by `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_STEP` and the count is
    /// `SLURM_ARRAY_TASK_COUNT`: an array such as `--array=1-8` or `0-14:2` is N shards.
    public static func fromEnvironment(_ environment: [String: String], count: Int?) throws(ShardError) -> Shard {
        if let task = environment["SLURM_ARRAY_TASK_ID"] {
            guard let id = Int(task) else { throw .badVariable("SLURM_ARRAY_TASK_ID", task) }
            if let count { return try Shard(index: id, count: count) }
            let minimum = try integer(environment, "SLURM_ARRAY_TASK_MIN") ?? 0
            let step = try integer(environment, "SLURM_ARRAY_TASK_STEP") ?? 1
            guard step >= 1, id >= minimum, (id - minimum) % step == 0 else {
                throw .badVariable("SLURM_ARRAY_TASK_ID", "\(task) (min \(minimum), step \(step))")
            }
            guard let total = try integer(environment, "SLURM_ARRAY_TASK_COUNT") else {
                throw .missingCount("SLURM_ARRAY_TASK_COUNT is not set; give --shard-count")
            }
            return try Shard(index: (id - minimum) / step, count: total)
        }
        if let completion = environment["JOB_COMPLETION_INDEX"] {
            guard let index = Int(completion) else { throw .badVariable("JOB_COMPLETION_INDEX", completion) }
            guard let count else { throw .missingCount("Kubernetes does not say how many completions there are; give --shard-count") }
            return try Shard(index: index, count: count)
        }
        throw .noScheduler
    }

    static func integer(_ environment: [String: String], _ name: String) throws(ShardError) -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text) else { throw .badVariable(name, text) }
        return value
    }
}

/// A shard that cannot be named.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    case badCount(Int)
    case indexOutOfRange(index: Int, count: Int)
    case badVariable(String, String)
    case missingCount(String)
    case noScheduler

    public var description: String {
        switch self {
        case .badCount(let count): "the shard count must be at least 1, found \(count)"
        case .indexOutOfRange(let index, let count): "shard index \(index) is outside 0…\(count - 1)"
        case .badVariable(let name, let value): "\(name) is not a usable array index: '\(value)'"
        case .missingCount(let why): "no shard count: \(why)"
        case .noScheduler: "no shard given: use --shard I --shard-count N, or run inside a Slurm array job (SLURM_ARRAY_TASK_ID) or a Kubernetes indexed job (JOB_COMPLETION_INDEX)"
        }
    }
}

/// Combines shard databases into one, by run key.
public enum ShardMerge {
    /// What a merge did.
    public struct Outcome: Sendable, Equatable {
        /// Runs copied into the output.
        public var added: Int
        /// Runs the output already held (merging twice, or overlapping shards).
        public var alreadyPresent: Int
        /// Per shard file: runs it held.
        public var runsPerShard: [String: Int]
    }

    /// A shard that must not be merged.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Copies every run of every shard into `output` unless its run key is there already. All
    /// runs — the output's own and every shard's — must come from one experiment (name and
    /// content hash) and one engine version; a shard that differs is refused before anything is
    /// written, naming the file and what differs.
    ///
    /// With `mixed`, runs of several experiments and engines are merged too (a database of
    /// single runs, or runs a command kept aside while the database was locked); digests are
    /// still checked and run keys still stored once.
    public static func merge(into output: RunStore, shards: [String], mixed: Bool = false) throws -> Outcome {
        var sources: [(path: String, store: RunStore)] = []
        var temporaryCopies: [String] = []
        defer {
            for copy in temporaryCopies {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
            }
        }
        var identity: (experiment: String, hash: String, engine: String, from: String)? = nil
        func admit(_ summary: RunIdentity, from path: String) throws {
            if mixed { return }
            guard let known = identity else {
                identity = (summary.experiment, summary.experimentHash, summary.engineVersion, path)
                return
            }
            if summary.experiment != known.experiment || summary.experimentHash != known.hash {
                throw Refusal(description: "\(path) holds runs of experiment '\(summary.experiment)' (\(summary.experimentHash.prefix(12))), "
                              + "but \(known.from) holds '\(known.experiment)' (\(known.hash.prefix(12))): not merged")
            }
            if summary.engineVersion != known.engine {
                throw Refusal(description: "\(path) holds runs of engine \(summary.engineVersion), but \(known.from) of engine \(known.engine): not merged")
            }
        }
        // Check everything first, so that a refused shard leaves the output untouched.
        // The output's identities alone: its runs' results are not needed to check them.
        for stored in try output.runIdentities() { try admit(stored.identity, from: output.path) }
        var loaded: [String: [RunResult]] = [:]
        for path in shards {
            guard FileManager.default.fileExists(atPath: path) else {
                throw Refusal(description: "\(path): no such shard file")
            }
            // A copy is opened, never the shard itself: opening a store may switch it to WAL and
            // leave -wal/-shm files beside it on a shared file system.
            let store: RunStore
            do {
                let copy = FileManager.default.temporaryDirectory.appendingPathComponent("failsim-merge-\(UUID().uuidString).sqlite").path
                try FileManager.default.copyItem(atPath: path, toPath: copy)
                temporaryCopies.append(copy)
                // A shard left in WAL mode keeps committed runs in its log until a checkpoint.
                if FileManager.default.fileExists(atPath: path + "-wal") {
                    try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
                }
                store = try RunStore(path: copy)
            } catch {
                throw Refusal(description: "\(path): \(error)")
            }
            sources.append((path, store))
            var results: [RunResult] = []
            for run in try store.runs() {
                guard let result = try store.run(id: run.id) else { continue }
                guard result.hasValidDigest else {
                    throw Refusal(description: "\(path): run \(run.id) does not match its digest: not merged")
                }
                try admit(result.identity, from: path)
                results.append(result)
            }
            loaded[path] = results
        }
        var added = 0
        var present = 0
        var perShard: [String: Int] = [:]
        for (path, _) in sources {
            let results = loaded[path] ?? []
            perShard[path] = results.count
            for result in results {
                if try output.insertIfAbsent(result) != nil { added += 1 } else { present += 1 }
            }
        }
        return Outcome(added: added, alreadyPresent: present, runsPerShard: perShard)
    }
}
