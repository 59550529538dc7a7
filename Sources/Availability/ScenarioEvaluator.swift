import FailoverModel
import Foundation
import RunResults
import SimulationCore

/// Turns scenarios into their effects. The study asks once for every scenario it needs, so that
/// an evaluator can run them side by side.
public protocol ScenarioEvaluator {
    /// The effects of `scenarios`, in the same order, computed on up to `jobs` threads.
    /// `progress(done, total)` is called on the calling thread as effects become available.
    func effects(of scenarios: [Scenario], settings: LibrarySettings, jobs: Int,
                 progress: ((Int, Int) -> Void)?) throws -> [ScenarioEffect]
}

/// Where a model evaluator keeps and finds its runs: the run store, in the command line. Called
/// from the evaluator's calling thread only.
public protocol ScenarioRunCache: AnyObject {
    /// The run stored under `runKey`, if any.
    func storedRun(runKey: String) throws -> RunResult?
    /// Stores a run that was just simulated.
    func store(_ run: RunResult) throws
}

/// Runs scenarios through the failover model at request level (``FailoverSimulation``), each a
/// pure function of the model, the scenario and its seed, so results do not depend on `jobs`.
///
/// A scenario's run is an ordinary run of the experiment: its faults are scripted from the fault
/// processes' templates, its variant is `uptime:` plus the scenario's name, its load level is an
/// override of `traffic.requestsPerSecond`. With a cache, runs found under their run key are not
/// simulated again, and new runs are stored as they finish. Scenarios that differ only in their
/// faults ending earlier (same level and seed: the library's chains) are simulated as branches of
/// the longest (``FailoverSimulation/runBranches(model:trunk:branches:overrides:seed:limits:sizeLimits:includeTrunk:deliver:)``),
/// which gives the same runs for less: the shared part is simulated once.
public final class ModelScenarioEvaluator: ScenarioEvaluator {
    public let model: ModelConfiguration
    public let experiment: ExperimentConfiguration
    public let loadLevels: [LoadLevel]
    public let cache: ScenarioRunCache?
    public var limits: SimulationLimits
    let processes: [String: FaultProcess]

    /// An evaluator for the fault processes of `experiment` on `model` (overrides applied).
    public init(model: ModelConfiguration, experiment: ExperimentConfiguration, loadLevels: [LoadLevel],
                cache: ScenarioRunCache? = nil, limits: SimulationLimits = SimulationLimits()) {
        self.model = model
        self.experiment = experiment
        self.loadLevels = loadLevels
        self.cache = cache
        self.limits = limits
        var processes: [String: FaultProcess] = [:]
        for process in experiment.faultProcesses ?? [] { processes[process.name] = process }
        self.processes = processes
    }

    /// Everything a scenario's run needs, decided before it runs.
    struct Prepared: @unchecked Sendable {
        var scenario: Scenario
        var model: ModelConfiguration
        var experiment: ExperimentConfiguration
        /// The run's variant: `uptime:` and the scenario's name.
        var variant: String { "uptime:" + scenario.name }
        var overrides: [String: String]
        var runKey: String
        var processes: [String]
        var cuts: [ScenarioCut]
        var faultEndBin: Int?
        var faultSeconds: Double?
        var measuredSeconds: Double { experiment.duration.seconds }
    }

    func prepare(_ scenario: Scenario, settings: LibrarySettings) throws -> Prepared {
        guard loadLevels.indices.contains(scenario.level) else { throw ModelError("scenario '\(scenario.name)': no load level \(scenario.level)") }
        var model = self.model
        let rate = loadLevels[scenario.level].requestsPerSecond
        model.traffic.requestsPerSecond = rate
        model.traffic.profile = nil
        let overrides = ["traffic.requestsPerSecond": LoadLevel.format(rate)]
        var run = experiment
        run.faultProcesses = nil
        run.variants = nil
        run.sweep = nil
        run.seeds = nil
        run.checks = nil
        run.overrides = nil
        run.warmUp = settings.warmUp
        let pre = ScenarioEffect.binLength * Int64(settings.preBins)
        var faults: [FaultSpec] = []
        var processes: [String] = []
        var cuts: [ScenarioCut] = []
        var faultEndBin: Int? = nil
        var faultSeconds: Double? = nil
        let span: SimDuration
        if scenario.faults.isEmpty {
            span = scenario.normalOperation ?? settings.normalOperation
            run.duration = span
        } else {
            let compressed = scenario.compressed(after: settings.compressAfter, preBins: settings.preBins)
            cuts = compressed.cuts
            span = compressed.span
            for (index, fault) in scenario.faults.enumerated() {
                guard let process = process(named: fault.process) else {
                    throw ModelError("scenario '\(scenario.name)': no fault process '\(fault.process)' in experiment '\(experiment.name)'")
                }
                let at = settings.warmUp + pre + compressed.faults[index].offset
                let duration = max(compressed.faults[index].duration, .milliseconds(1))
                for template in process.faults {
                    let suffix = process.faults.count > 1 ? "-\(template.kind.rawValue)" : ""
                    faults.append(template.fault(name: "f\(index)-\(fault.process)\(suffix)", at: at, duration: duration))
                    processes.append(fault.process)
                }
            }
            if scenario.faults.count == 1 {
                (faultEndBin, faultSeconds) = ScenarioEffect.faultEnd(span: span, preBins: settings.preBins)
            }
            run.duration = pre + span + settings.post
        }
        // The model reports incidents in onset order: give it the faults that way.
        let order = faults.indices.sorted { (faults[$0].at, $0) < (faults[$1].at, $1) }
        run.faults = order.map { faults[$0] }
        processes = order.map { processes[$0] }
        let key = FailoverSimulation.runKey(model: model, experiment: run, variant: "uptime:" + scenario.name, overrides: overrides,
                                            seed: scenario.seed)
        return Prepared(scenario: scenario, model: model, experiment: run, overrides: overrides, runKey: key,
                        processes: processes, cuts: cuts, faultEndBin: faultEndBin, faultSeconds: faultSeconds)
    }

    private func process(named name: String) -> FaultProcess? { processes[name] }

    func effect(_ prepared: Prepared, run: RunResult, wallSeconds: Double, fromStore: Bool, settings: LibrarySettings) -> ScenarioEffect {
        ScenarioEffect(scenario: prepared.scenario, run: run, processes: prepared.processes, preBins: prepared.scenario.faults.isEmpty ? 0 : settings.preBins,
                       measuredFromSeconds: (prepared.experiment.warmUp ?? .zero).seconds,
                       measuredSeconds: prepared.measuredSeconds, cuts: prepared.cuts,
                       faultEndBin: prepared.faultEndBin, faultSeconds: prepared.faultSeconds,
                       tenants: prepared.model.traffic.tenants, wallSeconds: wallSeconds, fromStore: fromStore)
    }

    /// Simulated work, to hand out the longest first: request-seconds from `from` to the end.
    static func cost(_ prepared: Prepared, from: SimTime = .zero) -> Double {
        let end = SimTime.zero + (prepared.experiment.warmUp ?? .zero) + prepared.experiment.duration
        let rate = prepared.model.traffic.requestsPerSecond
        return max(0, (end - from).seconds) * rate
    }

    /// One piece of work: a run alone, or a trunk with its branches.
    struct Task: Sendable {
        /// Index of the trunk (or the lone run).
        var trunk: Int
        /// Whether the trunk's own result is wanted (it may be stored already).
        var trunkWanted: Bool
        var branches: [Int]
        var cost: Double
    }

    /// Groups the missing scenarios into tasks: each joins, as a branch, a scenario of its level
    /// and seed that it is a branch of and that is no branch itself (stored or not) — the one it
    /// shares most with; the rest run alone.
    static func tasks(prepared: [Prepared], candidates: [Int], missing: [Int]) -> [Task] {
        // By seed and level (the level decides the overrides), so that the pairwise search
        // stays within a chain.
        var byChain: [String: [Int]] = [:]
        func chainKey(_ index: Int) -> String { "\(prepared[index].scenario.seed)|\(prepared[index].scenario.level)" }
        for index in candidates where !prepared[index].experiment.faults.isEmpty {
            byChain[chainKey(index), default: []].append(index)
        }
        func parents(of index: Int) -> [(trunk: Int, instant: SimTime)] {
            (byChain[chainKey(index)] ?? []).compactMap { other in
                guard other != index,
                      let instant = FailoverSimulation.branchInstant(trunk: prepared[other].experiment, branch: prepared[index].experiment)
                else { return nil }
                return (other, instant)
            }
        }
        var isRoot: [Int: Bool] = [:]
        func root(_ index: Int) -> Bool {
            if let known = isRoot[index] { return known }
            let answer = parents(of: index).isEmpty
            isRoot[index] = answer
            return answer
        }
        let wanted = Set(missing)
        var groups: [Int: [(branch: Int, instant: SimTime)]] = [:]
        for index in missing {
            // The latest instant: the most shared; ties to the lowest index.
            if let best = parents(of: index).filter({ root($0.trunk) }).max(by: { ($0.instant, $1.trunk) < ($1.instant, $0.trunk) }) {
                groups[best.trunk, default: []].append((index, best.instant))
            }
        }
        var tasks: [Task] = []
        for (trunk, branches) in groups {
            let tails = branches.reduce(0.0) { $0 + cost(prepared[$1.branch], from: $1.instant) }
            tasks.append(Task(trunk: trunk, trunkWanted: wanted.contains(trunk), branches: branches.map(\.branch).sorted(),
                              cost: cost(prepared[trunk]) + tails))
        }
        // The rest alone: neither a branch nor a trunk of another.
        let grouped = Set(groups.keys).union(groups.values.joined().map(\.branch))
        for index in missing where !grouped.contains(index) {
            tasks.append(Task(trunk: index, trunkWanted: true, branches: [], cost: cost(prepared[index])))
        }
        // Longest first, so that the last piece to finish is a short one; ties by index.
        return tasks.sorted { ($0.cost, $1.trunk) > ($1.cost, $0.trunk) }
    }

    /// The runs of one task (on a worker thread): (scenario index, run, wall seconds) for every
    /// wanted run, branches as they end and the trunk last.
    static func simulate(_ task: Task, prepared: [Prepared], limits: SimulationLimits) throws -> [(Int, RunResult, Double)] {
        let clock = ContinuousClock()
        let taskStart = clock.now
        var branchStart = taskStart
        var branchesSeconds = 0.0
        var outputs: [(Int, RunResult, Double)] = []
        let trunk = prepared[task.trunk]
        try FailoverSimulation.runBranches(
            model: trunk.model, trunk: (trunk.experiment, trunk.variant),
            branches: task.branches.map { (prepared[$0].experiment, prepared[$0].variant) },
            overrides: trunk.overrides, seed: trunk.scenario.seed, limits: limits, includeTrunk: task.trunkWanted,
            branchStarts: { _ in branchStart = clock.now }
        ) { position, run in
            let isBranch = position < task.branches.count
            let index = isBranch ? task.branches[position] : task.trunk
            var result = run
            // A branch's wall time is its own part, from the copy on; the trunk's, the rest.
            if isBranch {
                result.identity.wallSeconds = (clock.now - branchStart).inSeconds
                branchesSeconds += result.identity.wallSeconds
            } else {
                result.identity.wallSeconds = (clock.now - taskStart).inSeconds - branchesSeconds
            }
            if result.status != .completed {
                throw ModelError("scenario '\(prepared[index].scenario.name)' stopped early: \(result.statusDetail ?? result.status.rawValue)")
            }
            outputs.append((index, result, result.identity.wallSeconds))
        }
        return outputs
    }

    public func effects(of scenarios: [Scenario], settings: LibrarySettings, jobs: Int,
                        progress: ((Int, Int) -> Void)?) throws -> [ScenarioEffect] {
        let prepared = try scenarios.map { try prepare($0, settings: settings) }
        var effects: [ScenarioEffect?] = Array(repeating: nil, count: scenarios.count)
        var missing: [Int] = []
        var candidates: [Int] = []
        // Two scenarios with the same run key are the same run: simulate it once.
        var firstWithKey: [String: Int] = [:]
        var duplicates: [(Int, Int)] = []
        for index in prepared.indices {
            if let first = firstWithKey[prepared[index].runKey] { duplicates.append((index, first)); continue }
            firstWithKey[prepared[index].runKey] = index
            candidates.append(index)
            if let stored = try cache?.storedRun(runKey: prepared[index].runKey) {
                effects[index] = effect(prepared[index], run: stored, wallSeconds: 0, fromStore: true, settings: settings)
            } else {
                missing.append(index)
            }
        }
        var done = scenarios.count - missing.count - duplicates.count
        progress?(done, scenarios.count - duplicates.count)
        let limits = self.limits
        let tasks = Self.tasks(prepared: prepared, candidates: candidates, missing: missing)
        try ParallelWork.run(count: tasks.count, jobs: jobs, body: { index in
            try Self.simulate(tasks[index], prepared: prepared, limits: limits)
        }, deliver: { _, outputs in
            for (index, run, wall) in outputs {
                try cache?.store(run)
                effects[index] = effect(prepared[index], run: run, wallSeconds: wall, fromStore: false, settings: settings)
                done += 1
                progress?(done, scenarios.count - duplicates.count)
            }
        })
        for (index, first) in duplicates { effects[index] = effects[first] }
        return effects.map { $0! }
    }
}
