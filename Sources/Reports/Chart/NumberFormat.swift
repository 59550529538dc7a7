/// Number formatting for reports.
///
/// Reports must be byte-identical for the same runs on any machine, so numbers are never printed
/// through a locale or with a "shortest representation that round-trips" rule whose choice of
/// digits a reader cannot predict: every number is rounded half away from zero to a stated
/// number of decimals.
public enum NumberFormat {
    private static let powersOfTen: [Double] = (0...12).map { exponent in
        (0..<exponent).reduce(1.0) { product, _ in product * 10 }
    }

    /// `value` rounded to exactly `decimals` decimals (0…12), e.g. `fixed(2.5, decimals: 2)` is
    /// `2.50`. A result that rounds to zero is written without a minus sign, so `-0.001` at two
    /// decimals is `0.00`, not `-0.00`.
    ///
    /// - Precondition: `value` is finite.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        precondition(value.isFinite, "only finite numbers are formatted, got \(value)")
        precondition((0...12).contains(decimals), "decimals must be within 0…12, got \(decimals)")
        let factor = powersOfTen[decimals]
        let scaled = (abs(value) * factor).rounded(.toNearestOrAwayFromZero)
        // Beyond 2^53 an Int64 no longer holds every integer exactly; such numbers never appear
        // in a report's coordinates, but a count could: print it without decimals.
        guard scaled < 9.0e15 else {
            let whole = abs(value).rounded(.toNearestOrAwayFromZero)
            return (value < 0 ? "-" : "") + String(format: "%.0f", whole)
        }
        let integer = Int64(scaled)
        let sign = value < 0 && integer != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(integer) }
        let divisor = Int64(factor)
        let whole = integer / divisor
        let fraction = String(integer % divisor)
        let padding = String(repeating: "0", count: decimals - fraction.count)
        return sign + String(whole) + "." + padding + fraction
    }

    /// `value` rounded to at most `decimals` decimals, with trailing zeros (and a trailing point)
    /// removed: `trimmed(12.50, decimals: 2)` is `12.5`, `trimmed(3.0, decimals: 2)` is `3`.
    /// Used for SVG coordinates, where the shorter text keeps files small.
    public static func trimmed(_ value: Double, decimals: Int) -> String {
        var text = fixed(value, decimals: decimals)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A count with thin grouping (`1 234 567`), which reads the same in every language.
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append("\u{2009}") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Seconds as a duration with one decimal and its unit: `34.0 s`.
    public static func seconds(_ value: Double) -> String {
        fixed(value, decimals: 1) + " s"
    }

    /// A fraction as a percentage with `decimals` decimals: `percent(0.99912, decimals: 3)` is
    /// `99.912 %`.
    public static func percent(_ value: Double, decimals: Int = 3) -> String {
        fixed(value * 100, decimals: decimals) + " %"
    }

    /// An instant in seconds since the start of the run as `m:ss` (or `h:mm:ss` from an hour
    /// on), rounded to the second: `clock(125)` is `2:05`.
    public static func clock(_ seconds: Double) -> String {
        precondition(seconds.isFinite, "only finite instants are formatted")
        let total = Int64(abs(seconds).rounded(.toNearestOrAwayFromZero))
        let sign = seconds < 0 && total != 0 ? "-" : ""
        let hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if hours > 0 { return "\(sign)\(hours):\(two(minutes)):\(two(secs))" }
        return "\(sign)\(minutes):\(two(secs))"
    }

    /// The raw value for a CSV cell: Swift's shortest round-tripping decimal, which is the same on
    /// every platform and loses nothing, so the files behind the charts keep full precision.
    public static func data(_ value: Double) -> String {
        precondition(value.isFinite, "only finite numbers are written to CSV")
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
