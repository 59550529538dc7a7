/// Builds SVG (and HTML) markup as text.
///
/// Attributes are written in the order given and numbers through ``NumberFormat``, so the same
/// chart always gives the same bytes.
struct MarkupWriter {
    private(set) var text = ""

    init(capacity: Int = 4096) {
        text.reserveCapacity(capacity)
    }

    /// An opening tag; `selfClosing` writes `<tag … />`.
    mutating func open(_ tag: String, _ attributes: [(String, String)] = [], selfClosing: Bool = false) {
        text += "<" + tag
        for (name, value) in attributes {
            text += " " + name + "=\"" + MarkupWriter.escape(value) + "\""
        }
        text += selfClosing ? "/>" : ">"
    }

    mutating func close(_ tag: String) {
        text += "</" + tag + ">"
    }

    /// `<tag …>escaped text</tag>`.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], text content: String) {
        open(tag, attributes)
        text += MarkupWriter.escape(content)
        close(tag)
    }

    /// A self-closing element.
    mutating func empty(_ tag: String, _ attributes: [(String, String)]) {
        open(tag, attributes, selfClosing: true)
    }

    /// Markup written as is (already escaped or produced by another writer).
    mutating func raw(_ markup: String) {
        text += markup
    }

    mutating func newline() {
        text += "\n"
    }

    /// Escapes the five characters with a meaning in XML and HTML.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return value
        }
        var out = ""
        out.reserveCapacity(value.utf8.count + 16)
        for character in value {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// A pixel coordinate as SVG text: two decimals at most, trailing zeros dropped.
@inline(__always)
func coordinate(_ value: Double) -> String {
    NumberFormat.trimmed(value, decimals: 2)
}

/// SVG path data.
public enum SVGPath {
    /// A polyline through pixel positions: `M0,100L100,50L200,0`. A `nil` position breaks the
    /// line (the next position starts a new `M`), so a gap in the data is a gap on the page.
    public static func polyline(_ points: [(x: Double, y: Double)?]) -> String {
        var out = ""
        var penDown = false
        for point in points {
            guard let point else {
                penDown = false
                continue
            }
            out += (penDown ? "L" : "M") + coordinate(point.x) + "," + coordinate(point.y)
            penDown = true
        }
        return out
    }

    /// A closed area between a polyline and a horizontal baseline at pixel `baseline`:
    /// down to the baseline at the first x, along the line, back down at the last x.
    public static func area(_ points: [(x: Double, y: Double)], baseline: Double) -> String {
        guard let first = points.first, let last = points.last else { return "" }
        var out = "M" + coordinate(first.x) + "," + coordinate(baseline)
        for point in points {
            out += "L" + coordinate(point.x) + "," + coordinate(point.y)
        }
        out += "L" + coordinate(last.x) + "," + coordinate(baseline) + "Z"
        return out
    }

    /// The outline of `marker` centred on (`x`, `y`) with half-size `r`.
    public static func marker(_ marker: Marker, x: Double, y: Double, r: Double) -> String {
        func p(_ dx: Double, _ dy: Double) -> String { coordinate(x + dx) + "," + coordinate(y + dy) }
        switch marker {
        case .circle:
            // Two arcs: SVG has no circle path command.
            return "M" + p(-r, 0) + "A" + coordinate(r) + "," + coordinate(r) + " 0 1,0 " + p(r, 0)
                + "A" + coordinate(r) + "," + coordinate(r) + " 0 1,0 " + p(-r, 0) + "Z"
        case .square:
            let s = r * 0.9
            return "M" + p(-s, -s) + "L" + p(s, -s) + "L" + p(s, s) + "L" + p(-s, s) + "Z"
        case .triangle:
            return "M" + p(0, -r * 1.15) + "L" + p(r, r * 0.75) + "L" + p(-r, r * 0.75) + "Z"
        case .triangleDown:
            return "M" + p(0, r * 1.15) + "L" + p(r, -r * 0.75) + "L" + p(-r, -r * 0.75) + "Z"
        case .triangleRight:
            return "M" + p(r * 1.15, 0) + "L" + p(-r * 0.75, r) + "L" + p(-r * 0.75, -r) + "Z"
        case .diamond:
            let s = r * 1.2
            return "M" + p(0, -s) + "L" + p(s, 0) + "L" + p(0, s) + "L" + p(-s, 0) + "Z"
        case .cross:
            return "M" + p(-r, -r) + "L" + p(r, r) + "M" + p(-r, r) + "L" + p(r, -r)
        case .plus:
            return "M" + p(-r, 0) + "L" + p(r, 0) + "M" + p(0, -r) + "L" + p(0, r)
        case .none:
            return ""
        }
    }

    /// Whether a marker is drawn as lines only (so it cannot be filled).
    static func isStrokeOnly(_ marker: Marker) -> Bool {
        marker == .cross || marker == .plus
    }
}
