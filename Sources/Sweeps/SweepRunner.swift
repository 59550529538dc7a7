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
        let queue = WorkQueue(count: todo.count)
        let workers = min(jobs, max(1, todo.count))
        let plan = self.plan
        let limits = self.limits
        let sizeLimits = self.sizeLimits
        var threads: [Thread] = []
        for _ in 0..<(todo.isEmpty ? 0 : workers) {
            let thread = Thread {
                while let index = queue.take() {
                    let run = todo[index]
                    queue.deliver(index, Self.execute(run, plan: plan, limits: limits, sizeLimits: sizeLimits))
                }
            }
            thread.stackSize = 16 << 20
            threads.append(thread)
            thread.start()
        }
        var done = 0
        var storedElsewhere = 0
        var failure: (any Error)? = nil
        while done < todo.count {
            guard let (index, outcome) = queue.next() else { break }
            done += 1
            switch outcome {
            case .success(let result):
                do {
                    let id = try store.insertIfAbsent(result)
                    if id == nil { storedElsewhere += 1 }
                    let finished = Finished(run: todo[index], id: id, result: result)
                    progress?(Progress(done: done, total: todo.count, skipped: skipped,
                                       elapsedSeconds: (clock.now - started).inSeconds, last: finished))
                } catch {
                    failure = error
                }
            case .failure(let error):
                failure = error
            }
            if failure != nil {
                queue.cancel()
                break
            }
        }
        queue.waitForWorkers(threads.count)
        if let failure { throw failure }
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


/// Hands out run indices to workers and their results back to the storing thread.
final class WorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var nextIndex = 0
    private var cancelled = false
    private var finished: [(Int, Result<RunResult, any Error>)] = []
    private var workersDone = 0

    init(count: Int) { self.count = count }

    /// The next run for a worker, or nil when there is none (or the sweep stopped).
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled, nextIndex < count else {
            workersDone += 1
            condition.broadcast()
            return nil
        }
        nextIndex += 1
        return nextIndex - 1
    }

    func deliver(_ index: Int, _ outcome: Result<RunResult, any Error>) {
        condition.lock()
        finished.append((index, outcome))
        condition.broadcast()
        condition.unlock()
    }

    /// The next finished run, waiting for one; nil once every worker has stopped and none is left.
    func next() -> (Int, Result<RunResult, any Error>)? {
        condition.lock()
        defer { condition.unlock() }
        while finished.isEmpty {
            if cancelled { return nil }
            condition.wait()
        }
        return finished.removeFirst()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func waitForWorkers(_ workers: Int) {
        condition.lock()
        while workersDone < workers { condition.wait() }
        condition.unlock()
    }
}
