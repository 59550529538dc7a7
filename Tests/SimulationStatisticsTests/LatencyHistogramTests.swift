import Histogram
import SimulationCore
import Testing
@testable import SimulationStatistics

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    /// The exact p-th percentile of sorted data by the nearest-rank definition the histogram uses:
    /// the smallest value with at least p % of the data at or below it.
    func nearestRank(_ sorted: [Int64], _ p: Double) -> Int64 {
        let rank = Swift.max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1]
    }

    func checkPercentiles(of microseconds: [Int64], significantDigits: Int) {
        var histogram = LatencyHistogram(significantDigits: significantDigits)
        for value in microseconds { histogram.record(.microseconds(value)) }
        let sorted = microseconds.sorted()
        var tolerance = 1.0
        for _ in 0 ..< significantDigits { tolerance /= 10 }
        for p in [1.0, 10, 25, 50, 75, 90, 95, 99, 99.9] {
            let exact = nearestRank(sorted, p)
            let reported = histogram.percentile(p).nanoseconds / 1_000
            #expect(reported >= exact, "p\(p): \(reported) below exact \(exact)")
            #expect(Double(reported - exact) <= Double(exact) * tolerance,
                    "p\(p): \(reported) µs vs exact \(exact) µs beyond \(significantDigits) digits")
        }
        #expect(histogram.percentile(0) == .microseconds(sorted.first!))
        #expect(histogram.percentile(100) == .microseconds(sorted.last!))
        #expect(histogram.min == .microseconds(sorted.first!))
        #expect(histogram.max == .microseconds(sorted.last!))
        #expect(histogram.count == microseconds.count)
    }

    @Test func percentilesOfUniformDataWithinThreeDigits() {
        checkPercentiles(of: Array(1 ... 100_000), significantDigits: 3)
    }

    @Test func percentilesOfSkewedDataWithinConfiguredPrecision() {
        var random = TestRandom(seed: 42)
        // Log-uniform between 10 µs and 10 s: every bucket scale is exercised.
        let data = (0 ..< 50_000).map { _ in Int64(10 * Double.exp(random.nextUnit() * 13.8)) }
        checkPercentiles(of: data, significantDigits: 3)
        checkPercentiles(of: data, significantDigits: 2)
    }

    @Test func meanIsExact() {
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(1))
        histogram.record(.milliseconds(2))
        histogram.record(.milliseconds(4))
        #expect(histogram.mean == .nanoseconds(2_333_333))
        var random = TestRandom(seed: 7)
        var other = LatencyHistogram(significantDigits: 2)
        var sum: Int64 = 0
        for _ in 0 ..< 10_000 {
            let value = Int64(random.next(below: 5_000_000)) + 1
            sum += value
            other.record(.microseconds(value))
        }
        let expected = SimDuration(seconds: Double(sum) / 10_000 / 1e6)
        #expect(other.mean == expected)
    }

    @Test func roundsToMicrosecondsAndClamps() {
        var histogram = LatencyHistogram(highestTrackableValue: .milliseconds(1), significantDigits: 3)
        histogram.record(.nanoseconds(0))
        histogram.record(.nanoseconds(-5))
        #expect(histogram.min == .microseconds(1))
        histogram.record(.nanoseconds(1_499))
        #expect(histogram.count(near: .microseconds(1)) == 3)
        histogram.record(.nanoseconds(1_500))
        #expect(histogram.count(near: .microseconds(2)) == 1)
        #expect(histogram.overflowCount == 0)
        histogram.record(.milliseconds(5))
        histogram.record(.seconds(3))
        #expect(histogram.overflowCount == 2)
        #expect(histogram.max == .milliseconds(1))
        #expect(histogram.count == 6)
        #expect(histogram.percentile(100) == .milliseconds(1))
    }

    @Test func emptyHistogramReadsZero() {
        let histogram = LatencyHistogram(significantDigits: 2)
        #expect(histogram.isEmpty)
        #expect(histogram.percentile(99) == .zero)
        #expect(histogram.mean == .zero)
        #expect(histogram.min == .zero)
        #expect(histogram.max == .zero)
    }

    @Test func mergeEqualsRecordingEverythingIntoOne() throws {
        var random = TestRandom(seed: 2024)
        var whole = LatencyHistogram(highestTrackableValue: .seconds(10), significantDigits: 3)
        var first = whole
        var second = whole
        for index in 0 ..< 20_000 {
            let latency = SimDuration.nanoseconds(Int64(random.next(below: 12_000_000_000)))
            whole.record(latency)
            if index % 3 == 0 { first.record(latency) } else { second.record(latency) }
        }
        #expect(whole.overflowCount > 0)
        var merged = first
        merged.merge(second)
        #expect(merged == whole)
        #expect(merged.serialized() == whole.serialized())
        #expect(merged.percentile(99) == whole.percentile(99))
        #expect(merged.mean == whole.mean)
        // Merging is commutative in its result.
        var reversed = second
        reversed.merge(first)
        #expect(reversed.serialized() == whole.serialized())
    }

    @Test func serialisationRoundTripsExactly() throws {
        var random = TestRandom(seed: 99)
        for digits in 0 ... 5 {
            var histogram = LatencyHistogram(highestTrackableValue: .minutes(2), significantDigits: digits)
            for _ in 0 ..< 3_000 {
                histogram.record(.nanoseconds(Int64(random.next(below: 150_000_000_000))))
            }
            let bytes = histogram.serialized()
            let restored = try LatencyHistogram(serialized: bytes)
            #expect(restored == histogram, "digits \(digits)")
            #expect(restored.serialized() == bytes)
            #expect(restored.min == histogram.min)
            #expect(restored.max == histogram.max)
            #expect(restored.mean == histogram.mean)
            #expect(restored.overflowCount == histogram.overflowCount)
            for p in [50.0, 90, 99, 99.99] { #expect(restored.percentile(p) == histogram.percentile(p)) }
            // A restored histogram goes on recording and merging like the original.
            var continued = restored
            var original = histogram
            continued.record(.milliseconds(3))
            original.record(.milliseconds(3))
            #expect(continued == original)
        }
    }

    @Test func serialisationOfSingleValuesAndEmpty() throws {
        let empty = LatencyHistogram(significantDigits: 2)
        #expect(try LatencyHistogram(serialized: empty.serialized()) == empty)
        for value: Int64 in [1, 2, 1_000, 123_456, 3_600_000_000] {
            var histogram = LatencyHistogram()
            histogram.record(.microseconds(value))
            #expect(try LatencyHistogram(serialized: histogram.serialized()) == histogram)
            histogram.record(.microseconds(value))
            histogram.record(.microseconds(value + (value > 1 ? -1 : 0)))
            #expect(try LatencyHistogram(serialized: histogram.serialized()) == histogram)
        }
    }

    @Test func equalHistogramsGiveIdenticalBytesWhateverTheRecordingOrder() {
        var random = TestRandom(seed: 5)
        let latencies = (0 ..< 5_000).map { _ in SimDuration.microseconds(Int64(random.next(below: 2_000_000)) + 1) }
        var forward = LatencyHistogram(significantDigits: 2)
        var backward = LatencyHistogram(significantDigits: 2)
        for latency in latencies { forward.record(latency) }
        for latency in latencies.reversed() { backward.record(latency) }
        #expect(forward.serialized() == backward.serialized())
        // Compact: a few bytes per non-empty bucket.
        #expect(forward.serialized().count < 6 * forward.bucketCounts.count + 40)
    }

    @Test func serialisedFormatIsStable() {
        var histogram = LatencyHistogram(highestTrackableValue: .seconds(1), significantDigits: 2)
        histogram.record(.microseconds(5))
        histogram.record(.microseconds(5))
        histogram.record(.microseconds(300))
        // Hand-computed from the documented format: magic, version 1, digits 2, highest 1_000_000,
        // total 3, overflow 0, sum (0, 310), min 5, max 300, 2 buckets: index 5 ×2, index 278 ×1.
        let expected: [UInt8] = [0x46, 0x53, 0x4C, 0x48, 0x01, 0x02, 0xC0, 0x84, 0x3D, 0x03, 0x00,
                                 0x00, 0xB6, 0x02, 0x05, 0xAC, 0x02, 0x02, 0x05, 0x02, 0x91, 0x02, 0x01]
        #expect(histogram.serialized() == expected)
    }

    @Test func malformedBytesAreRejected() {
        var histogram = LatencyHistogram(significantDigits: 2)
        histogram.record(.milliseconds(3))
        histogram.record(.milliseconds(40))
        let bytes = histogram.serialized()
        #expect(throws: LatencyHistogram.SerializationError.truncated) {
            try LatencyHistogram(serialized: Array(bytes.dropLast()))
        }
        #expect(throws: LatencyHistogram.SerializationError.trailingBytes(count: 1)) {
            try LatencyHistogram(serialized: bytes + [0])
        }
        var badMagic = bytes
        badMagic[0] = 0x47
        #expect(throws: LatencyHistogram.SerializationError.notALatencyHistogram) {
            try LatencyHistogram(serialized: badMagic)
        }
        var badVersion = bytes
        badVersion[4] = 2
        #expect(throws: LatencyHistogram.SerializationError.unsupportedVersion(2)) {
            try LatencyHistogram(serialized: badVersion)
        }
        var badDigits = bytes
        badDigits[5] = 6
        #expect(throws: LatencyHistogram.SerializationError.invalidConfiguration) {
            try LatencyHistogram(serialized: badDigits)
        }
        // The last byte is the last bucket's count (1): make it 2 so the counts exceed the total.
        var badCount = bytes
        badCount[badCount.count - 1] = 2
        #expect(throws: (any Error).self) { try LatencyHistogram(serialized: badCount) }
        // An overlong varint (0x80 0x00 for zero) is not the shortest form.
        let overlong: [UInt8] = [0x46, 0x53, 0x4C, 0x48, 0x01, 0x02, 0x80, 0x00]
        #expect(throws: LatencyHistogram.SerializationError.malformedVarint(offset: 6)) {
            try LatencyHistogram(serialized: overlong)
        }
    }

    @Test func bucketLayoutMatchesTheLibrary() {
        var random = TestRandom(seed: 11)
        for digits in 0 ... 5 {
            let layout = BucketLayout(significantDigits: digits)
            let library = Histogram<UInt64>(highestTrackableValue: 1 << 40,
                                            numberOfSignificantValueDigits: SignificantDigits(rawValue: Int8(digits))!)
            var previousIndex = -1
            var previousValue: UInt64 = 0
            var values: [UInt64] = Array(1 ... 5_000)
            for _ in 0 ..< 5_000 { values.append(random.next(below: 1 << 40) + 1) }
            for value in values {
                let index = layout.index(of: value)
                #expect(layout.lowestValue(atIndex: index) == library.lowestEquivalentForValue(value))
                if value > previousValue { #expect(index >= previousIndex) }
                previousIndex = value > previousValue ? index : previousIndex
                previousValue = Swift.max(previousValue, value)
            }
        }
    }
}
