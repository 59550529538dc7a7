/// One plot area of a figure: its y axis and its marks. Panels of a figure share the x axis.
public struct Panel: Equatable, Sendable {
    /// Shown above the panel; by default the y axis's title and unit.
    public var title: String
    /// Height of the plot area in pixels.
    public var height: Double
    public var yAxis: Axis
    public var marks: [Mark]

    public init(title: String? = nil, height: Double, yAxis: Axis, marks: [Mark]) {
        self.title = title ?? yAxis.label
        self.height = height
        self.yAxis = yAxis
        self.marks = marks
    }
}

/// A chart: one or more panels stacked over a shared x axis, with a title and a legend, drawn as
/// a standalone SVG document.
///
/// The layout is computed from the content (longest category name, legend length) with fixed
/// character-width estimates rather than measured text, so that it does not depend on the fonts
/// of the machine that writes the report.
public struct Figure: Equatable, Sendable {
    /// A file-name stem, also the prefix of every `id` inside the SVG so that several figures can
    /// be inlined into one HTML page without clashing.
    public var name: String
    public var title: String
    /// What the figure shows, for screen readers (the SVG's `<desc>`).
    public var summary: String
    public var width: Double
    public var xAxis: Axis
    public var panels: [Panel]
    public var legend: [LegendEntry]

    public init(name: String, title: String, summary: String, width: Double = 760, xAxis: Axis, panels: [Panel],
                legend: [LegendEntry] = []) {
        precondition(!panels.isEmpty, "a figure has at least one panel")
        precondition(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") },
                     "a figure's name is a file-name stem of ASCII letters, digits, - and _")
        self.name = name
        self.title = title
        self.summary = summary
        self.width = width
        self.xAxis = xAxis
        self.panels = panels
        self.legend = legend
    }

    // MARK: Layout constants

    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let characterWidth = 6.3
    static let titleHeight = 28.0
    static let legendRowHeight = 18.0
    static let panelTitleHeight = 20.0
    static let panelGap = 14.0
    static let axisHeight = 44.0
    static let marginRight = 22.0

    /// Estimated width of `text` at the 11 px label size.
    static func textWidth(_ text: String, size: Double = 11) -> Double {
        Double(text.count) * characterWidth * size / 11
    }

    /// Category names longer than this are shortened on the axis (the full name stays in the tooltip).
    static let longestCategoryLabel = 44

    var marginLeft: Double {
        var widest = 0.0
        for panel in panels {
            if case .categories(let names) = panel.yAxis.labels {
                for name in names { widest = max(widest, Self.textWidth(Self.shortened(name))) }
            } else {
                for tick in panel.yAxis.ticks { widest = max(widest, Self.textWidth(panel.yAxis.tickLabel(tick))) }
            }
        }
        return max(48, min(300, widest + 18))
    }

    static func shortened(_ name: String) -> String {
        name.count <= longestCategoryLabel ? name : String(name.prefix(longestCategoryLabel - 1)) + "…"
    }

    /// Legend entries laid out in rows: (row, x offset from the plot's left) for each.
    func legendLayout(plotLeft: Double) -> [(row: Int, x: Double)] {
        var placed: [(row: Int, x: Double)] = []
        var row = 0
        var x = 0.0
        let available = width - Self.marginRight - 8
        for entry in legend {
            let entryWidth = 30 + Self.textWidth(entry.label) + 18
            if x > 0 && 8 + x + entryWidth > available {
                row += 1
                x = 0
            }
            placed.append((row, x))
            x += entryWidth
        }
        return placed
    }

    /// The figure's height in pixels.
    public var height: Double {
        let layout = legendLayout(plotLeft: marginLeft)
        let legendRows = layout.isEmpty ? 0 : (layout.last!.row + 1)
        var total = Self.titleHeight + Double(legendRows) * Self.legendRowHeight + 4
        for panel in panels { total += Self.panelTitleHeight + panel.height + Self.panelGap }
        return total - Self.panelGap + Self.axisHeight
    }

    // MARK: Rendering

    /// The figure as a standalone SVG document (no XML declaration, so that it can also be
    /// inlined into HTML as is).
    public func svg() -> String {
        let left = marginLeft
        let right = width - Self.marginRight
        let totalHeight = height
        var w = MarkupWriter(capacity: 16_384)
        w.open("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(coordinate(width)) \(coordinate(totalHeight))"),
            ("width", coordinate(width)), ("height", coordinate(totalHeight)), ("role", "img"),
            ("aria-labelledby", "\(name)-title \(name)-desc"), ("font-family", Self.fontFamily), ("font-size", "11"),
        ])
        w.newline()
        w.element("title", [("id", "\(name)-title")], text: title)
        w.element("desc", [("id", "\(name)-desc")], text: summary)
        w.newline()
        w.empty("rect", [("x", "0"), ("y", "0"), ("width", coordinate(width)), ("height", coordinate(totalHeight)), ("fill", "#FFFFFF")])
        w.element("text", [("x", "8"), ("y", "18"), ("font-size", "14"), ("font-weight", "bold"), ("fill", Palette.ink)], text: title)
        w.newline()

        var y = Self.titleHeight
        let layout = legendLayout(plotLeft: left)
        if !legend.isEmpty {
            w.open("g", [("class", "legend")])
            for (entry, place) in zip(legend, layout) {
                drawLegendEntry(&w, entry, x: 8 + place.x, y: y + Double(place.row) * Self.legendRowHeight + 9)
            }
            w.close("g")
            w.newline()
            y += Double(layout.last!.row + 1) * Self.legendRowHeight
        }
        y += 4

        let xScale = LinearScale(domain: xAxis.domain, rangeStart: left, rangeEnd: right)
        for (index, panel) in panels.enumerated() {
            w.element("text", [("x", "8"), ("y", coordinate(y + 13)), ("font-weight", "bold"), ("fill", Palette.ink)], text: panel.title)
            y += Self.panelTitleHeight
            let top = y, bottom = y + panel.height
            let yScale = panel.yAxis.isCategorical
                ? LinearScale(domain: panel.yAxis.domain, rangeStart: top, rangeEnd: bottom)
                : LinearScale(domain: panel.yAxis.domain, rangeStart: bottom, rangeEnd: top)
            w.open("g", [("class", "panel"), ("id", "\(name)-panel-\(index)")])
            drawGrid(&w, panel: panel, xScale: xScale, yScale: yScale, left: left, right: right, top: top, bottom: bottom,
                     isLast: index == panels.count - 1)
            let frame = Frame(left: left, right: right, top: top, bottom: bottom)
            var labels: [Box] = []
            for mark in panel.marks {
                if case .text(var text) = mark, text.avoidsOverlap {
                    guard let placed = place(text, x: xScale, y: yScale, frame: frame, avoiding: &labels) else { continue }
                    text.dy = placed
                    draw(&w, .text(text), x: xScale, y: yScale, frame: frame)
                } else {
                    draw(&w, mark, x: xScale, y: yScale, frame: frame)
                }
            }
            w.empty("rect", [("x", coordinate(left)), ("y", coordinate(top)), ("width", coordinate(right - left)),
                             ("height", coordinate(panel.height)), ("fill", "none"), ("stroke", Palette.ink), ("stroke-width", "1")])
            w.close("g")
            w.newline()
            y = bottom + Self.panelGap
        }
        y -= Self.panelGap
        w.element("text", [("x", coordinate((left + right) / 2)), ("y", coordinate(y + 36)), ("text-anchor", "middle"),
                           ("fill", Palette.ink)], text: xAxis.label)
        w.newline()
        w.close("svg")
        w.newline()
        return w.text
    }

    struct Frame {
        var left: Double, right: Double, top: Double, bottom: Double
    }

    /// A label's estimated extent in pixels.
    struct Box {
        var left: Double, right: Double, top: Double, bottom: Double

        func overlaps(_ other: Box) -> Bool {
            left < other.right && other.left < right && top < other.bottom && other.top < bottom
        }
    }

    /// The vertical offset at which `text` overlaps no box in `placed` (then added to it), trying
    /// the given offset first and then steps below and above it; `nil` when every step collides
    /// or leaves the panel.
    private func place(_ text: TextMark, x: LinearScale, y: LinearScale, frame: Frame, avoiding placed: inout [Box]) -> Double? {
        let width = Self.textWidth(text.text, size: text.size)
        let anchorX = x.clampedPosition(of: text.x) + text.dx
        let left: Double
        switch text.anchor {
        case .start: left = anchorX
        case .middle: left = anchorX - width / 2
        case .end: left = anchorX - width
        }
        let baseline = y.clampedPosition(of: text.y)
        let step = text.size + 3
        for attempt in 0..<9 {
            let shift = Double((attempt + 1) / 2) * step * (attempt % 2 == 1 ? 1 : -1)
            let dy = text.dy + shift
            let box = Box(left: left, right: left + width, top: baseline + dy - text.size, bottom: baseline + dy + 2)
            guard box.top >= frame.top, box.bottom <= frame.bottom + 2 else { continue }
            if !placed.contains(where: { $0.overlaps(box) }) {
                placed.append(box)
                return dy
            }
        }
        return nil
    }

    private func drawGrid(_ w: inout MarkupWriter, panel: Panel, xScale: LinearScale, yScale: LinearScale,
                          left: Double, right: Double, top: Double, bottom: Double, isLast: Bool) {
        w.open("g", [("class", "grid"), ("stroke", Palette.grid), ("stroke-width", "1")])
        for tick in xAxis.ticks where !xAxis.isCategorical {
            let x = xScale.position(of: tick)
            w.empty("line", [("x1", coordinate(x)), ("y1", coordinate(top)), ("x2", coordinate(x)), ("y2", coordinate(bottom))])
        }
        if panel.yAxis.isCategorical {
            for tick in panel.yAxis.ticks.dropFirst() {
                let y = yScale.position(of: tick - 0.5)
                w.empty("line", [("x1", coordinate(left)), ("y1", coordinate(y)), ("x2", coordinate(right)), ("y2", coordinate(y))])
            }
        } else {
            for tick in panel.yAxis.ticks {
                let y = yScale.position(of: tick)
                w.empty("line", [("x1", coordinate(left)), ("y1", coordinate(y)), ("x2", coordinate(right)), ("y2", coordinate(y))])
            }
        }
        w.close("g")
        // Tick labels: y on every panel, x under the last one.
        w.open("g", [("class", "axis"), ("fill", Palette.ink)])
        for tick in panel.yAxis.ticks {
            let y = yScale.position(of: tick)
            let label = panel.yAxis.tickLabel(tick)
            if panel.yAxis.isCategorical {
                let shown = Self.shortened(label)
                w.open("text", [("x", coordinate(left - 6)), ("y", coordinate(y + 4)), ("text-anchor", "end")])
                if shown != label { w.element("title", text: label) }
                w.raw(MarkupWriter.escape(shown))
                w.close("text")
            } else {
                w.element("text", [("x", coordinate(left - 6)), ("y", coordinate(y + 4)), ("text-anchor", "end")], text: label)
            }
        }
        if isLast {
            for tick in xAxis.ticks {
                let x = xScale.position(of: tick)
                w.empty("line", [("x1", coordinate(x)), ("y1", coordinate(bottom)), ("x2", coordinate(x)), ("y2", coordinate(bottom + 4)),
                                 ("stroke", Palette.ink)])
                w.element("text", [("x", coordinate(x)), ("y", coordinate(bottom + 16)), ("text-anchor", "middle")],
                          text: xAxis.tickLabel(tick))
            }
        }
        w.close("g")
    }

    private func strokeAttributes(color: String, dash: String?, width: Double) -> [(String, String)] {
        var attributes = [("stroke", color), ("stroke-width", coordinate(width))]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        return attributes
    }

    private func draw(_ w: inout MarkupWriter, _ mark: Mark, x: LinearScale, y: LinearScale, frame: Frame) {
        switch mark {
        case .line(let line):
            let points: [(x: Double, y: Double)?] = line.points.map { point in
                point.map { (x.clampedPosition(of: $0.x), y.clampedPosition(of: $0.y)) }
            }
            let d = SVGPath.polyline(points)
            if !d.isEmpty {
                w.empty("path", [("d", d), ("fill", "none"), ("stroke-linejoin", "round")]
                        + strokeAttributes(color: line.style.color, dash: line.style.dash, width: line.style.lineWidth))
            }
            if line.showsMarkers {
                for point in points.compactMap({ $0 }) {
                    drawMarker(&w, line.style.marker, x: point.x, y: point.y, color: line.style.color, filled: true, size: 3.5)
                }
            }
        case .area(let area):
            let points = area.points.map { (x: x.clampedPosition(of: $0.x), y: y.clampedPosition(of: $0.y)) }
            let d = SVGPath.area(points, baseline: y.clampedPosition(of: area.baseline))
            if !d.isEmpty {
                w.empty("path", [("d", d), ("fill", area.fill), ("fill-opacity", coordinate(area.opacity)),
                                 ("stroke", area.fill), ("stroke-width", "1")])
            }
        case .band(let band):
            let x0 = x.clampedPosition(of: min(band.x0, band.x1)), x1 = x.clampedPosition(of: max(band.x0, band.x1))
            let yA = band.y0.map { y.clampedPosition(of: $0) } ?? frame.top
            let yB = band.y1.map { y.clampedPosition(of: $0) } ?? frame.bottom
            let top = min(yA, yB), height = abs(yB - yA)
            // A band narrower than a pixel would vanish; keep it visible as a hairline.
            let width = max(x1 - x0, 1)
            var attributes = [("x", coordinate(x0)), ("y", coordinate(top)), ("width", coordinate(width)),
                              ("height", coordinate(height)), ("fill", band.fill), ("fill-opacity", coordinate(band.opacity))]
            if let outline = band.outline { attributes += [("stroke", outline), ("stroke-width", "0.75")] }
            if let tooltip = band.tooltip {
                w.open("rect", attributes)
                w.element("title", text: tooltip)
                w.close("rect")
            } else {
                w.empty("rect", attributes)
            }
            if let label = band.label, Self.textWidth(label, size: 9.5) + 6 <= width {
                let baseline = band.y0 == nil ? top + 11 : top + height / 2 + 3.5
                w.element("text", [("x", coordinate(x0 + 3)), ("y", coordinate(baseline)), ("font-size", "9.5"), ("fill", Palette.ink)],
                          text: label)
            }
        case .bar(let bar):
            let attributes: [(String, String)]
            switch bar.orientation {
            case .vertical:
                let x0 = x.clampedPosition(of: bar.position - bar.thickness / 2), x1 = x.clampedPosition(of: bar.position + bar.thickness / 2)
                let y0 = y.clampedPosition(of: bar.baseline), y1 = y.clampedPosition(of: bar.value)
                attributes = [("x", coordinate(min(x0, x1))), ("y", coordinate(min(y0, y1))), ("width", coordinate(abs(x1 - x0))),
                              ("height", coordinate(abs(y1 - y0)))]
            case .horizontal:
                let y0 = y.clampedPosition(of: bar.position - bar.thickness / 2), y1 = y.clampedPosition(of: bar.position + bar.thickness / 2)
                let x0 = x.clampedPosition(of: bar.baseline), x1 = x.clampedPosition(of: bar.value)
                attributes = [("x", coordinate(min(x0, x1))), ("y", coordinate(min(y0, y1))), ("width", coordinate(abs(x1 - x0))),
                              ("height", coordinate(abs(y1 - y0)))]
            }
            let all = attributes + [("fill", bar.fill), ("fill-opacity", coordinate(bar.opacity))]
            if let tooltip = bar.tooltip {
                w.open("rect", all)
                w.element("title", text: tooltip)
                w.close("rect")
            } else {
                w.empty("rect", all)
            }
        case .rule(let rule):
            let x1, y1, x2, y2: Double
            switch rule.orientation {
            case .vertical:
                x1 = x.clampedPosition(of: rule.value)
                x2 = x1
                y1 = rule.from.map { y.clampedPosition(of: $0) } ?? frame.top
                y2 = rule.to.map { y.clampedPosition(of: $0) } ?? frame.bottom
            case .horizontal:
                y1 = y.clampedPosition(of: rule.value)
                y2 = y1
                x1 = rule.from.map { x.clampedPosition(of: $0) } ?? frame.left
                x2 = rule.to.map { x.clampedPosition(of: $0) } ?? frame.right
            }
            w.empty("line", [("x1", coordinate(x1)), ("y1", coordinate(y1)), ("x2", coordinate(x2)), ("y2", coordinate(y2))]
                    + strokeAttributes(color: rule.color, dash: rule.dash, width: rule.width))
            if let label = rule.label {
                switch rule.orientation {
                case .vertical:
                    w.element("text", [("x", coordinate(x1 + 3)), ("y", coordinate(min(y1, y2) + 10)), ("font-size", "9.5"),
                                       ("fill", rule.color)], text: label)
                case .horizontal:
                    w.element("text", [("x", coordinate(max(x1, x2) - 3)), ("y", coordinate(y1 - 3)), ("font-size", "9.5"),
                                       ("text-anchor", "end"), ("fill", rule.color)], text: label)
                }
            }
        case .errorBar(let bar):
            var d = ""
            switch bar.orientation {
            case .horizontal:
                let py = y.clampedPosition(of: bar.position)
                let lo = x.clampedPosition(of: bar.low), hi = x.clampedPosition(of: bar.high)
                d = "M" + coordinate(lo) + "," + coordinate(py) + "L" + coordinate(hi) + "," + coordinate(py)
                    + "M" + coordinate(lo) + "," + coordinate(py - bar.cap) + "L" + coordinate(lo) + "," + coordinate(py + bar.cap)
                    + "M" + coordinate(hi) + "," + coordinate(py - bar.cap) + "L" + coordinate(hi) + "," + coordinate(py + bar.cap)
            case .vertical:
                let px = x.clampedPosition(of: bar.position)
                let lo = y.clampedPosition(of: bar.low), hi = y.clampedPosition(of: bar.high)
                d = "M" + coordinate(px) + "," + coordinate(lo) + "L" + coordinate(px) + "," + coordinate(hi)
                    + "M" + coordinate(px - bar.cap) + "," + coordinate(lo) + "L" + coordinate(px + bar.cap) + "," + coordinate(lo)
                    + "M" + coordinate(px - bar.cap) + "," + coordinate(hi) + "L" + coordinate(px + bar.cap) + "," + coordinate(hi)
            }
            w.empty("path", [("d", d), ("fill", "none")] + strokeAttributes(color: bar.color, dash: nil, width: bar.width))
        case .point(let point):
            drawMarker(&w, point.marker, x: x.clampedPosition(of: point.x), y: y.clampedPosition(of: point.y), color: point.color,
                       filled: point.filled, size: point.size, tooltip: point.tooltip)
        case .text(let text):
            var attributes = [("x", coordinate(x.clampedPosition(of: text.x) + text.dx)), ("y", coordinate(y.clampedPosition(of: text.y) + text.dy))]
            if text.anchor != .start { attributes.append(("text-anchor", text.anchor.rawValue)) }
            if text.size != 11 { attributes.append(("font-size", coordinate(text.size))) }
            attributes.append(("fill", text.color))
            w.element("text", attributes, text: text.text)
        }
    }

    private func drawMarker(_ w: inout MarkupWriter, _ marker: Marker, x: Double, y: Double, color: String, filled: Bool,
                            size: Double, tooltip: String? = nil) {
        guard marker != .none else { return }
        let d = SVGPath.marker(marker, x: x, y: y, r: size)
        let strokeOnly = SVGPath.isStrokeOnly(marker)
        let attributes: [(String, String)] = [
            ("d", d), ("fill", strokeOnly ? "none" : (filled ? color : "#FFFFFF")), ("stroke", color),
            ("stroke-width", strokeOnly ? "1.75" : "1.25"),
        ]
        if let tooltip {
            w.open("path", attributes)
            w.element("title", text: tooltip)
            w.close("path")
        } else {
            w.empty("path", attributes)
        }
    }

    private func drawLegendEntry(_ w: inout MarkupWriter, _ entry: LegendEntry, x: Double, y: Double) {
        switch entry.symbol {
        case .line(let style):
            w.empty("line", [("x1", coordinate(x)), ("y1", coordinate(y)), ("x2", coordinate(x + 24)), ("y2", coordinate(y))]
                    + strokeAttributes(color: style.color, dash: style.dash, width: style.lineWidth))
            drawMarker(&w, style.marker, x: x + 12, y: y, color: style.color, filled: true, size: 3.5)
        case .swatch(let fill, let opacity):
            w.empty("rect", [("x", coordinate(x + 4)), ("y", coordinate(y - 6)), ("width", "16"), ("height", "12"), ("fill", fill),
                             ("fill-opacity", coordinate(opacity)), ("stroke", fill), ("stroke-width", "0.75")])
        case .marker(let marker, let color, let filled):
            drawMarker(&w, marker, x: x + 12, y: y, color: color, filled: filled, size: 4)
        case .rule(let color, let dash):
            w.empty("line", [("x1", coordinate(x)), ("y1", coordinate(y)), ("x2", coordinate(x + 24)), ("y2", coordinate(y))]
                    + strokeAttributes(color: color, dash: dash, width: 1.5))
        }
        w.element("text", [("x", coordinate(x + 30)), ("y", coordinate(y + 4)), ("fill", Palette.ink)], text: entry.label)
    }
}
