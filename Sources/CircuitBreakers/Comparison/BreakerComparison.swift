import SimulationCore

/// A window during which the dependency is down: calls in `[start, start + length)` fail.
public struct Outage: Equatable, Sendable {
    public var start: SimTime
    public var length: SimDuration

    public init(start: SimTime, length: SimDuration) {
        self.start = start
        self.length = length
    }

    public var end: SimTime { start + length }

    @inline(__always)
    public func contains(_ time: SimTime) -> Bool { time >= start && time < end }
}

/// Why a traffic description cannot be generated.
public struct TrafficError: Error, Equatable, Sendable, CustomStringConvertible {
    public var parameter: String
    public var message: String
    public var description: String { "\(parameter): \(message)" }
}

/// The traffic every candidate sees: open-loop Poisson calls at a fixed rate, failing at a small
/// background rate, and at `outageErrorRate` inside outage windows. Drawn from the seed's named
/// streams (`breaker-compare/arrivals`, `breaker-compare/outcomes`), so every candidate gets the
/// identical sequence of calls and outcomes.
public struct ComparisonTraffic: Equatable, Sendable {
    /// The most calls one comparison generates per candidate.
    public static let callLimit = 50_000_000

    public var seed: UInt64
    public var duration: SimDuration
    public var callsPerSecond: Double
    /// Share of calls that fail outside outages (0…1).
    public var backgroundErrorRate: Double
    public var outages: [Outage]
    /// Share of calls that fail inside an outage (0…1; default 1: every call fails).
    public var outageErrorRate: Double
    /// How long a call takes outside outages (for slow-call and timeout rules).
    public var callDuration: SimDuration
    /// How long a call takes inside an outage (a hung dependency: set it to the client timeout).
    public var outageCallDuration: SimDuration

    public init(seed: UInt64 = 1, duration: SimDuration = .minutes(10), callsPerSecond: Double = 50,
                backgroundErrorRate: Double = 0.005, outages: [Outage] = [Outage(start: .zero + .minutes(2), length: .seconds(90))],
                outageErrorRate: Double = 1, callDuration: SimDuration = .milliseconds(20),
                outageCallDuration: SimDuration? = nil) throws(TrafficError) {
        guard duration > .zero else { throw TrafficError(parameter: "duration", message: "must be longer than zero") }
        guard callsPerSecond > 0, callsPerSecond.isFinite else {
            throw TrafficError(parameter: "rate", message: "must be more than 0 calls per second")
        }
        guard duration.seconds * callsPerSecond <= Double(ComparisonTraffic.callLimit) else {
            throw TrafficError(parameter: "rate", message: "duration × rate is \(Int(duration.seconds * callsPerSecond)) calls; the limit is \(ComparisonTraffic.callLimit) per candidate")
        }
        guard (0...1).contains(backgroundErrorRate) else {
            throw TrafficError(parameter: "background-error-rate", message: "must be a share from 0 to 1")
        }
        guard (0...1).contains(outageErrorRate) else {
            throw TrafficError(parameter: "outage-error-rate", message: "must be a share from 0 to 1")
        }
        for outage in outages {
            guard outage.length > .zero else { throw TrafficError(parameter: "outage", message: "an outage must last longer than zero") }
            guard outage.start < .zero + duration else {
                throw TrafficError(parameter: "outage", message: "the outage at \(SimDuration(nanoseconds: outage.start.nanoseconds)) starts after the traffic ends (\(duration))")
            }
        }
        let sorted = outages.sorted { $0.start < $1.start }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where later.start < earlier.end {
            throw TrafficError(parameter: "outage", message: "outages overlap (\(SimDuration(nanoseconds: earlier.start.nanoseconds))+\(earlier.length) and \(SimDuration(nanoseconds: later.start.nanoseconds))+\(later.length))")
        }
        self.seed = seed
        self.duration = duration
        self.callsPerSecond = callsPerSecond
        self.backgroundErrorRate = backgroundErrorRate
        self.outages = sorted
        self.outageErrorRate = outageErrorRate
        self.callDuration = callDuration
        self.outageCallDuration = outageCallDuration ?? callDuration
    }

    public var end: SimTime { .zero + duration }

    /// Whether `time` falls in an outage.
    public func inOutage(_ time: SimTime) -> Bool {
        outages.contains { $0.contains(time) }
    }

    /// The calls, in time order.
    public func makeCalls() -> ComparisonCalls { ComparisonCalls(traffic: self) }
}

/// The generated calls of a ``ComparisonTraffic``, one at a time.
public struct ComparisonCalls: IteratorProtocol, Sendable {
    public struct Call: Equatable, Sendable {
        public var time: SimTime
        public var outcome: CallOutcome
        public var duration: SimDuration
        public var inOutage: Bool
    }

    let traffic: ComparisonTraffic
    let gaps: Distribution
    var arrivals: Xoshiro256StarStar
    var outcomes: Xoshiro256StarStar
    var now: SimTime = .zero
    var outageIndex = 0

    init(traffic: ComparisonTraffic) {
        self.traffic = traffic
        gaps = try! Distribution.exponential(rate: traffic.callsPerSecond)
        let streams = RandomStreams(seed: traffic.seed)
        arrivals = streams.stream(named: "breaker-compare/arrivals")
        outcomes = streams.stream(named: "breaker-compare/outcomes")
    }

    public mutating func next() -> Call? {
        now = now + SimDuration(seconds: gaps.sample(&arrivals))
        guard now < traffic.end else { return nil }
        while outageIndex < traffic.outages.count && traffic.outages[outageIndex].end <= now { outageIndex += 1 }
        let inOutage = outageIndex < traffic.outages.count && traffic.outages[outageIndex].contains(now)
        let failed = outcomes.nextUniform() < (inOutage ? traffic.outageErrorRate : traffic.backgroundErrorRate)
        return Call(time: now, outcome: failed ? .failure : .success,
                    duration: inOutage ? traffic.outageCallDuration : traffic.callDuration, inOutage: inOutage)
    }
}

/// A policy with settings, under a name for the table.
public struct ComparisonCandidate: Equatable, Sendable {
    public var label: String
    public var configuration: BreakerPolicyConfiguration

    public init(label: String, configuration: BreakerPolicyConfiguration) {
        self.label = label
        self.configuration = configuration
    }
}

/// How one candidate did on one outage.
public struct OutageResponse: Equatable, Sendable {
    public var outage: Outage
    /// From the outage's start to the breaker being OPEN (0 if it already was); `nil` if it never
    /// opened during the outage.
    public var detectionDelay: SimDuration?
    /// The breaker was already OPEN when the outage began (a false open just before it, or a
    /// previous outage), so the detection delay of 0 is luck, not detection.
    public var openAtStart: Bool
    /// From the outage's end to the first CLOSED at or after it (0 if already CLOSED then);
    /// `nil` if it did not open during the outage (nothing to recover) or never closed again.
    public var closedAfterEnd: SimDuration?
    /// It opened during the outage and was still not CLOSED when the traffic ended.
    public var neverClosed: Bool
}

/// How one candidate did on the whole traffic.
public struct CandidateResult: Sendable {
    public var candidate: ComparisonCandidate
    public var calls = 0
    public var permitted = 0
    public var rejected = 0
    /// Rejected calls outside any outage: healthy calls the breaker turned away.
    public var rejectedOutsideOutages = 0
    /// Failed calls that went through (the load on the failing dependency).
    public var failuresPermitted = 0
    public var opens = 0
    /// Opens (from CLOSED or HALF_OPEN) that start outside every outage.
    public var falseOpens = 0
    public var timeOpen: SimDuration = .zero
    public var timeHalfOpen: SimDuration = .zero
    public var outages: [OutageResponse] = []
    public var transitions: [BreakerTransition] = []
}

/// Runs the same generated traffic through several policies and measures what an architect
/// compares: detection delay, time open, calls rejected, false opens, time to close after an
/// outage. Pure and deterministic: the same traffic and candidates give the same results.
public enum BreakerComparison {
    public static func run(_ candidates: [ComparisonCandidate], on traffic: ComparisonTraffic) -> [CandidateResult] {
        candidates.map { run($0, on: traffic) }
    }

    public static func run(_ candidate: ComparisonCandidate, on traffic: ComparisonTraffic) -> CandidateResult {
        var breaker = CircuitBreaker(configuration: candidate.configuration, keepsTransitions: true)
        var result = CandidateResult(candidate: candidate)
        var calls = traffic.makeCalls()
        // Outcomes reach the breaker when their calls complete (start + duration).
        var inFlight = CallsInFlight()
        while let call = calls.next() {
            result.calls += 1
            inFlight.recordCompleted(upTo: call.time, in: &breaker)
            if breaker.permitsCall(at: call.time) {
                result.permitted += 1
                if call.outcome == .failure { result.failuresPermitted += 1 }
                inFlight.add(call.outcome, duration: call.duration, startedAt: call.time)
                inFlight.recordCompleted(upTo: call.time, in: &breaker)
            } else {
                result.rejected += 1
                if !call.inOutage { result.rejectedOutsideOutages += 1 }
            }
        }
        inFlight.recordCompleted(upTo: traffic.end, in: &breaker)
        breaker.advance(to: traffic.end)
        let transitions = breaker.transitions
        result.transitions = transitions
        result.opens = breaker.statistics.opens
        result.falseOpens = transitions.filter { $0.to == .open && !traffic.inOutage($0.at) }.count
        result.timeOpen = breaker.statistics.time(in: .open, upTo: traffic.end)
        result.timeHalfOpen = breaker.statistics.time(in: .halfOpen, upTo: traffic.end)
        result.outages = traffic.outages.map { response(to: $0, transitions: transitions, end: traffic.end) }
        return result
    }

    static func state(at time: SimTime, _ transitions: [BreakerTransition]) -> BreakerState {
        transitions.last { $0.at <= time }?.to ?? .closed
    }

    static func response(to outage: Outage, transitions: [BreakerTransition], end: SimTime) -> OutageResponse {
        let outageEnd = min(outage.end, end)
        var detection: SimDuration? = nil
        let openAtStart = state(at: outage.start, transitions) == .open
        if openAtStart {
            detection = .zero
        } else if let opened = transitions.first(where: { $0.to == .open && $0.at >= outage.start && $0.at < outageEnd }) {
            detection = opened.at - outage.start
        }
        var closedAfter: SimDuration? = nil
        var neverClosed = false
        if detection != nil {
            if state(at: outageEnd, transitions) == .closed {
                closedAfter = .zero
            } else if let closed = transitions.first(where: { $0.to == .closed && $0.at >= outageEnd }) {
                closedAfter = closed.at - outageEnd
            } else {
                neverClosed = true
            }
        }
        return OutageResponse(outage: outage, detectionDelay: detection, openAtStart: openAtStart, closedAfterEnd: closedAfter,
                              neverClosed: neverClosed)
    }
}
