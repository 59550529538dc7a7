import Foundation
import Testing
@testable import FailoverModel
import RunResults
import SimulationCore

/// Reads or writes arriving in [from, to) seconds of simulated time, and how many failed.
func arrivals(_ world: FailoverWorld, _ traffic: ArrivalBins.Traffic, from: Int, to: Int) -> (total: Int, failed: Int) {
    let offset = Int(world.arrivals.start.nanoseconds / 1_000_000_000)
    var total = 0, failed = 0
    for second in from..<to {
        let counts = world.arrivals.rate(traffic, bin: second - offset)
        total += counts.total
        failed += counts.failed
    }
    return (total, failed)
}

func failedShare(_ counts: (total: Int, failed: Int)) -> Double { Double(counts.failed) / Double(max(counts.total, 1)) }

@Suite("Faults act where they are targeted")
struct ModelFidelityTests {
    func fault(_ name: String, _ kind: FaultKind, target: String = "us-central1", at: Int, for duration: Int,
               mode: FaultSpec.Mode? = nil, fraction: Double? = nil, links: [LinkName]? = nil) -> FaultSpec {
        FaultSpec(name: name, kind: kind, target: target, at: .seconds(Int64(at)), duration: .seconds(Int64(duration)),
                  mode: mode, fraction: fraction, links: links)
    }

    /// Every request reaches a region and every read calls a database (no edge or L2 cache, no
    /// breakers to fail fast or serve stale, no background or transient errors), and failing
    /// writes are rejected rather than queued: failures then count exactly the calls that failed.
    func directModel(overrides: [String: String] = [:]) throws -> ModelConfiguration {
        var all = ["edge.l1CacheableShare": "0", "service.backgroundErrorRate": "0", "database.errorRate": "0",
                   "writes.policy": "reject"]
        all.merge(overrides) { $1 }
        var model = try referenceModel(overrides: all)
        model.cache = nil
        model.breakers = nil
        return model
    }

    /// A 5xx fault failing every request of the primary from 40 s: the 5xx rule routes all
    /// traffic to us-east1 within seconds (and DNS follows), for the rest of the run.
    var primaryAway: FaultSpec { fault("primary-5xx", .api5xx, at: 40, for: 600, fraction: 1) }

    // MARK: 1. Database faults act on the database of their target

    @Test("A us-east1 database outage fails the failover region's reads (not its writes, the replica is not promoted)")
    func replicaOutageFailsFailoverReads() throws {
        let model = try directModel()
        let replicaDown = fault("replica-down", .databaseUnreachable, target: "us-east1", at: 120, for: 60, mode: .refuse)
        let span = SimDuration.seconds(200)
        let down = try simulate(model, experiment([primaryAway, replicaDown], duration: span))
        let up = try simulate(model, experiment([primaryAway], duration: span))
        #expect(down.control.routed && up.control.routed, "the 5xx rule routed traffic to us-east1")

        let readsDown = arrivals(down, .reads, from: 121, to: 179)
        let readsUp = arrivals(up, .reads, from: 121, to: 179)
        #expect(readsDown.total > 5000)
        #expect(failedShare(readsDown) > 0.99, "replica down: \(readsDown.failed) of \(readsDown.total) reads failed")
        #expect(failedShare(readsUp) < 0.01, "replica up: \(readsUp.failed) of \(readsUp.total) reads failed")
        // Writes still go to the primary database, which answers.
        let writesDown = arrivals(down, .writes, from: 121, to: 179)
        #expect(writesDown.total > 500 && failedShare(writesDown) < 0.01, "\(writesDown.failed) of \(writesDown.total) writes failed")
        // After the outage the failover region reads normally again.
        #expect(failedShare(arrivals(down, .reads, from: 181, to: 199)) < 0.01)
    }

    @Test("A us-east1 database outage leaves us-central1's reads, and the controller's probes, untouched")
    func replicaOutageSparesPrimary() throws {
        // The full reference model: controller, probes, breakers, caches.
        let model = try referenceModel(overrides: ["service.backgroundErrorRate": "0", "database.errorRate": "0"])
        let replicaDown = fault("replica-down", .databaseUnreachable, target: "us-east1", at: 60, for: 120, mode: .blackhole)
        let world = try simulate(model, experiment([replicaDown], duration: .seconds(200)))
        let reads = arrivals(world, .reads, from: 61, to: 179)
        #expect(reads.total > 10_000 && reads.failed == 0, "\(reads.failed) of \(reads.total) primary reads failed")
        // The probes check the primary region's endpoints only: /api/health/db stays healthy, no
        // rule acts.
        #expect(!world.log.contains { $0.kind == "failover" }, "no rule acted on a replica outage")
        #expect(world.control.endpoints[Endpoint.database.rawValue].lastFailure == nil)
    }

    @Test("Once the replica is promoted, a us-east1 database outage fails writes too")
    func promotedReplicaOutageFailsWrites() throws {
        // A region loss: the partition rule starts the promotion, here 10 s after detection.
        let model = try directModel(overrides: ["database.promotion.delay.uniform.low": "10s", "database.promotion.delay.uniform.high": "10s"])
        let loss = fault("loss", .regionLoss, at: 40, for: 600)
        let replicaDown = fault("replica-down", .databaseUnreachable, target: "us-east1", at: 150, for: 70, mode: .refuse)
        let span = SimDuration.seconds(240)
        let down = try simulate(model, experiment([loss, replicaDown], duration: span))
        let up = try simulate(model, experiment([loss], duration: span))
        #expect(down.writableDatabase == 1 && down.control.promotedAt.map { $0 < SimTime.zero + .seconds(150) } == true,
                "the replica was promoted before the outage (at \(down.control.promotedAt.map(\.description) ?? "never"))")
        // By 170 s every edge location follows DNS to us-east1 (60 s TTL + 30 s stale tail).
        let writesDown = arrivals(down, .writes, from: 170, to: 219)
        let writesUp = arrivals(up, .writes, from: 170, to: 219)
        #expect(writesDown.total > 500)
        #expect(failedShare(writesDown) > 0.99, "promoted replica down: \(writesDown.failed) of \(writesDown.total) writes failed")
        #expect(failedShare(writesUp) < 0.01, "promoted replica up: \(writesUp.failed) of \(writesUp.total) writes failed")
    }

    // MARK: 2. The region-region link is one link

    @Test("A region-region cut targeted at either region cuts the link for both")
    func regionLinkIsSymmetric() {
        let faults = [fault("cut-east", .partition, target: "us-east1", at: 0, for: 1, links: [.regionRegion]),
                      fault("cut-central", .partition, at: 0, for: 1, links: [.regionRegion]),
                      fault("cut-edge-east", .partition, target: "us-east1", at: 0, for: 1, links: [.edgeRegion])]
        var state = FaultState(regions: 2, faults: faults, targetRegions: [1, 0, 1])
        state.start(2)
        #expect(!state.regionLinkCut, "an edge-region cut leaves the link between the regions")
        state.start(0)
        #expect(state.regionLinkCut && state.replicationStalled)
        state.start(1)
        state.end(0)
        #expect(state.regionLinkCut, "the other side's cut still holds")
        state.end(1)
        #expect(!state.regionLinkCut && !state.replicationStalled)
    }

    @Test("A region-region partition targeted at us-east1 fails us-east1's calls to the primary database")
    func eastCutFailsCrossRegionWrites() throws {
        let model = try directModel()
        let cut = fault("cut-east", .partition, target: "us-east1", at: 120, for: 60, links: [.regionRegion])
        let span = SimDuration.seconds(200)
        let cutRun = try simulate(model, experiment([primaryAway, cut], duration: span))
        let whole = try simulate(model, experiment([primaryAway], duration: span))
        // Traffic is in us-east1; its writes cross to the primary database, its reads stay local.
        let writesCut = arrivals(cutRun, .writes, from: 121, to: 179)
        let writesWhole = arrivals(whole, .writes, from: 121, to: 179)
        #expect(writesCut.total > 500)
        #expect(failedShare(writesCut) > 0.99, "link cut: \(writesCut.failed) of \(writesCut.total) writes failed")
        #expect(failedShare(writesWhole) < 0.01, "link whole: \(writesWhole.failed) of \(writesWhole.total) writes failed")
        #expect(failedShare(arrivals(cutRun, .reads, from: 121, to: 179)) < 0.01, "local reads do not cross the link")
    }

    @Test("A region-region partition targeted at us-east1 fails the primary's reads switched to the replica")
    func eastCutFailsSwitchedReads() throws {
        // The DB rule switches the primary's reads to the replica (from ≈ 35 s after the outage);
        // a cut on us-east1's side then fails them as a cut on us-central1's side would.
        let model = try directModel()
        let primaryDown = fault("primary-db", .databaseUnreachable, at: 40, for: 300, mode: .refuse)
        let cutEast = fault("cut-east", .partition, target: "us-east1", at: 150, for: 60, links: [.regionRegion])
        let cutCentral = fault("cut-central", .partition, at: 150, for: 60, links: [.regionRegion])
        let span = SimDuration.seconds(240)
        let east = try simulate(model, experiment([primaryDown, cutEast], duration: span))
        let central = try simulate(model, experiment([primaryDown, cutCentral], duration: span))
        let neither = try simulate(model, experiment([primaryDown], duration: span))
        #expect(east.control.readsSwitched && neither.control.readsSwitched)
        let readsEast = arrivals(east, .reads, from: 151, to: 209)
        let readsCentral = arrivals(central, .reads, from: 151, to: 209)
        let readsNeither = arrivals(neither, .reads, from: 151, to: 209)
        #expect(failedShare(readsNeither) < 0.01, "\(readsNeither.failed) of \(readsNeither.total) switched reads failed with the link whole")
        #expect(failedShare(readsEast) > 0.99, "cut on us-east1's side: \(readsEast.failed) of \(readsEast.total) reads failed")
        #expect(readsEast.failed == readsCentral.failed, "either side's cut fails the same reads")
    }

    // MARK: 3. DNS failover is the controller's action

    @Test("Without a controller, failing compute probes do not move DNS; with one, the partition rule does")
    func dnsFailoverNeedsTheController() throws {
        let partition = fault("partition", .partition, at: 40, for: 180)
        var withoutController = try referenceModel()
        withoutController.controller = nil
        #expect(withoutController.healthChecks != nil && withoutController.dns != nil)
        let bare = try simulate(withoutController, experiment([partition], duration: .seconds(240)))
        #expect(bare.log.contains { $0.kind == "healthChange" && $0.subject == Endpoint.compute.path && $0.detail.hasPrefix("unhealthy") },
                "the probes did see the partition")
        #expect(bare.dnsRecord == 0 && !bare.control.dnsFailedOver)
        #expect(!bare.log.contains { $0.kind == "failover" || $0.kind == "dnsChange" || $0.kind == "promotionStarted" })

        let controlled = try simulate(try referenceModel(), experiment([partition], duration: .seconds(240)))
        #expect(controlled.log.contains { $0.kind == "failover" && $0.subject == Rule.regionPartition.rawValue })
        #expect(controlled.log.contains { $0.kind == "dnsChange" })
    }

    // MARK: 4. A flapping region loss destroys what it finds each time it comes back on

    /// Nothing moves the primary's writes elsewhere (no controller, so no promotion), and
    /// replication lags by seconds, so every time the primary goes away it holds unreplicated
    /// acknowledged writes.
    func lossModel() throws -> ModelConfiguration {
        try unmitigatedModel(overrides: ["database.replication.lag.lognormal.median": "2s",
                                         "database.replication.lag.lognormal.p99": "5s",
                                         "writes.policy": "reject"])
    }

    func flappingLoss(at: Int = 60) -> FaultSpec {
        var loss = fault("loss", .regionLoss, at: at, for: 300)
        loss.period = .seconds(60)
        loss.dutyCycle = 0.5
        return loss
    }

    @Test("A flapping region loss loses at each on period what separate losses at the same times lose")
    func flappingLossCountsEachReturn() throws {
        let model = try lossModel()
        let span = SimDuration.seconds(400)
        let flapping = try run(model, experiment([flappingLoss()], duration: span))
        // The same on periods as five scripted losses: 60–90, 120–150, … 300–330 s.
        let scripted = try run(model, experiment(stride(from: 60, through: 300, by: 60).map { fault("loss-\($0)", .regionLoss, at: $0, for: 30) },
                                                 duration: span))
        let first = try run(model, experiment([fault("loss", .regionLoss, at: 60, for: 30)], duration: span))
        let firstLost = first.writes.lost
        #expect(firstLost > 0)
        #expect(flapping.writes.lost == scripted.writes.lost, "flapping \(flapping.writes.lost), scripted \(scripted.writes.lost)")
        #expect(flapping.writes.lost > 3 * firstLost, "five losses lose \(flapping.writes.lost), the first alone \(firstLost)")
        let incident = try #require(flapping.incidents.first)
        #expect(incident.rpoWrites == flapping.writes.lost, "the incident's RPO counts every return")
    }

    @Test("Each loss reports its own RPO: separate losses sum to the writes lost, a loss of the failover region reports none")
    func eachLossItsOwnRPO() throws {
        let model = try lossModel()
        let span = SimDuration.seconds(400)
        let losses = stride(from: 60, through: 300, by: 60).map { fault("loss-\($0)", .regionLoss, at: $0, for: 30) }
        let scripted = try run(model, experiment(losses + [fault("east", .regionLoss, target: "us-east1", at: 200, for: 20)], duration: span))
        let primary = scripted.incidents.filter { $0.fault.hasPrefix("loss-") }
        #expect(primary.count == 5)
        let rpos = try primary.map { try #require($0.rpoWrites, "\($0.fault)") }
        #expect(rpos.allSatisfy { $0 > 0 })
        #expect(rpos.reduce(0, +) == scripted.writes.lost, "the losses' RPOs \(rpos) add up to the writes lost \(scripted.writes.lost)")
        #expect(Set(rpos).count > 1, "not one run-wide figure repeated: \(rpos)")
        #expect(scripted.incidents.first { $0.fault == "east" }?.rpoWrites == nil)
        // The first loss's RPO is what a run with that loss alone reports.
        let first = try run(model, experiment([losses[0]], duration: span))
        #expect(first.incidents.first?.rpoWrites == rpos[0])
    }

    @Test("A flapping loss over a steady loss of the same region finds nothing more to lose")
    func flappingOverSteadyLoss() throws {
        let model = try lossModel()
        let span = SimDuration.seconds(400)
        let steady = fault("steady", .regionLoss, at: 50, for: 320)
        let both = try run(model, experiment([steady, flappingLoss()], duration: span))
        let alone = try run(model, experiment([steady], duration: span))
        #expect(alone.writes.lost > 0)
        #expect(both.writes.lost == alone.writes.lost, "with the flapping loss \(both.writes.lost), steady alone \(alone.writes.lost)")
    }

    // MARK: 5. Bounds on fault durations

    @Test("An added latency of more than a day, or a flap period longer than the fault, is refused naming the fault")
    func faultDurationBounds() throws {
        let model = try referenceModel()
        var slow = fault("very-slow", .latency, at: 60, for: 60)
        slow.added = .days(1)
        try FailoverSimulation.validate(model: model, experiment: experiment([slow]))
        slow.added = .days(1) + .seconds(1)
        do {
            try FailoverSimulation.validate(model: model, experiment: experiment([slow]))
            Issue.record("an added latency over a day was accepted")
        } catch let error as ModelError {
            #expect(error.message.contains("'very-slow'") && error.message.contains("more than one day"), "\(error.message)")
        }
        var flapping = fault("slow-flap", .databaseUnreachable, at: 60, for: 60)
        flapping.period = .seconds(61)
        flapping.dutyCycle = 0.5
        do {
            try FailoverSimulation.validate(model: model, experiment: experiment([flapping]))
            Issue.record("a period longer than the fault was accepted")
        } catch let error as ModelError {
            #expect(error.message.contains("'slow-flap'") && error.message.contains("period"), "\(error.message)")
        }
    }

    @Test("Any number of day-long latency faults in force at once add up to at most a year")
    func combinedLatencyIsBounded() {
        let faults = (0..<400).map { index -> FaultSpec in
            var slow = fault("slow-\(index)", .latency, at: 0, for: 1)
            slow.added = .days(1)
            return slow
        }
        var state = FaultState(regions: 1, faults: faults, targetRegions: faults.map { _ in 0 })
        for index in faults.indices { state.start(index) }
        #expect(state.regions[0].addedLatency == FaultState.maximumCombinedAddedLatency)
        for index in 0..<100 { state.end(index) }
        #expect(state.regions[0].addedLatency == .days(300))
    }
}
