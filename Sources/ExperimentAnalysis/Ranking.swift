/// What orders the variants in a ranking.
public enum RankingCriterion: Equatable, Sendable, CustomStringConvertible {
    /// The share of seeds in which every trigger row passed (higher first), then the mean
    /// recovery time over every row and seed (lower first; censored recoveries counted at their
    /// bound, so a variant with censored recoveries is compared at a lower bound).
    case passRateThenRecoveryTime
    /// One metric, in its ``Metric/direction`` (``Metric/Direction/neutral``: ascending): its mean,
    /// or the lower bound of its mean when censored; the pass rate for a pass/fail metric.
    case metric(Metric)

    public var description: String {
        switch self {
        case .passRateThenRecoveryTime: "trigger pass rate, then mean recovery time"
        case .metric(let metric): metric.name
        }
    }
}

/// One value a ranking orders by.
public struct RankingKey: Equatable, Sendable {
    /// What the value is: a metric name, or `recoveryTime` (every row pooled).
    public var name: String
    /// The value; `nil` when the variant has none (it ranks after those that have one).
    public var value: Estimate?
    /// Whether larger values rank first.
    public var higherIsBetter: Bool

    public init(name: String, value: Estimate?, higherIsBetter: Bool) {
        self.name = name
        self.value = value
        self.higherIsBetter = higherIsBetter
    }
}

/// A variant's place in a ranking.
public struct RankedVariant: Equatable, Sendable {
    /// 1-based; tied variants share a rank and the next rank skips (1, 2, 2, 4).
    public var rank: Int
    public var variant: String
    /// The values it was ranked by, in order.
    public var keys: [RankingKey]
    /// The other variants with exactly the same keys, in the comparison's variant order.
    public var tiedWith: [String]

    public init(rank: Int, variant: String, keys: [RankingKey], tiedWith: [String]) {
        self.rank = rank
        self.variant = variant
        self.keys = keys
        self.tiedWith = tiedWith
    }
}

extension RankedVariant {
    /// Ranks `candidates` (variant and keys, every candidate with the same key names in the same
    /// order) by their keys lexicographically. A missing value ranks after any value; values are
    /// compared as numbers (a lower bound at its bound). Equal keys tie; tied variants keep the
    /// given order.
    ///
    /// - Complexity: O(n log n) comparisons of keys.
    public static func rank(_ candidates: [(variant: String, keys: [RankingKey])]) -> [RankedVariant] {
        func ordering(_ a: [RankingKey], _ b: [RankingKey]) -> Int {
            for (left, right) in zip(a, b) {
                switch (left.value, right.value) {
                case (nil, nil): continue
                case (nil, _): return 1
                case (_, nil): return -1
                case let (l?, r?):
                    if l.value == r.value { continue }
                    let leftFirst = left.higherIsBetter ? l.value > r.value : l.value < r.value
                    return leftFirst ? -1 : 1
                }
            }
            return 0
        }
        let order = candidates.indices.sorted { a, b in
            let comparison = ordering(candidates[a].keys, candidates[b].keys)
            return comparison != 0 ? comparison < 0 : a < b
        }
        var ranked: [RankedVariant] = []
        for (position, index) in order.enumerated() {
            let candidate = candidates[index]
            let rank: Int
            if let previous = ranked.last, ordering(candidates[order[position - 1]].keys, candidate.keys) == 0 {
                rank = previous.rank
            } else {
                rank = position + 1
            }
            let tied = candidates.indices
                .filter { $0 != index && ordering(candidates[$0].keys, candidate.keys) == 0 }
                .map { candidates[$0].variant }
            ranked.append(RankedVariant(rank: rank, variant: candidate.variant, keys: candidate.keys, tiedWith: tied))
        }
        return ranked
    }
}
