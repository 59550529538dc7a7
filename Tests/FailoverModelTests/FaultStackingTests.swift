import Foundation
import Testing
@testable import FailoverModel
import RunResults
import SimulationCore

/// The reference model with nothing that mitigates or remembers, so that failed requests measure
/// the faults in force directly: no controller, no breakers, and no health checks (with no
/// controller nothing acts on the probes; without them the run does not spend time on probing).
func unmitigatedModel(overrides: [String: String] = [:]) throws -> ModelConfiguration {
    var model = try referenceModel(overrides: overrides)
    model.controller = nil
    model.breakers = nil
    model.healthChecks = nil
    return model
}

/// Requests (all traffic) arriving in [from, to) seconds of simulated time — warm-up included, as
/// fault times are — and how many of them failed.
func arrivals(_ world: FailoverWorld, from: Int, to: Int) -> (total: Int, failed: Int) {
    let offset = Int(world.arrivals.start.nanoseconds / 1_000_000_000)
    var total = 0, failed = 0
    for second in from..<to {
        let counts = world.arrivals.rate(.all, bin: second - offset)
        total += counts.total
        failed += counts.failed
    }
    return (total, failed)
}

func simulate(_ model: ModelConfiguration, _ experiment: ExperimentConfiguration, seed: UInt64 = 1) throws -> FailoverWorld {
    try FailoverSimulation.simulate(model: model, experiment: experiment, seed: seed, keepArrivalBins: true).world
}

@Suite("Faults of one kind stack")
struct FaultStackingTests {
    func fault(_ name: String, _ kind: FaultKind, target: String = "us-central1", at: Int = 3600, for duration: Int = 60, tenants: [Int]? = nil,
               mode: FaultSpec.Mode? = nil, fraction: Double? = nil, links: [LinkName]? = nil, added: SimDuration? = nil) -> FaultSpec {
        var spec = FaultSpec(name: name, kind: kind, target: target, at: .seconds(Int64(at)), duration: .seconds(Int64(duration)),
                             mode: mode, fraction: fraction, links: links, added: added)
        spec.tenants = tenants
        return spec
    }

    // MARK: The derived state, event by event

    @Test("The end of one fault lifts only its own contribution, for every kind")
    func endsLiftOnlyTheirOwn() {
        let faults = [
            fault("refuse", .databaseUnreachable, mode: .refuse), fault("blackhole", .databaseUnreachable, mode: .blackhole),
            fault("5xx-a", .api5xx, fraction: 0.5), fault("5xx-b", .api5xx, fraction: 0.5),
            fault("slow-a", .latency, added: .milliseconds(200)), fault("slow-b", .latency, added: .milliseconds(300)),
            fault("cache-a", .cacheOutage), fault("cache-b", .cacheOutage),
            fault("loss-a", .regionLoss), fault("loss-b", .regionLoss),
        ]
        var state = FaultState(regions: 2, faults: faults, targetRegions: faults.map { _ in 0 })
        for index in faults.indices { state.start(index) }
        #expect(state.regions[0].databaseUnreachable == .blackhole)
        #expect(state.regions[0].api5xxFraction == 0.75)
        #expect(state.regions[0].addedLatency == .milliseconds(500))
        #expect(state.regions[0].cacheDown && state.regions[0].lost)
        #expect(!state.regions[1].lost && state.regions[1].databaseUnreachable == nil, "the other region is untouched")

        for index in stride(from: 1, to: faults.count, by: 2) { state.end(index) }
        #expect(state.regions[0].databaseUnreachable == .refuse)
        #expect(state.regions[0].api5xxFraction == 0.5)
        #expect(state.regions[0].addedLatency == .milliseconds(200))
        #expect(state.regions[0].cacheDown && state.regions[0].lost)

        // Ending again a fault no longer in force (a flapping fault in its off period at its
        // scheduled end) takes nothing from the others.
        for index in stride(from: 1, to: faults.count, by: 2) { state.end(index) }
        #expect(state.regions[0].api5xxFraction == 0.5 && state.regions[0].lost)

        for index in stride(from: 0, to: faults.count, by: 2) { state.end(index) }
        #expect(state.regions[0].databaseUnreachable == nil && !state.regions[0].databaseFaultInForce)
        #expect(state.regions[0].api5xxFraction == 0 && state.regions[0].addedLatency == .zero)
        #expect(!state.regions[0].cacheDown && !state.regions[0].lost)
    }

    @Test("Starting a fault twice counts it once")
    func startIsIdempotent() {
        let faults = [fault("5xx-a", .api5xx, fraction: 0.4)]
        var state = FaultState(regions: 1, faults: faults, targetRegions: [0])
        state.start(0)
        state.start(0)
        #expect(state.regions[0].api5xxFraction == 0.4)
        state.end(0)
        #expect(state.regions[0].api5xxFraction == 0)
    }

    @Test("Replication is stalled while any stall or any partition cutting region-region is in force")
    func replicationStallsStack() {
        let faults = [
            fault("stall", .replicationStall),
            fault("cut-replication", .partition, links: [.regionRegion]),
            fault("cut-clients", .partition, links: [.clientsRegion]),
            fault("stall-east", .replicationStall),
        ]
        var state = FaultState(regions: 2, faults: faults, targetRegions: [0, 0, 0, 1])
        state.start(0)
        state.start(1)
        state.start(2)
        state.end(0)
        #expect(state.replicationStalled, "the partition still cuts region-region")
        state.end(2)
        #expect(state.regions[0].regionRegionCut && !state.regions[0].clientsRegionCut)
        #expect(state.replicationStalled)
        state.start(3)
        state.end(1)
        #expect(state.replicationStalled, "a stall targeted at the other region stalls replication too")
        #expect(!state.regions[0].regionRegionCut)
        state.end(3)
        #expect(!state.replicationStalled)
    }

    @Test("A state continued with more faults keeps those in force, and the added ones can start")
    func continuedState() {
        let faults = [fault("5xx-a", .api5xx, fraction: 0.5), fault("stall", .replicationStall),
                      fault("slow-east", .latency, target: "us-east1", added: .milliseconds(100))]
        var trunk = FaultState(regions: 2, faults: Array(faults.prefix(2)), targetRegions: [0, 0])
        trunk.start(0)
        trunk.start(1)
        var branch = trunk.continued(with: faults, targetRegions: [0, 0, 1])
        #expect(branch.isInForce(0) && branch.isInForce(1) && !branch.isInForce(2))
        #expect(branch.regions[0].api5xxFraction == 0.5 && branch.replicationStalled)
        branch.start(2)
        #expect(branch.regions[1].addedLatency == .milliseconds(100))
        branch.end(0)
        #expect(branch.regions[0].api5xxFraction == 0)
        #expect(trunk.regions[0].api5xxFraction == 0.5 && trunk.regions[1].addedLatency == .zero, "the two states share nothing")
    }

    // MARK: The per-request questions, with tenant scopes

    /// A world whose experiment holds `faults` far after its short run, so that a test can put
    /// them in force by hand and ask the world's per-request questions. (Set up with `start`,
    /// which leaves out the checks of a run: a run refuses a fault after its measured period.)
    func world(with faults: [FaultSpec]) throws -> FailoverWorld {
        let short = experiment(faults, duration: .seconds(2), warmUp: .zero)
        let world = try FailoverSimulation.start(model: try referenceModel(), experiment: short, declared: short, seed: 1,
                                                 limits: SimulationLimits())
        _ = world.simulation.run(until: .zero + .seconds(2))
        return world
    }

    @Test("A request is hit only by the faults whose scope holds its tenant; a probe by the unscoped ones")
    func tenantScopesCombine() throws {
        let world = try world(with: [
            fault("5xx-everyone", .api5xx, fraction: 0.5), fault("5xx-largest", .api5xx, tenants: [1], fraction: 0.5),
            fault("slow-everyone", .latency, added: .milliseconds(200)), fault("slow-largest", .latency, tenants: [1], added: .milliseconds(300)),
            fault("db-everyone", .databaseUnreachable, mode: .refuse), fault("db-largest", .databaseUnreachable, tenants: [1], mode: .blackhole),
            fault("cache-largest", .cacheOutage, tenants: [1]), fault("cache-second", .cacheOutage, tenants: [2]),
        ])
        for index in 0..<8 { world.faults.start(index) }
        // Tenant ranks 1 and 2 are request indices 0 and 1; -1 is a health probe.
        #expect(world.api5xxFraction(region: 0, tenant: 0) == 0.75)
        #expect(world.api5xxFraction(region: 0, tenant: 5) == 0.5)
        #expect(world.api5xxFraction(region: 0, tenant: -1) == 0.5)
        #expect(world.api5xxFails(roll: 0.7, region: 0, tenant: 0) && !world.api5xxFails(roll: 0.7, region: 0, tenant: 5))
        #expect(world.addedLatency(region: 0, tenant: 0) == .milliseconds(500))
        #expect(world.addedLatency(region: 0, tenant: 1) == .milliseconds(200))
        #expect(world.databaseUnreachable(region: 0, tenant: 0) == .blackhole, "a call that can hang, hangs")
        #expect(world.databaseUnreachable(region: 0, tenant: 1) == .refuse)
        #expect(world.databaseUnreachable(region: 0, tenant: -1) == .refuse)
        #expect(world.cacheDown(region: 0, tenant: 0) && world.cacheDown(region: 0, tenant: 1))
        #expect(!world.cacheDown(region: 0, tenant: 2) && !world.cacheDown(region: 0, tenant: -1))
        #expect(world.api5xxFraction(region: 1, tenant: 0) == 0, "faults stay in their region")

        // The unscoped faults end: the scoped ones alone remain, for their tenants only.
        for index in [0, 2, 4] { world.faults.end(index) }
        world.faults.end(7)
        #expect(world.api5xxFraction(region: 0, tenant: 0) == 0.5 && world.api5xxFraction(region: 0, tenant: 5) == 0)
        #expect(world.addedLatency(region: 0, tenant: 0) == .milliseconds(300) && world.addedLatency(region: 0, tenant: 1) == .zero)
        #expect(world.databaseUnreachable(region: 0, tenant: 0) == .blackhole && world.databaseUnreachable(region: 0, tenant: 1) == nil)
        #expect(world.faults.regions[0].databaseFaultInForce, "the primary does not answer everyone yet")
        #expect(world.cacheDown(region: 0, tenant: 0) && !world.cacheDown(region: 0, tenant: 1))
    }

    // MARK: Whole runs

    @Test("Two overlapping database outages (60–180 s, 120–300 s) fail calls to the primary until 300 s, as one 60–300 s outage does")
    func overlappingDatabaseOutages() throws {
        let model = try unmitigatedModel()
        let first = fault("db-a", .databaseUnreachable, at: 60, for: 120, mode: .blackhole)
        let second = fault("db-b", .databaseUnreachable, at: 120, for: 180, mode: .blackhole)
        let whole = fault("db", .databaseUnreachable, at: 60, for: 240, mode: .blackhole)
        let span = SimDuration.seconds(330)
        let overlapping = try simulate(model, experiment([first, second], duration: span))
        let single = try simulate(model, experiment([whole], duration: span))
        let firstAlone = try simulate(model, experiment([first], duration: span))

        let overlapTail = arrivals(overlapping, from: 185, to: 295)
        let singleTail = arrivals(single, from: 185, to: 295)
        let aloneTail = arrivals(firstAlone, from: 185, to: 295)
        #expect(singleTail.failed > 1000, "the outage fails \(singleTail.failed) requests in 185–295 s")
        #expect(abs(Double(overlapTail.failed - singleTail.failed)) <= 0.02 * Double(singleTail.failed),
                "overlapping \(overlapTail.failed) vs single \(singleTail.failed) failures in 185–295 s")
        #expect(Double(aloneTail.failed) < 0.05 * Double(singleTail.failed),
                "without the second outage 185–295 s is quiet (\(aloneTail.failed) failures)")
        // And the overlap ends with the second outage, not later.
        let after = arrivals(overlapping, from: 305, to: 325)
        #expect(Double(after.failed) < 0.01 * Double(after.total), "\(after.failed) of \(after.total) fail after 300 s")
    }

    @Test("A replication stall ending inside a region-region partition does not resume replication")
    func stallEndingInsidePartition() throws {
        let stall = fault("stall", .replicationStall, at: 60, for: 60)
        let cut = fault("cut", .partition, at: 90, for: 110, links: [.regionRegion])
        let world = try simulate(try referenceModel(), experiment([stall, cut], duration: .seconds(230)))
        let stalledFrom: Int64 = 61_000_000_000, stalledUntil: Int64 = 199_000_000_000
        let stalled = world.replicationPending.filter { $0.commit > stalledFrom && $0.commit < stalledUntil }
        #expect(stalled.count > 1000, "\(stalled.count) writes committed while replication was stalled")
        // Nothing committed while either fault was in force reaches the replica before the
        // partition, the last of them, ends at 200 s.
        let early = stalled.filter { $0.arrives < 200_000_000_000 }
        #expect(early.isEmpty, "\(early.count) writes replicated before 200 s, the first committed at \(early.first.map { Double($0.commit) / 1e9 } ?? 0) s")
        #expect(!world.faults.replicationStalled)
        #expect(!world.replicationPending.contains { $0.arrives >= Int64.max / 4 }, "every stalled write resumed at 200 s")
    }

    /// The model and overrides for counting 5xx responses: no edge cache, background errors or
    /// transient database errors, so every request reaches the service and fails only by a fault.
    static let onlyFaultsFail = ["edge.l1CacheableShare": "0", "service.backgroundErrorRate": "0", "database.errorRate": "0"]

    /// Whether `failed` of `total` is within four standard deviations of a binomial share `p`.
    func binomial(_ counts: (total: Int, failed: Int), near p: Double) -> Bool {
        let share = Double(counts.failed) / Double(counts.total)
        return abs(share - p) <= 4 * (p * (1 - p) / Double(counts.total)).squareRoot()
    }

    @Test("Two api5xx faults of 0.5 fail 75 % of requests while both are in force, 50 % while one is")
    func fiveXXFractionsCombine() throws {
        let model = try unmitigatedModel(overrides: Self.onlyFaultsFail)
        let first = fault("5xx-a", .api5xx, at: 40, for: 60, fraction: 0.5)
        let second = fault("5xx-b", .api5xx, at: 70, for: 60, fraction: 0.5)
        let world = try simulate(model, experiment([first, second], duration: .seconds(110)))
        let before = arrivals(world, from: 31, to: 39)
        let firstOnly = arrivals(world, from: 41, to: 69)
        let both = arrivals(world, from: 71, to: 99)
        let secondOnly = arrivals(world, from: 101, to: 129)
        #expect(before.failed == 0 && before.total > 1000)
        #expect(binomial(both, near: 0.75), "\(both.failed) of \(both.total) failed with both in force")
        #expect(binomial(firstOnly, near: 0.5), "\(firstOnly.failed) of \(firstOnly.total) failed with the first alone")
        #expect(binomial(secondOnly, near: 0.5), "\(secondOnly.failed) of \(secondOnly.total) failed with the second alone")
    }

    @Test("A 5xx fault scoped to tenant 1 over an unscoped one: tenant 1 sees both combined, the others the unscoped one")
    func scopedFiveXXOverUnscoped() throws {
        let model = try unmitigatedModel(overrides: Self.onlyFaultsFail)
        let everyone = fault("5xx-everyone", .api5xx, at: 30, for: 60, fraction: 0.5)
        let largest = fault("5xx-largest", .api5xx, at: 30, for: 60, tenants: [1], fraction: 0.5)
        let result = try run(model, experiment([everyone, largest], duration: .seconds(60)))
        let tenantOne = try #require(result.availability.tenants.first { $0.scope == "tenant-1" })
        let one = (total: Int(tenantOne.requests), failed: Int(tenantOne.requests - tenantOne.served))
        let others = (total: Int(result.availability.requests) - one.total,
                      failed: Int(result.availability.requests - result.availability.served) - one.failed)
        #expect(one.total > 1000 && others.total > 5000)
        #expect(binomial(one, near: 0.75), "tenant 1: \(one.failed) of \(one.total) failed")
        #expect(binomial(others, near: 0.5), "other tenants: \(others.failed) of \(others.total) failed")
    }

    @Test("Two latency faults add: each alone stays under the 2 s database call timeout, together they exceed it")
    func latenciesAdd() throws {
        let model = try unmitigatedModel()
        #expect(model.database?.callTimeout == .seconds(2))
        let first = fault("slow-a", .latency, at: 40, for: 60, added: .milliseconds(1200))
        let second = fault("slow-b", .latency, at: 70, for: 60, added: .milliseconds(1200))
        let both = try simulate(model, experiment([first, second], duration: .seconds(110)))
        let firstAlone = try simulate(model, experiment([first], duration: .seconds(110)))
        let overlap = arrivals(both, from: 71, to: 99)
        let overlapWithoutSecond = arrivals(firstAlone, from: 71, to: 99)
        // Every write calls the database (10 % of the traffic), and cache misses do.
        #expect(Double(overlap.failed) > 0.08 * Double(overlap.total), "\(overlap.failed) of \(overlap.total) failed with 2.4 s added")
        #expect(Double(overlapWithoutSecond.failed) < 0.005 * Double(overlapWithoutSecond.total),
                "\(overlapWithoutSecond.failed) of \(overlapWithoutSecond.total) failed with 1.2 s added")
        let secondOnly = arrivals(both, from: 101, to: 129)
        #expect(Double(secondOnly.failed) < 0.005 * Double(secondOnly.total), "the first one's end takes its 1.2 s away")
    }

    @Test("A flapping database fault over a steady one: its off periods do not lift the steady one")
    func flapOverSteady() throws {
        let model = try unmitigatedModel()
        var flapping = fault("db-flapping", .databaseUnreachable, at: 40, for: 160, mode: .refuse)
        flapping.period = .seconds(20)
        flapping.dutyCycle = 0.5
        let steady = fault("db-steady", .databaseUnreachable, at: 60, for: 120, mode: .refuse)
        let span = SimDuration.seconds(200)
        let together = try simulate(model, experiment([flapping, steady], duration: span))
        let steadyAlone = try simulate(model, experiment([steady], duration: span))
        // Ten-second blocks inside the steady fault, half of them the flapping fault's off periods.
        for block in stride(from: 60, to: 180, by: 10) {
            let withFlap = arrivals(together, from: block + 1, to: block + 9)
            let alone = arrivals(steadyAlone, from: block + 1, to: block + 9)
            #expect(alone.failed > 100)
            let ratio = Double(withFlap.failed) / Double(alone.failed)
            #expect(ratio > 0.8 && ratio < 1.25, "\(block)–\(block + 10) s: \(withFlap.failed) failed with the flapping fault, \(alone.failed) without")
        }
        // Outside the steady fault the flapping one still turns itself off and on.
        let on = arrivals(together, from: 41, to: 49)
        let off = arrivals(together, from: 51, to: 59)
        let offAfter = arrivals(together, from: 191, to: 199)
        #expect(on.failed > 100)
        #expect(Double(off.failed) < 0.05 * Double(on.failed) && Double(offAfter.failed) < 0.05 * Double(on.failed),
                "off periods: \(off.failed) and \(offAfter.failed) failures, on: \(on.failed)")
    }
}
