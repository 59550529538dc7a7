/// The cumulative distribution of a discrete distribution over the indices `0..<count`, inverted
/// in expected O(1) by an indexed search (Chen and Asau, 1974).
///
/// `index(of:)` returns the first index whose cumulative value is at least `u`, the last index
/// when none is — exactly what a binary search of the table returns, for every `u` from 0 to 1,
/// so that sampling through it draws the same index as ``Distribution/lowerBound(_:_:)`` and
/// results stay bit-identical. It starts from a guide: the interval [0, 1] is cut into `m`
/// buckets of equal width and, for each, the guide holds the first index whose cumulative value
/// reaches the bucket's lower end, so a draw skips every index before its bucket and walks
/// forward from there, on average about 1 + `count`/`m` steps.
///
/// `m` is a power of two, no less than `count`: multiplying `u` by it is exact in binary
/// floating point, so the bucket `⌊u·m⌋` of a draw never starts above `u`, which is what makes
/// the result exact rather than nearly so. The table takes 8 bytes per index and at most 8 more
/// for the guide (4-byte entries).
@usableFromInline
final class CumulativeTable: Sendable, Equatable {
    /// The cumulative values, non-decreasing.
    @usableFromInline let cumulative: [Double]
    /// For each bucket `j`, the first index whose cumulative value is ≥ `j / m` (the last index
    /// when none is).
    @usableFromInline let guide: [Int32]
    /// `m`, the number of buckets, as a `Double`.
    @usableFromInline let bucketCount: Double
    /// `cumulative.count − 1`.
    @usableFromInline let lastIndex: Int

    /// Builds the guide for `cumulative` (non-decreasing, at least one value, fewer than 2³¹).
    init(cumulative: [Double]) {
        precondition(!cumulative.isEmpty && cumulative.count < Int(Int32.max), "a table of 1 to 2³¹ − 1 values")
        self.cumulative = cumulative
        lastIndex = cumulative.count - 1
        var buckets = 1
        while buckets < cumulative.count { buckets *= 2 }
        bucketCount = Double(buckets)
        var guide = [Int32](repeating: 0, count: buckets)
        // One pass: the bucket thresholds j/m rise, so each search starts where the last ended.
        var index = 0
        for bucket in 0..<buckets {
            let threshold = Double(bucket) / Double(buckets)  // exact: m is a power of two
            while index < lastIndex && cumulative[index] < threshold { index += 1 }
            guide[bucket] = Int32(index)
        }
        self.guide = guide
    }

    /// The first index whose cumulative value is ≥ `u`, or the last index if there is none.
    /// `u` is a number (not NaN); values below 0 give index 0, as the binary search does.
    @inlinable
    func index(of u: Double) -> Int {
        // ⌊u·m⌋ is exact, so bucket/m ≤ u: every index before the bucket's guide entry has a
        // cumulative value below u and cannot be the answer.
        let bucket = Swift.max(0, Swift.min(Int(u * bucketCount), guide.count - 1))
        var index = Int(guide[bucket])
        while index < lastIndex && cumulative[index] < u { index += 1 }
        return index
    }

    @usableFromInline
    static func == (lhs: CumulativeTable, rhs: CumulativeTable) -> Bool {
        // The guide follows from the values.
        lhs === rhs || lhs.cumulative == rhs.cumulative
    }
}
