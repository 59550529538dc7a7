import SimulationCore

/// What the faults in force in one region amount to, derived from them whenever one starts or ends.
///
/// The values for "every tenant" combine the faults without a tenant scope; a `…Scoped` flag says
/// that a tenant-scoped fault of that kind is in force too, so that the answer for a tenant needs
/// the scoped faults (see the per-request questions on ``FailoverWorld``). Every field is a plain
/// value, so reading the struct retains nothing.
struct RegionFaults {
    /// Latency added to every tenant's calls: the sum over unscoped latency faults.
    var addedLatency: SimDuration = .zero
    var latencyScoped = false
    /// The share of every tenant's requests that fail with a 5xx: unscoped api5xx faults
    /// combined as independent failures.
    var api5xxFraction: Double = 0
    var api5xxScoped = false
    /// An unscoped cache outage is in force.
    var cacheDown = false
    var cacheScoped = false
    /// How every tenant's calls to the database fail (nil: they do not), from unscoped faults.
    var databaseUnreachable: FaultSpec.Mode? = nil
    var databaseScoped = false
    /// A region loss is in force.
    var lost = false
    /// A partition cutting the link is in force.
    var clientsRegionCut = false
    var edgeRegionCut = false
    var regionRegionCut = false

    /// A database fault is in force for some tenant (the primary does not answer everyone).
    var databaseFaultInForce: Bool { databaseUnreachable != nil || databaseScoped }
}

/// Which faults are in force right now, and what they amount to per region.
///
/// Faults are applied and lifted by paired verbs (``start(_:)`` / ``end(_:)``) called from
/// scheduled events, each naming one fault by its index in the experiment's faults. Several faults
/// of one kind can be in force on one region at once — two scripted faults that overlap, two fault
/// processes, a flapping fault over a steady one — so the state keeps, per kind and region, the set
/// of faults in force, and re-derives the values entities read (``RegionFaults``) from that set on
/// every start and end. The end of a fault thus lifts its own contribution and nothing else.
/// Entities read only the derived values, never the schedule, and the controller reads neither.
///
/// How faults in force at once combine (a fault without `tenants` applies to every tenant; a
/// tenant-scoped one only to its tenants, and never to a health probe):
/// - a kind is in force while any of its faults is;
/// - `api5xx`: the fractions of the faults applying to a tenant combine as independent failures,
///   1 − Π(1 − fᵢ);
/// - `latency`: the added latencies of the faults applying to a tenant add up;
/// - `databaseUnreachable`: a call fails while any fault applying to its tenant is in force; it
///   hangs (blackhole) if any of them is a blackhole, else it is refused;
/// - `cacheOutage`: the cache is down for a tenant while any fault applying to it is in force;
/// - `partition`: a link is cut while any partition cutting it is in force; the region-region
///   link is one link, cut for both regions by a partition targeted at either;
/// - `replicationStall`: replication is stalled while any replication stall, or any partition
///   cutting region-region, is in force;
/// - `regionLoss`: the region is lost while any loss of it is in force.
///
/// Nothing here depends on the iteration order of a set or dictionary: faults are kept and
/// combined in the order of their index.
struct FaultState {
    /// Per region index.
    var regions: [RegionFaults]
    /// Replication to the replica is stalled (by a stall or a region-region partition anywhere).
    var replicationStalled = false
    /// The link between the regions is cut by a partition targeted at either of them. There is
    /// one region-region link, so a cut on one side's fault cuts it both ways.
    var regionLinkCut = false
    let regionCount: Int

    /// Per kind and region (index `kind × regionCount + region`): indices of the faults in force,
    /// ascending.
    private(set) var inForce: [[Int]]
    /// Per kind and region, as ``inForce``: the tenant-scoped faults among them, the only ones the
    /// per-tenant questions have to look at.
    private(set) var scopedInForce: [[Int]]

    // Per fault index, what combining needs, taken from the specs once.
    let kinds: [FaultKind]
    let targetRegions: [Int]
    /// Tenants (0-based, as requests carry them) a scoped fault applies to; nil: all tenants.
    let scopes: [Set<Int>?]
    let fractions: [Double]
    let addedLatencies: [SimDuration]
    let modes: [FaultSpec.Mode]
    let cutsClientsRegion: [Bool]
    let cutsEdgeRegion: [Bool]
    let cutsRegionRegion: [Bool]

    /// `targetRegions`: the region index each fault hits.
    init(regions: Int, faults: [FaultSpec], targetRegions: [Int]) {
        precondition(faults.count == targetRegions.count)
        self.regions = Array(repeating: RegionFaults(), count: regions)
        regionCount = regions
        inForce = Array(repeating: [], count: regions * FaultKind.allCases.count)
        scopedInForce = inForce
        kinds = faults.map(\.kind)
        self.targetRegions = targetRegions
        // Files name tenants by rank (1 = the largest); requests carry a 0-based index.
        scopes = faults.map { fault in fault.tenants.map { Set($0.map { $0 - 1 }) } }
        fractions = faults.map { $0.fraction ?? 0 }
        addedLatencies = faults.map { $0.added ?? .zero }
        modes = faults.map { $0.mode ?? .blackhole }
        let links = faults.map { $0.links ?? LinkName.allCases }
        cutsClientsRegion = links.map { $0.contains(.clientsRegion) }
        cutsEdgeRegion = links.map { $0.contains(.edgeRegion) }
        cutsRegionRegion = links.map { $0.contains(.regionRegion) }
    }

    /// The fault kinds that can be scoped to tenants: those acting on a tenant's requests or keys.
    static let tenantScopable: [FaultKind] = [.latency, .api5xx, .cacheOutage, .databaseUnreachable]

    /// The fault with this index comes into force (again, for a flapping fault). Starting a fault
    /// already in force changes nothing.
    mutating func start(_ fault: Int) {
        let key = slot(of: fault)
        guard !inForce[key].contains(fault) else { return }
        let position = inForce[key].firstIndex { $0 > fault } ?? inForce[key].count
        inForce[key].insert(fault, at: position)
        recompute(kinds[fault], region: targetRegions[fault])
    }

    /// The fault with this index is lifted (for a flapping fault: until its next on period). Only
    /// its own contribution goes; ending a fault not in force changes nothing.
    mutating func end(_ fault: Int) {
        let key = slot(of: fault)
        guard let position = inForce[key].firstIndex(of: fault) else { return }
        inForce[key].remove(at: position)
        recompute(kinds[fault], region: targetRegions[fault])
    }

    /// This state for a longer list of faults that begins with this state's own (a run that goes
    /// on with the same faults, some of them ending at other times, and faults added after them):
    /// the faults in force stay in force, and the added ones can start. Derived values come out
    /// the same, since faults are combined in the order of their index either way.
    func continued(with faults: [FaultSpec], targetRegions: [Int]) -> FaultState {
        var state = FaultState(regions: regionCount, faults: faults, targetRegions: targetRegions)
        precondition(state.kinds.starts(with: kinds) && state.targetRegions.starts(with: self.targetRegions),
                     "the faults of a continued run begin with the same faults")
        for fault in inForce.joined() { state.start(fault) }
        return state
    }

    /// Whether the fault with this index is in force now.
    func isInForce(_ fault: Int) -> Bool { inForce[slot(of: fault)].contains(fault) }

    private func slot(of fault: Int) -> Int { kinds[fault].scopeIndex * regionCount + targetRegions[fault] }

    /// Two failure shares combined as independent failures: 1 − (1 − a)(1 − b), written so that
    /// combining a share with 0 gives the share back exactly (one fault behaves as it always did).
    @inline(__always)
    static func combinedFraction(_ combined: Double, _ fraction: Double) -> Double {
        fraction + combined * (1 - fraction)
    }

    /// The database failure mode when `mode` and `other` are both in force for a call.
    ///
    /// A blackhole wins: a refusal is an answer, and an answer has to come back through the path
    /// the blackhole swallows packets on, while the model has no order of the two along the path
    /// that would let the refusal come first. A call that can hang therefore hangs, holding its
    /// instance slot and pool connection until `callTimeout` — the worse case for capacity, which
    /// is the one a failover design must survive.
    @inline(__always)
    static func combinedMode(_ mode: FaultSpec.Mode?, _ other: FaultSpec.Mode) -> FaultSpec.Mode {
        mode == .blackhole || other == .blackhole ? .blackhole : .refuse
    }

    /// Derives the region's values for `kind` from the faults in force; called on each start and
    /// end, never per request.
    private mutating func recompute(_ kind: FaultKind, region: Int) {
        let key = kind.scopeIndex * regionCount + region
        let all = inForce[key]
        scopedInForce[key] = all.filter { scopes[$0] != nil }
        let unscoped = all.filter { scopes[$0] == nil }
        let scoped = !scopedInForce[key].isEmpty
        var derived = regions[region]
        switch kind {
        case .latency:
            // Saturating: two absurd latencies must not trap where one did not.
            derived.addedLatency = unscoped.reduce(.zero) { Self.saturatingSum($0, addedLatencies[$1]) }
            derived.latencyScoped = scoped
        case .api5xx:
            derived.api5xxFraction = unscoped.reduce(0) { Self.combinedFraction($0, fractions[$1]) }
            derived.api5xxScoped = scoped
        case .cacheOutage:
            derived.cacheDown = !unscoped.isEmpty
            derived.cacheScoped = scoped
        case .databaseUnreachable:
            derived.databaseUnreachable = unscoped.reduce(nil) { Self.combinedMode($0, modes[$1]) }
            derived.databaseScoped = scoped
        case .partition:
            derived.clientsRegionCut = all.contains { cutsClientsRegion[$0] }
            derived.edgeRegionCut = all.contains { cutsEdgeRegion[$0] }
            derived.regionRegionCut = all.contains { cutsRegionRegion[$0] }
        case .regionLoss:
            derived.lost = !all.isEmpty
        case .replicationStall:
            break
        }
        regions[region] = derived
        if kind == .replicationStall || kind == .partition {
            let stalls = FaultKind.replicationStall.scopeIndex * regionCount
            regionLinkCut = regions.contains { $0.regionRegionCut }
            replicationStalled = regionLinkCut || (0..<regionCount).contains { !inForce[stalls + $0].isEmpty }
        }
    }

    /// The most latency faults in force at once add up to: a year. Each fault adds at most a day
    /// (``FaultSpec/maximumAddedLatency``), but any number of them can overlap, and the total is
    /// added to a simulated time that must not overflow; beyond a year no request is any different
    /// (deadlines and call timeouts end it first).
    static let maximumCombinedAddedLatency = SimDuration.days(365)

    /// Two added latencies summed, held at ``maximumCombinedAddedLatency``.
    static func saturatingSum(_ a: SimDuration, _ b: SimDuration) -> SimDuration {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(b.nanoseconds)
        return overflow ? maximumCombinedAddedLatency : min(SimDuration(nanoseconds: sum), maximumCombinedAddedLatency)
    }
}

// Per-request questions about faults are asked of the world, not of `FaultState`: a method call on
// the struct held by the world copied the whole struct (and retained its arrays) on every call.
// Each answers the common cases (no fault, faults without a tenant scope) from the derived values
// alone, and looks at the scoped faults in force only while there are some.
extension FailoverWorld {
    /// Whether a request (or attempt) of this tenant fails with a 5xx from the api5xx faults in
    /// force in the region, given its uniform `roll`. `tenant` is the 0-based index, -1 for a
    /// health probe (which no tenant-scoped fault hits).
    @inline(__always)
    func api5xxFails(roll: Double, region: Int, tenant: Int) -> Bool {
        if !faults.regions[region].api5xxScoped { return roll < faults.regions[region].api5xxFraction }
        return roll < api5xxFraction(region: region, tenant: tenant)
    }

    /// The share of this tenant's requests the api5xx faults in force in the region fail: every
    /// fault applying to the tenant, combined as independent failures.
    func api5xxFraction(region: Int, tenant: Int) -> Double {
        var fraction = faults.regions[region].api5xxFraction
        guard faults.regions[region].api5xxScoped else { return fraction }
        for fault in faults.scopedInForce[FaultKind.api5xx.scopeIndex &* faults.regionCount &+ region]
        where faults.scopes[fault]!.contains(tenant) {
            fraction = FaultState.combinedFraction(fraction, faults.fractions[fault])
        }
        return fraction
    }

    /// How this tenant's calls to the region's database fail, or nil when they do not.
    @inline(__always)
    func databaseUnreachable(region: Int, tenant: Int) -> FaultSpec.Mode? {
        let everyone = faults.regions[region].databaseUnreachable
        // A blackhole for every tenant cannot get worse for one.
        guard faults.regions[region].databaseScoped, everyone != .blackhole else { return everyone }
        return scopedDatabaseUnreachable(region: region, tenant: tenant, everyone: everyone)
    }

    func scopedDatabaseUnreachable(region: Int, tenant: Int, everyone: FaultSpec.Mode?) -> FaultSpec.Mode? {
        var mode = everyone
        for fault in faults.scopedInForce[FaultKind.databaseUnreachable.scopeIndex &* faults.regionCount &+ region]
        where faults.scopes[fault]!.contains(tenant) {
            mode = FaultState.combinedMode(mode, faults.modes[fault])
        }
        return mode
    }

    /// Whether the region's cache is unreachable for this tenant's keys.
    @inline(__always)
    func cacheDown(region: Int, tenant: Int) -> Bool {
        if faults.regions[region].cacheDown { return true }
        guard faults.regions[region].cacheScoped else { return false }
        return faults.scopedInForce[FaultKind.cacheOutage.scopeIndex &* faults.regionCount &+ region]
            .contains { faults.scopes[$0]!.contains(tenant) }
    }

    /// Whether the region's link is cut (a lost region's links all are).
    ///
    /// `regionRegion` is the one link between the two regions, so it is symmetric: a partition
    /// cutting it that targets either region cuts it for both, and calls across it fail both
    /// ways. Whether the region at the other end is lost is the caller's question (a lost target
    /// is not a cut link: it is a region that does not answer).
    @inline(__always)
    func linkCut(_ link: LinkName, region: Int) -> Bool {
        let here = faults.regions[region]
        if here.lost { return true }
        switch link {
        case .clientsRegion: return here.clientsRegionCut
        case .edgeRegion: return here.edgeRegionCut
        case .regionRegion: return faults.regionLinkCut
        }
    }

    /// The latency the latency faults in force add to this tenant's calls in the region: the sum
    /// over the faults applying to it.
    @inline(__always)
    func addedLatency(region: Int, tenant: Int) -> SimDuration {
        let everyone = faults.regions[region].addedLatency
        guard faults.regions[region].latencyScoped else { return everyone }
        return scopedAddedLatency(region: region, tenant: tenant, everyone: everyone)
    }

    func scopedAddedLatency(region: Int, tenant: Int, everyone: SimDuration) -> SimDuration {
        var added = everyone
        for fault in faults.scopedInForce[FaultKind.latency.scopeIndex &* faults.regionCount &+ region]
        where faults.scopes[fault]!.contains(tenant) {
            added = FaultState.saturatingSum(added, faults.addedLatencies[fault])
        }
        return added
    }
}

extension FaultKind {
    /// A dense index for per-kind tables.
    @usableFromInline var scopeIndex: Int {
        switch self {
        case .latency: 0
        case .api5xx: 1
        case .cacheOutage: 2
        case .replicationStall: 3
        case .databaseUnreachable: 4
        case .partition: 5
        case .regionLoss: 6
        }
    }
}
