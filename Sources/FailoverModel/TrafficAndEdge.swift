import SimulationCore

/// Tenant traffic: open-loop Poisson arrivals at the profile's rate, and client retries.
final class TrafficEntity: Entity {
    unowned let world: FailoverWorld
    init(world: FailoverWorld) { self.world = world }

    override func receive(_ event: Event, in simulation: Simulation) {
        switch event.code {
        case Kind.arrival: world.arrive()
        case Kind.retry: world.startAttempt(Int(event.payload))
        case Kind.dnsRefresh: world.refreshDNS(location: Int(event.payload))
        case Kind.dnsStaleAnswerExpires: world.staleDNSAnswerExpires(location: Int(event.payload))
        default: preconditionFailure("traffic got event \(event.code)")
        }
    }
}

// Hops of the per-request counter-based draws (contract §1): fixed numbers, so a request's luck at
// each hop is the same whatever route other variants give it.
enum Hop {
    static let identity: UInt16 = 0
    static let edge: UInt16 = 1
    static let service: UInt16 = 2
    static let database: UInt16 = 3
    static let retry: UInt16 = 4
}

extension FailoverWorld {
    func scheduleNextArrival() {
        let rate = rateAt(now)
        guard rate > 0 else { return }
        let gap = SimDuration(seconds: -Double.log(arrivalStream.nextUniform()) / rate)
        _ = simulation.send(to: trafficID, kind: Kind.arrival, after: gap)
    }

    func rateAt(_ time: SimTime) -> Double {
        var rate = model.traffic.requestsPerSecond
        for step in model.traffic.profile ?? [] where time >= SimTime.zero + step.at { rate = step.requestsPerSecond }
        return rate
    }

    /// A new logical request arrives at the edge.
    func arrive() {
        scheduleNextArrival()
        let id = nextRequestID
        nextRequestID += 1
        var draw = draws.stream(request: id, hop: Hop.identity)
        let tenant = Int(tenantDistribution.sample(&draw)) - 1
        let mix = model.traffic.mix
        let u = draw.nextUniform() * (mix.read + mix.write + mix.batch + mix.report)
        let operation: OperationClass = u < mix.read ? .cached
            : u < mix.read + mix.write ? .write
            : u < mix.read + mix.write + mix.batch ? .batch : .report
        let keyInTenant = Int(draw.nextIndex(below: UInt64(keysPerTenant)))
        let location = Int(draw.nextIndex(below: UInt64(edgeLocations)))
        let slot: Int
        if let free = freeRequests.popLast() { slot = free } else {
            slot = requests.count
            requests.append(RequestRecord())
        }
        requests[slot] = RequestRecord(
            id: id, arrival: now, attemptStart: now, tenant: Int32(tenant),
            key: Int32(tenant * keysPerTenant + keyInTenant), operation: operation, attempt: 0,
            edgeLocation: Int16(location))
        firstAttempts += 1
        if now >= measureStart && now < measureEnd { arrivals.arrived(at: now) }
        if arrivalDigest != nil { foldArrival(requests[slot]) }
        startAttempt(slot)
    }

    /// Folds an arrival's attributes into ``arrivalDigest`` (FNV-1a), so that tests can show two
    /// variants saw the same traffic.
    func foldArrival(_ request: RequestRecord) {
        var hash = arrivalDigest ?? 0xcbf2_9ce4_8422_2325
        for value in [request.id, UInt64(bitPattern: request.arrival.nanoseconds), UInt64(request.tenant),
                      UInt64(request.key), UInt64(request.edgeLocation), UInt64(OperationClass.allCases.firstIndex(of: request.operation)!)] {
            hash = (hash ^ value) &* 0x0000_0100_0000_01B3
        }
        arrivalDigest = hash
    }

    /// One attempt: client → edge (L1) → route → region, or a failure at the edge.
    func startAttempt(_ slot: Int) {
        var request = requests[slot]
        request.attemptStart = now
        request.instance = -1
        request.usedDatabase = false
        request.usedPool = false
        request.breakerIndex = -1
        request.isStale = false
        request.queuedWrite = false
        var draw = draws.stream(request: request.id, hop: Hop.edge, attempt: request.attempt)
        let toEdge = hot.clientToEdge?.sample(&draw) ?? .zero
        let fromEdge = hot.clientToEdge?.sample(&draw) ?? .zero
        let edgeProcessing = hot.edgeProcessing?.sample(&draw) ?? .zero
        let l1Roll = draw.nextUniform()
        let routeRoll = draw.nextUniform()
        let toRegion = hot.edgeToRegion?.sample(&draw) ?? .zero
        let fromRegion = hot.edgeToRegion?.sample(&draw) ?? .zero
        let location = Int(request.edgeLocation)
        let isRead = request.operation == .cached

        // L1: hot-path reads at the edge.
        if let share = hot.l1CacheableShare, isRead, l1Roll < share {
            if l1Expiry[location][Int(request.key)] > now.nanoseconds {
                requests[slot] = request
                finish(slot, at: now + toEdge + edgeProcessing + fromEdge, status: .success, servedBy: -1, operation: .cached)
                return
            }
            request.l1Fill = true
        } else {
            request.l1Fill = false
        }

        let region = route(location: location, roll: routeRoll)
        request.region = Int8(region)
        request.returnLatency = fromRegion + fromEdge
        let atEdge = now + toEdge + edgeProcessing
        if linkCut(.edgeRegion, region: region) || (model.edge == nil && linkCut(.clientsRegion, region: region)) {
            requests[slot] = request
            let timeout = hot.connectTimeout
            finish(slot, at: atEdge + timeout + fromEdge, status: .connectionError, servedBy: region, operation: request.operation)
            return
        }
        requests[slot] = request
        simulation.send(to: regionIDs[region], kind: Kind.serviceArrive, payload: UInt64(slot), at: atEdge + toRegion)
    }

    /// The edge's choice of region: a routing override (the 5xx rule's action, possibly during a
    /// stepped failback), else the location's cached DNS answer.
    func route(location: Int, roll: Double) -> Int {
        guard regionNames.count > 1 else { return 0 }
        if routedToFailover > 0 && roll < routedToFailover { return 1 }
        return Int(dnsAnswer[location])
    }

    /// A location's cached answer expires and is resolved again (every TTL, at the location's own
    /// phase). The refresh does not wait for a request to need the answer: were it done on demand,
    /// a routing override that keeps requests from consulting DNS would let every location's answer
    /// expire unrefreshed, and at failback all would resolve within moments of each other and share
    /// one phase for the rest of the run. A stale location (`staleShare`) keeps a changed answer
    /// for `staleExtra` more.
    func refreshDNS(location: Int) {
        guard let dns = model.dns else { return }
        dnsNextRefresh[location] = now.nanoseconds + dns.ttl.nanoseconds
        simulation.send(to: trafficID, kind: Kind.dnsRefresh, payload: UInt64(location), after: dns.ttl)
        guard dnsAnswer[location] != dnsRecord, !dnsHoldingStale[location] else { return }
        if dnsStale[location] && dns.staleExtra > .zero {
            dnsHoldingStale[location] = true
            simulation.send(to: trafficID, kind: Kind.dnsStaleAnswerExpires, payload: UInt64(location), after: dns.staleExtra)
        } else {
            dnsAnswer[location] = dnsRecord
        }
    }

    /// A stale location's extra time is over: it takes the record as it stands now.
    func staleDNSAnswerExpires(location: Int) {
        precondition(dnsHoldingStale[location], "a stale DNS answer expired that was not held")
        dnsHoldingStale[location] = false
        dnsAnswer[location] = dnsRecord
    }

    /// The attempt's answer reaches the client at `time`. Retries failures when configured, else
    /// records the logical request's outcome (by its arrival time) and what the edge observed.
    func finish(_ slot: Int, at time: SimTime, status: Status, servedBy region: Int, operation: OperationClass) {
        var request = requests[slot]
        let elapsed = time - request.arrival
        var status = status
        if elapsed > model.traffic.deadline { status = .timeout }
        // What the edge observes from the region (by completion time).
        if region >= 0 {
            let ring = observed.slot(for: time)
            observed.total[ring] += 1
            if status != .success { observed.failed[ring] += 1 }
            if status == .fiveXX { observed.fiveXX[ring] += 1 }
            if status == .connectionError || status == .timeout { observed.connectionErrors[ring] += 1 }
            if region == 0 { control.recordPrimaryResponse(at: time, status: status) }
        }
        if status == .success {
            if request.l1Fill, hot.l1CacheableShare != nil {
                l1Expiry[Int(request.edgeLocation)][Int(request.key)] = time.nanoseconds + hot.l1TTL.nanoseconds
            }
        } else if let retry = model.traffic.retry, Int(request.attempt) + 1 < retry.maxAttempts,
                  Double(retriesIssued + 1) <= retry.budget * Double(max(firstAttempts, 1)) {
            var draw = draws.stream(request: request.id, hop: Hop.retry, attempt: request.attempt)
            let factor = 1 + retry.jitter * (2 * draw.nextUniform() - 1)
            let backoff = SimDuration(seconds: retry.backoff.seconds * Double(1 << min(Int(request.attempt), 20)) * max(0, factor))
            let retryAt = time + backoff
            if retryAt - request.arrival < model.traffic.deadline {
                request.attempt += 1
                requests[slot] = request
                retriesIssued += 1
                simulation.send(to: trafficID, kind: Kind.retry, payload: UInt64(slot), at: max(retryAt, now))
                return
            }
        }
        recordOutcome(request, at: time, status: status, servedBy: region, operation: operation)
        freeRequests.append(slot)
    }

    func recordOutcome(_ request: RequestRecord, at time: SimTime, status: Status, servedBy region: Int, operation: OperationClass) {
        guard request.arrival >= measureStart && request.arrival < measureEnd else { return }
        let success = status == .success
        let isWrite = request.operation == .write
        arrivals.record(arrival: request.arrival, isWrite: isWrite, failed: !success)
        let tenant = Int(request.tenant)
        tenantRequests[tenant] += 1
        let servingRegion = max(region, 0)
        regionRequests[servingRegion] += 1
        if success {
            tenantServed[tenant] += 1
            regionServed[servingRegion] += 1
            let elapsed = time - request.arrival
            latencyByClass[operation.index].record(elapsed)
            observed.latency[observed.slot(for: time)].record(elapsed)
            if request.isStale { staleReads += 1 }
            if isWrite { writes.acknowledged += 1 }
        } else if isWrite && !request.queuedWrite {
            if status == .fiveXX { writes.rejected += 1 }
        }
    }
}

extension OperationClass {
    var index: Int {
        switch self {
        case .cached: return 0
        case .db: return 1
        case .write: return 2
        case .batch: return 3
        case .report: return 4
        }
    }
}
