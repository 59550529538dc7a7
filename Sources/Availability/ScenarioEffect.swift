import FailoverModel
import Foundation
import RunResults
import SimulationCore

/// What a scenario did, as the year assembly needs it: failures per 10-second bin, failures per
/// tenant, and what each fault's incident recorded (rule, RTO, RPO).
///
/// Failures per bin come from the run's 10-second `errorRate` × `requestsPerSecond` series: the
/// responses the edge observed, by completion time (the run reports arrival-time outcomes only
/// per run and per incident, not per bin). Requests answered from the edge's L1 cache never reach
/// a region and are not in that series, but they never fail, so failure counts are whole; the
/// requests of a bin are taken as the run's arrival rate × 10 s, arrivals being open-loop and
/// unaffected by faults. A failure is therefore placed at most a client deadline after its
/// arrival — a shift of at most one bin with the reference's 10 s deadline.
public struct ScenarioEffect: Codable, Sendable, Equatable {
    /// The width of a bin.
    public static let binLength = SimDuration.seconds(10)
    /// The bin width in seconds.
    public static let binSeconds = 10.0

    /// What one fault of the scenario recorded.
    public struct Incident: Codable, Sendable, Equatable {
        public var process: String
        public var faultKind: String
        /// The region it hit.
        public var target: String
        /// The controller rule that acted, if any.
        public var rule: String?
        public var outcome: String
        /// Region loss: loss → writes accepted again (promotion), seconds; `nil` when the region
        /// returned first.
        public var rtoSeconds: Double?
        /// Region loss: acknowledged writes not on the survivor.
        public var rpoWrites: Int64?
        public var writesLost: Int64

        /// Creates an incident record (synthetic effects in tests).
        public init(process: String, faultKind: String, target: String = "", rule: String? = nil, outcome: String = "recovered",
                    rtoSeconds: Double? = nil, rpoWrites: Int64? = nil, writesLost: Int64 = 0) {
            self.process = process
            self.faultKind = faultKind
            self.target = target
            self.rule = rule
            self.outcome = outcome
            self.rtoSeconds = rtoSeconds
            self.rpoWrites = rpoWrites
            self.writesLost = writesLost
        }
    }

    /// The scenario's name.
    public var scenario: String
    /// The load level index it ran at.
    public var level: Int
    /// Bins of the profile before the scenario's onset.
    public var preBins: Int
    /// Failures (background included) per bin of the compressed run, from the run's measured start.
    public var failed: [Double]
    /// Requests per second that arrived during the run (all of them, L1 hits included).
    public var arrivalRate: Double
    /// Requests and failures of the whole run by arrival time, per tenant (index = rank − 1).
    public var tenantRequests: [Int64]
    public var tenantFailed: [Int64]
    /// Requests and failures of the whole run by arrival time.
    public var requests: Int64
    public var requestsFailed: Int64
    /// Where the compressed run left time out (composites).
    public var cuts: [ScenarioCut]
    /// For a library run of one fault: the bin holding the fault's end, where a year's longer or
    /// shorter duration of the same band adds or removes bins (``ScenarioEffect/adjusted``);
    /// `nil` for scenarios used as simulated.
    public var faultEndBin: Int?
    /// For a library run of one fault: the fault's duration as simulated, seconds.
    public var faultSeconds: Double?
    /// The faults' incidents, in onset order.
    public var incidents: [Incident]
    /// Wall-clock seconds the run took (0 when it came from the store); not part of any result.
    public var wallSeconds: Double
    /// Whether the run was found in the store rather than simulated now.
    public var fromStore: Bool


    /// Mean failures per bin over the `window` bins before `bin` (the steady state a cut repeats).
    public func steadyFailures(before bin: Int, window: Int) -> Double {
        let end = min(max(bin, 0), failed.count)
        let start = max(0, end - window)
        guard end > start else { return failed.last ?? 0 }
        var sum = 0.0
        for index in start..<end { sum += failed[index] }
        return sum / Double(end - start)
    }

    /// Reads a run of the scenario. `processes` names the process of each injected fault, in the
    /// order the faults were given to the run.
    init(scenario: Scenario, run: RunResult, processes: [String], preBins: Int, measuredFromSeconds: Double = 0, measuredSeconds: Double,
         cuts: [ScenarioCut], faultEndBin: Int?, faultSeconds: Double?, tenants: Int, wallSeconds: Double, fromStore: Bool) {
        self.scenario = scenario.name
        level = scenario.level
        self.preBins = preBins
        let bins = Int((measuredSeconds / Self.binSeconds).rounded(.up))
        var failed = Array(repeating: 0.0, count: bins)
        var rate = Array(repeating: 0.0, count: bins)
        var errorRate = Array(repeating: 0.0, count: bins)
        for sample in run.series where sample.scope == "all" && (sample.metric == "errorRate" || sample.metric == "requestsPerSecond") {
            // Result seconds are on the experiment's clock; bins count from the end of the warm-up.
            // A run longer than 12 hours has wider intervals (`FailoverWorld.seriesWidth`): each
            // covers several bins, which take its rates evenly.
            let first = Int(((sample.startSeconds - measuredFromSeconds) / Self.binSeconds).rounded())
            let covered = max(1, Int((sample.widthSeconds / Self.binSeconds).rounded()))
            var index = max(0, first)
            while index < min(bins, first + covered) {
                if sample.metric == "errorRate" { errorRate[index] = sample.value } else { rate[index] = sample.value }
                index += 1
            }
        }
        for index in 0..<bins {
            failed[index] = (errorRate[index] * rate[index] * Self.binSeconds).rounded()
        }
        self.failed = failed
        requests = run.availability.requests
        requestsFailed = run.availability.requests - run.availability.served
        arrivalRate = measuredSeconds > 0 ? Double(run.availability.requests) / measuredSeconds : 0
        var tenantRequests = Array(repeating: Int64(0), count: tenants)
        var tenantFailed = tenantRequests
        for tenant in run.availability.tenants {
            guard tenant.scope.hasPrefix("tenant-"), let rank = Int(tenant.scope.dropFirst(7)), rank >= 1 && rank <= tenants else { continue }
            tenantRequests[rank - 1] = tenant.requests
            tenantFailed[rank - 1] = tenant.requests - tenant.served
        }
        self.tenantRequests = tenantRequests
        self.tenantFailed = tenantFailed
        self.cuts = cuts
        self.faultEndBin = faultEndBin
        self.faultSeconds = faultSeconds
        // The model names generated faults after the scenario's fault index; incidents come in
        // onset order, which is the faults' order (they are given sorted by offset).
        incidents = run.incidents.map { incident in
            let index = Self.faultIndex(incident.fault)
            return Incident(process: index.flatMap { $0 < processes.count ? processes[$0] : nil } ?? incident.fault,
                            faultKind: incident.faultKind, target: incident.target, rule: incident.rule, outcome: incident.outcome.rawValue,
                            rtoSeconds: incident.rtoSeconds, rpoWrites: incident.rpoWrites, writesLost: incident.writesLost)
        }
        self.wallSeconds = wallSeconds
        self.fromStore = fromStore
    }

    /// Creates an effect from its parts (synthetic effects in tests of the year assembly).
    public init(scenario: String, level: Int, preBins: Int, failed: [Double], arrivalRate: Double,
                tenantRequests: [Int64] = [], tenantFailed: [Int64] = [], cuts: [ScenarioCut] = [], faultEndBin: Int? = nil,
                faultSeconds: Double? = nil, incidents: [Incident] = []) {
        self.scenario = scenario
        self.level = level
        self.preBins = preBins
        self.failed = failed
        self.arrivalRate = arrivalRate
        self.tenantRequests = tenantRequests
        self.tenantFailed = tenantFailed
        requests = Int64((arrivalRate * Double(failed.count) * Self.binSeconds).rounded())
        requestsFailed = Int64(failed.reduce(0, +).rounded())
        self.cuts = cuts
        self.faultEndBin = faultEndBin
        self.faultSeconds = faultSeconds
        self.incidents = incidents
        wallSeconds = 0
        fromStore = false
    }

    /// The bin holding the end of a single fault that starts after `preBins` and lasts `span`,
    /// and that duration in seconds.
    public static func faultEnd(span: SimDuration, preBins: Int) -> (bin: Int, seconds: Double) {
        let bins = (span.nanoseconds + binLength.nanoseconds - 1) / binLength.nanoseconds
        return (preBins + max(1, Int(bins)) - 1, span.seconds)
    }

    /// The fault index in a generated fault name `f<index>-<process>[-kind]`.
    static func faultIndex(_ name: String) -> Int? {
        guard name.hasPrefix("f"), let dash = name.firstIndex(of: "-") else { return nil }
        return Int(name[name.index(after: name.startIndex)..<dash])
    }
}
