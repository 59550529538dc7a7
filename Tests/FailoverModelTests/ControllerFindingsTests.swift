import Foundation
import Testing
@testable import FailoverModel
import RunResults
import SimulationCore

/// What a new user's trial found wrong in the controller, the edge's DNS and the roles of the
/// databases (issue 15, items 1, 2, 5 and 6). Each test failed before its fix.
@Suite("Health checks, DNS phases, roles after promotion, cancelled promotions")
struct ControllerFindingsTests {
    func fault(_ name: String, _ kind: FaultKind, target: String = "us-central1", at: Int, for duration: Int,
               mode: FaultSpec.Mode? = nil, fraction: Double? = nil) -> FaultSpec {
        FaultSpec(name: name, kind: kind, target: target, at: .seconds(Int64(at)), duration: .seconds(Int64(duration)),
                  mode: mode, fraction: fraction)
    }

    func firstLog(_ world: FailoverWorld, _ kind: String, subject: String? = nil, detailPrefix: String = "",
                  after time: SimTime = .zero) -> FailoverWorld.LoggedEntry? {
        world.log.first { $0.kind == kind && (subject == nil || $0.subject == subject) && $0.detail.hasPrefix(detailPrefix) && $0.time >= time }
    }

    // MARK: 1. A checker's threshold counts its own probes

    @Test("3 failing probes at a 30 s interval cannot turn /api/health/db unhealthy in under 60 s, confirmation rounds or not",
          arguments: [UInt64(1), 2, 3])
    func thresholdCountsPeriodicProbes(seed: UInt64) throws {
        let model = try referenceModel(overrides: ["healthChecks.interval": "30s"])
        let onset = 60
        let outage = fault("db", .databaseUnreachable, at: onset, for: 300, mode: .blackhole)
        let world = try simulate(model, experiment([outage], duration: .minutes(7)), seed: seed)
        // The outage raised the primary's 5xx rate, so the controller asked for confirmation
        // rounds: without them this test would show nothing.
        #expect(world.control.confirmedAt != nil, "no confirmation round (seed \(seed))")
        let unhealthy = try #require(firstLog(world, "healthChange", subject: Endpoint.database.path, detailPrefix: "unhealthy"))
        let after = unhealthy.time - (SimTime.zero + .seconds(Int64(onset)))
        #expect(after >= .seconds(60), "unhealthy \(after) after the outage began (seed \(seed))")
        // The database rule's clock is the checker's too: more than 30 s of failing periodic
        // probes, the first of which fails at its timeout.
        let fired = try #require(firstLog(world, "failover", subject: Rule.databaseUnreachable.rawValue))
        let detection = fired.time - (SimTime.zero + .seconds(Int64(onset)))
        #expect(detection > .seconds(30) + model.healthChecks!.timeout, "detected after \(detection) (seed \(seed))")
    }

    // MARK: 2. Edge locations keep their own DNS phases

    /// The share of edge locations answering the primary, per 10 s sample, from `from` on for `span`.
    func dnsPrimaryShares(_ world: FailoverWorld, from: SimTime, span: SimDuration) -> [Double] {
        world.series.filter { $0.metric == "dnsPrimaryShare" && $0.start >= from && $0.start < from + span }.map(\.value)
    }

    @Test("After the 5xx rule routed traffic away and back, a DNS change still reaches the locations one by one over a TTL")
    func dnsPhasesSurviveRouting() throws {
        let model = try referenceModel(overrides: ["dns.staleShare": "0"])
        let spike = fault("5xx", .api5xx, at: 60, for: 90, fraction: 1)
        let partition = fault("partition", .partition, at: 600, for: 300)
        let world = try simulate(model, experiment([spike, partition], duration: .minutes(14)))
        // The first incident routed traffic away at the edge and failed back before the second.
        let routedAway = try #require(firstLog(world, "action", subject: Rule.api5xx.rawValue))
        let routedBack = try #require(world.control.failbacksEnded.first { $0.rule == .api5xx })
        #expect(routedAway.time < routedBack.time && routedBack.time < SimTime.zero + .seconds(600))
        // The partition's DNS change: with 8 locations at phases of their own, the share still
        // on the primary steps down over the TTL (one location at a time), not all at once.
        let change = try #require(firstLog(world, "dnsChange", detailPrefix: "record now answers", after: SimTime.zero + .seconds(600)))
        let shares = dnsPrimaryShares(world, from: change.time, span: model.dns!.ttl + .seconds(20))
        let between = Set(shares.filter { $0 > 0 && $0 < 1 })
        #expect(between.count >= 3, "primary shares after the DNS change: \(shares)")
    }

    // MARK: 5. Roles follow promotion

    @Test("After a region loss and promotion, reads from the promoted database are not stale, and the DB rule does not act")
    func rolesFollowPromotion() throws {
        var model = try referenceModel(overrides: [
            "edge.l1CacheableShare": "0", "service.backgroundErrorRate": "0", "database.errorRate": "0",
            "database.promotion.delay.uniform.low": "60s", "database.promotion.delay.uniform.high": "61s"])
        model.cache = nil
        model.breakers = nil
        let loss = fault("loss", .regionLoss, at: 60, for: 300)
        let full = try simulate(model, experiment([loss], duration: .minutes(12)))
        let promotion = try #require(firstLog(full, "promotion"))
        // The primary region came back, traffic returned to it, and its reads went to the promoted
        // database: no rule switches reads to a "replica" that is now the primary.
        #expect(full.log.contains { $0.kind == "dnsChange" && $0.detail.hasPrefix("record answers us-central1") })
        #expect(!full.log.contains { $0.kind == "failover" && $0.subject == Rule.databaseUnreachable.rawValue },
                "\(full.log.filter { $0.kind == "failover" }.map(\.detail))")
        #expect(!full.log.contains { $0.kind == "action" && $0.subject == Rule.databaseUnreachable.rawValue })
        #expect(full.control.endpoints[Endpoint.database.rawValue].healthy)
        // Stale reads of requests arriving after the promotion: the same run measured up to just
        // after the promotion counts every stale read before it.
        let cut = SimDuration(nanoseconds: promotion.time.nanoseconds + 2_000_000_000 - 30_000_000_000)
        let early = try simulate(model, experiment([loss], duration: cut))
        #expect(early.staleReads > 0, "reads from the replica before the promotion are stale")
        #expect(full.staleReads == early.staleReads, "\(full.staleReads - early.staleReads) stale reads after the promotion")
        // And the reads after it were served.
        let promotedSecond = Int(promotion.time.nanoseconds / 1_000_000_000)
        let reads = arrivals(full, .reads, from: promotedSecond + 5, to: 700)
        #expect(reads.total > 10_000 && failedShare(reads) < 0.01, "\(reads.failed) of \(reads.total) reads failed")
    }

    // MARK: 6. A cancelled promotion never fires

    @Test("A promotion cancelled by the primary's return does not fire during a later partition: that one waits its own delay")
    func cancelledPromotionStaysCancelled() throws {
        let model = try referenceModel(overrides: ["database.promotion.delay.uniform.low": "200s",
                                                   "database.promotion.delay.uniform.high": "201s"])
        let first = fault("partition-1", .partition, at: 60, for: 60)
        let second = fault("partition-2", .partition, at: 240, for: 420)
        let world = try simulate(model, experiment([first, second], duration: .minutes(12)))
        let starts = world.log.filter { $0.kind == "promotionStarted" }
        #expect(starts.count == 2, "\(starts.map(\.time))")
        let cancelled = try #require(firstLog(world, "promotionCancelled"))
        #expect(cancelled.time < SimTime.zero + .seconds(240), "the first promotion was cancelled before the second partition")
        let promotion = try #require(firstLog(world, "promotion"))
        let secondStart = try #require(starts.last)
        #expect(promotion.time - secondStart.time >= .seconds(200), "promoted \(promotion.time - secondStart.time) after the second start")
        #expect(world.log.filter { $0.kind == "promotion" }.count == 1)
    }
}
