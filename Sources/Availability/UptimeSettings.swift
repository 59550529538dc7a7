import FailoverModel
import Foundation
import SimulationCore

/// A traffic level of the year and the share of the year spent at it.
///
/// An incident meets the level of the moment it starts; levels are drawn by share for each
/// incident (a year's calendar is not modelled: which season an outage falls in is as random as
/// the outage).
public struct LoadLevel: Codable, Sendable, Equatable {
    /// Mean arrival rate at this level (`traffic.requestsPerSecond`).
    public var requestsPerSecond: Double
    /// Share of the year, in (0, 1]; the levels' shares sum to 1.
    public var share: Double

    /// Creates a load level.
    public init(requestsPerSecond: Double, share: Double) {
        self.requestsPerSecond = requestsPerSecond
        self.share = share
    }

    /// Parses `RATE:SHARE,RATE:SHARE` (e.g. `1000:0.75,2000:0.25`); a lone `RATE` has share 1.
    public static func parseList(_ text: String) throws -> [LoadLevel] {
        var levels: [LoadLevel] = []
        for part in text.split(separator: ",") {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(fields.count), let rate = Double(fields[0].trimmingCharacters(in: .whitespaces)),
                  rate > 0, rate.isFinite else {
                throw ModelError("load level '\(part)': expected RATE or RATE:SHARE with a rate above 0 (e.g. 1000:0.75)")
            }
            let share = fields.count == 2 ? Double(fields[1].trimmingCharacters(in: .whitespaces)) : 1
            guard let share, share > 0, share <= 1 else {
                throw ModelError("load level '\(part)': the share must be above 0 and at most 1")
            }
            levels.append(LoadLevel(requestsPerSecond: rate, share: share))
        }
        try validate(levels)
        return levels
    }

    /// Checks that levels are distinct and their shares sum to 1.
    public static func validate(_ levels: [LoadLevel]) throws {
        guard !levels.isEmpty else { throw ModelError("at least one load level is needed") }
        let total = levels.reduce(0) { $0 + $1.share }
        guard abs(total - 1) < 1e-9 else {
            throw ModelError("the load levels' shares sum to \(total), not 1")
        }
        if Set(levels.map(\.requestsPerSecond)).count != levels.count {
            throw ModelError("a load level's rate is given twice")
        }
    }

    /// A rate as an override value and in scenario names (`1000`, `1500.5`).
    public static func format(_ rate: Double) -> String {
        rate == rate.rounded() && abs(rate) < 1e15 ? String(Int64(rate)) : String(rate)
    }
}

/// How the incident library is built: the request-level runs a study reuses.
///
/// Every run of the library is a pure function of these settings, the model, the experiment and
/// the engine version (its seed comes from its name), so the library is the same for every study
/// seed and every number of years; runs stored once are found again by their run keys.
public struct LibrarySettings: Codable, Sendable, Equatable {
    /// Unmeasured time simulated before each library run's measured part.
    public var warmUp: SimDuration = .seconds(30)
    /// Measured 10-second bins before a scenario's first fault.
    public var preBins: Int = 2
    /// Measured time after a scenario's last fault ends: failback, cache re-warm, breakers closing.
    /// Incidents whose windows (`preBins` before, this after) meet are one overlap scenario.
    public var post: SimDuration = .minutes(5)
    /// Gaps between fault starts and ends longer than this are simulated at this length and the
    /// rest filled with the steady state reached (see ``ScenarioCut``). It must exceed every slow
    /// transition of the model (promotion delay, write queue filling up, scale-up).
    public var compressAfter: SimDuration = .minutes(30)
    /// Bins averaged for the steady state that a cut repeats.
    public var steadyBins: Int = 30
    /// Duration bands per fault process (equal probability, below `compressAfter`).
    public var bands: Int = 3
    /// Library runs per band (and per load level).
    public var entriesPerBand: Int = 3
    /// Library runs of faults lasting `compressAfter` or longer, stretched to each year's duration.
    public var longEntries: Int = 3
    /// Library runs per likely pair of fault processes (and per load level): overlaps of the two,
    /// resampled when a year has one. Pairs expected to overlap less often than
    /// `pairsPerYear` times a year get none: their overlaps are simulated for the year. Two, not
    /// three: overlaps are rare (about one year in twenty-five of the reference has one) and spent under
    /// 0.1 % of its downtime budget, so a third run per pair cost a tenth of the library's time
    /// for an error the resampling shows to be nil.
    public var pairEntries: Int = 2
    /// How often (per 365 days) two processes must be expected to overlap for the library to
    /// hold runs of the pair.
    public var pairsPerYear: Double = 0.001
    /// The pair runs stand for overlaps of exactly two faults, drawn as if nothing else happened
    /// around them; that holds only while a third fault joining is rare. A pair gets runs only
    /// when all processes together are expected to start fewer than this many faults within the
    /// pair's two windows (otherwise its overlaps are simulated as they come).
    public var pairCrowding: Double = 0.01
    /// Length of the normal-operation run per load level (background failure rate). Background
    /// failures are rare (0.02 % in the reference), so their rate needs many requests: at 1,000
    /// req/s, 20 minutes left a resampling error of ± 6.8 min a year on request-based downtime;
    /// an hour leaves about ± 4 (measured), for about three seconds of CPU more.
    public var normalOperation: SimDuration = .hours(1)
    /// Draws of each process's duration distribution used to place band edges and pick the
    /// entries' durations.
    public var durationDraws: Int = 4096
    /// Seed of the library's choices and runs (with each run's name).
    public var seed: UInt64 = 1

    /// The reference settings.
    public init() {}
}

/// What a study runs: how many years, from which seed, at which loads, what it reports.
public struct UptimeSettings: Codable, Sendable, Equatable {
    /// Replicated years.
    public var years: Int = 1000
    /// The study seed: every year's fault schedule comes from it and the year's number.
    public var seed: UInt64 = 1
    /// The length of a "year" (shorter ones for tests against brute force).
    public var yearLength: SimDuration = .days(365)
    /// The shortest year a study accepts.
    public static let shortestYear = SimDuration.minutes(10)
    /// Load levels; empty means the model's own rate all year.
    public var loadLevels: [LoadLevel] = []
    /// Tenants reported (ranks, 1 = the largest); empty means the largest, rank 10, rank 100 and
    /// the smallest that exist.
    public var tenantRanks: [Int] = []
    /// Library resamplings used to measure the library's error.
    public var bootstrapReplicates: Int = 40
    /// A minute or block is down when its error rate is strictly above this; `nil` uses the
    /// model's critical error-rate alert level (else 5 %, as Firestore's SLA counts Downtime).
    public var downtimeErrorRate: Double? = nil
    /// Confidence level of every interval.
    public var level: Double = 0.95
    /// The library's settings.
    public var library = LibrarySettings()

    /// The reference settings.
    public init() {}
}
