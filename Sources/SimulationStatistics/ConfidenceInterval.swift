/// An interval estimate: a point estimate with lower and upper bounds at a confidence level.
///
/// For comparing experiments across replications (seeds): the mean of per-seed results with a
/// Student-t interval, and a proportion (availability, share of incidents recovered in time) with the
/// Wilson score interval.
public struct ConfidenceInterval: Equatable, Sendable, CustomStringConvertible {
    /// The point estimate (the sample mean, or the observed proportion).
    public var estimate: Double
    /// The lower bound.
    public var lowerBound: Double
    /// The upper bound.
    public var upperBound: Double
    /// The confidence level, in (0, 1), for example 0.95.
    public var level: Double

    /// An interval from its parts.
    public init(estimate: Double, lowerBound: Double, upperBound: Double, level: Double) {
        precondition(lowerBound <= upperBound, "a confidence interval's lower bound is at most its upper bound")
        self.estimate = estimate
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.level = level
    }

    /// Half the interval's width (for a Student-t interval, the ± margin).
    public var halfWidth: Double { (upperBound - lowerBound) / 2 }

    /// Whether `value` lies in the closed interval.
    public func contains(_ value: Double) -> Bool { lowerBound <= value && value <= upperBound }

    public var description: String {
        "\(estimate) [\(lowerBound), \(upperBound)] at \(level * 100)%"
    }

    /// The mean of `sample` with the Student-t interval x̄ ± t(1 − α/2, n − 1) · s/√n at `level`
    /// (default 95 %), or `nil` with fewer than two values.
    ///
    /// Assumes independent replications (different seeds) of roughly normal means. O(n).
    public static func mean<Sample: Sequence>(of sample: Sample, level: Double = 0.95) -> ConfidenceInterval?
    where Sample.Element == Double {
        mean(of: RunningStatistics(sample), level: level)
    }

    /// The Student-t interval for the mean summarised by `statistics`, or `nil` with fewer than two
    /// observations.
    public static func mean(of statistics: RunningStatistics, level: Double = 0.95) -> ConfidenceInterval? {
        precondition(level > 0 && level < 1, "a confidence level is within (0, 1), got \(level)")
        guard let standardError = statistics.standardErrorOfMean else { return nil }
        let distribution = StudentTDistribution(degreesOfFreedom: Double(statistics.count - 1))
        let margin = distribution.quantile(1 - (1 - level) / 2) * standardError
        return ConfidenceInterval(estimate: statistics.mean, lowerBound: statistics.mean - margin,
                                  upperBound: statistics.mean + margin, level: level)
    }

    /// The Wilson score interval (E. B. Wilson, JASA 22, 1927) for a proportion of `successes` in
    /// `trials` at `level` (default 95 %), or `nil` when there are no trials.
    ///
    /// Unlike the Wald interval p̂ ± z·√(p̂(1−p̂)/n), it stays within [0, 1] and keeps its coverage
    /// near 0 and 1, where availability figures live:
    /// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
    public static func wilsonScore(successes: Int, trials: Int, level: Double = 0.95) -> ConfidenceInterval? {
        precondition(level > 0 && level < 1, "a confidence level is within (0, 1), got \(level)")
        precondition(successes >= 0 && successes <= trials, "successes must be within 0 ... trials")
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let proportion = Double(successes) / n
        let z = StandardNormalDistribution.quantile(1 - (1 - level) / 2)
        let zSquared = z * z
        let denominator = 1 + zSquared / n
        let center = (proportion + zSquared / (2 * n)) / denominator
        let margin = z / denominator * (proportion * (1 - proportion) / n + zSquared / (4 * n * n)).squareRoot()
        let lower = successes == 0 ? 0 : Swift.max(0, center - margin)
        let upper = successes == trials ? 1 : Swift.min(1, center + margin)
        return ConfidenceInterval(estimate: proportion, lowerBound: lower, upperBound: upper, level: level)
    }

    /// The exact (Garwood) interval of a Poisson mean from `totalCount` events over
    /// `observations` independent observations (seeds), at `level` (default 95 %), or `nil`
    /// without observations.
    ///
    /// F. Garwood, Biometrika 28, 1936: for a total k, the rate's bounds are χ²(α/2; 2k)/2 and
    /// χ²(1 − α/2; 2k + 2)/2, i.e. gamma quantiles of shapes k and k + 1 (the lower bound is 0
    /// when k is 0), divided by the number of observations. Unlike a Student-t interval on
    /// counts, it never goes below zero and keeps its coverage when counts are small — at the
    /// price of assuming the counts are Poisson (it is too narrow for overdispersed counts).
    /// At 95 %: k = 0 gives [0, 3.689], k = 1 gives [0.0253, 5.572].
    public static func poissonMean(totalCount: Int, observations: Int, level: Double = 0.95) -> ConfidenceInterval? {
        precondition(level > 0 && level < 1, "a confidence level is within (0, 1), got \(level)")
        precondition(totalCount >= 0, "a count is not negative")
        guard observations > 0 else { return nil }
        let alpha = 1 - level
        let n = Double(observations)
        let k = Double(totalCount)
        let lower = totalCount == 0 ? 0 : GammaDistribution(shape: k).quantile(alpha / 2)
        let upper = GammaDistribution(shape: k + 1).quantile(1 - alpha / 2)
        return ConfidenceInterval(estimate: k / n, lowerBound: lower / n, upperBound: upper / n, level: level)
    }
}
