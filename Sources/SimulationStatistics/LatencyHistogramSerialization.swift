// The stored form of a LatencyHistogram.
//
// Runs store their latency histograms in SQLite and later pool them across seeds, so the byte
// form is part of the project's contract: it must read back exactly, be identical for equal
// histograms (so digests are stable), and stay small (a few bytes per non-empty bucket).
//
// Format version 1. "varint" is an unsigned LEB128 integer: 7 bits per byte, least significant
// group first, high bit set on every byte but the last, in the fewest bytes (an overlong form is
// rejected), at most 10 bytes.
//
//   offset  size    field
//   0       4       magic "FSLH" (0x46 0x53 0x4C 0x48: failsim latency histogram)
//   4       1       format version (1)
//   5       1       significant digits (0 ... 5)
//   6       varint  highest trackable value, microseconds (2 ... 2^53)
//           varint  total count
//           varint  overflow count (≤ total count)
//           varint  exact sum of microseconds, high 64 bits
//           varint  exact sum of microseconds, low 64 bits
//           varint  exact minimum, microseconds     } present only when the total count is not zero
//           varint  exact maximum, microseconds     }
//           varint  number of non-empty buckets B
//           B × (varint index delta, varint count)
//
// A bucket index is the position in the HDR layout for lowest discernible value 1 µs: with
// m = the smallest integer such that 2^m ≥ 2 · 10^digits, S = 2^m sub-buckets and H = S / 2, a
// value v lies in bucket k = (64 − m) − leadingZeroBitCount(v | (S − 1)) at sub-bucket s = v >> k,
// and its index is (k + 1) · H + (s − H). The first delta is the first index itself, each later
// delta is the difference to the previous index (≥ 1): buckets are in increasing order. Every
// count is ≥ 1, the counts add up to the total count, the minimum lies in the first bucket and the
// maximum in the last, and nothing follows the last pair.

import SimulationCore

extension LatencyHistogram {
    /// Why bytes could not be read as a latency histogram.
    public enum SerializationError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The bytes ended before the histogram did.
        case truncated
        /// The bytes do not start with the magic `FSLH`.
        case notALatencyHistogram
        /// A format version this build does not read.
        case unsupportedVersion(UInt8)
        /// A varint longer than 10 bytes, overflowing 64 bits, or not in its shortest form.
        case malformedVarint(offset: Int)
        /// The configuration (digits, highest trackable value) is out of range.
        case invalidConfiguration
        /// The fields contradict each other (what is said names the check).
        case inconsistent(String)
        /// Bytes follow the last bucket.
        case trailingBytes(count: Int)

        public var description: String {
            switch self {
            case .truncated: return "latency histogram bytes end too early"
            case .notALatencyHistogram: return "bytes are not a latency histogram (magic FSLH missing)"
            case .unsupportedVersion(let version): return "latency histogram format version \(version) is not supported (expected 1)"
            case .malformedVarint(let offset): return "malformed varint at byte \(offset) of a latency histogram"
            case .invalidConfiguration: return "latency histogram configuration out of range"
            case .inconsistent(let what): return "inconsistent latency histogram: \(what)"
            case .trailingBytes(let count): return "\(count) unexpected bytes after a latency histogram"
            }
        }
    }

    /// The magic that starts every stored latency histogram: `FSLH`.
    public static let serializationMagic: [UInt8] = [0x46, 0x53, 0x4C, 0x48]
    /// The format version written by ``serialized()``.
    public static let serializationVersion: UInt8 = 1

    /// The histogram as compact, stable bytes (format version 1, documented in
    /// `LatencyHistogramSerialization.swift`): equal histograms give identical bytes, and
    /// ``init(serialized:)`` reads them back to an equal histogram.
    ///
    /// - Complexity: O(buckets) time; the result holds a few bytes per non-empty bucket.
    public func serialized() -> [UInt8] {
        var bytes = LatencyHistogram.serializationMagic
        bytes.append(LatencyHistogram.serializationVersion)
        bytes.append(UInt8(significantDigits))
        appendVarint(highestTrackableMicroseconds, to: &bytes)
        appendVarint(histogram.totalCount, to: &bytes)
        appendVarint(overflows, to: &bytes)
        appendVarint(sumHigh, to: &bytes)
        appendVarint(sumLow, to: &bytes)
        if histogram.totalCount == 0 {
            appendVarint(0, to: &bytes)
            return bytes
        }
        appendVarint(histogram.min, to: &bytes)
        appendVarint(histogram.maxRecorded, to: &bytes)
        let layout = BucketLayout(significantDigits: significantDigits)
        var pairs: [(index: Int, count: UInt64)] = []
        for entry in histogram.recordedValues() {
            pairs.append((layout.index(of: entry.value), entry.count))
        }
        appendVarint(UInt64(pairs.count), to: &bytes)
        var previousIndex = 0
        for pair in pairs {
            appendVarint(UInt64(pair.index - previousIndex), to: &bytes)
            appendVarint(pair.count, to: &bytes)
            previousIndex = pair.index
        }
        return bytes
    }

    /// Reads a histogram written by ``serialized()``, checking every field.
    ///
    /// - Throws: ``SerializationError`` when the bytes are not a valid version-1 latency histogram.
    /// - Complexity: O(buckets).
    public init(serialized bytes: [UInt8]) throws(SerializationError) {
        var reader = ByteReader(bytes: bytes)
        let magic = try reader.readBytes(4)
        guard magic == LatencyHistogram.serializationMagic else { throw .notALatencyHistogram }
        let version = try reader.readByte()
        guard version == LatencyHistogram.serializationVersion else { throw .unsupportedVersion(version) }
        let digits = Int(try reader.readByte())
        let highest = try reader.readVarint()
        guard (0 ... 5).contains(digits), highest >= 2, highest <= LatencyHistogram.largestHighestTrackableMicroseconds
        else { throw .invalidConfiguration }
        let totalCount = try reader.readVarint()
        let overflowCount = try reader.readVarint()
        let sumHigh = try reader.readVarint()
        let sumLow = try reader.readVarint()
        guard overflowCount <= totalCount else { throw .inconsistent("more overflows than latencies") }

        self.init(highestTrackableMicroseconds: highest, significantDigits: digits)
        self.overflows = overflowCount
        self.sumHigh = sumHigh
        self.sumLow = sumLow

        if totalCount == 0 {
            let bucketTotal = try reader.readVarint()
            guard bucketTotal == 0 else { throw .inconsistent("buckets in an empty histogram") }
            guard sumHigh == 0, sumLow == 0 else { throw .inconsistent("a sum in an empty histogram") }
            guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
            return
        }
        let minimum = try reader.readVarint()
        let maximum = try reader.readVarint()
        guard minimum >= 1, minimum <= maximum, maximum <= highest else {
            throw .inconsistent("minimum and maximum outside 1 ... highest trackable value")
        }
        let bucketTotal = try reader.readVarint()
        guard bucketTotal >= 1, bucketTotal <= totalCount, bucketTotal <= UInt64(reader.remaining / 2) else {
            throw .inconsistent("bucket count does not fit the data")
        }
        let layout = BucketLayout(significantDigits: digits)
        let firstIndex = layout.index(of: minimum)
        let lastIndex = layout.index(of: maximum)
        var index = 0
        var countSoFar: UInt64 = 0
        for position in 0 ..< Int(bucketTotal) {
            let delta = try reader.readVarint()
            let count = try reader.readVarint()
            guard position == 0 || delta >= 1 else { throw .inconsistent("buckets out of order") }
            guard delta <= UInt64(lastIndex - index) else { throw .inconsistent("bucket beyond the maximum") }
            index += Int(delta)
            guard count >= 1 else { throw .inconsistent("an empty bucket listed") }
            let (sum, overflow) = countSoFar.addingReportingOverflow(count)
            guard !overflow, sum <= totalCount else { throw .inconsistent("bucket counts exceed the total") }
            countSoFar = sum
            let isFirst = position == 0
            let isLast = position == Int(bucketTotal) - 1
            if isFirst, index != firstIndex { throw .inconsistent("minimum not in the first bucket") }
            if isLast, index != lastIndex { throw .inconsistent("maximum not in the last bucket") }
            // Record each bucket at a value inside it such that the exact minimum and maximum come out
            // right: the minimum for the first bucket, the maximum for the last (one of its counts).
            if isFirst && isLast {
                if count >= 2 {
                    histogram.record(minimum, count: count - 1)
                    histogram.record(maximum, count: 1)
                } else {
                    guard minimum == maximum else { throw .inconsistent("one latency with two values") }
                    histogram.record(minimum, count: 1)
                }
            } else if isFirst {
                histogram.record(minimum, count: count)
            } else if isLast {
                histogram.record(maximum, count: count)
            } else {
                histogram.record(layout.lowestValue(atIndex: index), count: count)
            }
        }
        guard countSoFar == totalCount else { throw .inconsistent("bucket counts do not add up to the total") }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        // The exact sum must be possible: between count × minimum and count × maximum.
        let (lowHigh, lowLow) = totalCount.multipliedFullWidth(by: minimum)
        let (highHigh, highLow) = totalCount.multipliedFullWidth(by: maximum)
        guard (sumHigh, sumLow) >= (lowHigh, lowLow), (sumHigh, sumLow) <= (highHigh, highLow) else {
            throw .inconsistent("sum outside count × minimum ... count × maximum")
        }
    }
}

/// The bucket layout of an HDR histogram with lowest discernible value 1, written out here so that
/// the stored format does not depend on the library's internals (tests check that it matches).
struct BucketLayout {
    /// m: the number of bits of a sub-bucket position.
    let subBucketCountMagnitude: Int

    init(significantDigits: Int) {
        var power: UInt64 = 2
        for _ in 0 ..< significantDigits { power *= 10 }
        var magnitude = 0
        while (UInt64(1) << magnitude) < power { magnitude += 1 }
        subBucketCountMagnitude = Swift.max(magnitude, 1)
    }

    var subBucketCount: UInt64 { 1 << subBucketCountMagnitude }
    var subBucketHalfCount: Int { 1 << (subBucketCountMagnitude - 1) }

    /// The index of the bucket holding `value`.
    func index(of value: UInt64) -> Int {
        let bucket = (64 - subBucketCountMagnitude) - (value | (subBucketCount - 1)).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket))
        return ((bucket + 1) << (subBucketCountMagnitude - 1)) + (subBucket - subBucketHalfCount)
    }

    /// The lowest value held by the bucket at `index`.
    func lowestValue(atIndex index: Int) -> UInt64 {
        var bucket = (index >> (subBucketCountMagnitude - 1)) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }
}

/// Appends `value` as an unsigned LEB128 varint in its shortest form.
func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
        rest >>= 7
    }
    bytes.append(UInt8(rest))
}

/// Reads bytes front to back, with every read checked against the end.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func readByte() throws(LatencyHistogram.SerializationError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readBytes(_ count: Int) throws(LatencyHistogram.SerializationError) -> [UInt8] {
        guard remaining >= count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset ..< offset + count])
    }

    /// Reads a shortest-form unsigned LEB128 varint of at most 64 bits.
    mutating func readVarint() throws(LatencyHistogram.SerializationError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 { throw .malformedVarint(offset: start) }
            value |= payload << shift
            if byte & 0x80 == 0 {
                // Shortest form: a last byte of zero is only allowed when it is the only byte.
                if byte == 0 && offset - start > 1 { throw .malformedVarint(offset: start) }
                return value
            }
            shift += 7
            if shift > 63 { throw .malformedVarint(offset: start) }
        }
    }
}
