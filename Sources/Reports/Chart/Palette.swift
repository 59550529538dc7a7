/// A point marker's shape.
public enum Marker: String, Sendable, CaseIterable {
    case circle, square, triangle, diamond, triangleDown, triangleRight, cross, plus, none
}

/// How one series is drawn: colour, dash pattern, marker.
///
/// Colour alone does not survive a greyscale printer or a colour-blind reader, so every series
/// of a chart differs in at least two of the three.
public struct SeriesStyle: Equatable, Sendable {
    /// An SVG colour (`#0072B2`).
    public var color: String
    /// An SVG `stroke-dasharray` (`6 3`); `nil` for a solid line.
    public var dash: String?
    public var marker: Marker
    public var lineWidth: Double

    public init(color: String, dash: String? = nil, marker: Marker = .circle, lineWidth: Double = 1.75) {
        self.color = color
        self.dash = dash
        self.marker = marker
        self.lineWidth = lineWidth
    }
}

/// The colours of the reports: the Okabe–Ito palette (M. Okabe and K. Ito, "Color Universal
/// Design", 2008), chosen to stay distinguishable with the common forms of colour blindness,
/// with dash patterns and markers paired to each colour so that charts also survive greyscale.
public enum Palette {
    public static let black = "#000000"
    public static let orange = "#E69F00"
    public static let skyBlue = "#56B4E9"
    public static let bluishGreen = "#009E73"
    public static let yellow = "#F0E442"
    public static let blue = "#0072B2"
    public static let vermillion = "#D55E00"
    public static let reddishPurple = "#CC79A7"

    /// Text, axes and the neutral greys of shading.
    public static let ink = "#222222"
    public static let grid = "#D9D9D9"
    public static let shade = "#7F7F7F"

    /// The series styles in order. Yellow is left out: on white paper it has too little contrast
    /// for a line. After seven series the colours repeat with the next dash and marker, so no
    /// two of the first 49 series look the same.
    public static let colors = [blue, vermillion, bluishGreen, orange, reddishPurple, skyBlue, black]
    public static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 2 1 2"]
    public static let markers: [Marker] = [.circle, .square, .triangle, .diamond, .triangleDown, .cross, .plus]

    /// The style of the `index`-th series of a chart.
    public static func series(_ index: Int) -> SeriesStyle {
        precondition(index >= 0, "series indices start at 0")
        let color = colors[index % colors.count]
        let cycle = index / colors.count
        return SeriesStyle(color: color, dash: dashes[(index + cycle) % dashes.count],
                           marker: markers[(index + cycle) % markers.count])
    }

    /// Fills of discrete states in timeline bands. Distinct in lightness as well as hue, so that
    /// OPEN and HALF_OPEN stay apart in greyscale; labels name the state where there is room.
    public enum StateFill {
        /// A breaker OPEN, a health check failing, a critical alert.
        public static let bad = vermillion
        /// A breaker HALF_OPEN, a warning alert.
        public static let caution = orange
        /// An action in force (traffic on the failover region, reads on the replica).
        public static let action = blue
        /// A fault window.
        public static let fault = shade
    }
}
