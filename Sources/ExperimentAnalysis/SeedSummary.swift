import SimulationStatistics

/// A number that may be known only from below.
public enum Estimate: Equatable, Sendable, CustomStringConvertible {
    /// The estimate itself.
    case point(Double)
    /// Only a lower bound is known: the quantity is at least this.
    case atLeast(Double)

    /// The number: the point, or the lower bound.
    public var value: Double {
        switch self {
        case .point(let value), .atLeast(let value): value
        }
    }

    /// Whether only a lower bound is known.
    public var isLowerBound: Bool {
        if case .atLeast = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .point(let value): "\(value)"
        case .atLeast(let value): "≥ \(value)"
        }
    }
}

/// How many observations had one named outcome.
public struct NamedOutcomeCount: Equatable, Sendable {
    public var outcome: NamedOutcome
    public var count: Int

    public init(outcome: NamedOutcome, count: Int) {
        self.outcome = outcome
        self.count = count
    }
}

/// One metric of one variant summarised across seeds (one observation per seed).
///
/// **Censoring rule.** Censored observations (a run ended before recovery) are never averaged as
/// numbers, and named outcomes (``NamedOutcome``) are counted, never numbers:
/// - ``mean``, ``standardDeviation`` and ``meanInterval`` are given only when no observation is
///   censored; they are over the numeric values (named outcomes left out and counted in
///   ``namedOutcomes``).
/// - When some are censored, ``meanLowerBound`` is the mean with every censored value counted at
///   its bound: the seeds' true mean is at least this. No interval is given.
/// - ``median`` is the Kaplan–Meier median of the numeric and censored observations (E. L. Kaplan
///   and P. Meier, JASA 53, 1958): the smallest observed value at which the estimated share still
///   above it falls to one half or below (the midpoint to the next value when it is exactly one
///   half, which gives the ordinary sample median when nothing is censored). When the estimate
///   never falls to one half — roughly, when half or more are censored — the median is
///   ``Estimate/atLeast(_:)`` the largest observation (value or bound).
public struct SeedSummary: Equatable, Sendable {
    /// Observations summarised (values, censored and named).
    public var count: Int
    /// Observations that are numbers.
    public var valueCount: Int
    /// Observations that are censored.
    public var censoredCount: Int
    /// Named outcomes with their counts, in ``NamedOutcome`` order; only those that occurred.
    public var namedOutcomes: [NamedOutcomeCount]
    /// The mean of the values; `nil` when any observation is censored or there are no values.
    public var mean: Double?
    /// The sample standard deviation (divisor n − 1) of the values; `nil` when any is censored or
    /// there are fewer than two values.
    public var standardDeviation: Double?
    /// The Student-t interval of the mean at the summary's level (for counts, the exact Poisson
    /// interval); `nil` when any is censored or there are fewer than two values. A Student-t
    /// interval has zero width when every value is the same.
    public var meanInterval: ConfidenceInterval?
    /// When some observations are censored: the mean with each censored value at its bound, a
    /// lower bound of these seeds' mean. `nil` otherwise.
    public var meanLowerBound: Double?
    /// The (Kaplan–Meier) median of values and censored observations; `nil` when there are
    /// neither.
    public var median: Estimate?

    /// Summarises `observations` (one per seed) with intervals at `level` (default 95 %).
    ///
    /// With `counts` (a metric that counts events: false opens, lost writes, alerts), the
    /// interval of the mean is the exact Poisson (Garwood) interval of the seeds' total
    /// (``ConfidenceInterval/poissonMean(totalCount:observations:level:)``), which stays at or
    /// above zero, instead of Student's t, which goes negative for small counts.
    ///
    /// - Complexity: O(n log n).
    public init<Observations: Sequence>(_ observations: Observations, level: Double = 0.95, counts: Bool = false)
    where Observations.Element == Observation {
        precondition(level > 0 && level < 1, "a confidence level is within (0, 1), got \(level)")
        var values: [Double] = []
        var bounds: [Double] = []
        var named = [Int](repeating: 0, count: NamedOutcome.allCases.count)
        for observation in observations {
            switch observation {
            case .value(let value):
                precondition(value.isFinite, "an observation's value is finite")
                values.append(value)
            case .censored(let bound):
                precondition(bound.isFinite, "a censoring bound is finite")
                bounds.append(bound)
            case .named(let outcome):
                named[NamedOutcome.allCases.firstIndex(of: outcome)!] += 1
            }
        }
        count = values.count + bounds.count + named.reduce(0, +)
        valueCount = values.count
        censoredCount = bounds.count
        namedOutcomes = zip(NamedOutcome.allCases, named).filter { $0.1 > 0 }.map { NamedOutcomeCount(outcome: $0.0, count: $0.1) }
        median = SeedSummary.kaplanMeierMedian(values: values, censoredAt: bounds)
        if bounds.isEmpty {
            let statistics = RunningStatistics(values)
            mean = values.isEmpty ? nil : statistics.mean
            standardDeviation = statistics.standardDeviation
            if counts, values.count >= 2 {
                precondition(values.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < 9e15 }, "a count is a whole number, not negative")
                meanInterval = ConfidenceInterval.poissonMean(totalCount: Int(values.reduce(0, +)), observations: values.count, level: level)
            } else {
                meanInterval = ConfidenceInterval.mean(of: statistics, level: level)
            }
            meanLowerBound = nil
        } else {
            mean = nil
            standardDeviation = nil
            meanInterval = nil
            meanLowerBound = RunningStatistics(values + bounds).mean
        }
    }

    /// The mean when there is one, else the lower bound of the mean: what rankings and frontiers
    /// order by.
    public var meanEstimate: Estimate? {
        if let mean { return .point(mean) }
        if let meanLowerBound { return .atLeast(meanLowerBound) }
        return nil
    }

    /// The Kaplan–Meier median of `values` (events) and right-censored observations `censoredAt`;
    /// see the type's description for the rule. `nil` when both are empty.
    ///
    /// A censored observation tied with a value counts as still at risk at that value (the usual
    /// convention: censoring happens just after).
    public static func kaplanMeierMedian(values: [Double], censoredAt bounds: [Double]) -> Estimate? {
        if values.isEmpty && bounds.isEmpty { return nil }
        let events = values.sorted()
        let censored = bounds.sorted()
        let largest = Swift.max(events.last ?? -.infinity, censored.last ?? -.infinity)
        // Distinct event times with their multiplicities.
        var times: [(time: Double, events: Int)] = []
        for value in events {
            if let last = times.last, last.time == value {
                times[times.count - 1].events += 1
            } else {
                times.append((value, 1))
            }
        }
        // Survival is a product of ratios; compare it with one half with a tolerance, so that an
        // exact half (4 of 8 left) is not missed by a rounding of the product.
        let tolerance = 1e-12
        var survival = 1.0
        var eventsBefore = 0
        var censoredIndex = 0
        for (index, entry) in times.enumerated() {
            // Censored strictly before this time have left the risk set.
            while censoredIndex < censored.count && censored[censoredIndex] < entry.time { censoredIndex += 1 }
            let atRisk = events.count - eventsBefore + censored.count - censoredIndex
            survival *= 1 - Double(entry.events) / Double(atRisk)
            eventsBefore += entry.events
            if abs(survival - 0.5) <= tolerance {
                // Flat at one half until the next event: the midpoint, as for an even sample.
                if index + 1 < times.count { return .point((entry.time + times[index + 1].time) / 2) }
                return .atLeast(entry.time)
            }
            if survival < 0.5 { return .point(entry.time) }
        }
        return .atLeast(largest)
    }
}
