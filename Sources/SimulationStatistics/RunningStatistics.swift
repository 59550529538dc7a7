/// Count, mean, variance, minimum and maximum of a stream of numbers, in constant memory.
///
/// Uses Welford's online update (B. P. Welford, "Note on a method for calculating corrected sums
/// of squares and products", Technometrics 4(3), 1962), which avoids the cancellation of the
/// textbook sum-of-squares formula, and the pairwise combination of Chan, Golub and LeVeque
/// ("Updating formulae and a pairwise algorithm for computing sample variances", 1979) to merge two
/// accumulators. Results depend on the order of observations only in the last bits of floating-point
/// rounding; the same order always gives the same bits.
@frozen
public struct RunningStatistics: Equatable, Sendable {
    /// The number of observations.
    public var count: Int { observationCount }
    /// The mean of the observations (zero when there are none).
    public var mean: Double { runningMean }
    /// The sum of squared deviations from the mean (Welford's M2).
    public var sumOfSquaredDeviations: Double { runningSumOfSquaredDeviations }
    /// The smallest observation (+∞ when there are none).
    public var min: Double { smallest }
    /// The largest observation (−∞ when there are none).
    public var max: Double { largest }

    @usableFromInline var observationCount: Int = 0
    @usableFromInline var runningMean: Double = 0
    @usableFromInline var runningSumOfSquaredDeviations: Double = 0
    @usableFromInline var smallest: Double = .infinity
    @usableFromInline var largest: Double = -.infinity

    /// An accumulator with no observations.
    @inlinable
    public init() {}

    /// An accumulator holding every value of `values`, in order.
    @inlinable
    public init<Values: Sequence>(_ values: Values) where Values.Element == Double {
        for value in values { record(value) }
    }

    /// Adds one observation. O(1).
    ///
    /// - Precondition: `value` is finite (a NaN would silently poison every result).
    @inlinable
    public mutating func record(_ value: Double) {
        precondition(value.isFinite, "running statistics accept finite values only, got \(value)")
        observationCount += 1
        let delta = value - runningMean
        runningMean += delta / Double(observationCount)
        runningSumOfSquaredDeviations += delta * (value - runningMean)
        if value < smallest { smallest = value }
        if value > largest { largest = value }
    }

    /// Adds the observations summarised by `other`, as if they had been recorded here. O(1).
    public mutating func merge(_ other: RunningStatistics) {
        if other.count == 0 { return }
        if count == 0 { self = other; return }
        let combinedCount = count + other.count
        let delta = other.mean - mean
        let weight = Double(other.count) / Double(combinedCount)
        runningMean += delta * weight
        runningSumOfSquaredDeviations += other.runningSumOfSquaredDeviations
            + delta * delta * Double(count) * weight
        observationCount = combinedCount
        if other.smallest < smallest { smallest = other.smallest }
        if other.largest > largest { largest = other.largest }
    }

    /// Whether there are no observations.
    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// The sum of the observations (mean × count).
    @inlinable
    public var sum: Double { mean * Double(count) }

    /// The sample variance (divisor n − 1), or `nil` with fewer than two observations.
    @inlinable
    public var variance: Double? {
        count < 2 ? nil : sumOfSquaredDeviations / Double(count - 1)
    }

    /// The population variance (divisor n), or `nil` with no observations.
    @inlinable
    public var populationVariance: Double? {
        count < 1 ? nil : sumOfSquaredDeviations / Double(count)
    }

    /// The sample standard deviation (divisor n − 1), or `nil` with fewer than two observations.
    @inlinable
    public var standardDeviation: Double? { variance.map { $0.squareRoot() } }

    /// The standard error of the mean, s / √n, or `nil` with fewer than two observations.
    @inlinable
    public var standardErrorOfMean: Double? {
        standardDeviation.map { $0 / Double(count).squareRoot() }
    }
}
