import SimulationCore

/// Which faults are in force right now, per region. Faults are applied and lifted by paired verbs
/// (``start(_:)`` / ``end(_:)``) called from scheduled events; entities read only this state,
/// never the schedule, and the controller reads neither.
struct FaultState {
    /// Per region index.
    var databaseUnreachable: [FaultSpec.Mode?]
    var api5xxFraction: [Double]
    var cacheDown: [Bool]
    var addedLatency: [SimDuration]
    var replicationStalled: Bool = false
    var regionLost: [Bool]
    /// Cut links per region (index 0 = clients-region, 1 = edge-region, 2 = region-region).
    var cut: [[Bool]]
    /// Tenants a tenant-scoped fault applies to (nil: all), per fault kind and region
    /// (index `kind × regions + region`), so that a tenant-scoped fault never narrows another
    /// fault that is in force at the same time.
    var tenantScope: [Set<Int>?]
    let regions: Int

    init(regions: Int) {
        databaseUnreachable = Array(repeating: nil, count: regions)
        api5xxFraction = Array(repeating: 0, count: regions)
        cacheDown = Array(repeating: false, count: regions)
        addedLatency = Array(repeating: .zero, count: regions)
        regionLost = Array(repeating: false, count: regions)
        cut = Array(repeating: [false, false, false], count: regions)
        tenantScope = Array(repeating: nil, count: regions * FaultKind.allCases.count)
        self.regions = regions
    }

    /// The fault kinds that can be scoped to tenants: those acting on a tenant's requests or keys.
    static let tenantScopable: [FaultKind] = [.latency, .api5xx, .cacheOutage, .databaseUnreachable]

    mutating func start(_ fault: FaultSpec, region: Int) {
        apply(fault, region: region, on: true)
    }

    mutating func end(_ fault: FaultSpec, region: Int) {
        apply(fault, region: region, on: false)
    }

    private mutating func apply(_ fault: FaultSpec, region: Int, on: Bool) {
        // Files name tenants by rank (1 = the largest); requests carry a 0-based index.
        if let tenants = fault.tenants { tenantScope[fault.kind.scopeIndex * regions + region] = on ? Set(tenants.map { $0 - 1 }) : nil }
        switch fault.kind {
        case .latency: addedLatency[region] = on ? (fault.added ?? .zero) : .zero
        case .api5xx: api5xxFraction[region] = on ? (fault.fraction ?? 0) : 0
        case .cacheOutage: cacheDown[region] = on
        case .replicationStall: replicationStalled = on
        case .databaseUnreachable: databaseUnreachable[region] = on ? (fault.mode ?? .blackhole) : nil
        case .partition:
            for link in fault.links ?? LinkName.allCases {
                let index = LinkName.allCases.firstIndex(of: link)!
                cut[region][index] = on
            }
            if (fault.links ?? LinkName.allCases).contains(.regionRegion) { replicationStalled = on }
        case .regionLoss:
            regionLost[region] = on
        }
    }
}

// Per-request questions about faults are asked of the world, not of `FaultState`: a method call on
// the struct held by the world copied the whole struct (and retained its arrays) on every call.
extension FailoverWorld {
    /// Whether the fault of `kind` in force in `region` (if any) hits this tenant (0-based index;
    /// -1 for a health probe, which no tenant-scoped fault hits).
    @inline(__always)
    func faultApplies(_ kind: FaultKind, region: Int, tenant: Int) -> Bool {
        let index = kind.scopeIndex &* faults.regions &+ region
        if faults.tenantScope[index] == nil { return true }
        return faults.tenantScope[index]!.contains(tenant)
    }

    /// Whether the region's cache is unreachable for this tenant's keys.
    @inline(__always)
    func cacheDown(region: Int, tenant: Int) -> Bool {
        faults.cacheDown[region] && faultApplies(.cacheOutage, region: region, tenant: tenant)
    }

    /// Whether the link is cut (a lost region's links all are).
    @inline(__always)
    func linkCut(_ link: LinkName, region: Int) -> Bool {
        if faults.regionLost[region] { return true }
        switch link {
        case .clientsRegion: return faults.cut[region][0]
        case .edgeRegion: return faults.cut[region][1]
        case .regionRegion: return faults.cut[region][2]
        }
    }

    /// The latency a latency fault adds to this tenant's calls in the region.
    @inline(__always)
    func addedLatency(region: Int, tenant: Int) -> SimDuration {
        faults.addedLatency[region] > .zero && faultApplies(.latency, region: region, tenant: tenant) ? faults.addedLatency[region] : .zero
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
