import CircuitBreakers
import DequeModule
import SimulationCore

/// The API service of one region: instances with a concurrency limit and a shared FIFO queue,
/// cold starts and scale-up, the L2 cache, the database calls behind their breakers, and the
/// write policy while the primary database cannot take writes.
final class RegionEntity: Entity {
    unowned let world: FailoverWorld
    let region: Int
    init(world: FailoverWorld, region: Int) {
        self.world = world
        self.region = region
    }

    override func receive(_ event: Event, in simulation: Simulation) {
        switch event.code {
        case Kind.serviceArrive: world.serviceArrive(Int(event.payload), region: region)
        case Kind.serviceDone: world.serviceDone(Int(event.payload), region: region)
        case Kind.scaleUp: world.scaleUp(region: region)
        default: preconditionFailure("region got event \(event.code)")
        }
    }
}

extension FailoverWorld {
    func serviceArrive(_ slot: Int, region: Int) {
        if faults.regions[region].lost {
            let request = requests[slot]
            finish(slot, at: now + hot.connectTimeout + request.returnLatency,
                   status: .connectionError, servedBy: region, operation: request.operation)
            return
        }
        requests[slot].serviceArrival = now
        if let instance = freeInstance(region: region) {
            begin(slot, region: region, instance: instance)
        } else if waiting[region].count < hot.queueLimit {
            waiting[region].append(slot)
            noteQueueLength(region: region)
            requestScaleUp(region: region)
        } else {
            let request = requests[slot]
            finish(slot, at: now + request.returnLatency, status: .fiveXX, servedBy: region, operation: request.operation)
        }
    }

    /// The least busy active instance with a free slot (lowest index on ties), if any.
    func freeInstance(region: Int) -> Int? {
        var best = -1
        var bestBusy = Int.max
        let limit = hot.concurrency
        for instance in 0..<instancesActive[region] {
            let busy = instanceBusy[region][instance]
            if busy < limit && busy < bestBusy {
                best = instance
                bestBusy = busy
            }
        }
        return best >= 0 ? best : nil
    }

    func requestScaleUp(region: Int) {
        guard !scaling[region], let interval = model.service.scaleUpInterval,
              instancesActive[region] < instanceBusy[region].count else { return }
        scaling[region] = true
        simulation.send(to: regionIDs[region], kind: Kind.scaleUp, after: interval)
    }

    func scaleUp(region: Int) {
        scaling[region] = false
        guard instancesActive[region] < instanceBusy[region].count else { return }
        let instance = instancesActive[region]
        instancesActive[region] += 1
        serviceStatistics[region].availableSlots.set(Double(instancesActive[region] * hot.concurrency), at: now,
                                                     start: measureStart, end: measureEnd)
        var draw = streams.stream(named: "cold-start/\(regionNames[region])", index: instance)
        let coldStart = model.service.coldStart?.sample(&draw) ?? .zero
        instanceWarmAt[region][instance] = (now + coldStart).nanoseconds
        record("scaleUp", "api-\(regionNames[region])", "instance \(instance + 1) of \(instanceBusy[region].count), cold start \(coldStart)")
        // Drain the queue onto the new capacity.
        while let next = waiting[region].first, let free = freeInstance(region: region) {
            waiting[region].removeFirst()
            noteQueueLength(region: region)
            begin(next, region: region, instance: free)
        }
        if !waiting[region].isEmpty { requestScaleUp(region: region) }
    }

    /// Starts serving a request on an instance; schedules its completion.
    func begin(_ slot: Int, region: Int, instance: Int) {
        instanceBusy[region][instance] += 1
        var request = requests[slot]
        noteServiceStart(region: region, waitingSince: request.serviceArrival)
        request.instance = Int16(instance)
        var draw = draws.stream(request: request.id, hop: Hop.service, attempt: request.attempt)
        var t = now
        let warmAt = instanceWarmAt[region][instance]
        if warmAt > t.nanoseconds { t = SimTime(nanoseconds: warmAt) }
        var processing = hot.processing.sample(&draw)
        switch request.operation {
        case .batch: processing += hot.batchProcessing?.sample(&draw) ?? .zero
        case .report: processing += hot.reportProcessing?.sample(&draw) ?? .zero
        default: break
        }
        t += processing
        t += addedLatency(region: region, tenant: Int(request.tenant))
        let errorRoll = draw.nextUniform()
        let faultRoll = draw.nextUniform()
        let cacheLatency = hot.cacheLookup?.sample(&draw) ?? .zero

        // 5xx from the service itself: the background error rate, or a 5xx fault.
        if errorRoll < hot.backgroundErrorRate
            || api5xxFails(roll: faultRoll, region: region, tenant: Int(request.tenant)) {
            request.status = .fiveXX
            requests[slot] = request
            simulation.send(to: regionIDs[region], kind: Kind.serviceDone, payload: UInt64(slot), at: t)
            return
        }

        switch request.operation {
        case .cached, .db:
            // L2 first.
            if hot.hasCache {
                t += cacheLatency
                let ring = observed.slot(for: now)
                observed.cacheLookups[ring] += 1
                if !cacheDown(region: region, tenant: Int(request.tenant)) && l2Expiry[region][Int(request.key)] > now.nanoseconds {
                    request.status = .success
                    request.usedDatabase = false
                    requests[slot] = request
                    simulation.send(to: regionIDs[region], kind: Kind.serviceDone, payload: UInt64(slot), at: t)
                    return
                }
                observed.cacheMisses[ring] += 1
            }
            guard hot.hasDatabase else {
                request.status = .success
                requests[slot] = request
                simulation.send(to: regionIDs[region], kind: Kind.serviceDone, payload: UInt64(slot), at: t)
                return
            }
            let target = readTarget(region: region, roll: draw.nextUniform())
            t = callDatabase(&request, region: region, instance: instance, target: target, guards: .database, isWrite: false, start: t)
        case .report:
            let target = readTarget(region: region, roll: draw.nextUniform())
            t = callDatabase(&request, region: region, instance: instance, target: target, guards: .database, isWrite: false, start: t)
        case .batch:
            let target = readTarget(region: region, roll: draw.nextUniform())
            t = callDatabase(&request, region: region, instance: instance, target: target, guards: .batch, isWrite: false, start: t)
        case .write:
            t = callDatabase(&request, region: region, instance: instance, target: writableDatabase, guards: .database, isWrite: true, start: t)
        }
        requests[slot] = request
        simulation.send(to: regionIDs[region], kind: Kind.serviceDone, payload: UInt64(slot), at: max(t, now))
    }

    /// Reads in the primary region go to the primary database, or to the replica for the share the
    /// DB rule switched; the failover region reads its local database (the replica, or the primary
    /// once promoted). After a promotion every read goes to the promoted database.
    func readTarget(region: Int, roll: Double) -> Int {
        guard regionNames.count > 1, hot.hasDatabase else { return 0 }
        if region == 1 { return 1 }
        if replicaDatabase == nil { return writableDatabase }
        return roll < readsToReplica ? 1 : 0
    }

    /// The database that serves reads but takes no writes (the failover region's), while there is
    /// one: none in a one-region model, and none once it has been promoted.
    var replicaDatabase: Int? { regionNames.count > 1 && writableDatabase == 0 ? 1 : nil }

    /// Whether the database that takes writes answers a call from `region` now: its region is
    /// not lost, no database fault holds it (for `tenant`; -1 for probes, which tenant-scoped
    /// faults spare), and a call from another region is not cut off on the region-region link.
    func writableDatabaseAnswers(from region: Int, tenant: Int) -> Bool {
        let database = writableDatabase
        return !faults.regions[database].lost && databaseUnreachable(region: database, tenant: tenant) == nil
            && (database == region || !linkCut(.regionRegion, region: region))
    }

    /// A database call through its breaker, starting at `start`: fills the request's status and
    /// returns when the call ends.
    func callDatabase(_ request: inout RequestRecord, region: Int, instance: Int, target: Int,
                      guards: BreakerConfiguration.Guards, isWrite: Bool, start: SimTime) -> SimTime {
        guard hot.hasDatabase else { return start }
        var t = start
        var draw = draws.stream(request: request.id, hop: Hop.database, attempt: request.attempt)
        let breaker = breakerIndex(guards: guards, region: region, instance: instance, target: target)
        request.breakerIndex = Int32(breaker)
        if breaker >= 0 {
            // The breaker is asked when the request's service starts (`now`), not at `t` a few
            // milliseconds of processing later: breakers see time only move forward, and the
            // processing is not worth an event of its own.
            let before = breakers[breaker].transitionCount
            let permitted = breakers[breaker].permitsCall(at: now)
            if breakers[breaker].transitionCount != before { noteTransitions(breaker) }
            if !permitted {
                if now >= measureStart { breakerRejected[breaker] += 1 }
                request.breakerIndex = -1
                fallback(&request, region: region, isWrite: isWrite)
                return t
            }
        }
        // The pool of the calling region.
        if poolInUse[region] >= hot.poolSize {
            request.callSucceeded = false
            request.status = .fiveXX
            request.usedDatabase = true
            return t
        }
        poolInUse[region] += 1
        poolPeak[region] = max(poolPeak[region], poolInUse[region])
        request.usedPool = true
        request.usedDatabase = true
        request.callStart = t
        let crossRegion = target != region
        var network = SimDuration.zero
        if crossRegion {
            let oneWay = hot.betweenRegions?.sample(&draw) ?? .zero
            network = oneWay + oneWay
        }
        // A database fault acts on the database of the region it targets: the primary, or the
        // replica in the failover region (its reads, and its writes once it is promoted — calls
        // go to `target` either way).
        let databaseFault = databaseUnreachable(region: target, tenant: Int(request.tenant))
        let targetLost = faults.regions[target].lost
        // A lost region or a cut link swallows the call: no answer comes back, whatever the
        // database would have said. Only a database that can be reached can refuse.
        let pathDown = targetLost || (crossRegion && linkCut(.regionRegion, region: region))
        if pathDown || databaseFault != nil {
            let mode = pathDown ? FaultSpec.Mode.blackhole : (databaseFault ?? .blackhole)
            t += mode == .blackhole ? hot.callTimeout : hot.refuseLatency + network
            request.callSucceeded = false
            request.status = .fiveXX
            return t
        }
        var latency = ((isWrite ? hot.databaseWrite : hot.databaseRead)?.sample(&draw) ?? .zero) + network + addedLatency(region: target, tenant: Int(request.tenant))
        if isWrite && hot.syncReplication && regionNames.count > 1 {
            let oneWay = hot.betweenRegions?.sample(&draw) ?? .zero
            latency += oneWay + oneWay
        }
        let transientError = draw.nextUniform() < hot.databaseErrorRate
        if latency > hot.callTimeout {
            t += hot.callTimeout
            request.callSucceeded = false
            request.status = .fiveXX
        } else if transientError {
            t += latency
            request.callSucceeded = false
            request.status = .fiveXX
        } else {
            t += latency
            request.callSucceeded = true
            request.status = .success
            // A read is stale when a database other than the one taking writes served it.
            if !isWrite && target != writableDatabase { request.isStale = true }
        }
        return t
    }

    /// An open breaker fails the call at once. The fallback of the read path: a cache entry that
    /// has expired but was not invalidated is served (stale, counted); else the call fails fast
    /// (503). Writes fail fast, and are queued by `serviceDone` when the policy says so.
    func fallback(_ request: inout RequestRecord, region: Int, isWrite: Bool) {
        request.callSucceeded = false
        if !isWrite, hot.hasCache, !cacheDown(region: region, tenant: Int(request.tenant)), l2Expiry[region][Int(request.key)] != Int64.min {
            request.status = .success
            request.isStale = true
            return
        }
        request.status = .fiveXX
    }

    func serviceDone(_ slot: Int, region: Int) {
        var request = requests[slot]
        let instance = Int(request.instance)
        instanceBusy[region][instance] -= 1
        busySlots[region] -= 1
        serviceStatistics[region].busySlots.set(Double(busySlots[region]), at: now, start: measureStart, end: measureEnd)
        if request.usedPool { poolInUse[region] -= 1 }
        if request.breakerIndex >= 0 {
            let breaker = Int(request.breakerIndex)
            let before = breakers[breaker].transitionCount
            breakers[breaker].record(request.callSucceeded ? .success : .failure, duration: now - request.callStart, at: now)
            if breakers[breaker].transitionCount != before { noteTransitions(breaker) }
        }
        var operation = request.operation
        if request.operation == .cached && request.usedDatabase { operation = .db }
        // Whether the client will be told this write succeeded, if it does (`finish` judges the
        // deadline the same way): only such writes are followed (see `WriteTally`).
        let acknowledges = request.operation == .write && request.arrival >= measureStart && request.arrival < measureEnd
            && (now + request.returnLatency) - request.arrival <= model.traffic.deadline
        if request.status == .success {
            if request.operation == .write {
                if acknowledges { writes.appliedDirectly += 1 }
                committedWrite(request, region: region, counted: acknowledges)
            } else if request.usedDatabase, hot.hasCache, !cacheDown(region: region, tenant: Int(request.tenant)) {
                l2Expiry[region][Int(request.key)] = now.nanoseconds + hot.cacheTTL.nanoseconds
            }
        } else if request.operation == .write, request.status == .fiveXX, shouldQueueWrites(), let writePolicy = model.writes {
            // The write cannot reach the primary: queue it (acknowledged) or reject it.
            if writePolicy.policy == .queue && writeQueue.count < writePolicy.queueCapacity
                && !faults.regions[writeQueueRegion].lost {
                writeQueue.append(QueuedWrite(arrival: request.arrival, counted: acknowledges))
                if acknowledges { writes.queued += 1 }
                request.status = .success
                request.queuedWrite = true
            }
        }
        requests[slot] = request
        finish(slot, at: now + request.returnLatency, status: request.status, servedBy: region, operation: operation)
        if let next = waiting[region].first, instanceBusy[region][instance] < hot.concurrency,
           instance < instancesActive[region] {
            waiting[region].removeFirst()
            noteQueueLength(region: region)
            begin(next, region: region, instance: instance)
        }
    }

    @inline(__always)
    func noteQueueLength(region: Int) {
        serviceStatistics[region].queueLength.set(Double(waiting[region].count), at: now, start: measureStart, end: measureEnd)
    }

    /// A request's service begins now: one more busy slot, and its wait since it reached the
    /// service, counted when it reached it in the measured period.
    @inline(__always)
    func noteServiceStart(region: Int, waitingSince arrival: SimTime) {
        busySlots[region] += 1
        serviceStatistics[region].busySlots.set(Double(busySlots[region]), at: now, start: measureStart, end: measureEnd)
        guard arrival >= measureStart && arrival < measureEnd else { return }
        let wait = now - arrival
        serviceStatistics[region].started += 1
        if wait > .zero {
            serviceStatistics[region].waited += 1
            serviceStatistics[region].waitNanoseconds += Double(wait.nanoseconds)
        }
    }

    /// Writes are queued only once the controller has acted (reads switched or traffic moved):
    /// before that, the system does not know the primary is gone, and writes simply fail.
    func shouldQueueWrites() -> Bool {
        control.failoverActive && model.writes?.policy == .queue
    }

    func committedWrite(_ request: RequestRecord, region: Int, counted: Bool) {
        guard hot.hasDatabase, regionNames.count > 1 else { return }
        // Invalidate the written key and the tenant's dashboard in every region's L2.
        if hot.hasCache {
            let dashboard = Int(request.tenant) * keysPerTenant
            for r in 0..<regionNames.count where !cacheDown(region: r, tenant: Int(request.tenant)) {
                l2Expiry[r][Int(request.key)] = Int64.min
                l2Expiry[r][dashboard] = Int64.min
            }
        }
        if !hot.syncReplication && writableDatabase == 0, let lag = hot.replicationLag {
            var draw = draws.stream(request: request.id, hop: Hop.database &+ 100, attempt: request.attempt)
            var arrives = now.nanoseconds + lag.sample(&draw).nanoseconds
            if faults.replicationStalled { arrives = max(arrives, Int64.max / 4) }
            replicationPending.append((now.nanoseconds, arrives, counted))
            while let first = replicationPending.first, first.arrives <= now.nanoseconds - 1 && first.commit < now.nanoseconds - 600_000_000_000 {
                replicationPending.removeFirst()
            }
            // Pruning keeps only writes still in flight; during a stall none arrive, so the next
            // prune waits until the list has doubled (amortised O(1) per write, not O(n)).
            if replicationPending.count > replicationPruneAt {
                pruneReplication()
                replicationPruneAt = max(100_000, 2 * replicationPending.count)
            }
        }
    }

    func pruneReplication() {
        let cutoff = now.nanoseconds
        replicationPending = Deque(replicationPending.filter { $0.arrives > cutoff })
    }

    /// When a stall ends, stalled writes reach the replica after their lag from then.
    func replicationResumed() {
        for index in replicationPending.indices where replicationPending[index].arrives >= Int64.max / 4 {
            replicationPending[index].arrives = now.nanoseconds + 1
        }
    }

    /// Takes the breaker's new transitions from its log (the log is drained each time, so it
    /// never grows).
    func noteTransitions(_ breaker: Int) {
        let transitions = breakers[breaker].transitions
        breakers[breaker].removeAllTransitions()
        for transition in transitions { noteTransition(breaker, transition) }
    }

    func noteTransition(_ breaker: Int, _ transition: BreakerTransition) {
        log.append(LoggedEntry(time: transition.at, kind: "breakerTransition", subject: breakerNames[breaker],
                               detail: "\(transition.from.rawValue) → \(transition.to.rawValue): \(transition.reason)"))
        if breakerGuardsPrimaryDatabase[breaker] {
            if transition.from == .closed {
                primaryDatabaseBreakersNotClosed += 1
            } else if transition.to == .closed {
                primaryDatabaseBreakersNotClosed -= 1
                if primaryDatabaseBreakersNotClosed == 0 && control.failbackAwaitingBreakers {
                    control.failbackAwaitingBreakers = false
                    control.failbacksEnded.append((transition.at, .databaseUnreachable))
                    record("failbackEnded", Rule.databaseUnreachable.rawValue, "every breaker in front of the primary database closed")
                }
            }
        }
        // The warm-up is excluded from every measurement, breakers' included.
        let measured = transition.at >= measureStart
        if transition.to == .open {
            if measured {
                breakerOpens[breaker] += 1
                if !anyFaultActive { breakerFalseOpens[breaker] += 1 }
            }
            if breakerOpenSince[breaker] < 0 { breakerOpenSince[breaker] = transition.at.nanoseconds; control.breakersOpen += 1 }
        } else if transition.to == .closed, breakerOpenSince[breaker] >= 0 {
            let from = max(breakerOpenSince[breaker], measureStart.nanoseconds)
            if measured { breakerSecondsOpen[breaker] += Double(transition.at.nanoseconds - from) / 1e9 }
            breakerOpenSince[breaker] = -1
            control.breakersOpen -= 1
        }
    }
}
