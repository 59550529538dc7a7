import SimulationStatistics

/// One metric of one variant against the baseline, seed by seed (variant − baseline).
///
/// Only seeds that both variants ran, and whose runs both measure the metric, form pairs; with
/// common random numbers a pair sees the same traffic and faults, so the per-seed difference
/// removes most of the seed-to-seed noise.
///
/// **Which test.**
/// - Every pair numeric, differences not all equal: the two-sided paired t-test, with the mean
///   difference and its Student-t interval.
/// - Every pair numeric and every difference the same d: the interval is [d, d]; when d = 0 the
///   results are identical (p = 1, ``Verdict/identical``); otherwise t would be infinite, so the
///   exact sign test (all n pairs one way: p = 2·½ⁿ) gives the p-value.
/// - Pass/fail metrics: the exact McNemar test (the sign test on the discordant seeds), with the
///   mean difference (the difference in pass rates) and its t interval as an approximation.
/// - Any pair censored or with a named outcome: no mean difference and no interval (a censored
///   value is not a number); the sign test over the pairs whose order is known — a value below
///   the other side's censoring bound is smaller; equal observations (the same value, named
///   outcome or bound) are ties; the rest are counted in ``undeterminedPairs`` and left out.
/// A p-value needs at least two pairs, except that identical results always give p = 1.
public struct PairedDifference: Equatable, Sendable {
    /// The test behind ``pValue``.
    public enum Test: Equatable, Sendable {
        /// The paired t-test.
        case pairedT(t: Double, degreesOfFreedom: Int)
        /// The exact sign test (McNemar's test for pass/fail), on the pairs whose order is known.
        case sign(positive: Int, negative: Int, ties: Int)
    }

    /// What the comparison concludes, after the family's Holm correction.
    public enum Verdict: String, Sendable {
        /// Every pair has the same observation: no difference.
        case identical
        /// Significantly better than the baseline in the metric's ``Metric/direction``.
        case better
        /// Significantly worse than the baseline.
        case worse
        /// Significantly higher (for a metric that is neither better high nor low).
        case higher
        /// Significantly lower (for a metric that is neither better high nor low).
        case lower
        /// Not significant after the correction.
        case notSignificant
        /// No p-value: fewer than two pairs, or no pair whose order is known.
        case insufficientData
    }

    public var metric: Metric
    public var variant: String
    public var baseline: String
    /// Seeds in both variants whose runs both measure the metric.
    public var pairs: Int
    /// Pairs with a censored observation on either side.
    public var censoredPairs: Int
    /// Pairs with a named outcome on either side.
    public var namedPairs: Int
    /// Pairs whose order is unknown (left out of the sign test).
    public var undeterminedPairs: Int
    /// Mean of the per-seed differences (variant − baseline); `nil` unless every pair is numeric.
    public var meanDifference: Double?
    /// Student-t interval of the mean difference; `nil` with fewer than two numeric-only pairs.
    public var interval: ConfidenceInterval?
    /// The test; `nil` when there is no p-value.
    public var test: Test?
    /// The two-sided p-value; `nil` when there is none (``Verdict/insufficientData``).
    public var pValue: Double?
    /// The p-value after Holm's correction across the comparison's family; `nil` with no p-value.
    public var adjustedPValue: Double?
    /// Whether ``adjustedPValue`` is at most the significance level.
    public var isSignificant: Bool
    /// The conclusion.
    public var verdict: Verdict

    /// Compares `pairs` (variant observation, baseline observation, one per seed) before any
    /// multiple-comparison correction: ``adjustedPValue`` is the raw p-value and ``verdict`` is
    /// judged on it until ``VariantComparison`` corrects the family.
    public init(metric: Metric, variant: String, baseline: String,
                pairs: [(variant: Observation, baseline: Observation)],
                level: Double = 0.95, significanceLevel: Double = 0.05) {
        self.metric = metric
        self.variant = variant
        self.baseline = baseline
        self.pairs = pairs.count
        var differences: [Double] = []
        var positive = 0, negative = 0, ties = 0, undetermined = 0, censored = 0, named = 0
        for pair in pairs {
            switch (pair.variant, pair.baseline) {
            case let (.value(x), .value(y)):
                let difference = x - y
                differences.append(difference)
                if difference > 0 { positive += 1 } else if difference < 0 { negative += 1 } else { ties += 1 }
            case let (.named(a), .named(b)):
                named += 1
                if a == b { ties += 1 } else { undetermined += 1 }
            case (.named, _), (_, .named):
                named += 1
                undetermined += 1
            case let (.censored(a), .value(y)):
                censored += 1
                if y < a { positive += 1 } else { undetermined += 1 }
            case let (.value(x), .censored(b)):
                censored += 1
                if x < b { negative += 1 } else { undetermined += 1 }
            case let (.censored(a), .censored(b)):
                censored += 1
                if a == b { ties += 1 } else { undetermined += 1 }
            }
        }
        censoredPairs = censored
        namedPairs = named
        undeterminedPairs = undetermined
        let isIdentical = !pairs.isEmpty && ties == pairs.count
        let allNumeric = differences.count == pairs.count && !pairs.isEmpty

        meanDifference = nil
        interval = nil
        test = nil
        pValue = nil
        if allNumeric {
            let statistics = RunningStatistics(differences)
            meanDifference = statistics.mean
            interval = ConfidenceInterval.mean(of: statistics, level: level)
        }
        if isIdentical {
            test = .sign(positive: 0, negative: 0, ties: ties)
            pValue = 1
        } else if pairs.count >= 2 {
            if allNumeric && !metric.isPassFail, let paired = HypothesisTests.pairedT(differences, level: level) {
                test = .pairedT(t: paired.t, degreesOfFreedom: paired.degreesOfFreedom)
                pValue = paired.pValue
            } else if positive + negative > 0 {
                test = .sign(positive: positive, negative: negative, ties: ties)
                pValue = HypothesisTests.signTestPValue(positive: positive, negative: negative)
            }
        }
        adjustedPValue = pValue
        isSignificant = false
        verdict = .insufficientData
        effectIsPositive = (meanDifference.map { $0 > 0 }) ?? (positive > negative)
        judge(significanceLevel: significanceLevel)
    }

    /// Whether the variant's values are above the baseline's (by the mean difference, or by the
    /// majority of known signs).
    var effectIsPositive: Bool

    /// Sets ``adjustedPValue``, then ``isSignificant`` and ``verdict`` at `significanceLevel`.
    mutating func adjust(to adjusted: Double, significanceLevel: Double) {
        adjustedPValue = adjusted
        judge(significanceLevel: significanceLevel)
    }

    private mutating func judge(significanceLevel: Double) {
        guard let adjustedPValue else {
            isSignificant = false
            verdict = .insufficientData
            return
        }
        if case .sign(0, 0, let ties) = test, ties == pairs {
            isSignificant = false
            verdict = .identical
            return
        }
        isSignificant = adjustedPValue <= significanceLevel
        guard isSignificant else {
            verdict = .notSignificant
            return
        }
        switch metric.direction {
        case .lowerIsBetter: verdict = effectIsPositive ? .worse : .better
        case .higherIsBetter: verdict = effectIsPositive ? .better : .worse
        case .neutral: verdict = effectIsPositive ? .higher : .lower
        }
    }
}
