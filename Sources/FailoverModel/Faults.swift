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
    /// Tenants a tenant-scoped fault applies to (nil: all), per active fault kind and region.
    var tenantScope: [Set<Int>?]

    init(regions: Int) {
        databaseUnreachable = Array(repeating: nil, count: regions)
        api5xxFraction = Array(repeating: 0, count: regions)
        cacheDown = Array(repeating: false, count: regions)
        addedLatency = Array(repeating: .zero, count: regions)
        regionLost = Array(repeating: false, count: regions)
        cut = Array(repeating: [false, false, false], count: regions)
        tenantScope = Array(repeating: nil, count: regions)
    }

    @inline(__always)
    func applies(region: Int, tenant: Int) -> Bool {
        guard let scope = tenantScope[region] else { return true }
        return scope.contains(tenant)
    }

    func isCut(_ link: LinkName, region: Int) -> Bool {
        if regionLost[region] { return true }
        switch link {
        case .clientsRegion: return cut[region][0]
        case .edgeRegion: return cut[region][1]
        case .regionRegion: return cut[region][2]
        }
    }

    mutating func start(_ fault: FaultSpec, region: Int) {
        apply(fault, region: region, on: true)
    }

    mutating func end(_ fault: FaultSpec, region: Int) {
        apply(fault, region: region, on: false)
    }

    private mutating func apply(_ fault: FaultSpec, region: Int, on: Bool) {
        if let tenants = fault.tenants { tenantScope[region] = on ? Set(tenants) : nil }
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
