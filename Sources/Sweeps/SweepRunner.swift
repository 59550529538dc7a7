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
    /// How long a finished run waits for a database another process keeps locked.
    public var busyPolicy = BusyPolicy()
    /// Told before each pause of such a wait (on the calling thread).
    public var onBusy: ((BusyWait) -> Void)?

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
        /// Finished runs that could not be stored because the database stayed locked beyond
        /// ``busyPolicy``, kept in a store of their own at ``asidePath`` instead of thrown away.
        public var keptAside: Int = 0
        public var asidePath: String?
        /// Why the database could not be written (the last lock error), when runs were kept aside.
        public var asideReason: String?
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
        // Once the database has stayed locked past the policy, the rest go aside without waiting
        // again: the simulations are the expensive part and are kept.
        var aside: RunStore?
        var keptAside = 0
        var asideReason: String?
        let busyPolicy = self.busyPolicy
        let onBusy = self.onBusy
        try ParallelWork.run(count: todo.count, jobs: jobs, body: { index in
            try Self.execute(todo[index], plan: plan, limits: limits, sizeLimits: sizeLimits).get()
        }, deliver: { index, result in
            done += 1
            var id: Int64?
            if let aside {
                id = try aside.insertIfAbsent(result)
                keptAside += 1
            } else {
                do {
                    id = try store.insert(result, ifAbsent: true, policy: busyPolicy) { onBusy?($0) }
                    if id == nil { storedElsewhere += 1 }
                } catch let error as StoreBusy {
                    let kept = try RunStore(path: RunStore.asidePath(for: store.path))
                    id = try kept.insertIfAbsent(result)
                    aside = kept
                    keptAside += 1
                    asideReason = error.description
                }
            }
            progress?(Progress(done: done, total: todo.count, skipped: skipped, elapsedSeconds: (clock.now - started).inSeconds,
                               last: Finished(run: todo[index], id: id, result: result)))
        })
        return Summary(planned: runs.count, skipped: skipped, ran: done, storedElsewhere: storedElsewhere,
                       wallSeconds: (clock.now - started).inSeconds, keptAside: keptAside, asidePath: aside?.path,
                       asideReason: asideReason)
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
