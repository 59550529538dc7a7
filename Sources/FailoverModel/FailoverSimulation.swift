import Foundation
import RunResults
import SimulationCore
import SimulationStatistics

/// Errors in a model or experiment that only show when they are put together.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Bounds on the size of what a run builds, checked before it starts, so that an absurd model
/// (10⁹ tenants, a run of a thousand years) is a clear error rather than an out-of-memory kill.
/// Each can be raised (the command line's `--max-…` options) when the machine allows.
public struct ModelSizeLimits: Sendable, Equatable {
    /// Warm-up plus measured time.
    public var maxSimulated: SimDuration
    /// Tenants in the traffic model.
    public var maxTenants: Int
    /// Cache entries held in memory: (edge locations + regions) × tenants × keys per tenant,
    /// 8 bytes each.
    public var maxCacheEntries: Int
    /// API instances per region (each with its breakers).
    public var maxInstances: Int
    /// The highest arrival rate, requests per second, of `traffic.requestsPerSecond` and every
    /// step of its profile: at 10⁹ requests per second a run holds millions of requests in
    /// flight and delivers its event limit in a few simulated seconds.
    public var maxRequestsPerSecond: Double

    public init(maxSimulated: SimDuration = .days(400), maxTenants: Int = 1_000_000,
                maxCacheEntries: Int = 50_000_000, maxInstances: Int = 100_000, maxRequestsPerSecond: Double = 1_000_000) {
        precondition(maxSimulated > .zero && maxSimulated <= .longestStated,
                     "simulated time is limited to SimDuration.longestStated, so that no sum of stated durations overflows the clock")
        self.maxSimulated = maxSimulated
        self.maxTenants = maxTenants
        self.maxCacheEntries = maxCacheEntries
        self.maxInstances = maxInstances
        self.maxRequestsPerSecond = maxRequestsPerSecond
    }
}

/// Progress of a run, for a terminal display.
public struct RunProgress: Sendable {
    public var simulated: SimDuration
    public var total: SimDuration
    public var events: Int64
}

/// Runs the failover model: one (model, experiment, variant, seed) → one ``RunResult``.
///
/// A run is a pure function of its inputs and ``engineVersion``: no wall clock, no system
/// randomness, no hash order. (Wall time is filled in by the caller, and excluded from the
/// digest.)
public enum FailoverSimulation {
    /// Bumped whenever the model's behaviour changes, so that stored run keys and digests of an
    /// older engine are never confused with new ones.
    public static let engineVersion = "0.4.0"

    /// Runs one seed of an experiment on a model (overrides already applied to `model`).
    public static func run(
        model: ModelConfiguration,
        experiment: ExperimentConfiguration,
        variant: String = "baseline",
        overrides: [String: String] = [:],
        seed: UInt64,
        limits: SimulationLimits = SimulationLimits(),
        sizeLimits: ModelSizeLimits = ModelSizeLimits(),
        progress: ((RunProgress) -> Void)? = nil
    ) throws -> RunResult {
        try simulate(model: model, experiment: experiment, variant: variant, overrides: overrides, seed: seed,
                     limits: limits, sizeLimits: sizeLimits, progress: progress).result
    }

    /// ``run(model:experiment:variant:overrides:seed:limits:progress:)``, also handing back the
    /// world for tests to inspect; `traceArrivals` folds every arrival into its `arrivalDigest`,
    /// `keepArrivalBins` keeps every 1 s arrival bin (``ArrivalBins/rate(_:bin:)``).
    static func simulate(
        model: ModelConfiguration, experiment: ExperimentConfiguration, variant: String = "baseline",
        overrides: [String: String] = [:], seed: UInt64, limits: SimulationLimits = SimulationLimits(),
        sizeLimits: ModelSizeLimits = ModelSizeLimits(), traceArrivals: Bool = false, keepArrivalBins: Bool = false,
        progress: ((RunProgress) -> Void)? = nil
    ) throws -> (result: RunResult, world: FailoverWorld) {
        try checkSize(model: model, experiment: experiment, limits: sizeLimits)
        let declared = experiment
        let experiment = try expandFaultProcesses(experiment, seed: seed)
        try validate(model: model, experiment: experiment)
        let world = try start(model: model, experiment: experiment, declared: declared, seed: seed, limits: limits, traceArrivals: traceArrivals)
        if keepArrivalBins { world.arrivals.keepEveryBin() }
        return (finish(world, seed: seed, variant: variant, overrides: overrides, until: sizeLimits.maxSimulated, progress: progress), world)
    }

    /// A run set up and standing at time zero: its world, its entities and the events scheduled
    /// before the first one is delivered.
    static func start(model: ModelConfiguration, experiment: ExperimentConfiguration, declared: ExperimentConfiguration,
                      seed: UInt64, limits: SimulationLimits, traceArrivals: Bool = false) throws -> FailoverWorld {
        let simulation = Simulation(limits: limits)
        let world = try FailoverWorld(model: model, experiment: experiment, seed: seed, simulation: simulation)
        world.declaredExperiment = declared
        if traceArrivals { world.arrivalDigest = 0xcbf2_9ce4_8422_2325 }
        world.trafficID = simulation.add(TrafficEntity(world: world))
        world.regionIDs = world.regionNames.indices.map { simulation.add(RegionEntity(world: world, region: $0)) }
        world.controlID = simulation.add(ControlEntity(world: world))

        // Faults, probes, controller and monitor; probes and evaluations start at a random phase.
        // Fault i starts and ends in reserved places 2i and 2i + 1: among events of one instant,
        // faults come first, in the order of the list, whatever else is scheduled — so a branch
        // can move a fault's end, or add a fault, where it would have been from the start.
        simulation.reserveSequences(max(faultSequences, 2 * UInt64(experiment.faults.count)))
        for (index, fault) in experiment.faults.enumerated() {
            simulation.send(to: world.controlID, kind: Kind.faultStart, payload: UInt64(index), at: .zero + fault.at, sequence: 2 * UInt64(index))
            simulation.send(to: world.controlID, kind: Kind.faultEnd, payload: UInt64(index), at: .zero + fault.at + fault.duration,
                            sequence: 2 * UInt64(index) + 1)
        }
        var phase = world.streams.stream(named: "phases")
        if let checks = model.healthChecks {
            simulation.send(to: world.controlID, kind: Kind.probe, after: SimDuration(seconds: phase.nextUniform() * checks.interval.seconds))
        }
        if model.controller != nil {
            simulation.send(to: world.controlID, kind: Kind.controllerTick, after: SimDuration(seconds: phase.nextUniform()))
        }
        simulation.send(to: world.controlID, kind: Kind.monitorTick, at: world.measureStart + FailoverWorld.seriesInterval)
        if model.dns != nil && world.regionNames.count > 1 {
            for location in 0..<world.edgeLocations {
                simulation.send(to: world.trafficID, kind: Kind.dnsRefresh, payload: UInt64(location),
                                at: SimTime(nanoseconds: world.dnsNextRefresh[location]))
            }
        }
        world.scheduleNextArrival()
        return world
    }

    /// The longest a run goes on after its measured period so that requests in flight at its end
    /// can finish: one client deadline, but at most a minute (a deadline of an hour would
    /// otherwise simulate an hour more than the experiment asks for).
    public static let longestDrain = SimDuration.minutes(1)

    /// How long `model`'s runs go on after the measured period: its client deadline, at most
    /// ``longestDrain``. Requests still in flight when a run ends are neither counted nor
    /// measured, as at any end of a run.
    public static func drain(of model: ModelConfiguration) -> SimDuration { min(model.traffic.deadline, longestDrain) }

    /// Runs `world` on from where it stands to the end of the measured period plus its
    /// ``drain(of:)``, and never past `limit` of simulated time (`--max-simulated` is a hard
    /// bound: the drain is cut short rather than the limit exceeded), and reports.
    static func finish(_ world: FailoverWorld, seed: UInt64, variant: String, overrides: [String: String],
                       until limit: SimDuration, progress: ((RunProgress) -> Void)?) -> RunResult {
        let simulation = world.simulation
        let end = min(world.measureEnd + drain(of: world.model), .zero + limit)
        let chunk = SimDuration.seconds(10)
        var status = RunStatus.completed
        var detail: String? = nil
        var clock = simulation.now
        while clock < end {
            let next = min(end, clock + chunk)
            let outcome = simulation.run(until: next)
            switch outcome {
            case .reachedTimeLimit, .exhausted:
                clock = next
            case .eventLimit, .pendingEventLimit, .stopped:
                status = .stoppedAtEventLimit
                detail = "run \(outcome) (simulated \(simulation.now))"
                clock = end
            }
            progress?(RunProgress(simulated: min(clock, end) - .zero, total: end - .zero, events: simulation.deliveredEvents))
        }
        return world.results(seed: seed, variant: variant, overrides: overrides, status: status, statusDetail: detail)
    }

    // MARK: Branches

    /// Places reserved for faults' starts and ends: a branch may add faults up to half of this.
    static let faultSequences: UInt64 = 1 << 20

    /// The instant at which a run of `branch` parts from a run of `trunk` (same model, overrides
    /// and seed), or nil when `branch` is not a branch of `trunk`.
    ///
    /// `branch` is a branch when it differs from `trunk` only in some faults ending earlier, in
    /// faults added after the trunk's (in the list, and in time: from the instant on), and in its
    /// measured duration (one that keeps the series' interval width); neither run has fault
    /// processes, no fault whose end moves flaps, and the instant — the earliest moved end or added start — lies within both measured periods.
    /// Up to that instant the two runs deliver the same events in the same order (every random
    /// draw is keyed by seed, stream name or request, never by what comes later; faults hold
    /// reserved places among events of equal time), so the branch can start from a copy of the
    /// trunk (``runBranches(model:trunk:branches:overrides:seed:limits:sizeLimits:includeTrunk:deliver:)``).
    public static func branchInstant(trunk: ExperimentConfiguration, branch: ExperimentConfiguration) -> SimTime? {
        guard (trunk.faultProcesses ?? []).isEmpty, (branch.faultProcesses ?? []).isEmpty,
              trunk.warmUp == branch.warmUp, branch.faults.count >= trunk.faults.count,
              FailoverWorld.seriesWidth(for: trunk.duration) == FailoverWorld.seriesWidth(for: branch.duration),
              2 * UInt64(branch.faults.count) <= faultSequences else { return nil }
        var instant: SimTime? = nil
        for (trunkFault, branchFault) in zip(trunk.faults, branch.faults) {
            var aligned = trunkFault
            aligned.duration = branchFault.duration
            guard aligned == branchFault, branchFault.duration <= trunkFault.duration else { return nil }
            if branchFault.duration == trunkFault.duration { continue }
            guard branchFault.period == nil, branchFault.dutyCycle == nil, branchFault.duration > .zero else { return nil }
            let end = SimTime.zero + branchFault.at + branchFault.duration
            instant = min(instant ?? end, end)
        }
        let added = branch.faults[trunk.faults.count...]
        if let first = added.map(\.at).min() {
            instant = min(instant ?? (.zero + first), .zero + first)
        }
        guard let instant, instant > .zero else { return nil }
        let measureStart = SimTime.zero + (trunk.warmUp ?? .zero)
        guard instant <= measureStart + trunk.duration, instant <= measureStart + branch.duration else { return nil }
        return instant
    }

    /// Runs `trunk` and its `branches` (see ``branchInstant(trunk:branch:)``; each must be one),
    /// simulating what they share once: the trunk runs to the instant a branch parts, a copy of
    /// it — its moved fault ends and added faults put in their reserved places — goes on as the
    /// branch to its own end, and the trunk resumes. Each result is identical
    /// to what ``run(model:experiment:variant:overrides:seed:limits:sizeLimits:progress:)`` gives
    /// for it (`BranchTests`). `deliver(index, result)` gets branch `index` (0-based, in the
    /// order given) as it ends, and the trunk last as index `branches.count` when `includeTrunk`;
    /// `branchStarts(index)` is called as the copy for branch `index` is made (callers time the
    /// parts with it: the simulation knows no wall clock).
    public static func runBranches(
        model: ModelConfiguration,
        trunk: (experiment: ExperimentConfiguration, variant: String),
        branches: [(experiment: ExperimentConfiguration, variant: String)],
        overrides: [String: String] = [:],
        seed: UInt64,
        limits: SimulationLimits = SimulationLimits(),
        sizeLimits: ModelSizeLimits = ModelSizeLimits(),
        includeTrunk: Bool = true,
        branchStarts: ((Int) -> Void)? = nil,
        deliver: (Int, RunResult) throws -> Void
    ) throws {
        var instants: [SimTime] = []
        for branch in branches {
            guard let instant = branchInstant(trunk: trunk.experiment, branch: branch.experiment) else {
                throw ModelError("run '\(branch.variant)' is not a branch of '\(trunk.variant)': it must differ only in faults ending earlier or added later")
            }
            try checkSize(model: model, experiment: branch.experiment, limits: sizeLimits)
            try validate(model: model, experiment: branch.experiment)
            instants.append(instant)
        }
        try checkSize(model: model, experiment: trunk.experiment, limits: sizeLimits)
        try validate(model: model, experiment: trunk.experiment)
        let world = try start(model: model, experiment: trunk.experiment, declared: trunk.experiment, seed: seed, limits: limits)
        let simulation = world.simulation
        for index in branches.indices.sorted(by: { (instants[$0], $0) < (instants[$1], $1) }) {
            // Everything before the instant; the moved fault ends come first at it (see `start`).
            let before = instants[index] - .nanoseconds(1)
            if simulation.now < before { _ = simulation.run(until: before) }
            let branch = branches[index].experiment
            branchStarts?(index)
            let copySimulation = simulation.fork()
            let copy = FailoverWorld(forking: world, experiment: branch, simulation: copySimulation)
            // The same entities in the same order as in `start`, bound to the copy.
            _ = copySimulation.add(TrafficEntity(world: copy))
            for region in copy.regionNames.indices { _ = copySimulation.add(RegionEntity(world: copy, region: region)) }
            _ = copySimulation.add(ControlEntity(world: copy))
            for position in trunk.experiment.faults.count..<branch.faults.count {
                let fault = branch.faults[position]
                copySimulation.send(to: copy.controlID, kind: Kind.faultStart, payload: UInt64(position), at: .zero + fault.at,
                                    sequence: 2 * UInt64(position))
                copySimulation.send(to: copy.controlID, kind: Kind.faultEnd, payload: UInt64(position), at: .zero + fault.at + fault.duration,
                                    sequence: 2 * UInt64(position) + 1)
            }
            for (position, (trunkFault, branchFault)) in zip(trunk.experiment.faults, branch.faults).enumerated()
            where trunkFault.duration != branchFault.duration {
                let moved = copySimulation.reschedule(to: copy.controlID, kind: Kind.faultEnd, payload: UInt64(position),
                                                      at: .zero + branchFault.at + branchFault.duration)
                precondition(moved, "a branch's fault end must still be pending in the trunk")
                let started = SimTime.zero + branchFault.at
                if let entry = copy.log.lastIndex(where: { $0.kind == "faultStart" && $0.subject == branchFault.name && $0.time == started }) {
                    copy.log[entry].detail = copy.faultStartDetail(branchFault, region: copy.faultRegion(branchFault))
                }
            }
            try deliver(index, finish(copy, seed: seed, variant: branches[index].variant, overrides: overrides,
                                      until: sizeLimits.maxSimulated, progress: nil))
        }
        if includeTrunk {
            try deliver(branches.count, finish(world, seed: seed, variant: trunk.variant, overrides: overrides,
                                               until: sizeLimits.maxSimulated, progress: nil))
        }
    }

    /// The run key of a run before it runs (see ``RunKey``): sweeps skip runs already stored.
    /// `model` is the model with every override applied; `experiment` as declared.
    public static func runKey(model: ModelConfiguration, experiment: ExperimentConfiguration, variant: String,
                              overrides: [String: String], seed: UInt64) -> String {
        let modelData = CanonicalJSON.encodeChecked(model, "model '\(model.name)'")
        let experimentData = CanonicalJSON.encodeChecked(experiment, "experiment '\(experiment.name)'")
        return RunKey.make(modelCanonical: modelData, experimentCanonical: experimentData, variant: variant,
                           overrides: overrides, seed: seed, engineVersion: engineVersion)
    }

    /// The experiment with its fault processes' schedules added to the scripted faults. Each
    /// process draws from its own stream, named after it and derived from the seed alone, so that
    /// every variant of a seed sees the same faults (common random numbers).
    public static func expandFaultProcesses(_ experiment: ExperimentConfiguration, seed: UInt64) throws -> ExperimentConfiguration {
        guard let processes = experiment.faultProcesses, !processes.isEmpty else { return experiment }
        var expanded = experiment
        let streams = RandomStreams(seed: seed)
        let start = experiment.warmUp ?? .zero
        let end = start + experiment.duration
        let names = processes.map(\.name)
        if Set(names).count != names.count { throw ModelError("fault process names must be unique") }
        for process in processes {
            var stream = streams.stream(named: "faultProcess/" + process.name)
            let generated = process.schedule(from: start, to: end, &stream)
            if generated.count >= 100_000 {
                throw ModelError("fault process '\(process.name)' generates more than 100,000 faults in the run; its 'every' is too short for the duration")
            }
            expanded.faults += generated
        }
        return expanded
    }

    /// Checks that a model and an experiment fit together (fault targets, trigger rows, tenant
    /// scopes, fault processes for `seed`, size limits) without running: what a run would refuse,
    /// it refuses.
    public static func check(model: ModelConfiguration, experiment: ExperimentConfiguration, seed: UInt64,
                             sizeLimits: ModelSizeLimits = ModelSizeLimits()) throws {
        try checkSize(model: model, experiment: experiment, limits: sizeLimits)
        try validate(model: model, experiment: try expandFaultProcesses(experiment, seed: seed))
    }

    static func checkSize(model: ModelConfiguration, experiment: ExperimentConfiguration, limits: ModelSizeLimits) throws {
        let (total, overflow) = (experiment.warmUp ?? .zero).nanoseconds.addingReportingOverflow(experiment.duration.nanoseconds)
        if overflow || total > limits.maxSimulated.nanoseconds {
            throw ModelError("the run (warmUp + duration = \(overflow ? "more than 292 years" : SimDuration(nanoseconds: total).description)) "
                             + "is longer than the limit of \(limits.maxSimulated) simulated time (raise it with --max-simulated)")
        }
        let tenants = model.traffic.tenants
        if tenants > limits.maxTenants {
            throw ModelError("traffic.tenants is \(tenants), above the limit of \(limits.maxTenants) (raise it with --max-tenants)")
        }
        let (perEmployee, o0) = model.traffic.employeesPerTenant.addingReportingOverflow(1)
        let keysPerTenant = model.cache?.keysPerTenant ?? perEmployee
        let (holders, o3) = (model.edge?.locations ?? 0).addingReportingOverflow(2)
        let (perHolder, o1) = tenants.multipliedReportingOverflow(by: max(1, keysPerTenant))
        let (entries, o2) = perHolder.multipliedReportingOverflow(by: holders)
        let tooMany = (model.cache?.keysPerTenant == nil && o0) || o1 || o2 || o3
        if tooMany || entries > limits.maxCacheEntries {
            throw ModelError("the model keeps \(tooMany ? "too many" : String(entries)) cache entries in memory "
                             + "((edge.locations + regions) × traffic.tenants × keys per tenant), above the limit of "
                             + "\(limits.maxCacheEntries) (raise it with --max-cache-entries)")
        }
        let instances = max(model.service.instances, model.service.maxInstances ?? 0, model.service.standbyInstances ?? 0)
        if instances > limits.maxInstances {
            throw ModelError("the service has up to \(instances) instances per region, above the limit of \(limits.maxInstances) (raise it with --max-instances)")
        }
        let rate = model.traffic.highestRate
        if rate > limits.maxRequestsPerSecond {
            throw ModelError("traffic reaches \(rate) requests per second, above the limit of \(limits.maxRequestsPerSecond) (raise it with --max-rate)")
        }
    }

    static func validate(model: ModelConfiguration, experiment: ExperimentConfiguration) throws {
        if model.traffic.tenants < 1 { throw ModelError("traffic.tenants must be at least 1") }
        if model.service.instances < 1 { throw ModelError("service.instances must be at least 1") }
        if model.service.concurrency < 1 { throw ModelError("service.concurrency must be at least 1") }
        let mix = model.traffic.mix
        let total = mix.read + mix.write + mix.batch + mix.report
        if !(total > 0) || [mix.read, mix.write, mix.batch, mix.report].contains(where: { $0 < 0 }) {
            throw ModelError("traffic.mix must be non-negative shares with a positive sum")
        }
        if let rate = model.database?.errorRate, !(rate >= 0 && rate <= 1) {
            throw ModelError("database.errorRate must be from 0 to 1, found \(rate)")
        }
        if experiment.duration.nanoseconds <= 0 { throw ModelError("experiment duration must be longer than zero") }
        let regions = [model.regions.primary] + (model.regions.failover.map { [$0] } ?? [])
        let measuredEnd = (experiment.warmUp ?? .zero) + experiment.duration
        for fault in experiment.faults {
            // Decoding refuses it at its place; an experiment made in code meets the same rule.
            if fault.at >= measuredEnd { throw ModelError(ExperimentConfiguration.lateFaultProblem(fault, measuredEnd: measuredEnd)) }
            if let problem = FaultSpec.kindKeyProblem(kind: fault.kind, mode: fault.mode, fraction: fault.fraction, links: fault.links, added: fault.added) {
                throw ModelError("fault '\(fault.name)': \(problem.message)")
            }
            if let period = fault.period, let duty = fault.dutyCycle, let problem = FaultSpec.flapPhaseProblem(period: period, dutyCycle: duty) {
                throw ModelError("fault '\(fault.name)': \(problem)")
            }
            if let target = fault.target, !regions.contains(target) {
                throw ModelError("fault '\(fault.name)': target '\(target)' is not a region of model '\(model.name)' (regions: \(regions.joined(separator: ", ")))")
            }
            if let tenants = fault.tenants {
                guard FaultState.tenantScopable.contains(fault.kind) else {
                    throw ModelError("fault '\(fault.name)': a \(fault.kind.rawValue) fault cannot be scoped to tenants "
                                     + "(only \(FaultState.tenantScopable.map(\.rawValue).joined(separator: ", ")) faults can)")
                }
                if let bad = tenants.first(where: { !(1...model.traffic.tenants).contains($0) }) {
                    throw ModelError("fault '\(fault.name)': tenant \(bad) is not a tenant rank of model '\(model.name)' (1 to \(model.traffic.tenants))")
                }
            }
            // Decoding checks a fault's shape too; a fault made in code, or a fault process's
            // template, meets the same rules here (a huge `added` would overflow simulated time).
            if let problem = FaultSpec.shapeProblem(kind: fault.kind, fraction: fault.fraction, added: fault.added) {
                throw ModelError("fault '\(fault.name)': \(problem.message)")
            }
            if let period = fault.period, period > fault.duration {
                throw ModelError("fault '\(fault.name)': \(FaultSpec.periodProblem(period: period, duration: fault.duration))")
            }
            if let row = fault.row, !(row >= 1 && row <= (model.triggers?.count ?? 0)) {
                throw ModelError("fault '\(fault.name)': row \(row) is not a row of the model's trigger table (\(model.triggers?.count ?? 0) rows)")
            }
        }
        let names = experiment.faults.map(\.name)
        if Set(names).count != names.count { throw ModelError("fault names must be unique") }
    }
}

extension FailoverWorld {
    /// A model time as the seconds results report: on the experiment's clock, t = 0 at the start
    /// of the simulation — the clock a fault's `at:` is written on — so a fault `at: 3m` starts at
    /// 180 s in every output, warm-up or not; the measured period starts at the warm-up's end
    /// (``measuredFromSeconds``). The one place model times become result seconds.
    func seconds(_ time: SimTime) -> Double { (time - SimTime.zero).seconds }

    /// Where the measured period starts on that clock: the end of the warm-up.
    var measuredFromSeconds: Double { seconds(measureStart) }

    func results(seed: UInt64, variant: String, overrides: [String: String], status: RunStatus, statusDetail: String?) -> RunResult {
        let stability = FailoverWorld.stabilityBins(model)
        registerFailbackEnds()
        arrivals.finalize()
        let totalBins = arrivals.count
        let ordered = experiment.faults.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
        var incidents: [IncidentResult] = []
        var triggers: [TriggerVerdict] = []
        for (position, entry) in ordered.enumerated() {
            let fault = entry.element
            let onset = SimTime.zero + fault.at
            let windowEnd = position + 1 < ordered.count ? SimTime.zero + ordered[position + 1].element.at : measureEnd
            let fromBin = Int((onset - measureStart).nanoseconds / 1_000_000_000)
            let toBin = min(totalBins, Int((windowEnd - measureStart).nanoseconds / 1_000_000_000))
            // The window's bins were judged as they closed (`ArrivalBins`): the same rule over the
            // same bins [fromBin, toBin).
            guard let window = arrivals.window(ofFault: entry.offset) else { preconditionFailure("fault \(entry.offset) has no window") }
            assert(window.from == fromBin && window.to == toBin, "the window of fault \(entry.offset) moved")
            let main = (breach: window.main.breach, recovery: window.main.recovery)
            let reads = (breach: window.reads.breach, recovery: window.reads.recovery)
            let writesRecovery = (breach: window.writes.breach, recovery: window.writes.recovery)
            let firing = control.firings.first { $0.detected >= onset && $0.detected < windowEnd }
            let failbackEnd = control.failbacksEnded.first { $0.time >= onset && $0.time < windowEnd + .minutes(10) && (firing == nil || $0.time >= firing!.detected) }?.time
            let outcome: Outcome
            if main.breach == nil {
                outcome = .noImpact
            } else if firing == nil {
                outcome = .notTriggered
            } else if main.recovery == nil {
                outcome = .notRecovered
            } else {
                outcome = .recovered
            }
            let onsetBin = Double(fromBin)
            func recoverySeconds(_ r: (breach: Int?, recovery: Int?)) -> Double? {
                guard r.breach != nil, let recovery = r.recovery else { return r.breach == nil ? 0 : nil }
                return Double(recovery) - onsetBin
            }
            let requests = window.requests, failed = window.failed
            let failbackFrom = main.recovery.map { $0 + stability } ?? toBin
            let failbackTo = failbackEnd.map { min(totalBins, Int(($0 - measureStart).nanoseconds / 1_000_000_000) + stability) } ?? toBin
            // Failures in the window's bins from failbackFrom up to failbackTo.
            let first = max(0, fromBin)
            let low = max(first, failbackFrom), high = min(max(first, toBin), failbackTo)
            let failbackFailed = high > low ? arrivals.failures(before: high) - arrivals.failures(before: low) : 0
            let tally = incidentTallies(onset: onset, windowEnd: windowEnd)
            let mainRecovery = outcome == .recovered ? recoverySeconds(main) : nil
            var rto: Double? = nil
            // Each loss of the primary from its own onset: writes are accepted again once the
            // replica is promoted, and a loss beginning after the promotion stops none (0). A
            // loss of the failover region has none.
            if fault.kind == .regionLoss, faultRegion(fault) == 0, let promoted = control.promotedAt {
                rto = max(0, (promoted - onset).seconds)
            }
            incidents.append(IncidentResult(
                fault: fault.name, faultKind: fault.kind.rawValue, target: regionNames[faultRegion(fault)],
                onsetSeconds: seconds(onset), endSeconds: seconds(onset + fault.duration),
                detectedAtSeconds: firing.map { seconds($0.detected) },
                mitigatedAtSeconds: firing.map { seconds($0.mitigated) },
                recoveredAtSeconds: main.recovery.map { measuredFromSeconds + Double($0) },
                failbackEndedAtSeconds: failbackEnd.map { seconds($0) },
                detectionSeconds: firing.map { ($0.detected - onset).seconds },
                recoverySeconds: mainRecovery,
                readRecoverySeconds: reads.breach == nil ? nil : recoverySeconds(reads),
                writeRecoverySeconds: writesRecovery.breach == nil ? nil : recoverySeconds(writesRecovery),
                outcome: outcome,
                censoredAtSeconds: outcome == .notRecovered ? seconds(windowEnd) : nil,
                rule: firing?.rule.rawValue,
                requests: requests, requestsFailed: failed, failbackRequestsFailed: failbackFailed,
                staleReads: tally.staleReads, writesQueued: tally.queued, writesRejected: tally.rejected,
                writesReplayed: tally.replayed, writesLost: tally.lost,
                rtoSeconds: rto, rpoWrites: fault.kind == .regionLoss ? rpoWrites[entry.offset] : nil))
            if let row = fault.row, let rows = model.triggers, row >= 1 && row <= rows.count {
                let trigger = rows[row - 1]
                let rightRule = firing?.rule == trigger.rule
                let passed: Bool
                switch outcome {
                case .noImpact: passed = true
                case .recovered: passed = rightRule && (mainRecovery ?? .infinity) < trigger.target.seconds
                case .notTriggered, .notRecovered: passed = false
                }
                triggers.append(TriggerVerdict(
                    row: row, condition: trigger.condition, action: trigger.action,
                    targetSeconds: trigger.target.seconds, fault: fault.name,
                    detectionSeconds: firing.map { ($0.detected - onset).seconds },
                    recoverySeconds: mainRecovery, outcome: outcome, passed: passed,
                    rule: firing?.rule.rawValue))
            }
        }
        triggers.sort { $0.row < $1.row }

        let availability = availabilityResult()
        let latency = latencyResults()
        let breakerSummaries = breakers.indices.compactMap { index -> BreakerSummary? in
            var open = breakerSecondsOpen[index]
            if breakerOpenSince[index] >= 0 {
                open += Double(measureEnd.nanoseconds - max(breakerOpenSince[index], measureStart.nanoseconds)) / 1e9
            }
            guard breakerOpens[index] > 0 || breakerRejected[index] > 0 else { return nil }
            return BreakerSummary(breaker: breakerNames[index], opens: breakerOpens[index], falseOpens: breakerFalseOpens[index],
                                  secondsOpen: open, callsRejected: breakerRejected[index])
        }
        flushSeries()
        let samples = series.map {
            MetricSample(metric: $0.metric, scope: $0.scope, startSeconds: seconds($0.start), widthSeconds: $0.width.seconds, value: $0.value)
        }
        let events = log.filter { $0.time >= measureStart && $0.time <= measureEnd + FailoverSimulation.drain(of: model) }
            .map { LoggedEvent(timeSeconds: seconds($0.time), kind: $0.kind, subject: $0.subject, detail: $0.detail) }
        let modelData = CanonicalJSON.encodeChecked(model, "model '\(model.name)'")
        let experimentData = CanonicalJSON.encodeChecked(declaredExperiment, "experiment '\(declaredExperiment.name)'")
        let identity = RunIdentity(
            runKey: FailoverSimulation.runKey(model: model, experiment: declaredExperiment, variant: variant,
                                              overrides: overrides, seed: seed),
            model: model.name, modelHash: ContentHash.sha256Hex(modelData),
            experiment: experiment.name, experimentHash: ContentHash.sha256Hex(experimentData),
            variant: variant, overrides: overrides, seed: seed, engineVersion: FailoverSimulation.engineVersion,
            events: simulation.deliveredEvents, simulatedSeconds: (now - SimTime.zero).seconds, wallSeconds: 0)
        let writeOutcomes = writeOutcomes()
        let result = RunResult(identity: identity, status: status, statusDetail: statusDetail, incidents: incidents,
                               triggers: triggers, availability: availability, latency: latency, writes: writeOutcomes,
                               breakers: breakerSummaries, queueing: queueingResults(), series: samples, events: events)
        return result.withDigest()
    }

    /// What became of the acknowledged writes: applied (committed and not destroyed since, or
    /// replayed), pending (still queued) or lost (destroyed with their region, the queue included
    /// when its region is lost at the end).
    func writeOutcomes() -> WriteOutcomes {
        let stillQueued = Int64(writeQueue.lazy.filter(\.counted).count)
        let queueLost = faults.regions[writeQueueRegion].lost
        let lost = writes.lost + (queueLost ? stillQueued : 0)
        let pending = queueLost ? 0 : stillQueued
        let applied = writes.appliedDirectly - writes.lostAfterCommit + writes.replayed
        precondition(writes.acknowledged == applied + pending + lost,
                     "writes unaccounted for: \(writes.acknowledged) acknowledged, \(applied) applied + \(pending) pending + \(lost) lost")
        return WriteOutcomes(acknowledged: writes.acknowledged, queued: writes.queued, rejected: writes.rejected,
                             replayed: writes.replayed, lost: lost, duplicatesSuppressed: writes.duplicatesSuppressed,
                             applied: applied, pending: pending)
    }

    /// Counts from the event log between onset and the next incident (queued/replayed writes are
    /// tallied by the snapshot the world keeps at every fault start).
    func incidentTallies(onset: SimTime, windowEnd: SimTime) -> (queued: Int64, rejected: Int64, replayed: Int64, lost: Int64, staleReads: Int64) {
        let before = snapshots.last { $0.time <= onset }?.tally ?? WriteTally()
        let after = snapshots.first { $0.time >= windowEnd }?.tally ?? writes
        let staleBefore = snapshots.last { $0.time <= onset }?.staleReads ?? 0
        let staleAfter = snapshots.first { $0.time >= windowEnd }?.staleReads ?? staleReads
        return (after.queued - before.queued, after.rejected - before.rejected, after.replayed - before.replayed,
                after.lost - before.lost, staleAfter - staleBefore)
    }

    func availabilityResult() -> AvailabilityResult {
        let total = regionRequests.reduce(0, +)
        let served = regionServed.reduce(0, +)
        // Whole minutes were judged as their bins closed (`ArrivalBins`).
        precondition(arrivals.finalized, "availability is read once the arrival bins are final")
        let good = arrivals.goodMinutes, bad = arrivals.badMinutes, noData = arrivals.noDataMinutes
        let requestBased = total > 0 ? Double(served) / Double(total) : 1
        let timeBased = good + bad > 0 ? Double(good) / Double(good + bad) : 1
        let budgetSeconds = (1 - model.slo.uptime) * 365 * 86_400
        let used = budgetSeconds > 0 ? Double(bad * 60) / budgetSeconds : 0
        let regions = regionNames.indices.map { r in
            ScopedAvailability(scope: regionNames[r], requests: regionRequests[r], served: regionServed[r],
                               requestBased: regionRequests[r] > 0 ? Double(regionServed[r]) / Double(regionRequests[r]) : 1)
        }
        let tenants = tenantRequests.indices.compactMap { t -> ScopedAvailability? in
            guard tenantRequests[t] > 0 else { return nil }
            return ScopedAvailability(scope: "tenant-\(t + 1)", requests: tenantRequests[t], served: tenantServed[t],
                                      requestBased: Double(tenantServed[t]) / Double(tenantRequests[t]))
        }
        return AvailabilityResult(requestBased: requestBased, timeBased: timeBased, errorBudgetUsed: used,
                                  requests: total, served: served, goodMinutes: good, badMinutes: bad,
                                  noDataMinutes: noData, regions: regions, tenants: tenants)
    }

    /// Each region's queueing over the measured period (see ``ServiceQueueing``).
    func queueingResults() -> [ServiceQueueing] {
        let span = (measureEnd - measureStart).seconds
        return regionNames.indices.map { region in
            let statistics = serviceStatistics[region]
            let busy = statistics.busySlots.integral(start: measureStart, end: measureEnd)
            let available = statistics.availableSlots.integral(start: measureStart, end: measureEnd)
            let started = statistics.started
            return ServiceQueueing(
                scope: regionNames[region], utilisation: available > 0 ? busy / available : 0,
                meanQueueLength: span > 0 ? statistics.queueLength.integral(start: measureStart, end: measureEnd) / span : 0,
                meanWaitSeconds: started > 0 ? statistics.waitNanoseconds / 1e9 / Double(started) : 0,
                waitProbability: started > 0 ? Double(statistics.waited) / Double(started) : 0,
                started: started, waited: statistics.waited)
        }
    }

    func latencyResults() -> [LatencyResult] {
        OperationClass.allCases.compactMap { operation in
            let histogram = latencyByClass[operation.index]
            let target = model.slo.latency.first { $0.operation == operation }
            guard !histogram.isEmpty || target != nil else { return nil }
            let ms = { (d: SimDuration) in d.seconds * 1000 }
            let p50 = histogram.isEmpty ? 0 : ms(histogram.percentile(50))
            let p95 = histogram.isEmpty ? 0 : ms(histogram.percentile(95))
            let p99 = histogram.isEmpty ? 0 : ms(histogram.percentile(99))
            var passed: Bool? = nil
            if let target, !histogram.isEmpty {
                passed = p50 <= ms(target.p50) && p95 <= ms(target.p95) && p99 <= ms(target.p99)
            }
            return LatencyResult(operation: operation.rawValue, count: Int64(histogram.count), p50Ms: p50, p95Ms: p95, p99Ms: p99,
                                 meanMs: histogram.isEmpty ? 0 : ms(histogram.mean), maxMs: histogram.isEmpty ? 0 : ms(histogram.max),
                                 targetP50Ms: target.map { ms($0.p50) }, targetP95Ms: target.map { ms($0.p95) },
                                 targetP99Ms: target.map { ms($0.p99) }, passed: passed,
                                 histogram: Data(histogram.serialized()))
        }
    }
}
