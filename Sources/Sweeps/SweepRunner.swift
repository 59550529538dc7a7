import FailoverModel
import Foundation
import ModelFiles
import RunResults
import RunStore
import SimulationCore

/// Runs a list of an experiment's runs on worker threads and stores each as it finishes.
///
/// Each run is one simulation on one thread, a pure function of its inputs: the threads only
/// decide which run goes where and when, never what a run computes, so results are identical for
/// any number of workers. Only the calling thread touches the store, one short transaction per
/// run (``RunStore/insertIfAbsent(_:)``), so a crash or kill loses at most the runs in flight and
/// never leaves half a run behind.
public final class SweepRunner: @unchecked Sendable {
    public let plan: ExperimentPlan
    public let store: RunStore
    public var limits: SimulationLimits
    public var sizeLimits: ModelSizeLimits

    public init(plan: ExperimentPlan, store: RunStore, limits: SimulationLimits = SimulationLimits(),
                sizeLimits: ModelSizeLimits = ModelSizeLimits()) {
        self.plan = plan
        self.store = store
        self.limits = limits
        self.sizeLimits = sizeLimits
    }

    /// What happened to one run.
    public struct Finished: Sendable {
        public var run: ExperimentPlan.Run
        /// The stored row id; nil when another process stored the same run key first.
        public var id: Int64?
        public var result: RunResult
    }

    /// Progress after each stored run.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var skipped: Int
        /// Wall-clock seconds since the sweep started (for an ETA; never part of results).
        public var elapsedSeconds: Double
        public var last: Finished
    }

    /// The outcome of a sweep.
    public struct Summary: Sendable {
        public var planned: Int
        /// Runs found stored already and not run again.
        public var skipped: Int
        public var ran: Int
        /// Runs another writer stored between our check and our insert (not stored twice).
        public var storedElsewhere: Int
        public var wallSeconds: Double
    }

    /// A run that failed (a model error): the sweep stops and reports it.
    public struct RunFailure: Error, CustomStringConvertible {
        public var run: ExperimentPlan.Run
        public var variant: String
        public var message: String
        public var description: String { "variant '\(variant)' seed \(run.seed): \(message)" }
    }

    /// The runs of `runs` that are not stored yet, in the same order.
    public func pending(_ runs: [ExperimentPlan.Run]) throws -> [ExperimentPlan.Run] {
        let stored = try store.storedRunKeys(among: runs.map(\.runKey))
        return runs.filter { !stored.contains($0.runKey) }
    }

    /// Runs every run of `runs` not yet stored on `jobs` worker threads; `progress` is called on
    /// the calling thread after each run is stored.
    public func run(_ runs: [ExperimentPlan.Run], jobs: Int, progress: ((Progress) -> Void)? = nil) throws -> Summary {
        precondition(jobs >= 1, "at least one worker")
        let clock = ContinuousClock()
        let started = clock.now
        let todo = try pending(runs)
        let skipped = runs.count - todo.count
        let plan = self.plan
        let limits = self.limits
        let sizeLimits = self.sizeLimits
        var done = 0
        var storedElsewhere = 0
        try ParallelWork.run(count: todo.count, jobs: jobs, body: { index in
            try Self.execute(todo[index], plan: plan, limits: limits, sizeLimits: sizeLimits).get()
        }, deliver: { index, result in
            done += 1
            let id = try store.insertIfAbsent(result)
            if id == nil { storedElsewhere += 1 }
            progress?(Progress(done: done, total: todo.count, skipped: skipped, elapsedSeconds: (clock.now - started).inSeconds,
                               last: Finished(run: todo[index], id: id, result: result)))
        })
        return Summary(planned: runs.count, skipped: skipped, ran: done, storedElsewhere: storedElsewhere,
                       wallSeconds: (clock.now - started).inSeconds)
    }

    /// One run, start to finish (on a worker thread).
    static func execute(_ run: ExperimentPlan.Run, plan: ExperimentPlan, limits: SimulationLimits,
                        sizeLimits: ModelSizeLimits = ModelSizeLimits()) -> Result<RunResult, any Error> {
        let variant = plan.variants[run.variant]
        let clock = ContinuousClock()
        let started = clock.now
        do {
            var result = try FailoverSimulation.run(model: variant.model, experiment: plan.experiment, variant: variant.name,
                                                    overrides: variant.overrides, seed: run.seed, limits: limits, sizeLimits: sizeLimits)
            precondition(result.identity.runKey == run.runKey, "a run's key is fixed by its inputs before it runs")
            result.identity.wallSeconds = (clock.now - started).inSeconds
            return .success(result)
        } catch {
            return .failure(RunFailure(run: run, variant: variant.name, message: "\(error)"))
        }
    }
}
