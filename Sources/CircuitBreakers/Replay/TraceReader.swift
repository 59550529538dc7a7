import SimulationCore

/// What a trace line says happened.
public enum TraceOutcome: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case success
    case failure
    case ignored
    /// A call that asks for permission and never reports an outcome (it hangs, or the log ends
    /// first). If permitted it keeps whatever permit it took; each policy documents what that means.
    case attempt

    public var description: String {
        switch self {
        case .success: return "success"
        case .failure: return "failure"
        case .ignored: return "ignored"
        case .attempt: return "attempt"
        }
    }

    /// The outcome to record, or `nil` for an attempt.
    public var callOutcome: CallOutcome? {
        switch self {
        case .success: return .success
        case .failure: return .failure
        case .ignored: return .ignored
        case .attempt: return nil
        }
    }
}

/// One call from a trace.
public struct TraceRecord: Equatable, Sendable {
    /// The line it came from (1-based, counting every line of the file).
    public var line: Int
    /// When the call asked for permission and, if permitted, completed (time from the start).
    public var time: SimTime
    public var outcome: TraceOutcome
    /// How long the call took, when the trace says.
    public var duration: SimDuration?

    public init(line: Int, time: SimTime, outcome: TraceOutcome, duration: SimDuration? = nil) {
        self.line = line
        self.time = time
        self.outcome = outcome
        self.duration = duration
    }
}

/// The column a trace error is about.
public enum TraceField: String, Sendable {
    case time, outcome, duration, header
}

/// A malformed trace: the line, the field and what was expected.
public struct TraceError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    /// `nil` when the line as a whole is wrong (the number of fields).
    public var field: TraceField?
    public var message: String

    public init(line: Int, field: TraceField?, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    /// `LINE: field 'NAME': MESSAGE`.
    public var description: String {
        if let field { return "\(line): field '\(field.rawValue)': \(message)" }
        return "\(line): \(message)"
    }

    /// `FILE:LINE: field 'NAME': MESSAGE`, as compilers print locations.
    public func description(file: String) -> String { "\(file):\(description)" }
}

/// Reads a trace, a CSV file of `time,outcome[,duration]` lines, one call per line, streaming.
///
/// - `time` is seconds from the start (`12.5`), a duration from the start (`1.5s`, `2m10s`), or an
///   ISO-8601 timestamp (`2024-05-01T12:00:00.125Z`, offsets `±hh:mm`/`±hhmm` or none for UTC, `T`
///   or a space between date and time). Timestamps are taken relative to the first line's. All
///   lines use one kind: timestamps, or times from the start (seconds and durations may mix).
///   Conversion is exact to the nanosecond for the digits given; digits beyond the nanosecond
///   round half to even, as durations do. Times must not go backwards (equal times are fine).
/// - `outcome` is `success`, `failure`, `ignored` or `attempt` (ASCII letters in any case).
/// - `duration`, optional and possibly empty, is a duration with a unit (`250ms`, `1.5s`; `0`).
/// - An optional header line starts with `time`; blank lines and lines starting with `#` are
///   skipped; fields may have spaces around them; `\r\n` line ends are fine.
///
/// The reader walks the bytes once and keeps nothing per line, so a 10-million-line trace needs no
/// more memory than its bytes. It reads from memory it does not own: the buffer must stay valid
/// while the reader is used (use it inside `withUnsafeBytes`).
public struct TraceReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    /// The number of the line read last.
    public private(set) var lineNumber = 0
    private var usesTimestamps: Bool? = nil
    private var firstTimestamp = Timestamp(seconds: 0, nanoseconds: 0)
    private var previousTime: SimTime? = nil
    private var seenContent = false

    public init(unsafeBytes bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Every record of a small trace held in a string (tests, examples).
    public static func records(in text: String) throws(TraceError) -> [TraceRecord] {
        let utf8 = Array(text.utf8)
        let result = utf8.withUnsafeBytes { raw -> Result<[TraceRecord], TraceError> in
            var reader = TraceReader(unsafeBytes: raw)
            var records: [TraceRecord] = []
            do throws(TraceError) {
                while let record = try reader.next() { records.append(record) }
                return .success(records)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The next call, or `nil` at the end of the trace.
    public mutating func next() throws(TraceError) -> TraceRecord? {
        let count = bytes.count
        while offset < count {
            lineNumber += 1
            var start = offset
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            offset = end + 1
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            // A byte-order mark (EF BB BF) before the first line is not part of it, as in model files.
            if start == 0 && end >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
            // Skip leading blanks; a blank or comment line carries nothing.
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            if start == end || bytes[start] == 0x23 { continue }
            if !seenContent {
                seenContent = true
                if try readHeader(start, end) { continue }
            }
            return try readRecord(start, end)
        }
        return nil
    }

    // MARK: Lines and fields

    /// The field from `start` up to the next comma or `end`, trimmed; and where the next one begins.
    @inline(__always)
    private func field(_ start: Int, _ end: Int) -> (start: Int, end: Int, next: Int) {
        var stop = start
        while stop < end && bytes[stop] != 0x2C { stop += 1 }
        var first = start
        var last = stop
        while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
        while last > first && (bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) { last -= 1 }
        return (first, last, stop < end ? stop + 1 : -1)
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private func quoted(_ start: Int, _ end: Int) -> String {
        let limit = min(end, start + 60)
        return "'" + text(start, limit) + (limit < end ? "…" : "") + "'"
    }

    private func lowercasedWord(_ start: Int, _ end: Int) -> String {
        text(start, end).lowercased()
    }

    /// Recognises a header (its first field is `time`) and checks its other names.
    private mutating func readHeader(_ start: Int, _ end: Int) throws(TraceError) -> Bool {
        let first = field(start, end)
        guard lowercasedWord(first.start, first.end) == "time" else { return false }
        var names = ["time"]
        var next = first.next
        while next >= 0 {
            let f = field(next, end)
            names.append(lowercasedWord(f.start, f.end))
            next = f.next
        }
        guard names.count >= 2, names.count <= 3, names[1] == "outcome", names.count == 2 || names[2] == "duration" else {
            throw TraceError(line: lineNumber, field: .header,
                             message: "expected 'time,outcome' or 'time,outcome,duration', found '\(names.joined(separator: ","))'")
        }
        return true
    }

    private mutating func readRecord(_ start: Int, _ end: Int) throws(TraceError) -> TraceRecord {
        let timeField = field(start, end)
        guard timeField.next >= 0 else {
            throw TraceError(line: lineNumber, field: nil,
                             message: "expected 2 or 3 comma-separated fields (time,outcome[,duration]), found 1")
        }
        let outcomeField = field(timeField.next, end)
        var durationField: (start: Int, end: Int, next: Int)? = nil
        if outcomeField.next >= 0 {
            let third = field(outcomeField.next, end)
            if third.next >= 0 {
                var fields = 3
                var next = third.next
                while next >= 0 { fields += 1; next = field(next, end).next }
                throw TraceError(line: lineNumber, field: nil,
                                 message: "expected 2 or 3 comma-separated fields (time,outcome[,duration]), found \(fields)")
            }
            durationField = third
        }
        let time = try readTime(timeField.start, timeField.end)
        if let previousTime, time < previousTime {
            throw TraceError(line: lineNumber, field: .time,
                             message: "time goes backwards: \(SimDuration(nanoseconds: time.nanoseconds)) from the start is before the previous line's \(SimDuration(nanoseconds: previousTime.nanoseconds))")
        }
        let outcome = try readOutcome(outcomeField.start, outcomeField.end)
        var duration: SimDuration? = nil
        if let durationField, durationField.end > durationField.start {
            duration = try readDuration(durationField.start, durationField.end)
        }
        previousTime = time
        return TraceRecord(line: lineNumber, time: time, outcome: outcome, duration: duration)
    }

    // MARK: Outcome

    @inline(__always)
    private func readOutcome(_ start: Int, _ end: Int) throws(TraceError) -> TraceOutcome {
        if end - start == 7 {
            // All four words have seven letters: compare them lower-cased, eight bytes at most.
            var word: UInt64 = 0
            for index in start..<end { word = word << 8 | UInt64(bytes[index] | 0x20) }
            switch word {
            case 0x73_75_63_63_65_73_73: return .success // "success"
            case 0x66_61_69_6C_75_72_65: return .failure // "failure"
            case 0x69_67_6E_6F_72_65_64: return .ignored // "ignored"
            case 0x61_74_74_65_6D_70_74: return .attempt // "attempt"
            default: break
            }
        }
        throw TraceError(line: lineNumber, field: .outcome,
                         message: "expected one of success, failure, ignored, attempt, found \(quoted(start, end))")
    }

    // MARK: Durations and times from the start

    private func readDuration(_ start: Int, _ end: Int) throws(TraceError) -> SimDuration {
        if end - start == 1 && bytes[start] == 0x30 { return .zero }
        switch parseDuration(start, end, bareUnit: nil) {
        case .value(let nanoseconds): return SimDuration(nanoseconds: nanoseconds)
        case .overflow:
            throw TraceError(line: lineNumber, field: .duration, message: "\(quoted(start, end)) is longer than the time type holds (about 292 years)")
        case .malformed:
            throw TraceError(line: lineNumber, field: .duration,
                             message: "expected a duration with a unit such as 250ms or 1.5s, found \(quoted(start, end))")
        }
    }

    private mutating func readTime(_ start: Int, _ end: Int) throws(TraceError) -> SimTime {
        let isTimestamp = end - start >= 10 && bytes[start + 4] == 0x2D // YYYY-
        if let usesTimestamps, usesTimestamps != isTimestamp {
            let expected = usesTimestamps ? "an ISO-8601 timestamp, as on the first line" : "a time from the start, as on the first line"
            throw TraceError(line: lineNumber, field: .time, message: "expected \(expected), found \(quoted(start, end))")
        }
        usesTimestamps = isTimestamp
        if isTimestamp {
            let stamp = try readTimestamp(start, end)
            if previousTime == nil { firstTimestamp = stamp }
            let (seconds, o1) = stamp.seconds.subtractingReportingOverflow(firstTimestamp.seconds)
            let (scaled, o2) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            let (total, o3) = scaled.addingReportingOverflow(stamp.nanoseconds - firstTimestamp.nanoseconds)
            guard !(o1 || o2 || o3) else {
                throw TraceError(line: lineNumber, field: .time, message: "\(quoted(start, end)) is too far from the first line's timestamp (more than about 292 years)")
            }
            return SimTime(nanoseconds: total)
        }
        if bytes[start] == 0x2D {
            throw TraceError(line: lineNumber, field: .time, message: "\(quoted(start, end)) is negative: times are counted from the start")
        }
        switch parseDuration(start, end, bareUnit: 1_000_000_000) {
        case .value(let nanoseconds): return SimTime(nanoseconds: nanoseconds)
        case .overflow:
            throw TraceError(line: lineNumber, field: .time, message: "\(quoted(start, end)) is later than the time type holds (about 292 years)")
        case .malformed:
            throw TraceError(line: lineNumber, field: .time,
                             message: "expected seconds from the start (12.5), a duration (1.5s) or an ISO-8601 timestamp (2024-05-01T12:00:00.125Z), found \(quoted(start, end))")
        }
    }

    enum Parsed: Equatable { case value(Int64), malformed, overflow }

    /// Parses `<number><unit>` parts (`1m30s`, `1.5s`, `250ms`) exactly as `SimDuration(parsing:)`
    /// does (same units, same half-to-even rounding of digits beyond the nanosecond, same use of the
    /// first 18 fraction digits), without making a string. With `bareUnit`, a lone number without
    /// a unit is taken in that unit (seconds for trace times).
    func parseDuration(_ start: Int, _ end: Int, bareUnit: Int64?) -> Parsed {
        var index = start
        if index < end && bytes[index] == 0x2B { index += 1 } // +
        guard index < end else { return .malformed }
        var total: Int64 = 0
        var parts = 0
        while index < end {
            var whole: Int64 = 0
            var numerator: Int64 = 0
            var denominator: Int64 = 1
            var fractionDigits = 0
            var digits = 0
            var seenPoint = false
            var wholeOverflow = false
            while index < end {
                let c = bytes[index]
                if c == 0x2E {
                    if seenPoint { return .malformed }
                    seenPoint = true
                } else if c >= 0x30 && c <= 0x39 {
                    digits += 1
                    let digit = Int64(c - 0x30)
                    if seenPoint {
                        if fractionDigits < 18 {
                            numerator = numerator * 10 + digit
                            denominator *= 10
                            fractionDigits += 1
                        }
                    } else {
                        let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                        let (next, o2) = times10.addingReportingOverflow(digit)
                        if o1 || o2 { wholeOverflow = true }
                        whole = next
                    }
                } else {
                    break
                }
                index += 1
            }
            guard digits > 0 else { return .malformed }
            let unitStart = index
            while index < end && (bytes[index] >= 0x80 || (bytes[index] | 0x20 >= 0x61 && bytes[index] | 0x20 <= 0x7A)) {
                index += 1
            }
            var unit: Int64
            if unitStart == index {
                guard let bareUnit, parts == 0, index == end else { return .malformed }
                unit = bareUnit
            } else {
                guard let symbolUnit = unitNanoseconds(unitStart, index) else { return .malformed }
                unit = symbolUnit
            }
            if wholeOverflow { return .overflow }
            let (scaled, o1) = whole.multipliedReportingOverflow(by: unit)
            if o1 { return .overflow }
            let fractional = TraceReader.scaledFraction(numerator, digits: fractionDigits, denominator: denominator, unit: unit)
            let (part, o2) = scaled.addingReportingOverflow(fractional)
            let (sum, o3) = total.addingReportingOverflow(part)
            if o2 || o3 { return .overflow }
            total = sum
            parts += 1
        }
        return .value(total)
    }

    /// `numerator / denominator × unit` in nanoseconds (denominator = 10^digits), rounded half to
    /// even. Where the unit is a power of ten with at least as many zeros as there are digits
    /// (seconds with up to 9 digits, milliseconds with up to 6, …), the result is exact by one
    /// multiplication; otherwise a 128-bit division.
    @inline(__always)
    static func scaledFraction(_ numerator: Int64, digits: Int, denominator: Int64, unit: Int64) -> Int64 {
        if digits == 0 { return 0 }
        let unitZeros: Int
        switch unit {
        case 1_000_000_000: unitZeros = 9
        case 1_000_000: unitZeros = 6
        case 1_000: unitZeros = 3
        default: unitZeros = -1
        }
        if digits <= unitZeros { return numerator * powerOfTen(unitZeros - digits) }
        let product = numerator.multipliedFullWidth(by: unit)
        let (quotient, remainder) = denominator.dividingFullWidth(product)
        var fractional = quotient
        let twice = remainder * 2
        if twice > denominator || (twice == denominator && fractional % 2 == 1) { fractional += 1 }
        return fractional
    }

    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Int64 {
        switch exponent {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        case 8: return 100_000_000
        default: return 1_000_000_000
        }
    }

    private func unitNanoseconds(_ start: Int, _ end: Int) -> Int64? {
        switch end - start {
        case 1:
            switch bytes[start] {
            case 0x73: return 1_000_000_000            // s
            case 0x6D: return 60_000_000_000           // m
            case 0x68: return 3_600_000_000_000        // h
            case 0x64: return 86_400_000_000_000       // d
            default: return nil
            }
        case 2:
            guard bytes[start + 1] == 0x73 else { return nil }
            switch bytes[start] {
            case 0x6D: return 1_000_000                // ms
            case 0x75: return 1_000                    // us
            case 0x6E: return 1                        // ns
            default: return nil
            }
        case 3:
            // µs, with µ as U+00B5 (C2 B5) or U+03BC (CE BC)
            if bytes[start + 2] == 0x73 && ((bytes[start] == 0xC2 && bytes[start + 1] == 0xB5) || (bytes[start] == 0xCE && bytes[start + 1] == 0xBC)) {
                return 1_000
            }
            return nil
        default:
            return nil
        }
    }

    // MARK: ISO-8601 timestamps

    struct Timestamp: Equatable {
        /// Seconds since 1970-01-01T00:00:00Z.
        var seconds: Int64
        var nanoseconds: Int64
    }

    private func number(_ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<start + count {
            let c = bytes[index]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }

    /// `YYYY-MM-DD(T| )hh:mm:ss[.f…][Z|±hh:mm|±hhmm]`, converted with integer arithmetic only.
    func readTimestamp(_ start: Int, _ end: Int) throws(TraceError) -> Timestamp {
        func malformed(_ why: String) -> TraceError {
            TraceError(line: lineNumber, field: .time,
                       message: "\(quoted(start, end)) is not an ISO-8601 timestamp such as 2024-05-01T12:00:00.125Z: \(why)")
        }
        let length = end - start
        guard length >= 19, let year = number(start, 4), bytes[start + 4] == 0x2D, let month = number(start + 5, 2),
              bytes[start + 7] == 0x2D, let day = number(start + 8, 2) else {
            throw malformed("expected the date as YYYY-MM-DD")
        }
        let separator = bytes[start + 10]
        guard separator == 0x54 || separator == 0x74 || separator == 0x20 else { throw malformed("expected T between date and time") }
        guard let hour = number(start + 11, 2), bytes[start + 13] == 0x3A, let minute = number(start + 14, 2),
              bytes[start + 16] == 0x3A, let second = number(start + 17, 2) else {
            throw malformed("expected the time as hh:mm:ss")
        }
        guard (1...12).contains(month) else { throw malformed("month \(month) is not 1…12") }
        guard day >= 1 && day <= TraceReader.daysInMonth(year: year, month: month) else {
            throw malformed("day \(day) is not in \(year)-\(month < 10 ? "0" : "")\(month)")
        }
        guard hour <= 23, minute <= 59, second <= 59 else { throw malformed("the time of day is out of range") }
        var index = start + 19
        var nanoseconds: Int64 = 0
        if index < end && (bytes[index] == 0x2E || bytes[index] == 0x2C) {
            index += 1
            var numerator: Int64 = 0
            var denominator: Int64 = 1
            var digits = 0
            while index < end && bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                if digits < 18 {
                    numerator = numerator * 10 + Int64(bytes[index] - 0x30)
                    denominator *= 10
                }
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw malformed("expected digits after the decimal point") }
            nanoseconds = TraceReader.scaledFraction(numerator, digits: min(digits, 18), denominator: denominator, unit: 1_000_000_000)
        }
        var offsetSeconds = 0
        if index < end {
            let sign = bytes[index]
            if sign == 0x5A || sign == 0x7A { // Z
                index += 1
            } else if sign == 0x2B || sign == 0x2D {
                let rest = end - index - 1
                guard rest == 5 || rest == 4, let hours = number(index + 1, 2) else { throw malformed("expected the offset as ±hh:mm") }
                let minutesAt = rest == 5 ? index + 4 : index + 3
                guard rest == 4 || bytes[index + 3] == 0x3A, let minutes = number(minutesAt, 2), hours <= 23, minutes <= 59 else {
                    throw malformed("expected the offset as ±hh:mm")
                }
                offsetSeconds = (hours * 3_600 + minutes * 60) * (sign == 0x2B ? 1 : -1)
                index = end
            } else {
                throw malformed("unexpected \(quoted(index, end)) after the time")
            }
        }
        guard index == end else { throw malformed("unexpected \(quoted(index, end)) at the end") }
        let days = TraceReader.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3_600 + minute * 60 + second) - Int64(offsetSeconds)
        return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
    }

    static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
