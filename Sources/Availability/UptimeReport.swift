import Foundation
import SimulationStatistics

/// A mean over the replicated years with two errors: the years' own (Student-t interval) and the
/// library's (the standard deviation of the estimate over library resamplings), and an interval
/// holding both.
public struct Estimate: Codable, Sendable, Equatable {
    public var mean: Double
    /// The years' interval at the study's level.
    public var lower: Double
    public var upper: Double
    /// Standard deviation of the mean over library resamplings (the resampling error).
    public var librarySD: Double
    /// `mean ± √(half-width² + (z · librarySD)²)`.
    public var combinedLower: Double
    public var combinedUpper: Double

    /// Whether `value` lies in the combined interval.
    public func contains(_ value: Double) -> Bool { combinedLower <= value && value <= combinedUpper }
}

/// A distribution over the replicated years: the mean with its errors, and quantiles.
public struct DistributionSummary: Codable, Sendable, Equatable {
    public var mean: Estimate
    public var p05: Double
    public var median: Double
    public var p95: Double
    public var min: Double
    public var max: Double
}

/// A share of years (or events) with its Wilson interval, widened by the library's error.
public struct ProportionEstimate: Codable, Sendable, Equatable {
    public var successes: Int
    public var trials: Int
    public var proportion: Double
    /// Wilson score interval at the study's level.
    public var lower: Double
    public var upper: Double
    public var librarySD: Double
    public var combinedLower: Double
    public var combinedUpper: Double
}

/// One way of counting downtime, over the years.
public struct MeasureSummary: Codable, Sendable, Equatable {
    /// `requests` (failed ÷ requests of the year, as time), `minutes` (down minutes),
    /// `fiveMinuteBlocks` (down aligned 5-minute blocks), `downtimePeriods` (runs of five or more
    /// down minutes, as Firestore's SLA counts them).
    public var measure: String
    public var downtimeMinutes: DistributionSummary
    public var availability: DistributionSummary
    /// Downtime ÷ the year's budget at the target.
    public var budgetUsed: DistributionSummary
    /// Years at or above the target availability.
    public var meetsTarget: ProportionEstimate
}

/// A fault type's or a trigger row's share of the downtime budget (mean over years).
public struct BudgetShare: Codable, Sendable, Equatable {
    public var name: String
    /// Of request-based downtime.
    public var requestBased: Estimate
    /// Of down minutes.
    public var minutes: Estimate
}

/// Losses of the primary region pooled over every year (the failover region's losses have no
/// RTO or RPO of their own).
public struct RegionLossSummary: Codable, Sendable, Equatable {
    public var events: Int
    public var perYear: Estimate
    /// Over events where the replica was promoted.
    public var rtoSeconds: DistributionSummary?
    /// Events promoted within the model's RTO target, of all events.
    public var rtoWithinTarget: ProportionEstimate?
    public var rtoTargetSeconds: Double?
    /// Events where the region returned before promotion (no RTO).
    public var notPromoted: Int
    public var rpoWrites: DistributionSummary?
    /// Events that lost no acknowledged write.
    public var noWritesLost: ProportionEstimate?
}

/// One tenant over the years (request-based).
public struct TenantSummary: Codable, Sendable, Equatable {
    /// 1 = the largest tenant.
    public var rank: Int
    /// Its share of all requests.
    public var requestShare: Double
    public var requestsPerYear: Double
    public var availability: DistributionSummary
    public var downtimeMinutes: DistributionSummary
    public var meetsTarget: ProportionEstimate
}

/// The library a study used.
public struct LibraryDescription: Codable, Sendable, Equatable {
    public struct Process: Codable, Sendable, Equatable {
        public var process: String
        /// Upper edges of the duration bands, seconds.
        public var bandEdgesSeconds: [Double]
        /// Library durations per band, seconds.
        public var entrySeconds: [[Double]]
        /// Share of durations at or above `compressAfter` (stretched long entries).
        public var longShare: Double
        public var longEntries: Int
    }
    /// A likely pair of processes with runs of their overlaps.
    public struct Pair: Codable, Sendable, Equatable {
        public var processes: [String]
        /// Expected overlaps per 365 days.
        public var perYear: Double
        public var runs: Int
    }
    public var runs: Int
    public var pairs: [Pair]
    /// Simulated seconds of the library's runs (compressed) and of the on-demand scenarios.
    public var librarySimulatedSeconds: Double
    public var exactScenarios: Int
    public var exactSimulatedSeconds: Double
    /// Failed share of requests in normal operation, per load level.
    public var backgroundFailureRate: [Double]
    public var processes: [Process]
}

/// The result of `failsim uptime`: the distribution over replicated years of downtime and
/// availability, by four measures, with the share of the budget each fault type and trigger row
/// spent, region-loss RTO/RPO, and tenants.
///
/// It is a pure function of (model, experiment, settings, engine version): no wall time, nothing
/// about which runs came from the store. More years only add replications: ``years`` begins with
/// the years of any smaller study of the same seed.
public struct UptimeReport: Codable, Sendable, Equatable {
    public var experiment: String
    public var model: String
    public var engineVersion: String
    public var settings: UptimeSettings
    public var loadLevels: [LoadLevel]
    /// The availability target (the model's `slo.uptime`).
    public var target: Double
    /// Downtime allowed per year at the target, minutes.
    public var budgetMinutes: Double
    /// Error rate above which a minute or block is down.
    public var downtimeErrorRate: Double
    /// Fault processes, then `overlap` and `background`.
    public var faultTypes: [String]
    /// `row N: condition`, then `no trigger row`, `overlap`, `background`. A scenario's downtime
    /// goes to its fault process's own row (the `row` its faults name), whichever rule acted.
    public var rows: [String]
    public var tenantRanks: [Int]
    public var measures: [MeasureSummary]
    public var incidentsPerYear: Estimate
    public var overlapsPerYear: Estimate
    public var faultTypeShares: [BudgetShare]
    public var rowShares: [BudgetShare]
    public var regionLoss: RegionLossSummary
    public var tenants: [TenantSummary]
    public var library: LibraryDescription
    public var years: [YearResult]

    /// The measure called `name`.
    public func measure(_ name: String) -> MeasureSummary? { measures.first { $0.measure == name } }
}

/// Summaries of samples (interpolated quantiles, type 7).
enum Summaries {
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = Swift.min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }

    static func estimate(_ values: [Double], librarySD: Double, level: Double) -> Estimate {
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        let interval = ConfidenceInterval.mean(of: values, level: level)
        let half = interval.map { ($0.upperBound - $0.lowerBound) / 2 } ?? 0
        let z = StandardNormalDistribution.quantile(1 - (1 - level) / 2)
        let combined = (half * half + (z * librarySD) * (z * librarySD)).squareRoot()
        return Estimate(mean: mean, lower: interval?.lowerBound ?? mean, upper: interval?.upperBound ?? mean, librarySD: librarySD,
                        combinedLower: mean - combined, combinedUpper: mean + combined)
    }

    static func distribution(_ values: [Double], librarySD: Double, level: Double) -> DistributionSummary {
        let sorted = values.sorted()
        return DistributionSummary(mean: estimate(values, librarySD: librarySD, level: level),
                                   p05: quantile(sorted, 0.05), median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95),
                                   min: sorted.first ?? .nan, max: sorted.last ?? .nan)
    }

    static func proportion(successes: Int, trials: Int, librarySD: Double, level: Double) -> ProportionEstimate {
        let p = trials > 0 ? Double(successes) / Double(trials) : 0
        let wilson = ConfidenceInterval.wilsonScore(successes: successes, trials: max(trials, 0), level: level)
        let lower = wilson?.lowerBound ?? 0
        let upper = wilson?.upperBound ?? 1
        let z = StandardNormalDistribution.quantile(1 - (1 - level) / 2)
        let extra = z * librarySD
        return ProportionEstimate(successes: successes, trials: trials, proportion: p, lower: lower, upper: upper, librarySD: librarySD,
                                  combinedLower: Swift.max(0, p - ((p - lower) * (p - lower) + extra * extra).squareRoot()),
                                  combinedUpper: Swift.min(1, p + ((upper - p) * (upper - p) + extra * extra).squareRoot()))
    }

    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }
}
