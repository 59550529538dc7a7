import Foundation

/// A linear map from data values (the domain) to pixel positions (the range).
///
/// The range may run backwards (`rangeStart > rangeEnd`), which is how a y axis puts larger
/// values higher up the page. A domain of zero width maps everything to the middle of the range
/// rather than dividing by zero.
public struct LinearScale: Equatable, Sendable {
    public var domainLower: Double
    public var domainUpper: Double
    public var rangeStart: Double
    public var rangeEnd: Double

    /// A scale from `domain` onto `rangeStart … rangeEnd`.
    public init(domain: ClosedRange<Double>, rangeStart: Double, rangeEnd: Double) {
        precondition(domain.lowerBound.isFinite && domain.upperBound.isFinite, "a scale's domain is finite")
        domainLower = domain.lowerBound
        domainUpper = domain.upperBound
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
    }

    /// The pixel position of `value`; values outside the domain map outside the range (callers
    /// clip when they must).
    public func position(of value: Double) -> Double {
        let span = domainUpper - domainLower
        guard span > 0 else { return (rangeStart + rangeEnd) / 2 }
        return rangeStart + (value - domainLower) / span * (rangeEnd - rangeStart)
    }

    /// ``position(of:)`` for a value kept within the domain, so that a mark never leaves its panel.
    public func clampedPosition(of value: Double) -> Double {
        position(of: min(max(value, domainLower), domainUpper))
    }
}

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten.
///
/// A reader can interpolate between 0, 20, 40 at a glance but not between 0, 19.4, 38.8; the
/// step is the smallest of 1, 2, 5 × 10ⁿ that needs at most `count` intervals, and the ticks
/// run from the largest multiple of the step at or below the lower end to the smallest at or
/// above the upper end, so the axis always covers the data.
public enum Ticks {
    /// The step for `span` split into at most `count` intervals (`span` > 0, `count` ≥ 1).
    public static func step(span: Double, count: Int) -> Double {
        precondition(span > 0 && span.isFinite, "a tick span is positive and finite, got \(span)")
        precondition(count >= 1, "at least one tick interval")
        let raw = span / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        // A small tolerance so that a span of exactly 5 steps of 2 does not become steps of 5
        // because 97/5 = 19.400000000000002.
        let tolerance = 1e-9
        let multiple: Double = residual <= 1 + tolerance ? 1 : residual <= 2 + tolerance ? 2 : residual <= 5 + tolerance ? 5 : 10
        return multiple * magnitude
    }

    /// The ticks covering `lower … upper` (see the type's description). A degenerate interval is
    /// widened first: `[0, 0]` to `[0, 1]`, `[v, v]` to include 0.
    ///
    /// For example `nice(lower: 0, upper: 97, count: 5)` is `[0, 20, 40, 60, 80, 100]`.
    public static func nice(lower: Double, upper: Double, count: Int = 5) -> [Double] {
        precondition(lower.isFinite && upper.isFinite, "tick bounds are finite")
        var low = min(lower, upper), high = max(lower, upper)
        if high == low {
            if low == 0 { high = 1 } else if low > 0 { low = 0 } else { high = 0 }
        }
        let step = self.step(span: high - low, count: count)
        let first = (low / step + 1e-9).rounded(.down)
        let last = (high / step - 1e-9).rounded(.up)
        // Multiples of the step, not a running sum, so that 0.1 + 0.1 + 0.1 never shows as 0.30000000000000004.
        return stride(from: first, through: last, by: 1).map { index in
            let value = index * step
            return abs(value) < step * 1e-9 ? 0 : decimalRounded(value, step: step)
        }
    }

    /// Decimals needed to print ticks spaced `step` apart without losing a digit.
    public static func decimals(forStep step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        let exponent = log10(step).rounded(.down)
        let mantissa = step / pow(10, exponent)
        var decimals = max(0, Int(-exponent))
        if abs(mantissa - mantissa.rounded()) > 1e-6 { decimals += 1 }
        return min(decimals, 12)
    }

    static func decimalRounded(_ value: Double, step: Double) -> Double {
        let decimals = Self.decimals(forStep: step)
        let factor = pow(10, Double(decimals))
        return (value * factor).rounded() / factor
    }
}

/// Ticks for an axis of seconds since the start of a run, at steps a clock reader expects
/// (10 s, 30 s, 1 min, 5 min, 15 min, 1 h …) and labelled `m:ss`.
public enum ClockTicks {
    /// Candidate steps in seconds, smallest first.
    public static let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

    /// The smallest candidate step that splits `span` into at most `count` intervals.
    public static func step(span: Double, count: Int) -> Double {
        precondition(span > 0 && span.isFinite && count >= 1, "a positive span and at least one interval")
        return steps.first { span / $0 <= Double(count) } ?? Ticks.step(span: span, count: count)
    }

    /// Ticks covering `lower … upper` at ``step(span:count:)``.
    public static func ticks(lower: Double, upper: Double, count: Int = 8) -> [Double] {
        let low = min(lower, upper), high = max(lower, upper) == low ? low + 60 : max(lower, upper)
        let step = self.step(span: high - low, count: count)
        let first = (low / step + 1e-9).rounded(.down)
        let last = (high / step - 1e-9).rounded(.up)
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }
}
