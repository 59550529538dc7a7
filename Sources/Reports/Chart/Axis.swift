/// How an axis writes its tick labels.
public enum TickLabels: Equatable, Sendable {
    /// Plain numbers with this many decimals.
    case number(decimals: Int)
    /// Fractions written as percentages (0.2 → `20`) with this many decimals; the unit says `%`.
    case percent(decimals: Int)
    /// Seconds since the start of the run as `m:ss`.
    case clock
    /// One label per integer position 0, 1, 2 …: the names of lanes or variants.
    case categories([String])
}

/// One axis: its title and unit, its domain and where its ticks go.
///
/// Numeric axes built by ``linear(title:unit:lower:upper:tickCount:includeZero:)`` widen their
/// domain to the first and last nice tick so that the data never touches the frame; clock axes
/// keep the run's exact span; category axes put category `i` at position `i`, first at the top.
public struct Axis: Equatable, Sendable {
    public var title: String
    /// The unit shown after the title (`s`, `ms`, `%`, `req/s`); `nil` for counts and categories.
    public var unit: String?
    public var domain: ClosedRange<Double>
    public var ticks: [Double]
    public var labels: TickLabels

    public init(title: String, unit: String? = nil, domain: ClosedRange<Double>, ticks: [Double], labels: TickLabels) {
        self.title = title
        self.unit = unit
        self.domain = domain
        self.ticks = ticks
        self.labels = labels
    }

    /// The title with its unit: `Error rate (%)`.
    public var label: String {
        guard let unit, !unit.isEmpty else { return title }
        return "\(title) (\(unit))"
    }

    /// Whether positions are categories (drawn top to bottom).
    public var isCategorical: Bool {
        if case .categories = labels { return true }
        return false
    }

    /// A numeric axis covering `lower … upper` (0 included unless `includeZero` is false), with
    /// nice ticks.
    public static func linear(title: String, unit: String? = nil, lower: Double, upper: Double,
                              tickCount: Int = 5, includeZero: Bool = true) -> Axis {
        let low = includeZero ? min(0, lower) : lower
        let high = includeZero ? max(0, upper) : upper
        let ticks = Ticks.nice(lower: low, upper: high, count: tickCount)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return Axis(title: title, unit: unit, domain: ticks.first! ... ticks.last!, ticks: ticks,
                    labels: .number(decimals: Ticks.decimals(forStep: step)))
    }

    /// A fraction axis labelled in percent. `upper` is the largest fraction to show; the axis
    /// never goes beyond 100 %.
    public static func percent(title: String, lower: Double = 0, upper: Double, tickCount: Int = 5) -> Axis {
        let high = min(1, max(upper, lower + 1e-6))
        let ticks = Ticks.nice(lower: lower, upper: high, count: tickCount).filter { $0 <= 1 + 1e-12 }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return Axis(title: title, unit: "%", domain: ticks.first! ... max(ticks.last!, high), ticks: ticks,
                    labels: .percent(decimals: Ticks.decimals(forStep: step * 100)))
    }

    /// A time axis over `lower … upper` seconds since the start, ticked at clock steps.
    public static func clock(title: String = "Time since the start of measurement", lower: Double, upper: Double,
                             tickCount: Int = 8) -> Axis {
        let high = upper > lower ? upper : lower + 60
        let ticks = ClockTicks.ticks(lower: lower, upper: high, count: tickCount).filter { $0 >= lower - 1e-9 && $0 <= high + 1e-9 }
        return Axis(title: title, unit: "m:ss", domain: lower ... high, ticks: ticks, labels: .clock)
    }

    /// Named categories at positions 0 … n − 1, the first at the top.
    public static func categories(title: String, _ names: [String]) -> Axis {
        precondition(!names.isEmpty, "a category axis needs at least one category")
        return Axis(title: title, unit: nil, domain: -0.5 ... Double(names.count) - 0.5,
                    ticks: names.indices.map(Double.init), labels: .categories(names))
    }

    /// The label of the tick at `value`.
    public func tickLabel(_ value: Double) -> String {
        switch labels {
        case .number(let decimals):
            return NumberFormat.fixed(value, decimals: decimals)
        case .percent(let decimals):
            return NumberFormat.fixed(value * 100, decimals: decimals)
        case .clock:
            return NumberFormat.clock(value)
        case .categories(let names):
            let index = Int(value.rounded())
            return names.indices.contains(index) ? names[index] : ""
        }
    }
}
