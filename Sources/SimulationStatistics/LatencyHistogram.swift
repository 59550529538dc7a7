import Histogram
import SimulationCore

/// A distribution of latencies in fixed memory: an HDR histogram of whole microseconds.
///
/// Latencies are what the client sees per logical request; a run records millions of them, so the
/// histogram never stores samples. It counts them in logarithmically sized buckets whose width is at
/// most one unit in the configured number of significant digits (3 digits: 0.1 %; 2 digits: 1 %), so
/// memory depends only on the configuration (about 190 KB for 3 digits up to one hour, about 26 KB
/// for 2 digits), never on the number of samples.
///
/// **What is recorded.** A ``SimDuration`` is rounded to the nearest microsecond (halves away from
/// zero), then clamped to `1 µs ... highestTrackableValue`: zero and negative durations count as
/// 1 µs, and durations above the highest trackable value count as that value and are also counted in
/// ``overflowCount`` so that the clamping is reported, not hidden. The exact sum, minimum and
/// maximum of the (rounded, clamped) microseconds are kept beside the buckets, so ``mean``, ``min``
/// and ``max`` are exact; percentiles carry the bucket precision.
///
/// **Pooling.** Histograms with the same configuration ``merge(_:)`` exactly (merging equals having
/// recorded everything into one), and ``serialized()`` gives a compact, stable byte string
/// (documented in `LatencyHistogramSerialization.swift`) that is identical for equal histograms, so
/// per-seed histograms can be stored and pooled across seeds later.
///
/// Recording does not allocate: the bucket array is allocated once at construction (auto-resizing
/// is off). A copy shares the buckets until one of the two is written (copy on write).
public struct LatencyHistogram: Sendable {
    /// The default highest trackable value: one hour.
    public static let defaultHighestTrackableValue = SimDuration.hours(1)

    /// The highest latency told apart, in microseconds; larger ones are clamped to it.
    public let highestTrackableMicroseconds: UInt64

    /// The number of significant decimal digits kept (0 ... 5): 3 for run-level histograms, 2 for the
    /// compact per-interval ones.
    public let significantDigits: Int

    @usableFromInline
    internal var histogram: Histogram<UInt64>

    @usableFromInline
    internal var overflows: UInt64 = 0

    /// The exact sum of the recorded microseconds as a 128-bit integer (high and low words), so that
    /// it never overflows and merging is exact and associative.
    @usableFromInline
    internal var sumLow: UInt64 = 0
    @usableFromInline
    internal var sumHigh: UInt64 = 0

    /// Creates an empty histogram.
    ///
    /// - Parameters:
    ///   - highestTrackableValue: the largest latency told apart (at least 2 µs); larger latencies
    ///     are clamped to it and counted in ``overflowCount``. Default one hour.
    ///   - significantDigits: the precision, 0 ... 5 (default 3).
    /// - Complexity: O(buckets), allocating the bucket array once.
    public init(highestTrackableValue: SimDuration = LatencyHistogram.defaultHighestTrackableValue,
                significantDigits: Int = 3) {
        precondition(highestTrackableValue.nanoseconds >= 2_000,
                     "a latency histogram must track at least up to 2 µs")
        self.init(highestTrackableMicroseconds: UInt64(highestTrackableValue.nanoseconds / 1_000),
                  significantDigits: significantDigits)
    }

    @usableFromInline
    internal init(highestTrackableMicroseconds: UInt64, significantDigits: Int) {
        precondition(highestTrackableMicroseconds >= 2, "a latency histogram must track at least up to 2 µs")
        precondition(highestTrackableMicroseconds <= LatencyHistogram.largestHighestTrackableMicroseconds,
                     "the highest trackable value must be at most 2^53 µs (about 285 years)")
        guard let digits = SignificantDigits(rawValue: Int8(clamping: significantDigits)),
              (0 ... 5).contains(significantDigits)
        else { preconditionFailure("significant digits must be 0 ... 5, got \(significantDigits)") }
        self.highestTrackableMicroseconds = highestTrackableMicroseconds
        self.significantDigits = significantDigits
        self.histogram = Histogram<UInt64>(lowestDiscernibleValue: 1,
                                           highestTrackableValue: highestTrackableMicroseconds,
                                           numberOfSignificantValueDigits: digits)
        self.histogram.autoResize = false
    }

    /// The largest accepted highest trackable value in microseconds (2^53, so that every value
    /// converts to `Double` exactly and to ``SimDuration`` without overflow).
    public static let largestHighestTrackableMicroseconds: UInt64 = 1 << 53

    /// The highest latency told apart; larger ones are clamped to it.
    public var highestTrackableValue: SimDuration {
        .microseconds(Int64(highestTrackableMicroseconds))
    }

    /// Whether `other` has the same configuration (highest trackable value and significant digits),
    /// the condition for ``merge(_:)``.
    public func hasSameConfiguration(as other: LatencyHistogram) -> Bool {
        highestTrackableMicroseconds == other.highestTrackableMicroseconds
            && significantDigits == other.significantDigits
    }

    // MARK: Recording

    /// Records one latency.
    ///
    /// The duration is rounded to the nearest microsecond and clamped to `1 µs ... highestTrackableValue`
    /// (a clamp at the top is counted in ``overflowCount``).
    ///
    /// - Complexity: O(1), no allocation (unless this histogram's buckets are shared with a copy).
    @inlinable
    public mutating func record(_ latency: SimDuration) {
        var microseconds = LatencyHistogram.roundedMicroseconds(latency)
        if microseconds > highestTrackableMicroseconds {
            microseconds = highestTrackableMicroseconds
            overflows &+= 1
        }
        recordMicroseconds(microseconds)
    }

    /// `latency` rounded to the nearest microsecond (halves away from zero), at least 1 µs.
    @inlinable
    @inline(__always)
    internal static func roundedMicroseconds(_ latency: SimDuration) -> UInt64 {
        let nanoseconds = latency.nanoseconds
        if nanoseconds < 1_500 { return 1 }
        var microseconds = UInt64(nanoseconds / 1_000)
        if nanoseconds % 1_000 >= 500 { microseconds += 1 }
        return microseconds
    }

    /// Records `microseconds`, already within `1 ... highestTrackableMicroseconds`.
    @inlinable
    @inline(__always)
    internal mutating func recordMicroseconds(_ microseconds: UInt64, count: UInt64 = 1) {
        let recorded = histogram.record(microseconds, count: count)
        precondition(recorded, "a clamped latency must fit the histogram")
        let (productHigh, productLow) = microseconds.multipliedFullWidth(by: count)
        let (low, carry) = sumLow.addingReportingOverflow(productLow)
        sumLow = low
        sumHigh &+= productHigh &+ (carry ? 1 : 0)
    }

    /// Adds everything recorded in `other` to this histogram; the result equals having recorded both
    /// sets of latencies into one histogram.
    ///
    /// - Precondition: `other` has the same configuration (``hasSameConfiguration(as:)``).
    /// - Complexity: O(buckets).
    public mutating func merge(_ other: LatencyHistogram) {
        precondition(hasSameConfiguration(as: other),
                     "cannot merge latency histograms of different configurations")
        histogram.add(other.histogram)
        overflows &+= other.overflows
        let (low, carry) = sumLow.addingReportingOverflow(other.sumLow)
        sumLow = low
        sumHigh &+= other.sumHigh &+ (carry ? 1 : 0)
    }

    /// Forgets everything recorded, keeping the configuration and the bucket memory.
    ///
    /// - Complexity: O(buckets).
    public mutating func removeAll() {
        histogram.reset()
        overflows = 0
        sumLow = 0
        sumHigh = 0
    }

    // MARK: Reading

    /// The number of latencies recorded (including clamped ones).
    @inlinable
    public var count: Int { Int(histogram.totalCount) }

    /// Whether nothing has been recorded.
    @inlinable
    public var isEmpty: Bool { histogram.totalCount == 0 }

    /// How many latencies exceeded ``highestTrackableValue`` and were recorded as it.
    @inlinable
    public var overflowCount: Int { Int(overflows) }

    /// The latency at percentile `p` (0 ... 100): the largest value (within the histogram's
    /// precision) that `p` % of the recorded latencies are at or below. `0` gives ``min``, `100`
    /// gives ``max``; an empty histogram gives zero.
    ///
    /// The answer is the upper end of the bucket holding the percentile, clamped to the exact
    /// minimum and maximum, so it is never below the true percentile and exceeds it by at most one
    /// bucket width (relative 10^-significantDigits).
    ///
    /// - Complexity: O(buckets).
    public func percentile(_ p: Double) -> SimDuration {
        precondition((0.0 ... 100.0).contains(p), "a percentile is within 0 ... 100, got \(p)")
        if isEmpty { return .zero }
        return .microseconds(Int64(histogram.valueAtPercentile(p)))
    }

    /// The exact mean of the recorded (rounded, clamped) latencies, or zero when empty.
    ///
    /// The sum is exact; the division rounds to the nearest nanosecond.
    public var mean: SimDuration {
        if isEmpty { return .zero }
        let total = Double(sumHigh) * 18_446_744_073_709_551_616.0 + Double(sumLow)
        return SimDuration(seconds: total / Double(histogram.totalCount) / 1e6)
    }

    /// The exact sum of the recorded microseconds, as (high, low) 64-bit words.
    public var sumOfMicroseconds: (high: UInt64, low: UInt64) { (sumHigh, sumLow) }

    /// The exact smallest recorded latency (after rounding and clamping), or zero when empty.
    public var min: SimDuration {
        isEmpty ? .zero : .microseconds(Int64(histogram.min))
    }

    /// The exact largest recorded latency (after rounding and clamping), or zero when empty.
    public var max: SimDuration {
        isEmpty ? .zero : .microseconds(Int64(histogram.maxRecorded))
    }

    /// The number of latencies recorded in the bucket that holds `latency` (rounded and clamped as
    /// ``record(_:)`` does), that is, those equal to it within the histogram's precision.
    public func count(near latency: SimDuration) -> Int {
        let microseconds = Swift.min(LatencyHistogram.roundedMicroseconds(latency), highestTrackableMicroseconds)
        return Int(histogram.countForValue(microseconds))
    }

    /// The non-empty buckets in increasing order, each as the lowest microsecond value it holds and
    /// its count. This is what ``serialized()`` stores.
    ///
    /// - Complexity: O(buckets).
    public var bucketCounts: [(lowestMicroseconds: UInt64, count: UInt64)] {
        var result: [(lowestMicroseconds: UInt64, count: UInt64)] = []
        for entry in histogram.recordedValues() {
            result.append((histogram.lowestEquivalentForValue(entry.value), entry.count))
        }
        return result
    }
}

extension LatencyHistogram: Equatable {
    /// Two histograms are equal when they have the same configuration and the same contents: bucket
    /// counts, overflow count, exact sum, minimum and maximum. Equal histograms serialise to the same
    /// bytes.
    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.hasSameConfiguration(as: rhs)
            && lhs.overflows == rhs.overflows
            && lhs.sumLow == rhs.sumLow
            && lhs.sumHigh == rhs.sumHigh
            && lhs.histogram.totalCount == rhs.histogram.totalCount
            && lhs.histogram.maxRecorded == rhs.histogram.maxRecorded
            && lhs.histogram.min == rhs.histogram.min
            && lhs.histogram == rhs.histogram
    }
}
