/// An instant on the simulation's virtual clock: whole nanoseconds since the start of a run.
///
/// Virtual time is an integer so that it never accumulates floating-point error and so that two
/// events at "the same" time are really at the same time (the run loop then orders them first in,
/// first out). `Int64` nanoseconds reach about 292 years.
@frozen
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the run.
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The start of every run.
    public static let zero = SimTime(nanoseconds: 0)
    /// The latest representable instant; used as "never".
    public static let distantFuture = SimTime(nanoseconds: .max)

    /// Seconds since the start, as a floating-point number (for reporting only).
    @inlinable
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable
    public static func < (lhs: SimTime, rhs: SimTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The instant `duration` after `time`. Traps on overflow: a run's length is checked when it is
    /// loaded, so an overflow here is a programming error.
    @inlinable
    public static func + (time: SimTime, duration: SimDuration) -> SimTime {
        SimTime(nanoseconds: time.nanoseconds + duration.nanoseconds)
    }

    @inlinable
    public static func - (time: SimTime, duration: SimDuration) -> SimTime {
        SimTime(nanoseconds: time.nanoseconds - duration.nanoseconds)
    }

    /// The duration from `rhs` to `lhs`.
    @inlinable
    public static func - (lhs: SimTime, rhs: SimTime) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }

    @inlinable
    public static func += (time: inout SimTime, duration: SimDuration) { time = time + duration }

    /// The instant `duration` after `self`, or `nil` when it would not fit in the time type.
    @inlinable
    public func adding(_ duration: SimDuration) -> SimTime? {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(duration.nanoseconds)
        return overflow ? nil : SimTime(nanoseconds: sum)
    }

    public var description: String { "t+" + SimDuration(nanoseconds: nanoseconds).description }
}

/// A span of virtual time in whole nanoseconds, written in files as people write it
/// (`250ms`, `30s`, `15m`, `2h`, `365d`, `1.5s`, `1m30s`).
@frozen
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimDuration(nanoseconds: 0)

    @inlinable public static func nanoseconds(_ n: Int64) -> SimDuration { SimDuration(nanoseconds: n) }
    @inlinable public static func microseconds(_ n: Int64) -> SimDuration { SimDuration(nanoseconds: n * 1_000) }
    @inlinable public static func milliseconds(_ n: Int64) -> SimDuration { SimDuration(nanoseconds: n * 1_000_000) }
    @inlinable public static func seconds(_ n: Int64) -> SimDuration { SimDuration(nanoseconds: n * 1_000_000_000) }
    @inlinable public static func minutes(_ n: Int64) -> SimDuration { .seconds(n * 60) }
    @inlinable public static func hours(_ n: Int64) -> SimDuration { .seconds(n * 3_600) }
    @inlinable public static func days(_ n: Int64) -> SimDuration { .seconds(n * 86_400) }

    /// A duration from a number of seconds, rounded to the nearest nanosecond (ties to even), as the
    /// contract requires of every sampled duration. Values beyond the type's range saturate;
    /// NaN becomes zero. Negative values are kept: callers that need a non-negative duration check.
    @inlinable
    public init(seconds: Double) {
        let ns = (seconds * 1e9).rounded(.toNearestOrEven)
        if ns.isNaN {
            self.nanoseconds = 0
        } else if ns >= 9.223372036854775e18 {
            self.nanoseconds = .max
        } else if ns <= -9.223372036854775e18 {
            self.nanoseconds = .min
        } else {
            self.nanoseconds = Int64(ns)
        }
    }

    /// The duration in seconds, as a floating-point number (for reporting and arithmetic on rates).
    @inlinable
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable
    public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    @inlinable
    public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }
    @inlinable
    public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }
    @inlinable
    public static func += (lhs: inout SimDuration, rhs: SimDuration) { lhs = lhs + rhs }
    @inlinable
    public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds * rhs)
    }
    @inlinable
    public static func / (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds / rhs)
    }

    /// The canonical spelling: the largest unit that states the value exactly (`2h`, `15m`, `30s`,
    /// `250ms`), else seconds or milliseconds with the needed decimals (`1.5s`, `0.25ms`).
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        if nanoseconds == .min { return "-" + SimDuration(nanoseconds: .max).description }
        if nanoseconds < 0 { return "-" + SimDuration(nanoseconds: -nanoseconds).description }
        for unit in SimDuration.units where unit.nanoseconds >= 1_000_000_000 {
            if nanoseconds % unit.nanoseconds == 0 { return "\(nanoseconds / unit.nanoseconds)\(unit.symbol)" }
        }
        if nanoseconds >= 1_000_000_000 { return SimDuration.decimal(nanoseconds, per: 1_000_000_000) + "s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds >= 1_000_000 { return SimDuration.decimal(nanoseconds, per: 1_000_000) + "ms" }
        if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }

    private static func decimal(_ value: Int64, per unit: Int64) -> String {
        var fraction = String(value % unit)
        let width = String(unit).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(value / unit).\(fraction)"
    }

    struct Unit {
        let symbol: String
        let nanoseconds: Int64
    }

    // Longest symbols first where one is a prefix of another ("ms" before "m").
    static let units: [Unit] = [
        Unit(symbol: "d", nanoseconds: 86_400_000_000_000),
        Unit(symbol: "h", nanoseconds: 3_600_000_000_000),
        Unit(symbol: "m", nanoseconds: 60_000_000_000),
        Unit(symbol: "s", nanoseconds: 1_000_000_000),
        Unit(symbol: "ms", nanoseconds: 1_000_000),
        Unit(symbol: "us", nanoseconds: 1_000),
        Unit(symbol: "ns", nanoseconds: 1),
    ]
}

/// Why a duration could not be read.
public enum DurationParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not of the form `<number><unit>` (possibly repeated, as in `1m30s`).
    case malformed(String)
    /// A minus sign: durations in files are never negative.
    case negative(String)
    /// More than the time type holds (about 292 years).
    case overflow(String)
    /// More than ``SimDuration/longestStated``, the longest duration an input may state.
    case beyondLongest(String)

    public var description: String {
        let expected = "expected a duration such as 250ms, 30s, 1.5s, 15m, 2h or 365d (units: ns, us, ms, s, m, h, d)"
        switch self {
        case .malformed(let text): return "'\(text)' is not a duration: \(expected)"
        case .negative(let text): return "'\(text)' is negative: a duration must be zero or more"
        case .overflow(let text): return "'\(text)' is longer than the time type holds (about 292 years)"
        case .beyondLongest(let text):
            return "'\(text)' is longer than \(SimDuration.longestStated), the longest duration an input may state "
                + "(the longest simulated time; no run can use more)"
        }
    }
}

extension SimDuration {
    /// The longest duration a model, an experiment, a breaker parameter or a limit may state, and
    /// the longest a duration distribution yields (``DurationDistribution`` truncates its samples
    /// here): 3650 days (10 years).
    ///
    /// Why a bound: simulated time is an `Int64` of nanoseconds (about 292 years) and events are
    /// scheduled at `now + d`, where `d` may be a sum of a few stated or sampled durations. With
    /// the run itself limited to this length (`--max-simulated` cannot exceed it) and every
    /// term at most this long, such sums stay below 28 × 10 years, well inside the type: `SimTime +`
    /// cannot overflow, whatever a file says.
    public static let longestStated = SimDuration.days(3650)

    /// ``init(parsing:)`` for a duration an input states: also refuses one longer than
    /// ``longestStated``.
    public init(parsingStated text: String) throws(DurationParseError) {
        try self.init(parsing: text)
        if self > SimDuration.longestStated { throw .beyondLongest(text) }
    }

    /// Reads a duration as people write it: one or more `<number><unit>` parts (`250ms`, `1.5s`,
    /// `1m30s`, `365d`), units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, `d`. Decimals are exact
    /// down to the nanosecond (digits beyond it are rounded half to even). A bare `0` is zero.
    public init(parsing text: String) throws(DurationParseError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed == "0" { self = .zero; return }
        if trimmed.hasPrefix("-") { throw .negative(text) }
        var scalars = Substring(trimmed).unicodeScalars[...]
        if scalars.first == "+" { scalars = scalars.dropFirst() }
        guard !scalars.isEmpty else { throw .malformed(text) }
        var total: Int64 = 0
        while !scalars.isEmpty {
            var integerDigits: [UInt8] = []
            var fractionDigits: [UInt8] = []
            var seenPoint = false
            while let c = scalars.first, (c >= "0" && c <= "9") || c == "." {
                if c == "." {
                    if seenPoint { throw .malformed(text) }
                    seenPoint = true
                } else if seenPoint {
                    fractionDigits.append(UInt8(c.value - 48))
                } else {
                    integerDigits.append(UInt8(c.value - 48))
                }
                scalars = scalars.dropFirst()
            }
            guard !integerDigits.isEmpty || !fractionDigits.isEmpty else { throw .malformed(text) }
            var symbol = ""
            while let c = scalars.first, c.properties.isAlphabetic || c == "µ" {
                symbol.unicodeScalars.append(c)
                scalars = scalars.dropFirst()
            }
            if symbol == "µs" { symbol = "us" }
            guard let unit = SimDuration.units.first(where: { $0.symbol == symbol }) else {
                throw .malformed(text)
            }
            let part = try SimDuration.exactNanoseconds(
                integer: integerDigits, fraction: fractionDigits, unit: unit.nanoseconds, text: text)
            let (sum, overflow) = total.addingReportingOverflow(part)
            if overflow { throw .overflow(text) }
            total = sum
        }
        self.nanoseconds = total
    }

    private static func exactNanoseconds(
        integer: [UInt8], fraction: [UInt8], unit: Int64, text: String
    ) throws(DurationParseError) -> Int64 {
        var whole: Int64 = 0
        for digit in integer {
            let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(digit))
            if o1 || o2 { throw .overflow(text) }
            whole = next
        }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: unit)
        if overflow { throw .overflow(text) }
        // The fraction times the unit, exactly, with half-to-even rounding at the nanosecond.
        var numerator: Int64 = 0
        var denominator: Int64 = 1
        for digit in fraction.prefix(18) {
            numerator = numerator * 10 + Int64(digit)
            denominator *= 10
        }
        let product = numerator.multipliedFullWidth(by: unit)
        let (quotient, remainder) = denominator.dividingFullWidth(product)
        var fractional = quotient
        let twice = remainder * 2
        if twice > denominator || (twice == denominator && fractional % 2 == 1) { fractional += 1 }
        let (sum, o3) = scaled.addingReportingOverflow(fractional)
        if o3 { throw .overflow(text) }
        return sum
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let c = scalars.first, c.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let c = scalars.last, c.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

extension SimDuration: Codable {
    /// Decodes from a string such as `30s` (or a bare `0`); a malformed or negative value, or one
    /// longer than ``longestStated``, is a `DecodingError.dataCorrupted` whose debug description
    /// says what was expected.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self), integer == 0 {
            self = .zero
            return
        }
        let text = try container.decode(String.self)
        do {
            self = try SimDuration(parsingStated: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the canonical spelling (see ``description``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
