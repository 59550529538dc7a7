import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reports

@Suite("Chart layer")
struct ChartTests {
    // MARK: Numbers

    @Test func fixedFormattingRoundsHalfAwayFromZeroAndNeverWritesMinusZero() {
        #expect(NumberFormat.fixed(2.5, decimals: 2) == "2.50")
        #expect(NumberFormat.fixed(-12.345, decimals: 1) == "-12.3")
        #expect(NumberFormat.fixed(0.125, decimals: 2) == "0.13")
        #expect(NumberFormat.fixed(-0.001, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(7, decimals: 0) == "7")
        #expect(NumberFormat.fixed(0.05, decimals: 3) == "0.050")
        #expect(NumberFormat.trimmed(12.5, decimals: 2) == "12.5")
        #expect(NumberFormat.trimmed(3.0, decimals: 2) == "3")
        #expect(NumberFormat.trimmed(-0.004, decimals: 2) == "0")
        #expect(NumberFormat.percent(0.99912) == "99.912 %")
    }

    @Test func clockAndGroupedCounts() {
        #expect(NumberFormat.clock(0) == "0:00")
        #expect(NumberFormat.clock(125) == "2:05")
        #expect(NumberFormat.clock(3725) == "1:02:05")
        #expect(NumberFormat.clock(59.6) == "1:00")
        #expect(NumberFormat.grouped(1_234_567) == "1\u{2009}234\u{2009}567")
        #expect(NumberFormat.grouped(999) == "999")
        #expect(NumberFormat.grouped(-1000) == "-1\u{2009}000")
        #expect(NumberFormat.data(3) == "3")
        #expect(NumberFormat.data(0.25) == "0.25")
    }

    // MARK: Scales and ticks

    @Test func linearScaleMapsDomainOntoRange() {
        let scale = LinearScale(domain: 0 ... 100, rangeStart: 0, rangeEnd: 200)
        #expect(scale.position(of: 25) == 50)
        #expect(scale.position(of: 100) == 200)
        #expect(scale.position(of: 150) == 300)
        #expect(scale.clampedPosition(of: 150) == 200)
        let flipped = LinearScale(domain: 0 ... 10, rangeStart: 100, rangeEnd: 0)
        #expect(flipped.position(of: 2.5) == 75)
        let flat = LinearScale(domain: 5 ... 5, rangeStart: 0, rangeEnd: 40)
        #expect(flat.position(of: 5) == 20)
    }

    @Test func niceTicksCoverTheDataInSteps_1_2_5() {
        #expect(Ticks.nice(lower: 0, upper: 97, count: 5) == [0, 20, 40, 60, 80, 100])
        #expect(Ticks.nice(lower: 0, upper: 100, count: 5) == [0, 20, 40, 60, 80, 100])
        #expect(Ticks.nice(lower: 0, upper: 1, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks.nice(lower: -3.2, upper: 7.9, count: 5) == [-5, 0, 5, 10])
        #expect(Ticks.nice(lower: 0, upper: 0.03, count: 4) == [0, 0.01, 0.02, 0.03])
        #expect(Ticks.nice(lower: 0, upper: 0, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks.nice(lower: 1300, upper: 1300, count: 5) == [0, 500, 1000, 1500])
        #expect(Ticks.nice(lower: 0.1, upper: 0.7, count: 6) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
        #expect(Ticks.decimals(forStep: 20) == 0)
        #expect(Ticks.decimals(forStep: 0.2) == 1)
        #expect(Ticks.decimals(forStep: 0.05) == 2)
    }

    @Test func clockTicksUseClockSteps() {
        #expect(ClockTicks.ticks(lower: 0, upper: 2400, count: 8) == stride(from: 0.0, through: 2400, by: 300).map { $0 })
        #expect(ClockTicks.step(span: 180, count: 8) == 30)
        #expect(ClockTicks.step(span: 14 * 60, count: 8) == 120)
        let axis = Axis.clock(lower: 0, upper: 1860)
        #expect(axis.ticks.first == 0)
        #expect(axis.ticks.allSatisfy { $0 <= 1860 })
        #expect(axis.tickLabel(300) == "5:00")
        #expect(axis.label == "Time since the start of measurement (m:ss)")
    }

    @Test func axesLabelTheirTicksInTheirUnit() {
        let percent = Axis.percent(title: "Error rate", upper: 0.03, tickCount: 4)
        #expect(percent.ticks.map(percent.tickLabel) == ["0", "1", "2", "3"])
        #expect(percent.label == "Error rate (%)")
        let linear = Axis.linear(title: "Request rate", unit: "req/s", lower: 0, upper: 97)
        #expect(linear.domain == 0 ... 100)
        #expect(linear.ticks.map(linear.tickLabel) == ["0", "20", "40", "60", "80", "100"])
        let fine = Axis.linear(title: "x", lower: 0, upper: 0.7)
        #expect(fine.ticks.map(fine.tickLabel) == ["0.0", "0.2", "0.4", "0.6", "0.8"])
        let categories = Axis.categories(title: "Variant", ["a", "b", "c"])
        #expect(categories.domain == -0.5 ... 2.5)
        #expect(categories.tickLabel(1) == "b")
    }

    // MARK: Paths and figures

    @Test func polylinePathAndGaps() {
        #expect(SVGPath.polyline([(0, 100), (100, 50), (200, 0)]) == "M0,100L100,50L200,0")
        #expect(SVGPath.polyline([(0, 1), (2, 3), nil, (4, 5), (6.125, 7.5)]) == "M0,1L2,3M4,5L6.13,7.5")
        #expect(SVGPath.polyline([]) == "")
        #expect(SVGPath.area([(0, 10), (5, 2)], baseline: 20) == "M0,20L0,10L5,2L5,20Z")
    }

    static func knownFigure(legend: [LegendEntry] = []) -> Figure {
        let line = LineMark(points: [DataPoint(x: 0, y: 0), DataPoint(x: 50, y: 50), DataPoint(x: 100, y: 100)], style: Palette.series(0))
        return Figure(name: "known", title: "A known series", summary: "y = x",
                      xAxis: .linear(title: "x", unit: "s", lower: 0, upper: 100),
                      panels: [Panel(height: 100, yAxis: .linear(title: "y", unit: "ms", lower: 0, upper: 100), marks: [.line(line)])],
                      legend: legend)
    }

    @Test func aKnownSeriesRendersTheExpectedPath() {
        // Layout: plot from x = 48 (the narrowest left margin) to 760 − 22 = 738; the panel's top
        // is title 28 + 4 + panel title 20 = 52, its bottom 52 + 100 = 152.
        let svg = Self.knownFigure().svg()
        #expect(svg.contains("<path d=\"M48,152L393,102L738,52\" fill=\"none\" stroke-linejoin=\"round\" stroke=\"#0072B2\" stroke-width=\"1.75\"/>"))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 196\""))
        #expect(svg.contains("<title id=\"known-title\">A known series</title>"))
        #expect(svg.contains(">x (s)</text>"))
        #expect(svg.contains(">y (ms)</text>"))
    }

    @Test func legendRowsPushThePlotDown() {
        let legend = (0..<20).map { LegendEntry("series number \($0)", .line(Palette.series($0))) }
        let figure = Self.knownFigure(legend: legend)
        #expect(figure.height > Self.knownFigure().height + 3 * Figure.legendRowHeight)
        #expect(figure.svg().contains(">series number 19</text>"))
    }

    @Test func everyMarkRendersAsWellFormedXML() throws {
        let marks: [Mark] = [
            .band(BandMark(x0: 10, x1: 30, fill: Palette.StateFill.fault, label: "fault <&>", tooltip: "a \"quoted\" tooltip")),
            .band(BandMark(x0: 40, x1: 60, y0: 0.6, y1: 1.4, fill: Palette.vermillion, opacity: 0.7, label: "OPEN", outline: Palette.vermillion)),
            .area(AreaMark(points: [DataPoint(x: 0, y: 0.2), DataPoint(x: 50, y: 0.8)], baseline: 1.4, fill: Palette.blue)),
            .bar(BarMark(orientation: .horizontal, position: 0, thickness: 0.5, value: 70, fill: Palette.orange, tooltip: "bar")),
            .bar(BarMark(orientation: .vertical, position: 20, thickness: 4, value: 1, fill: Palette.orange)),
            .rule(RuleMark(orientation: .vertical, value: 45, label: "D")),
            .rule(RuleMark(orientation: .horizontal, value: 1, from: 10, to: 90, label: "target")),
            .errorBar(ErrorBarMark(orientation: .horizontal, position: 1, low: 20, high: 80, color: Palette.blue)),
            .errorBar(ErrorBarMark(orientation: .vertical, position: 50, low: 0.5, high: 1.5, color: Palette.blue)),
            .text(TextMark(x: 50, y: 1, text: "label", anchor: .middle)),
        ] + Marker.allCases.enumerated().map { index, marker in
            .point(PointMark(x: Double(index) * 10, y: 2, marker: marker, color: Palette.black, filled: index % 2 == 0, tooltip: "\(marker)"))
        }
        let figure = Figure(name: "every-mark", title: "Every mark", summary: "All marks",
                            xAxis: .linear(title: "x", lower: 0, upper: 100),
                            panels: [Panel(height: 90, yAxis: .categories(title: "lane", ["first", "second", "a very long category name that the axis has to shorten"]), marks: marks),
                                     Panel(height: 60, yAxis: .linear(title: "y", lower: 0, upper: 2), marks: marks)],
                            legend: [LegendEntry("line", .line(Palette.series(1))), LegendEntry("swatch", .swatch(fill: Palette.blue, opacity: 0.3)),
                                     LegendEntry("marker", .marker(.diamond, color: Palette.orange, filled: false)),
                                     LegendEntry("rule", .rule(color: Palette.ink, dash: "4 3"))])
        let svg = figure.svg()
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "the SVG is well-formed XML: \(parser.parserError.map(String.init(describing:)) ?? "")")
        #expect(svg.contains("fault &lt;&amp;&gt;"))
        #expect(svg.contains("a very long category name that the axis has…"))
        #expect(!svg.contains("NaN") && !svg.contains("inf"))
    }

    @Test func crowdedLabelsMoveApart() {
        let labels = (0..<3).map { Mark.text(TextMark(x: 50, y: 50, text: "label \($0)", dy: -5, avoidsOverlap: true)) }
        let figure = Figure(name: "crowd", title: "Crowd", summary: "", xAxis: .linear(title: "x", lower: 0, upper: 100),
                            panels: [Panel(height: 100, yAxis: .linear(title: "y", lower: 0, upper: 100), marks: labels)])
        let svg = figure.svg()
        // The panel's middle is at y = 102; the first label keeps its offset, the next go below and above.
        #expect(svg.contains("y=\"97\" font-size=\"10\" fill=\"#222222\">label 0<"))
        #expect(svg.contains("y=\"110\" font-size=\"10\" fill=\"#222222\">label 1<"))
        #expect(svg.contains("y=\"84\" font-size=\"10\" fill=\"#222222\">label 2<"))
        // With no room left in a short panel, a label is dropped rather than drawn over another.
        let many = (0..<12).map { Mark.text(TextMark(x: 50, y: 50, text: "name \($0)", avoidsOverlap: true)) }
        let tight = Figure(name: "tight", title: "Tight", summary: "", xAxis: .linear(title: "x", lower: 0, upper: 100),
                           panels: [Panel(height: 40, yAxis: .linear(title: "y", lower: 0, upper: 100), marks: many)])
        let drawn = (0..<12).filter { tight.svg().contains(">name \($0)<") }.count
        #expect(drawn > 1 && drawn < 12)
    }

    @Test func paletteStylesStayDistinctWithoutColour() {
        let styles = (0..<49).map(Palette.series)
        let looks = Set(styles.map { "\($0.color)|\($0.dash ?? "solid")|\($0.marker)" })
        #expect(looks.count == 49)
        // Within the first seven, dash and marker alone tell every series apart (greyscale).
        let shapes = Set(styles.prefix(7).map { "\($0.dash ?? "solid")|\($0.marker)" })
        #expect(shapes.count == 7)
        #expect(Set(styles.prefix(7).map(\.color)).count == 7)
        #expect(!styles.contains { $0.color == Palette.yellow })
    }
}
