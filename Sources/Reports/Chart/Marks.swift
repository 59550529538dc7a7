/// A position in data coordinates.
public struct DataPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// Which way a rule or an interval runs.
public enum Orientation: Sendable, Equatable {
    /// Along the x axis (an interval of x values at one y).
    case horizontal
    /// Along the y axis.
    case vertical
}

/// A line through data points; `nil` points are gaps.
public struct LineMark: Equatable, Sendable {
    public var points: [DataPoint?]
    public var style: SeriesStyle
    /// Draw the style's marker at every point (for sparse series such as a Pareto frontier).
    public var showsMarkers: Bool

    public init(points: [DataPoint?], style: SeriesStyle, showsMarkers: Bool = false) {
        self.points = points
        self.style = style
        self.showsMarkers = showsMarkers
    }
}

/// The region between a line and a horizontal baseline, e.g. a share from 0 to 1 in a lane.
public struct AreaMark: Equatable, Sendable {
    public var points: [DataPoint]
    public var baseline: Double
    public var fill: String
    public var opacity: Double

    public init(points: [DataPoint], baseline: Double, fill: String, opacity: Double = 0.35) {
        self.points = points
        self.baseline = baseline
        self.fill = fill
        self.opacity = opacity
    }
}

/// A shaded band across x0…x1: a fault window over the whole panel when `y0`/`y1` are `nil`, or a
/// state segment within a lane.
public struct BandMark: Equatable, Sendable {
    public var x0: Double
    public var x1: Double
    public var y0: Double?
    public var y1: Double?
    public var fill: String
    public var opacity: Double
    /// Drawn inside the band, at its left, when the band is wide enough for it.
    public var label: String?
    /// The browser's tooltip (an SVG `<title>`), e.g. the full state and its times.
    public var tooltip: String?
    /// An outline, so that a pale band is still visible when printed.
    public var outline: String?

    public init(x0: Double, x1: Double, y0: Double? = nil, y1: Double? = nil, fill: String, opacity: Double = 0.15,
                label: String? = nil, tooltip: String? = nil, outline: String? = nil) {
        self.x0 = x0
        self.x1 = x1
        self.y0 = y0
        self.y1 = y1
        self.fill = fill
        self.opacity = opacity
        self.label = label
        self.tooltip = tooltip
        self.outline = outline
    }
}

/// A bar from a baseline to a value, centred on a position of the other axis.
public struct BarMark: Equatable, Sendable {
    public var orientation: Orientation
    /// Where the bar stands on the other axis (a category position, or an x value).
    public var position: Double
    /// Thickness in data units of the other axis.
    public var thickness: Double
    public var baseline: Double
    public var value: Double
    public var fill: String
    public var opacity: Double
    public var tooltip: String?

    public init(orientation: Orientation, position: Double, thickness: Double, baseline: Double = 0, value: Double,
                fill: String, opacity: Double = 0.8, tooltip: String? = nil) {
        self.orientation = orientation
        self.position = position
        self.thickness = thickness
        self.baseline = baseline
        self.value = value
        self.fill = fill
        self.opacity = opacity
        self.tooltip = tooltip
    }
}

/// A straight line across the panel at one value (a target, an instant), or part of it.
public struct RuleMark: Equatable, Sendable {
    /// `.vertical`: a line at x = `value`; `.horizontal`: at y = `value`.
    public var orientation: Orientation
    public var value: Double
    /// The extent along the other axis, in its data units; `nil`: the whole panel.
    public var from: Double?
    public var to: Double?
    public var color: String
    public var dash: String?
    public var width: Double
    /// A short label drawn beside the line's top (vertical) or right end (horizontal).
    public var label: String?

    public init(orientation: Orientation, value: Double, from: Double? = nil, to: Double? = nil, color: String = Palette.ink,
                dash: String? = "4 3", width: Double = 1.25, label: String? = nil) {
        self.orientation = orientation
        self.value = value
        self.from = from
        self.to = to
        self.color = color
        self.dash = dash
        self.width = width
        self.label = label
    }
}

/// An interval with caps: a confidence interval.
public struct ErrorBarMark: Equatable, Sendable {
    /// `.horizontal`: from x = `low` to `high` at y = `position`; `.vertical`: the other way.
    public var orientation: Orientation
    public var position: Double
    public var low: Double
    public var high: Double
    public var color: String
    /// Cap half-length in pixels.
    public var cap: Double
    public var width: Double

    public init(orientation: Orientation, position: Double, low: Double, high: Double, color: String,
                cap: Double = 4, width: Double = 1.5) {
        self.orientation = orientation
        self.position = position
        self.low = low
        self.high = high
        self.color = color
        self.cap = cap
        self.width = width
    }
}

/// One marker at a data point.
public struct PointMark: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var marker: Marker
    public var color: String
    /// Hollow markers say "not a plain number here" (a lower bound, a non-significant result).
    public var filled: Bool
    /// Half-size in pixels.
    public var size: Double
    public var tooltip: String?

    public init(x: Double, y: Double, marker: Marker, color: String, filled: Bool = true, size: Double = 4,
                tooltip: String? = nil) {
        self.x = x
        self.y = y
        self.marker = marker
        self.color = color
        self.filled = filled
        self.size = size
        self.tooltip = tooltip
    }
}

/// Text at a data point, offset in pixels.
public struct TextMark: Equatable, Sendable {
    public enum Anchor: String, Sendable {
        case start, middle, end
    }

    public var x: Double
    public var y: Double
    public var text: String
    public var anchor: Anchor
    public var dx: Double
    public var dy: Double
    public var size: Double
    public var color: String
    /// Move the label down the panel, in steps, until it overlaps no label placed before it in
    /// the panel (and drop it when there is no room): for point labels that may crowd.
    public var avoidsOverlap: Bool

    public init(x: Double, y: Double, text: String, anchor: Anchor = .start, dx: Double = 0, dy: Double = 0,
                size: Double = 10, color: String = Palette.ink, avoidsOverlap: Bool = false) {
        self.avoidsOverlap = avoidsOverlap
        self.x = x
        self.y = y
        self.text = text
        self.anchor = anchor
        self.dx = dx
        self.dy = dy
        self.size = size
        self.color = color
    }
}

/// Anything a panel draws, in the order given (later marks on top).
public enum Mark: Equatable, Sendable {
    case line(LineMark)
    case area(AreaMark)
    case band(BandMark)
    case bar(BarMark)
    case rule(RuleMark)
    case errorBar(ErrorBarMark)
    case point(PointMark)
    case text(TextMark)
}

/// An entry of a figure's legend.
public struct LegendEntry: Equatable, Sendable {
    public enum Symbol: Equatable, Sendable {
        /// A short stroke in the series' colour and dash, with its marker.
        case line(SeriesStyle)
        /// A filled square, for bands and areas.
        case swatch(fill: String, opacity: Double)
        /// A marker alone, filled or hollow.
        case marker(Marker, color: String, filled: Bool)
        /// A dashed rule, for targets.
        case rule(color: String, dash: String?)
    }

    public var label: String
    public var symbol: Symbol

    public init(_ label: String, _ symbol: Symbol) {
        self.label = label
        self.symbol = symbol
    }
}
