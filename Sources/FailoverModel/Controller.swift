import SimulationCore
import SimulationStatistics

/// Health-check endpoints of the primary region, as the reference names them.
enum Endpoint: Int, CaseIterable {
    case full, database, cache, compute
    var path: String {
        switch self {
        case .full: return "/api/health"
        case .database: return "/api/health/db"
        case .cache: return "/api/health/cache"
        case .compute: return "/api/health/compute"
        }
    }
}

/// What one endpoint's probes have shown.
struct EndpointHealth {
    var healthy = true
    var consecutiveFailures = 0
    var consecutiveSuccesses = 0
    /// The latest result of any probe of this endpoint: the checker's periodic probes or the
    /// controller's confirmation round (the 5xx rule's precedence reads it). Only periodic probes
    /// move the counters, `lastFailure` and `failingSince`.
    var lastResultPassed = true
    var lastFailure: SimTime? = nil
    /// Start of the current run of failures (for the database rule: failures while compute passed).
    var failingSince: SimTime? = nil
}

/// The controller's knowledge and the state of its actions. It learns only from probes, breaker
/// states and the responses the edge observes — never from the fault schedule.
struct ControllerState {
    var endpoints = Array(repeating: EndpointHealth(), count: Endpoint.allCases.count)
    var breakersOpen = 0

    // Primary responses observed at the edge, per second of completion time.
    var responseSecond = Array(repeating: Int64(-1), count: 64)
    var responseTotal = Array(repeating: 0, count: 64)
    var response5xx = Array(repeating: 0, count: 64)
    var responseConnection = Array(repeating: 0, count: 64)

    var readsSwitched = false
    var routed = false
    var dnsFailedOver = false
    var deferredLogged = false
    var failbackRunning: [Rule: Bool] = [:]
    /// The DB rule's failback has moved every read back and waits for the primary database's
    /// breakers to close before it counts as ended.
    var failbackAwaitingBreakers = false
    /// Every rule firing: (time it fired, time its action took effect, rule).
    var firings: [(detected: SimTime, mitigated: SimTime, rule: Rule)] = []
    /// Every failback completion, by rule.
    var failbacksEnded: [(time: SimTime, rule: Rule)] = []
    /// A promotion started by the partition rule and not yet done: cancelled through the engine
    /// when the primary returns first, so a later partition's promotion waits its own delay.
    var promotionTimer: TimerHandle? = nil
    var promotionPending: Bool { promotionTimer != nil }
    var promotedAt: SimTime? = nil
    var alertLevels: [String: Int] = [:]
    var confirmationPending = false
    var confirmedAt: SimTime? = nil

    /// Whether a confirmation round answered within the last few seconds.
    func confirmed(at now: SimTime) -> Bool {
        guard let confirmedAt, !confirmationPending else { return false }
        return now - confirmedAt < .seconds(5)
    }

    init(regions: Int) {}

    var failoverActive: Bool { readsSwitched || routed || dnsFailedOver }

    mutating func recordPrimaryResponse(at time: SimTime, status: Status) {
        let second = time.nanoseconds / 1_000_000_000
        let index = Int(second % 64)
        if responseSecond[index] != second {
            responseSecond[index] = second
            responseTotal[index] = 0
            response5xx[index] = 0
            responseConnection[index] = 0
        }
        responseTotal[index] += 1
        if status == .fiveXX { response5xx[index] += 1 }
        if status == .connectionError || status == .timeout { responseConnection[index] += 1 }
    }

    /// Totals over the whole seconds in [now − window, now).
    func primaryWindow(now: SimTime, window: SimDuration) -> (total: Int, fiveXX: Int, connection: Int) {
        let end = now.nanoseconds / 1_000_000_000
        let seconds = min(63, max(1, window.nanoseconds / 1_000_000_000))
        var total = 0, fiveXX = 0, connection = 0
        var s = end - seconds
        while s < end {
            if s >= 0 {
                let index = Int(s % 64)
                if responseSecond[index] == s {
                    total += responseTotal[index]
                    fiveXX += response5xx[index]
                    connection += responseConnection[index]
                }
            }
            s += 1
        }
        return (total, fiveXX, connection)
    }
}

/// The control plane: fault injection, health checks, the failover controller, failback, write
/// replay, replica promotion and the monitor. One entity, several timers.
final class ControlEntity: Entity {
    unowned let world: FailoverWorld
    init(world: FailoverWorld) { self.world = world }

    override func receive(_ event: Event, in simulation: Simulation) {
        switch event.code {
        case Kind.faultStart: world.faultStarts(Int(event.payload))
        case Kind.faultEnd: world.faultEnds(event.payload)
        case Kind.probe: world.probe()
        case Kind.probeResult: world.probeResult(payload: event.payload)
        case Kind.databaseRuleTimer: world.databaseRuleTimer()
        case Kind.controllerTick: world.controllerTick()
        case Kind.actionTakesEffect: world.actionTakesEffect(payload: event.payload)
        case Kind.failbackStep: world.failbackStep(payload: event.payload)
        case Kind.promotion: world.promote()
        case Kind.replayTick: world.replayTick()
        case Kind.monitorTick: world.monitorTick()
        default: preconditionFailure("control got event \(event.code)")
        }
    }
}

extension FailoverWorld {
    // MARK: Faults (paired verbs)

    func faultRegion(_ fault: FaultSpec) -> Int { Self.region(of: fault, in: regionNames) }

    /// The index of the region a fault hits: its target, or the primary.
    static func region(of fault: FaultSpec, in regionNames: [String]) -> Int {
        if let target = fault.target, let index = regionNames.firstIndex(of: target) { return index }
        return 0
    }

    func faultStarts(_ index: Int) {
        let fault = experiment.faults[index]
        let region = faultRegion(fault)
        snapshots.append((now, writes, staleReads))
        bringIntoForce(index, region: region)
        activeFaults += 1
        record("faultStart", fault.name, faultStartDetail(fault, region: region))
        if let period = fault.period, let duty = fault.dutyCycle, duty < 1 {
            // Flapping: off after the duty share of the period, on again at the next period.
            let onFor = SimDuration(seconds: period.seconds * duty)
            flapping[index] = (period, onFor, now)
            simulation.send(to: controlID, kind: Kind.faultEnd, payload: UInt64(index) | 1 << 32, after: onFor)
        }
    }

    /// The log's words for a fault's start (they name its duration, which a branch changes).
    func faultStartDetail(_ fault: FaultSpec, region: Int) -> String {
        "\(fault.kind.rawValue) on \(regionNames[region]) for \(fault.duration)"
    }

    func faultEnds(_ payload: UInt64) {
        let index = Int(payload & 0xFFFF_FFFF)
        let isFlapOff = payload >> 32 == 1
        let fault = experiment.faults[index]
        let region = faultRegion(fault)
        if isFlapOff {
            guard let flap = flapping[index] else { return }
            let faultEnd = SimTime.zero + fault.at + fault.duration
            lift(index)
            // (A period is at most the fault's duration, so this stays near the fault's end;
            // `adding` keeps a fault ending at the end of the time type from trapping.)
            if let nextOn = now.adding(flap.period - flap.onFor), nextOn < faultEnd {
                simulation.send(to: controlID, kind: Kind.faultEnd, payload: UInt64(index) | 2 << 32, at: nextOn)
            }
            return
        }
        if payload >> 32 == 2 {
            // Flapping back on.
            guard let flap = flapping[index] else { return }
            bringIntoForce(index, region: region)
            let faultEnd = SimTime.zero + fault.at + fault.duration
            if let nextOff = now.adding(flap.onFor), nextOff < faultEnd {
                simulation.send(to: controlID, kind: Kind.faultEnd, payload: UInt64(index) | 1 << 32, after: flap.onFor)
            }
            return
        }
        flapping[index] = nil
        lift(index)
        activeFaults -= 1
        record("faultEnd", fault.name, "\(fault.kind.rawValue) on \(regionNames[region]) lifted")
    }

    /// Brings one fault into force (its start, or a flapping fault's next on period). A loss of
    /// the primary takes away what the region held — each time it comes on, added to this
    /// incident's RPO — unless another loss in force already did: it finds nothing left to lose.
    func bringIntoForce(_ index: Int, region: Int) {
        let wasLost = faults.regions[region].lost
        faults.start(index)
        if experiment.faults[index].kind == .regionLoss && region == 0 {
            rpoWrites[index, default: 0] += wasLost ? 0 : primaryLossDestroys()
        }
    }

    /// Lifts one fault's contribution (its end, or a flapping fault's off period). Other faults in
    /// force keep theirs; when nothing stalls replication any more, stalled writes move on.
    func lift(_ index: Int) {
        let wasStalled = faults.replicationStalled
        faults.end(index)
        if wasStalled && !faults.replicationStalled { replicationResumed() }
    }

    /// The primary region is taken away now: the acknowledged writes not yet on the replica and
    /// the write queue, if it is held in the primary region, are destroyed. Counts them as lost,
    /// removes them (a destroyed write never reaches the replica later, and a later loss must not
    /// count it again), and returns the writes replication had not carried over (the RPO).
    func primaryLossDestroys() -> Int64 {
        var destroyed: Int64 = 0
        if model.database?.replication.mode == .async {
            let t = now.nanoseconds
            // Only acknowledged writes of the measured period are counted (`WriteTally`).
            destroyed = Int64(replicationPending.lazy.filter { $0.counted && $0.commit <= t && $0.arrives > t }.count)
            replicationPending.removeAll { $0.commit <= t && $0.arrives > t }
        }
        writes.lost += destroyed
        writes.lostAfterCommit += destroyed
        if writeQueueRegion == 0 {
            writes.lost += Int64(writeQueue.lazy.filter(\.counted).count)
            writeQueue.removeAll()
        }
        return destroyed
    }

    var anyFaultActive: Bool { activeFaults > 0 }

    // MARK: Health checks

    /// A round of probes. `confirmation`: an extra round the controller asks for before acting on
    /// the 5xx rule (it does not reschedule the periodic probes).
    func probe(confirmation: Bool = false) {
        guard let checks = model.healthChecks else { return }
        if !confirmation { simulation.send(to: controlID, kind: Kind.probe, after: checks.interval) }
        var draw = probeStream
        defer { probeStream = draw }
        let reachable: Bool
        switch checks.location {
        case .external: reachable = !linkCut(.clientsRegion, region: 0)
        case .edge: reachable = !linkCut(.edgeRegion, region: 0)
        }
        // A probe is no tenant's request: tenant-scoped faults spare it.
        let compute = reachable && !api5xxFails(roll: draw.nextUniform(), region: 0, tenant: -1)
        // /api/health/db answers for the database the primary region's API writes to: the
        // primary, or once promoted the replica that took over (roles follow promotion).
        let database = compute && writableDatabaseAnswers(from: 0, tenant: -1)
        let cache = compute && !cacheDown(region: 0, tenant: -1)
        let full = compute && database && cache
        let results = [full, database, cache, compute]
        var payload: UInt64 = 0
        for (index, passed) in results.enumerated() where passed { payload |= 1 << UInt64(index) }
        // A failing probe is known when its timeout expires; a passing one after a round trip.
        let allPassed = results.allSatisfy { $0 }
        let roundTrip = (model.links?.edgeToRegion.sample(&draw) ?? .milliseconds(20)) * 2
        if confirmation { payload |= 1 << 8 }
        simulation.send(to: controlID, kind: Kind.probeResult, payload: payload, after: allPassed ? roundTrip : checks.timeout)
    }

    /// A round of probe results. A periodic round feeds the checker: its consecutive counters, its
    /// healthy/unhealthy verdicts and the database rule's clock (`failingSince`) count the checker's
    /// own probes, every `interval` — so a threshold of 3 failures at a 30 s interval cannot turn an
    /// endpoint unhealthy in less than 60 s. A confirmation round, which the controller asks for
    /// before acting on the 5xx rule, only tells the controller what each endpoint answers now
    /// (`lastResultPassed`, for the rule's precedence): it neither starts nor resets the database
    /// rule's "unreachable > 30 s" clock, which is the checker's.
    func probeResult(payload: UInt64) {
        guard let checks = model.healthChecks else { return }
        let isConfirmation = payload & (1 << 8) != 0
        for endpoint in Endpoint.allCases {
            control.endpoints[endpoint.rawValue].lastResultPassed = payload & (1 << UInt64(endpoint.rawValue)) != 0
        }
        if isConfirmation {
            control.confirmationPending = false
            evaluateFiveXXRule()
            return
        }
        let computePassed = payload & (1 << UInt64(Endpoint.compute.rawValue)) != 0
        for endpoint in Endpoint.allCases {
            let passed = payload & (1 << UInt64(endpoint.rawValue)) != 0
            var health = control.endpoints[endpoint.rawValue]
            if passed {
                health.consecutiveSuccesses += 1
                health.consecutiveFailures = 0
                health.failingSince = nil
                if !health.healthy && health.consecutiveSuccesses >= checks.successThreshold {
                    health.healthy = true
                    record("healthChange", endpoint.path, "healthy after \(checks.successThreshold) passing probes")
                }
            } else {
                health.consecutiveFailures += 1
                health.consecutiveSuccesses = 0
                health.lastFailure = now
                // The database rule counts database failures while compute answers.
                if endpoint == .database && computePassed {
                    if health.failingSince == nil {
                        health.failingSince = now
                        if let controller = model.controller {
                            simulation.send(to: controlID, kind: Kind.databaseRuleTimer,
                                            after: controller.databaseUnreachableFor + .nanoseconds(1))
                        }
                    }
                } else if endpoint == .database {
                    health.failingSince = nil
                }
                if health.healthy && health.consecutiveFailures >= checks.failureThreshold {
                    health.healthy = false
                    record("healthChange", endpoint.path, "unhealthy after \(checks.failureThreshold) failing probes")
                }
            }
            control.endpoints[endpoint.rawValue] = health
        }
        evaluatePartitionRule()
        evaluateFailback()
    }

    // MARK: Rules

    func databaseRuleTimer() {
        // Only while there is a replica to switch to: once it has been promoted it is the primary.
        guard let controller = model.controller, replicaDatabase != nil, !control.readsSwitched else { return }
        let health = control.endpoints[Endpoint.database.rawValue]
        guard let since = health.failingSince, now - since > controller.databaseUnreachableFor else { return }
        control.readsSwitched = true
        fire(.databaseUnreachable, detail: "/api/health/db failing for more than \(controller.databaseUnreachableFor) while compute answers")
    }

    func controllerTick() {
        guard model.controller != nil else { return }
        simulation.send(to: controlID, kind: Kind.controllerTick, after: .seconds(1))
        evaluateFiveXXRule()
    }

    /// The 5xx rule. With precedence on, the controller first confirms with a round of probes
    /// (their results arrive after a round trip, or after the probe timeout when failing) and
    /// defers while `/api/health/db` fails and `/api/health/compute` passes: without that
    /// confirmation the rule (≈ 5 s) would always beat the database rule's first failed probe.
    func evaluateFiveXXRule() {
        guard let controller = model.controller, regionNames.count > 1 else { return }
        let window = control.primaryWindow(now: now, window: controller.evaluationWindow)
        let errors = window.fiveXX + (controller.connectionErrorsAs5xx ? window.connection : 0)
        guard window.total >= controller.minimumRequests,
              Double(errors) / Double(window.total) > controller.errorRateThreshold else { return }
        // Already routed away (or about to be): only a failback in progress is interrupted.
        guard !control.routed || control.failbackRunning[.api5xx] == true else { return }
        if controller.precedence {
            if control.confirmationPending { return }
            if !control.confirmed(at: now) {
                control.confirmationPending = true
                control.confirmedAt = now
                probe(confirmation: true)
                return
            }
            let database = control.endpoints[Endpoint.database.rawValue]
            let compute = control.endpoints[Endpoint.compute.rawValue]
            if !database.lastResultPassed && compute.lastResultPassed {
                if !control.deferredLogged {
                    control.deferredLogged = true
                    record("ruleDeferred", Rule.api5xx.rawValue, "5xx rate above threshold while /api/health/db fails and /api/health/compute passes: the database rule decides")
                }
                return
            }
        }
        control.deferredLogged = false
        control.routed = true
        control.failbackRunning[.api5xx] = false
        fire(.api5xx, detail: String(format: "primary 5xx rate %.1f%% over %@ (%d responses)", 100 * Double(errors) / Double(window.total), controller.evaluationWindow.description, window.total))
    }

    /// The partition rule: `/api/health/compute` unhealthy → DNS failover.
    ///
    /// DNS failover is the controller's action, as the contract has it (the record is "changed by
    /// the controller", and the trigger table is the controller's): the health checks only report.
    /// A model without a `controller` therefore never fails over DNS — as it never fails back
    /// (failback is the controller's too), and never starts the replica's promotion here.
    func evaluatePartitionRule() {
        guard model.controller != nil, regionNames.count > 1, model.dns != nil, !control.dnsFailedOver else { return }
        let compute = control.endpoints[Endpoint.compute.rawValue]
        guard !compute.healthy else { return }
        control.dnsFailedOver = true
        control.failbackRunning[.regionPartition] = false
        fire(.regionPartition, detail: "/api/health/compute unhealthy from the \(model.healthChecks?.location.rawValue ?? "external") checker")
        if faults.regions[0].lost || linkCut(.regionRegion, region: 0), let database = model.database,
           replicaDatabase != nil, !control.promotionPending {
            // The replica cannot hear the primary either: start promotion (cancelled if the primary returns).
            var draw = streams.stream(named: "promotion")
            let delay = database.promotion.delay.sample(&draw)
            control.promotionTimer = simulation.startTimer(for: controlID, kind: Kind.promotion, after: delay)
            record("promotionStarted", "db-\(regionNames[1])", "\(database.promotion.mode.rawValue) promotion after \(delay)")
        }
    }

    func fire(_ rule: Rule, detail: String) {
        let delay = model.controller?.actionDelay ?? .zero
        control.firings.append((now, now + delay, rule))
        record("failover", rule.rawValue, detail)
        let code: UInt64
        switch rule {
        case .databaseUnreachable: code = 1
        case .api5xx: code = 2
        case .regionPartition: code = 3
        }
        simulation.send(to: controlID, kind: Kind.actionTakesEffect, payload: code, after: delay)
    }

    func actionTakesEffect(payload: UInt64) {
        switch payload {
        case 1:
            readsToReplica = 1
            record("action", Rule.databaseUnreachable.rawValue, "reads switched to the replica in \(regionNames[1])")
        case 2:
            routedToFailover = 1
            record("action", Rule.api5xx.rawValue, "edge routes all traffic to \(regionNames[1])")
        case 3:
            dnsRecord = 1
            record("dnsChange", "api", "record now answers \(regionNames[1]); edge locations follow as their TTL expires")
        default: break
        }
    }

    // MARK: Failback

    func evaluateFailback() {
        guard let controller = model.controller else { return }
        let hysteresis = controller.failback.hysteresis
        // Healthy, with no failed probe for the hysteresis period since the rule acted.
        func quiet(_ endpoint: Endpoint, since rule: Rule) -> Bool {
            let health = control.endpoints[endpoint.rawValue]
            guard health.healthy else { return false }
            var quietSince = control.firings.last { $0.rule == rule }?.mitigated ?? .zero
            if let last = health.lastFailure, last > quietSince { quietSince = last }
            return now - quietSince >= hysteresis
        }
        // Queued writes replay as soon as the primary database answers again.
        if control.endpoints[Endpoint.database.rawValue].healthy && !writeQueue.isEmpty && !replaying
            && !faults.regions[writableDatabase].databaseFaultInForce && writableDatabaseAnswers(from: writeQueueRegion, tenant: -1) {
            replaying = true
            simulation.send(to: controlID, kind: Kind.replayTick, after: .milliseconds(100))
            record("replayStarted", "writes", "\(writeQueue.count) queued writes replay at \(model.writes?.replayRate ?? 0)/s")
        }
        if control.readsSwitched && control.failbackRunning[.databaseUnreachable] != true && quiet(.database, since: .databaseUnreachable) && readsToReplica > 0 {
            control.failbackRunning[.databaseUnreachable] = true
            failbackStep(payload: 1)
        }
        if control.routed && control.failbackRunning[.api5xx] != true && quiet(.compute, since: .api5xx) && routedToFailover > 0 {
            control.failbackRunning[.api5xx] = true
            failbackStep(payload: 2)
        }
        if control.dnsFailedOver && control.failbackRunning[.regionPartition] != true && quiet(.compute, since: .regionPartition) && dnsRecord == 1 {
            control.failbackRunning[.regionPartition] = true
            dnsRecord = 0
            record("dnsChange", "api", "record answers \(regionNames[0]) again")
            let dns = model.dns!
            let settled = now + dns.ttl + dns.staleExtra
            control.failbacksEnded.append((settled, .regionPartition))
            control.dnsFailedOver = false
            if let timer = control.promotionTimer {
                simulation.cancel(timer)
                control.promotionTimer = nil
                record("promotionCancelled", "db-\(regionNames[1])", "primary reachable again before promotion")
            }
        }
    }

    /// Payload: rule code (low byte) and step index (next byte).
    func failbackStep(payload: UInt64) {
        guard let failback = model.controller?.failback else { return }
        let ruleCode = payload & 0xFF
        let step = Int(payload >> 8)
        guard step < failback.steps.count else { return }
        let share = failback.steps[step]
        let isLast = step == failback.steps.count - 1
        switch ruleCode {
        case 1:
            guard control.readsSwitched else { return }
            readsToReplica = max(0, 1 - share)
            record("failback", Rule.databaseUnreachable.rawValue, String(format: "%.0f%% of reads back on the primary database", share * 100))
            if isLast {
                control.readsSwitched = false
                control.failbackRunning[.databaseUnreachable] = false
                if primaryDatabaseBreakersNotClosed == 0 {
                    control.failbacksEnded.append((now, .databaseUnreachable))
                } else {
                    // Reads are back on the primary, but breakers that opened during the outage
                    // still fail them fast (or serve stale fallbacks) until they close: failback
                    // is not over while that lasts.
                    control.failbackAwaitingBreakers = true
                    record("failback", Rule.databaseUnreachable.rawValue,
                           "waiting for \(primaryDatabaseBreakersNotClosed) breakers in front of the primary database to close")
                }
            }
        case 2:
            guard control.routed, control.failbackRunning[.api5xx] == true else { return }
            routedToFailover = max(0, 1 - share)
            record("failback", Rule.api5xx.rawValue, String(format: "%.0f%% of traffic back on %@", share * 100, regionNames[0]))
            if isLast {
                control.routed = false
                control.failbackRunning[.api5xx] = false
                control.failbacksEnded.append((now, .api5xx))
            }
        default: return
        }
        if !isLast {
            simulation.send(to: controlID, kind: Kind.failbackStep, payload: ruleCode | UInt64(step + 1) << 8, after: failback.stepInterval)
        }
    }

    func replayTick() {
        guard let policy = model.writes else { replaying = false; return }
        let perTick = max(1, Int(policy.replayRate / 10))
        var replayed = 0
        while replayed < perTick, !writeQueue.isEmpty {
            if writeQueue.removeFirst().counted { writes.replayed += 1 }
            replayed += 1
        }
        if writeQueue.isEmpty {
            replaying = false
            record("replayDone", "writes", "queue drained")
        } else {
            simulation.send(to: controlID, kind: Kind.replayTick, after: .milliseconds(100))
        }
    }

    func promote() {
        precondition(control.promotionPending, "a promotion fired that was not pending (cancelled promotions never fire)")
        control.promotionTimer = nil
        writableDatabase = 1
        control.promotedAt = now
        record("promotion", "db-\(regionNames[1])", "replica promoted: writes accepted in \(regionNames[1])")
        evaluateFailback()
        if !writeQueue.isEmpty && !replaying {
            replaying = true
            simulation.send(to: controlID, kind: Kind.replayTick, after: .milliseconds(100))
        }
    }
}
