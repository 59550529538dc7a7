/// The variants not dominated on two metrics at once, for trade-offs such as a breaker's
/// detection time against its false opens: a lower failure threshold detects sooner and opens
/// more often without a fault.
///
/// Each variant is a point (its ``SeedSummary/meanEstimate`` on both metrics). Both axes are
/// oriented so that lower is better (a ``Metric/Direction/higherIsBetter`` metric is negated for
/// the comparison, never in what is reported). A point is dominated when another is at least as
/// good on both axes and strictly better on one; identical points dominate neither, so both stay
/// on the frontier. A point whose value on an axis is only a lower bound (censored) is compared at
/// its bound, and says so.
public struct ParetoFrontier: Equatable, Sendable {
    /// One variant's position.
    public struct Point: Equatable, Sendable {
        public var variant: String
        /// The value on the first axis (``ParetoFrontier/x``).
        public var x: Estimate
        /// The value on the second axis (``ParetoFrontier/y``).
        public var y: Estimate
        /// Whether no other point dominates this one.
        public var isOnFrontier: Bool
        /// The variants that dominate this one, in the comparison's variant order.
        public var dominatedBy: [String]

        public init(variant: String, x: Estimate, y: Estimate, isOnFrontier: Bool = true, dominatedBy: [String] = []) {
            self.variant = variant
            self.x = x
            self.y = y
            self.isOnFrontier = isOnFrontier
            self.dominatedBy = dominatedBy
        }
    }

    /// The first axis (default: ``Metric/breakerDetectionTime``).
    public var x: Metric
    /// The second axis (default: ``Metric/falseBreakerOpens``).
    public var y: Metric
    /// Every variant with a value on both axes, in the comparison's variant order.
    public var points: [Point]
    /// Variants left out because they lack a value on an axis.
    public var variantsWithoutValues: [String]

    /// The frontier's variants, in the comparison's variant order.
    public var frontier: [String] { points.filter(\.isOnFrontier).map(\.variant) }

    /// Finds the frontier among `points` (their ``Point/isOnFrontier`` and ``Point/dominatedBy``
    /// are recomputed).
    ///
    /// - Complexity: O(n²) for n points.
    public init(x: Metric, y: Metric, points: [Point], variantsWithoutValues: [String] = []) {
        self.x = x
        self.y = y
        self.variantsWithoutValues = variantsWithoutValues
        func oriented(_ value: Double, _ metric: Metric) -> Double {
            metric.direction == .higherIsBetter ? -value : value
        }
        let coordinates = points.map { (oriented($0.x.value, x), oriented($0.y.value, y)) }
        self.points = points.enumerated().map { index, point in
            var point = point
            point.dominatedBy = points.indices.filter { other in
                let (ox, oy) = coordinates[other]
                let (px, py) = coordinates[index]
                return ox <= px && oy <= py && (ox < px || oy < py)
            }.map { points[$0].variant }
            point.isOnFrontier = point.dominatedBy.isEmpty
            return point
        }
    }
}
