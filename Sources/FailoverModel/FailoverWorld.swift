import CircuitBreakers
import DequeModule
import SimulationCore
import SimulationStatistics

/// Message and timer kinds of the failover model's entities.
enum Kind {
    // traffic
    static let arrival: UInt32 = 1
    static let retry: UInt32 = 2
    // edge
    static let dnsRefresh: UInt32 = 3
    static let dnsStaleAnswerExpires: UInt32 = 4
    // region service
    static let serviceArrive: UInt32 = 10
    static let serviceDone: UInt32 = 11
    static let scaleUp: UInt32 = 12
    // health checks and controller
    static let probe: UInt32 = 20
    static let probeResult: UInt32 = 21
    static let databaseRuleTimer: UInt32 = 22
    static let controllerTick: UInt32 = 23
    static let actionTakesEffect: UInt32 = 24
    static let failbackStep: UInt32 = 25
    static let promotion: UInt32 = 26
    static let replayTick: UInt32 = 27
    // faults and monitor
    static let faultStart: UInt32 = 30
    static let faultEnd: UInt32 = 31
    static let monitorTick: UInt32 = 40
}

/// How one attempt of a request ended.
enum Status: UInt8 {
    case success
    case fiveXX
    case connectionError
    case timeout
}

/// A request in flight (an index in the world's request table travels in event payloads).
struct RequestRecord {
    var id: UInt64 = 0
    var arrival: SimTime = .zero
    var attemptStart: SimTime = .zero
    var tenant: Int32 = 0
    var key: Int32 = 0
    var operation: OperationClass = .cached
    var attempt: UInt16 = 0
    var edgeLocation: Int16 = 0
    var region: Int8 = 0
    var instance: Int16 = -1
    var usedDatabase = false
    var usedPool = false
    var breakerIndex: Int32 = -1
    /// When the guarded database call started (its duration judges slowness).
    var callStart: SimTime = .zero
    var callSucceeded = false
    var status: Status = .success
    var l1Fill = false
    var isStale = false
    var queuedWrite = false
    var returnLatency: SimDuration = .zero
    /// When the current attempt reached its region's service (its wait is measured from here).
    var serviceArrival: SimTime = .zero
}

/// The whole simulated architecture: the state of every component, and the logic of the entities
/// that act on it. Entities (`TrafficEntity`, `RegionEntity`, `ControlEntity`) are thin: they
/// receive events and call into the world, so the components share state without copies.
final class FailoverWorld {
    let model: ModelConfiguration
    /// The parameters read per request, out of `model` once.
    let hot: HotParameters
    /// The experiment as run: scripted faults plus those its fault processes generated.
    let experiment: ExperimentConfiguration
    /// When set, every arrival is folded into it (tests of common random numbers).
    var arrivalDigest: UInt64? = nil
    /// The experiment as declared (before fault processes were expanded): the run's identity.
    var declaredExperiment: ExperimentConfiguration
    let simulation: Simulation
    let streams: RandomStreams
    let draws: RequestDraws
    let measureStart: SimTime
    let measureEnd: SimTime

    // Regions: 0 primary, 1 failover (if any).
    let regionNames: [String]
    var faults: FaultState

    // Entity ids.
    var trafficID = EntityID(index: 0)
    var regionIDs: [EntityID] = []
    var controlID = EntityID(index: 0)

    // Traffic.
    var arrivalStream: Xoshiro256StarStar
    var currentRate: Double
    let tenantDistribution: Distribution
    let keysPerTenant: Int
    var nextRequestID: UInt64 = 0
    var requests: [RequestRecord] = []
    var freeRequests: [Int] = []
    var retriesIssued: Int64 = 0
    var firstAttempts: Int64 = 0

    // Edge.
    let edgeLocations: Int
    var l1Expiry: [[Int64]]
    var dnsAnswer: [Int8]
    /// Each location's next refresh of its cached answer: one TTL after the last, at a phase of
    /// its own drawn at the start, whatever traffic or routing does in between.
    var dnsNextRefresh: [Int64]
    var dnsStale: [Bool]
    /// A stale location keeps its old answer until its `dnsStaleAnswerExpires` event.
    var dnsHoldingStale: [Bool]
    var dnsRecord: Int8 = 0
    /// Share of traffic the edge sends to the failover region by routing override (0: none).
    var routedToFailover: Double = 0

    // Regions' service.
    var instancesActive: [Int]
    var instanceBusy: [[Int]]
    var instanceWarmAt: [[Int64]]
    var waiting: [Deque<Int>]
    var scaling: [Bool]
    var l2Expiry: [[Int64]]
    var poolInUse: [Int]
    var poolPeak: [Int]
    /// Busy slots (requests in service) per region, and queueing statistics.
    var busySlots: [Int]
    var serviceStatistics: [ServiceStatistics]

    // Database and replication.
    /// Region index whose database takes writes (the primary, or the promoted replica).
    var writableDatabase = 0
    /// Reads in the primary region go to the replica for this share (the DB rule's action).
    var readsToReplica: Double = 0
    /// Writes committed on the primary and not yet known to be on the replica; `counted`: see
    /// ``WriteTally``.
    var replicationPending: Deque<(commit: Int64, arrives: Int64, counted: Bool)> = []
    /// The size at which the next prune of `replicationPending` runs.
    var replicationPruneAt = 100_000
    var stallEnd: Int64 = 0

    // Breakers, keyed by (guard, region, instance) for instance scope.
    var breakers: [CircuitBreaker] = []
    var breakerNames: [String] = []
    var breakerOpens: [Int] = []
    var breakerFalseOpens: [Int] = []
    var breakerOpenSince: [Int64] = []
    var breakerSecondsOpen: [Double] = []
    var breakerRejected: [Int64] = []
    /// Which breakers guard calls to the primary database (failback waits for them to close).
    var breakerGuardsPrimaryDatabase: [Bool] = []
    /// Breakers guarding the primary database that are OPEN or HALF_OPEN now.
    var primaryDatabaseBreakersNotClosed = 0
    var databaseBreakerBase: [Int] = []  // per region: first index of the database breakers
    var batchBreakerBase: [Int] = []
    /// The breaker configuration guarding each call path, looked up once (not per call).
    var breakerConfigurations: [BreakerConfiguration.Guards: BreakerConfiguration] = [:]

    // Writes.
    var writeQueue: Deque<QueuedWrite> = []
    var writeQueueRegion = 1
    var writes = WriteTally()

    // Observations and measurements.
    var observed = ObservationRing()
    var arrivals: ArrivalBins
    var latencyByClass: [LatencyHistogram]
    var regionRequests: [Int64]
    var regionServed: [Int64]
    var tenantRequests: [Int64]
    var tenantServed: [Int64]
    var staleReads: Int64 = 0
    var log: [LoggedEntry] = []
    var series: [MetricSampleRow] = []
    /// The series interval being filled (intervals wider than the monitor's 10 s).
    var seriesAccumulator: SeriesAccumulator
    var activeFaults = 0
    var flapping: [Int: (period: SimDuration, onFor: SimDuration, start: SimTime)] = [:]
    var probeStream: Xoshiro256StarStar
    var replaying = false
    /// Acknowledged writes each loss of the primary destroyed, by fault index (looked up, never
    /// iterated): every loss reports its own RPO, however many a run has.
    var rpoWrites: [Int: Int64] = [:]
    /// Write and stale-read tallies at every fault start, for per-incident counts.
    var snapshots: [(time: SimTime, tally: WriteTally, staleReads: Int64)] = []

    // Controller (see Controller.swift).
    var control: ControllerState

    /// Writes of the measured period, each counted once by what became of it. `acknowledged`
    /// is counted when the client gets its answer; a write the client will get a success for
    /// (arrived in the measured period, answered within the deadline) is *counted* when the
    /// service decides it — applied at once, or queued — and followed to its end: a queued one
    /// is replayed, still queued at the end (pending) or destroyed with its region; an applied
    /// one not yet on the replica may be destroyed by a loss of the primary. So at the end
    /// acknowledged = applied + pending + lost (checked in `results`).
    struct WriteTally {
        var acknowledged: Int64 = 0
        /// Counted writes committed on a database as they came (some may be destroyed later).
        var appliedDirectly: Int64 = 0
        var queued: Int64 = 0
        var rejected: Int64 = 0
        var replayed: Int64 = 0
        /// Counted writes destroyed: committed but not yet replicated, or queued, when their
        /// region was lost.
        var lost: Int64 = 0
        /// Of `lost`, those that had been committed (the rest were queued).
        var lostAfterCommit: Int64 = 0
        var duplicatesSuppressed: Int64 = 0
    }

    /// A write accepted into the failover queue; `counted`: see ``WriteTally``.
    struct QueuedWrite {
        var arrival: SimTime
        var counted: Bool
    }

    struct LoggedEntry {
        var time: SimTime
        var kind: String
        var subject: String
        var detail: String
    }

    init(model: ModelConfiguration, experiment: ExperimentConfiguration, seed: UInt64, simulation: Simulation) throws {
        declaredExperiment = experiment
        hot = HotParameters(model)
        self.model = model
        self.experiment = experiment
        self.simulation = simulation
        streams = RandomStreams(seed: seed)
        draws = RequestDraws(seed: seed)
        let warmUp = experiment.warmUp ?? .zero
        measureStart = SimTime.zero + warmUp
        measureEnd = measureStart + experiment.duration
        regionNames = [model.regions.primary] + (model.regions.failover.map { [$0] } ?? [])
        let regionCount = regionNames.count
        let names = regionNames
        faults = FaultState(regions: regionCount, faults: experiment.faults,
                            targetRegions: experiment.faults.map { FailoverWorld.region(of: $0, in: names) })
        arrivalStream = streams.stream(named: "arrivals")
        probeStream = streams.stream(named: "health-checks")
        currentRate = model.traffic.requestsPerSecond
        tenantDistribution = try Distribution.zipf(count: model.traffic.tenants, exponent: model.traffic.tenantSkew)
        keysPerTenant = model.cache?.keysPerTenant ?? (model.traffic.employeesPerTenant + 1)
        edgeLocations = model.edge?.locations ?? 1
        let keyCount = model.traffic.tenants * keysPerTenant
        l1Expiry = Array(repeating: Array(repeating: Int64.min, count: model.edge == nil ? 0 : keyCount), count: edgeLocations)
        dnsAnswer = Array(repeating: 0, count: edgeLocations)
        dnsNextRefresh = Array(repeating: 0, count: edgeLocations)
        dnsStale = Array(repeating: false, count: edgeLocations)
        dnsHoldingStale = dnsStale
        let primaryInstances = model.service.instances
        let standby = model.service.standbyInstances ?? primaryInstances
        let maxInstances = max(model.service.maxInstances ?? primaryInstances, primaryInstances)
        instancesActive = (0..<regionCount).map { $0 == 0 ? primaryInstances : standby }
        instanceBusy = Array(repeating: Array(repeating: 0, count: maxInstances), count: regionCount)
        instanceWarmAt = Array(repeating: Array(repeating: 0, count: maxInstances), count: regionCount)
        waiting = Array(repeating: Deque(), count: regionCount)
        scaling = Array(repeating: false, count: regionCount)
        // Caches start in steady state: primary warm (expiries spread over one TTL), failover cold if configured.
        l2Expiry = []
        poolInUse = Array(repeating: 0, count: regionCount)
        poolPeak = poolInUse
        busySlots = poolInUse
        serviceStatistics = (0..<regionCount).map { region in
            var statistics = ServiceStatistics()
            statistics.availableSlots.set(Double((region == 0 ? primaryInstances : standby) * model.service.concurrency),
                                          at: .zero, start: SimTime.zero + warmUp, end: SimTime.zero + warmUp + experiment.duration)
            return statistics
        }
        writeQueueRegion = regionCount > 1 ? 1 : 0
        var bins = ArrivalBins(start: measureStart, seconds: Int(experiment.duration.nanoseconds / 1_000_000_000),
                               threshold: model.slo.recoveryErrorRate, stability: FailoverWorld.stabilityBins(model),
                               critical: model.alerts?.errorRate.critical ?? 0.05)
        bins.setWindows(FailoverWorld.incidentOnsets(experiment), end: measureEnd)
        arrivals = bins
        latencyByClass = OperationClass.allCases.map { _ in LatencyHistogram(highestTrackableValue: .seconds(600), significantDigits: 3) }
        regionRequests = Array(repeating: 0, count: regionCount)
        regionServed = regionRequests
        tenantRequests = Array(repeating: 0, count: model.traffic.tenants)
        tenantServed = tenantRequests
        control = ControllerState(regions: regionCount)
        seriesAccumulator = SeriesAccumulator(width: FailoverWorld.seriesWidth(for: experiment.duration))
        requests.reserveCapacity(4096)

        var warm = streams.stream(named: "cache-warm-start")
        for region in 0..<regionCount {
            let cold = region > 0 && (model.cache?.coldInFailover ?? false)
            if model.cache == nil || cold {
                l2Expiry.append(Array(repeating: Int64.min, count: model.cache == nil ? 0 : keyCount))
            } else {
                let ttl = model.cache!.ttl.nanoseconds
                l2Expiry.append((0..<keyCount).map { _ in Int64(warm.nextUniform() * Double(ttl)) })
            }
        }
        if model.edge != nil {
            let ttl = model.edge!.l1TTL.nanoseconds
            for location in 0..<edgeLocations {
                for key in 0..<keyCount { l1Expiry[location][key] = Int64(warm.nextUniform() * Double(ttl)) }
            }
        }
        if let dns = model.dns {
            var phase = streams.stream(named: "dns-phase")
            for location in 0..<edgeLocations {
                dnsNextRefresh[location] = Int64(phase.nextUniform() * Double(dns.ttl.nanoseconds))
                dnsStale[location] = phase.nextUniform() < dns.staleShare
            }
        }
        buildBreakers(regionCount: regionCount, maxInstances: maxInstances)
    }

    /// A copy of `trunk`, standing where it stands, that goes on as `experiment`: a run whose
    /// events agree with the trunk's up to this instant (see
    /// ``FailoverSimulation/branchInstant(trunk:branch:)``). Every stored property is copied
    /// (state is held in values, so copies share nothing that either side changes); the
    /// experiment, the end of the measured period and the arrival bins sized by it are the
    /// branch's own. `BranchTests` checks with reflection that no property was left behind.
    init(forking trunk: FailoverWorld, experiment: ExperimentConfiguration, simulation: Simulation) {
        self.experiment = experiment
        declaredExperiment = experiment
        self.simulation = simulation
        measureEnd = trunk.measureStart + experiment.duration
        var bins = trunk.arrivals
        bins.resize(seconds: Int(experiment.duration.nanoseconds / 1_000_000_000))
        bins.setWindows(FailoverWorld.incidentOnsets(experiment), end: measureEnd)
        arrivals = bins
        model = trunk.model
        hot = trunk.hot
        arrivalDigest = trunk.arrivalDigest
        streams = trunk.streams
        draws = trunk.draws
        measureStart = trunk.measureStart
        regionNames = trunk.regionNames
        faults = trunk.faults.continued(with: experiment.faults, targetRegions: experiment.faults.map { FailoverWorld.region(of: $0, in: trunk.regionNames) })
        trafficID = trunk.trafficID
        regionIDs = trunk.regionIDs
        controlID = trunk.controlID
        arrivalStream = trunk.arrivalStream
        currentRate = trunk.currentRate
        tenantDistribution = trunk.tenantDistribution
        keysPerTenant = trunk.keysPerTenant
        nextRequestID = trunk.nextRequestID
        requests = trunk.requests
        freeRequests = trunk.freeRequests
        retriesIssued = trunk.retriesIssued
        firstAttempts = trunk.firstAttempts
        edgeLocations = trunk.edgeLocations
        l1Expiry = trunk.l1Expiry
        dnsAnswer = trunk.dnsAnswer
        dnsNextRefresh = trunk.dnsNextRefresh
        dnsStale = trunk.dnsStale
        dnsHoldingStale = trunk.dnsHoldingStale
        dnsRecord = trunk.dnsRecord
        routedToFailover = trunk.routedToFailover
        instancesActive = trunk.instancesActive
        instanceBusy = trunk.instanceBusy
        instanceWarmAt = trunk.instanceWarmAt
        waiting = trunk.waiting
        scaling = trunk.scaling
        l2Expiry = trunk.l2Expiry
        poolInUse = trunk.poolInUse
        poolPeak = trunk.poolPeak
        busySlots = trunk.busySlots
        serviceStatistics = trunk.serviceStatistics
        writableDatabase = trunk.writableDatabase
        readsToReplica = trunk.readsToReplica
        replicationPending = trunk.replicationPending
        replicationPruneAt = trunk.replicationPruneAt
        stallEnd = trunk.stallEnd
        breakers = trunk.breakers
        breakerNames = trunk.breakerNames
        breakerOpens = trunk.breakerOpens
        breakerFalseOpens = trunk.breakerFalseOpens
        breakerOpenSince = trunk.breakerOpenSince
        breakerSecondsOpen = trunk.breakerSecondsOpen
        breakerRejected = trunk.breakerRejected
        breakerGuardsPrimaryDatabase = trunk.breakerGuardsPrimaryDatabase
        primaryDatabaseBreakersNotClosed = trunk.primaryDatabaseBreakersNotClosed
        databaseBreakerBase = trunk.databaseBreakerBase
        batchBreakerBase = trunk.batchBreakerBase
        breakerConfigurations = trunk.breakerConfigurations
        writeQueue = trunk.writeQueue
        writeQueueRegion = trunk.writeQueueRegion
        writes = trunk.writes
        observed = trunk.observed
        latencyByClass = trunk.latencyByClass
        regionRequests = trunk.regionRequests
        regionServed = trunk.regionServed
        tenantRequests = trunk.tenantRequests
        tenantServed = trunk.tenantServed
        staleReads = trunk.staleReads
        log = trunk.log
        series = trunk.series
        seriesAccumulator = trunk.seriesAccumulator
        activeFaults = trunk.activeFaults
        flapping = trunk.flapping
        probeStream = trunk.probeStream
        replaying = trunk.replaying
        rpoWrites = trunk.rpoWrites
        snapshots = trunk.snapshots
        control = trunk.control
    }

    /// The contract's stability window in whole 1 s bins (at least one).
    static func stabilityBins(_ model: ModelConfiguration) -> Int {
        Int(max(1, model.slo.stabilityWindow.nanoseconds / 1_000_000_000))
    }

    /// The faults in onset order (ties in list order), each opening an incident's window; a
    /// database fault is judged on reads.
    static func incidentOnsets(_ experiment: ExperimentConfiguration) -> [(index: Int, onset: SimTime, mainIsReads: Bool)] {
        experiment.faults.enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map { (index: $0.offset, onset: SimTime.zero + $0.element.at, mainIsReads: $0.element.kind == .databaseUnreachable) }
    }

    /// Asks the arrival bins for the failures before the bins that end failback counting, for
    /// failback ends the controller noted since the last call (see `results`).
    func registerFailbackEnds() {
        let stability = FailoverWorld.stabilityBins(model)
        while arrivals.failbacksRegistered < control.failbacksEnded.count {
            let time = control.failbacksEnded[arrivals.failbacksRegistered].time
            arrivals.want(min(arrivals.count, Int((time - measureStart).nanoseconds / 1_000_000_000) + stability))
            arrivals.failbacksRegistered += 1
        }
    }

    func buildBreakers(regionCount: Int, maxInstances: Int) {
        for guarded in BreakerConfiguration.Guards.allCases {
            breakerConfigurations[guarded] = model.breakers?.first { $0.guards == guarded }
        }
        for region in 0..<regionCount {
            for guarded in [BreakerConfiguration.Guards.database, .batch] {
                let base = breakers.count
                if let configuration = model.breakers?.first(where: { $0.guards == guarded }) {
                    // Instance scope: one per instance and target database (primary, replica);
                    // region scope: one per target; global: shared by both regions (region 0 holds it).
                    let instances: Int
                    switch configuration.scope {
                    case .instance: instances = maxInstances
                    case .region, .global: instances = 1
                    }
                    for instance in 0..<instances {
                        for target in 0..<regionCount {
                            breakers.append(CircuitBreaker(configuration: configuration.policyConfiguration, keepsTransitions: true))
                            breakerGuardsPrimaryDatabase.append(guarded == .database && target == 0)
                            let owner = configuration.scope == .global ? "global" : (configuration.scope == .region ? regionNames[region] : "\(regionNames[region])/api-\(instance)")
                            breakerNames.append("\(configuration.name)→db-\(regionNames[target])@\(owner)")
                        }
                    }
                }
                if guarded == .database { databaseBreakerBase.append(base) } else { batchBreakerBase.append(base) }
            }
        }
        breakerOpens = Array(repeating: 0, count: breakers.count)
        breakerFalseOpens = breakerOpens
        breakerOpenSince = Array(repeating: -1, count: breakers.count)
        breakerSecondsOpen = Array(repeating: 0, count: breakers.count)
        breakerRejected = Array(repeating: 0, count: breakers.count)
    }

    /// The breaker guarding a call, or -1 when the path has none.
    func breakerIndex(guards: BreakerConfiguration.Guards, region: Int, instance: Int, target: Int) -> Int {
        guard let configuration = breakerConfigurations[guards] else { return -1 }
        let regionCount = regionNames.count
        let baseRegion = configuration.scope == .global ? 0 : region
        let base = guards == .database ? databaseBreakerBase[baseRegion] : batchBreakerBase[baseRegion]
        let slot = configuration.scope == .instance ? instance : 0
        return base + slot * regionCount + target
    }

    func record(_ kind: String, _ subject: String, _ detail: String) {
        log.append(LoggedEntry(time: simulation.now, kind: kind, subject: subject, detail: detail))
    }

    var now: SimTime { simulation.now }
}
