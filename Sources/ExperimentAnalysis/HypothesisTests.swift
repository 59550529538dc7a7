#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimulationStatistics

/// The tests behind paired comparisons: the paired t-test, the exact sign test, and Holm's
/// correction for a family of tests.
public enum HypothesisTests {
    /// The two-sided paired t-test of "mean difference = 0" on per-seed `differences`.
    ///
    /// Returns the mean difference, its Student-t interval at `level`, the t statistic and the
    /// p-value 2·P(T_{n−1} ≥ |t|); `nil` with fewer than two differences, or when every difference
    /// is the same (zero variance: t is 0/0 or ±∞, see ``PairedDifference`` for what is reported
    /// then).
    ///
    /// - Complexity: O(n).
    public static func pairedT(_ differences: [Double], level: Double = 0.95)
        -> (mean: Double, interval: ConfidenceInterval, t: Double, degreesOfFreedom: Int, pValue: Double)? {
        guard differences.count >= 2, differences.contains(where: { $0 != differences[0] }) else { return nil }
        let statistics = RunningStatistics(differences)
        guard let standardError = statistics.standardErrorOfMean, standardError > 0,
              let interval = ConfidenceInterval.mean(of: statistics, level: level)
        else { return nil }
        let t = statistics.mean / standardError
        let distribution = StudentTDistribution(degreesOfFreedom: Double(statistics.count - 1))
        // P(T ≤ −|t|) is computed from the upper tail directly, so small p-values keep their digits.
        let pValue = Swift.min(1, 2 * distribution.cumulativeProbability(-abs(t)))
        return (statistics.mean, interval, t, statistics.count - 1, pValue)
    }

    /// The exact two-sided sign test: with `positive` and `negative` non-tied pairs, the
    /// probability under "either sign equally likely" of a split at least as uneven,
    /// min(1, 2·P(X ≤ min(positive, negative))) for X ~ Binomial(n, ½). On pass/fail differences
    /// it is the exact McNemar test. 1 when there are no non-tied pairs.
    ///
    /// - Complexity: O(min(positive, negative)).
    public static func signTestPValue(positive: Int, negative: Int) -> Double {
        precondition(positive >= 0 && negative >= 0, "counts are non-negative")
        let n = positive + negative
        if n == 0 { return 1 }
        let smaller = Swift.min(positive, negative)
        var tail: Double
        if n <= 50 {
            // Exact: every binomial coefficient, partial product and sum stays below 2⁵³.
            var coefficient = 1.0
            var sum = 1.0
            for i in 0 ..< smaller {
                coefficient = coefficient * Double(n - i) / Double(i + 1)
                sum += coefficient
            }
            tail = sum / Double(sign: .plus, exponent: n, significand: 1)
        } else {
            // Terms C(n, i)/2ⁿ in logarithms, so that large n neither overflows nor underflows.
            var logTerm = -Double(n) * log(2.0)
            tail = exp(logTerm)
            for i in 0 ..< smaller {
                logTerm += log(Double(n - i)) - log(Double(i + 1))
                tail += exp(logTerm)
            }
        }
        return Swift.min(1, 2 * tail)
    }

    /// Holm's step-down adjustment (S. Holm, "A simple sequentially rejective multiple test
    /// procedure", Scand. J. Statistics 6, 1979) of a family of p-values, in the given order.
    ///
    /// Sorting the m p-values ascending (equal ones keep their given order), the i-th smallest
    /// (1-based) becomes max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where the adjusted
    /// value is ≤ α controls the family-wise error rate at α under any dependence.
    ///
    /// - Complexity: O(m log m).
    public static func holmAdjusted(_ pValues: [Double]) -> [Double] {
        precondition(pValues.allSatisfy { $0 >= 0 && $0 <= 1 }, "p-values are within 0 ... 1")
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var runningMaximum = 0.0
        for (rank, index) in order.enumerated() {
            let scaled = Swift.min(1, Double(m - rank) * pValues[index])
            runningMaximum = Swift.max(runningMaximum, scaled)
            adjusted[index] = runningMaximum
        }
        return adjusted
    }
}
