import ExperimentAnalysis
import RunResults
import SimulationStatistics

/// What the report says about an experiment beyond its runs: taken from the experiment file by
/// the caller (this module reads no files).
public struct ExperimentReportContext: Equatable, Sendable {
    /// A variant as the experiment declares it.
    public struct Variant: Equatable, Sendable {
        public var name: String
        public var description: String?
        /// What the experiment's author expects of it, as written.
        public var expectation: String?
        /// The overrides that make it, beyond the experiment's own.
        public var overrides: [String: String]

        public init(name: String, description: String? = nil, expectation: String? = nil, overrides: [String: String] = [:]) {
            self.name = name
            self.description = description
            self.expectation = expectation
            self.overrides = overrides
        }
    }

    /// The experiment file as the caller names it (recorded in the sources).
    public var experimentFile: String?
    /// The experiment's description.
    public var description: String?
    /// The experiment's variants in the order it runs them.
    public var variants: [Variant]
    /// Facts about how the runs were chosen (e.g. stored runs of older inputs left out).
    public var notes: [String]

    public init(experimentFile: String? = nil, description: String? = nil, variants: [Variant] = [], notes: [String] = []) {
        self.experimentFile = experimentFile
        self.description = description
        self.variants = variants
        self.notes = notes
    }
}

/// The report of an experiment's variants across seeds, drawn from a ``VariantComparison`` (this
/// module computes no statistics of its own) and the runs behind it.
///
/// Means with confidence-interval bars per variant and metric; recovery times of every seed per
/// trigger row against the row's target; pass rates with Wilson intervals; paired differences
/// against the baseline with their intervals and Holm-corrected significance; the ranking; the
/// Pareto frontier of breaker detection time against false opens when breakers differ.
///
/// ```swift
/// let comparison = try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: order))
/// let bundle = ExperimentReport.make(comparison: comparison, runs: runs, context: context)
/// ```
public enum ExperimentReport {
    /// The report's folder name: the experiment's name, reduced to characters safe in file names.
    public static func folderName(experiment: String) -> String {
        FileNames.safe(experiment)
    }

    /// Renders the report. `runs` are the runs `comparison` was made from, in the same order
    /// (of several runs of one variant and seed, the last counts, as in the comparison).
    ///
    /// - Complexity: O(runs + variants × metrics) plus the size of the figures.
    public static func make(comparison: VariantComparison, runs: [RunResult], context: ExperimentReportContext) -> ReportBundle {
        var builder = ExperimentReportBuilder(comparison: comparison, runs: runs, context: context)
        let document = builder.document()
        let name = comparison.experiments.joined(separator: "+")
        let sources = ReportSources(kind: .experiment, experiment: name, experimentFile: context.experimentFile,
                                    variants: comparison.variants.map(\.variant),
                                    runs: builder.keptRuns.map { ReportSources.Run($0.run.identity) })
        return ReportBundle.make(folderName: folderName(experiment: name), document: document, data: builder.data, sources: sources)
    }
}

/// Builds the experiment report's blocks and data files.
struct ExperimentReportBuilder {
    let comparison: VariantComparison
    let context: ExperimentReportContext
    /// The runs the comparison counts: one per variant and seed, variant by variant, seeds ascending.
    let keptRuns: [(variant: String, run: RunResult)]
    private(set) var data: [(String, CSVTable)] = []

    init(comparison: VariantComparison, runs: [RunResult], context: ExperimentReportContext) {
        self.comparison = comparison
        self.context = context
        let label: (RunResult) -> String = comparison.experiments.count == 1
            ? { $0.identity.variant }
            : { "\($0.identity.experiment)/\($0.identity.variant)" }
        var latest: [String: [UInt64: Int]] = [:]
        for (index, run) in runs.enumerated() { latest[label(run), default: [:]][run.identity.seed] = index }
        keptRuns = comparison.variants.flatMap { variant in
            variant.seeds.compactMap { seed in latest[variant.variant]?[seed].map { (variant.variant, runs[$0]) } }
        }
    }

    /// The variants' names as the charts' axes show them (see ``axisLabels(_:)``).
    var variantNames: [String] { Self.axisLabels(comparison.variants.map(\.variant)).labels }

    /// The axis label of one variant.
    func label(of variant: String) -> String {
        let names = comparison.variants.map(\.variant)
        guard let index = names.firstIndex(of: variant) else { return variant }
        return variantNames[index]
    }

    /// Axis labels for variants. A sweep point is named by its parameters
    /// (`policy=reference failureThreshold=3 resetTimeout=15s scope=instance`); dozens of such
    /// names would be cut off on an axis right where they differ, so when every swept name has
    /// the same parameters in the same order, its label is its values alone
    /// (`reference · 3 · 15s · instance`) and `key` names them once.
    static func axisLabels(_ names: [String]) -> (labels: [String], key: String?) {
        var parameters: [String]?
        var labels: [String] = []
        for name in names {
            let pairs = name.split(separator: " ").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
            guard pairs.count > 1, pairs.allSatisfy({ $0.count == 2 }) else {
                labels.append(name)
                continue
            }
            let keys = pairs.map { $0[0] }
            if parameters == nil { parameters = keys }
            guard parameters == keys else { return (names, nil) }
            labels.append(pairs.map { $0[1] }.joined(separator: " · "))
        }
        guard let parameters, Set(labels).count == labels.count else { return (names, nil) }
        return (labels, parameters.joined(separator: " · "))
    }

    func runs(of variant: String) -> [RunResult] {
        keptRuns.filter { $0.variant == variant }.map(\.run)
    }

    var levelLabel: String {
        let percent = comparison.level * 100
        return percent == percent.rounded() ? "\(Int(percent)) %" : NumberFormat.fixed(percent, decimals: 1) + " %"
    }

    var rows: [Int] {
        comparison.metrics.compactMap { metric -> Int? in
            if case .rowPassed(let row) = metric { return row }
            return nil
        }
    }

    mutating func document() -> ReportDocument {
        let seeds = Set(comparison.variants.flatMap(\.seeds)).count
        var lead = "\(comparison.variants.count) variant\(comparison.variants.count == 1 ? "" : "s") × \(seeds) seed\(seeds == 1 ? "" : "s") "
            + "(\(comparison.runCount) runs); every variant is compared with \(comparison.baseline). "
            + "Intervals are \(levelLabel) (Student-t for means, Wilson for pass rates); paired differences are seed by seed "
            + "(every variant sees the same traffic and faults for a seed), Holm-corrected over \(comparison.familySize) tests at "
            + "α = \(NumberFormat.trimmed(comparison.significanceLevel, decimals: 4))."
        if let description = context.description?.trimmingCharacters(in: .whitespacesAndNewlines), !description.isEmpty {
            lead = description + " " + lead
        }
        var blocks: [ReportBlock] = []
        blocks.append(.heading(level: 2, text: "Variants"))
        blocks += variantBlocks()
        blocks.append(.heading(level: 2, text: "Checks"))
        blocks += checkBlocks()
        blocks.append(.heading(level: 2, text: "Ranking"))
        blocks += rankingBlocks()
        if !rows.isEmpty {
            blocks.append(.heading(level: 2, text: "Trigger verdicts"))
            blocks += passRateBlocks()
            blocks.append(.heading(level: 2, text: "Recovery times against the targets"))
            blocks += recoveryBlocks()
        }
        blocks.append(.heading(level: 2, text: "Metrics per variant"))
        blocks += metricBlocks()
        blocks.append(.heading(level: 2, text: "Differences against \(comparison.baseline)"))
        blocks += differenceBlocks()
        if let frontier = comparison.paretoFrontier, Self.frontierVaries(frontier) {
            blocks.append(.heading(level: 2, text: "Breaker trade-off: Pareto frontier"))
            blocks += paretoBlocks(frontier)
        }
        if !comparison.variants.allSatisfy({ $0.pooledLatency.isEmpty }) {
            blocks.append(.heading(level: 2, text: "Latency pooled over seeds"))
            blocks += pooledLatencyBlocks()
        }
        let notes = comparison.notes.map(\.description) + context.notes
        if !notes.isEmpty {
            blocks.append(.heading(level: 2, text: "Notes"))
            blocks.append(.list(notes))
        }
        blocks.append(.heading(level: 2, text: "Sources"))
        blocks += sourceBlocks()
        return ReportDocument(title: "Experiment report: \(comparison.experiments.joined(separator: ", "))", lead: lead, blocks: blocks)
    }

    /// The experiment's checks (the same definition `failsim run` and `sweep` use): per variant,
    /// the seeds whose runs passed every check, and each failing check named.
    func checkBlocks() -> [ReportBlock] {
        let rows: [[TableCell]] = comparison.variants.map { variant in
            let tally = variant.checks
            return [TableCell(variant.variant), TableCell("\(tally.passed)/\(tally.runs)", tone: tally.passed == tally.runs ? .pass : .fail),
                    tally.failing.isEmpty ? TableCell("—", tone: .muted)
                        : TableCell(tally.failing.map { "\($0.name): \($0.runs == 1 ? "1 run" : "\($0.runs) runs")" }.joined(separator: "; "))]
        }
        return [
            .paragraph("Each run is checked for: \(comparison.checks.summary). A seed passes when its run passes every check."),
            .table(ReportTable(header: ["variant", "passed checks", "failing checks"], rows: rows)),
        ]
    }

    // MARK: Formatting

    static func value(_ number: Double, _ unit: Metric.Unit) -> String {
        switch unit {
        case .seconds: NumberFormat.fixed(number, decimals: 1) + " s"
        case .milliseconds: NumberFormat.fixed(number, decimals: 1) + " ms"
        case .fraction: NumberFormat.percent(number, decimals: 3)
        case .count: NumberFormat.fixed(number, decimals: 2)
        case .passFail: NumberFormat.percent(number, decimals: 1)
        }
    }

    static func estimate(_ estimate: Estimate, _ unit: Metric.Unit) -> String {
        (estimate.isLowerBound ? "≥ " : "") + value(estimate.value, unit)
    }

    static func meanCell(_ summary: SeedSummary, _ unit: Metric.Unit) -> String {
        if let bound = summary.meanLowerBound { return "≥ " + value(bound, unit) + " (censored)" }
        guard let mean = summary.mean else { return "—" }
        guard let interval = summary.meanInterval else { return value(mean, unit) }
        return value(mean, unit) + " [" + value(interval.lowerBound, unit) + ", " + value(interval.upperBound, unit) + "]"
    }

    static func namedCell(_ summary: SeedSummary) -> String {
        summary.namedOutcomes.isEmpty ? "—" : summary.namedOutcomes.map { "\($0.outcome.rawValue) \($0.count)" }.joined(separator: ", ")
    }

    static func passRateCell(_ rate: PassRate?) -> TableCell {
        guard let rate, let interval = rate.interval else { return TableCell("—", tone: .muted) }
        let text = "\(rate.passed)/\(rate.trials) [" + NumberFormat.fixed(interval.lowerBound * 100, decimals: 1) + ", "
            + NumberFormat.fixed(interval.upperBound * 100, decimals: 1) + "] %"
        return TableCell(text, tone: rate.passed == rate.trials ? .pass : .fail)
    }

    /// How a metric is shown on an axis: fractions as percent, everything else as numbers.
    ///
    /// Values of a fraction (availability) stay within 0…100 % and the axis zooms onto the data,
    /// because 99.90 % against 99.95 % is the whole story and vanishes on a 0–100 % axis; a
    /// difference of fractions is in percentage points and may be negative.
    static func axis(for unit: Metric.Unit, title: String, lower: Double, upper: Double, isDifference: Bool = false) -> Axis {
        switch unit {
        case .fraction, .passFail:
            let low = isDifference ? min(lower, 0) : max(0, min(lower, 1))
            var high = isDifference ? max(upper, 0) : min(1, max(upper, 0))
            if high <= low { high = low + (isDifference ? 0.01 : 0) }
            if high <= low { return .percent(title: title, lower: max(0, low - 0.01), upper: 1) }
            var ticks = Ticks.nice(lower: low, upper: high, count: 5)
            if !isDifference { ticks = ticks.filter { $0 >= -1e-12 && $0 <= 1 + 1e-12 } }
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 0.01
            return Axis(title: title, unit: isDifference ? "percentage points" : "%", domain: min(ticks.first!, low) ... max(ticks.last!, high),
                        ticks: ticks, labels: .percent(decimals: Ticks.decimals(forStep: step * 100)))
        case .seconds:
            return .linear(title: title, unit: "s", lower: lower, upper: upper)
        case .milliseconds:
            return .linear(title: title, unit: "ms", lower: lower, upper: upper)
        case .count:
            return .linear(title: title, unit: nil, lower: lower, upper: upper)
        }
    }

    static func unitLabel(_ unit: Metric.Unit) -> String {
        switch unit {
        case .seconds: "s"
        case .milliseconds: "ms"
        case .fraction: "fraction"
        case .count: "count"
        case .passFail: "pass/fail"
        }
    }

    /// A figure's height for `categories` rows of `series` series each.
    static func panelHeight(categories: Int, series: Int) -> Double {
        Double(categories) * max(24, 10 + 9 * Double(series)) + 8
    }

    /// Where series `index` of `count` sits within a category's band (category positions are
    /// integers, the band is ±0.5).
    static func offset(_ index: Int, of count: Int) -> Double {
        guard count > 1 else { return 0 }
        let spread = min(0.6, 0.18 * Double(count - 1))
        return -spread / 2 + spread * Double(index) / Double(count - 1)
    }

    // MARK: Variants and ranking

    /// The parameters and values of a sweep point's name (`policy=reference failureThreshold=3`),
    /// or `nil` for a named variant.
    static func sweepParameters(_ name: String) -> [(String, String)]? {
        let pairs = name.split(separator: " ").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        guard pairs.count > 1, pairs.allSatisfy({ $0.count == 2 }) else { return nil }
        return pairs.map { ($0[0], $0[1]) }
    }

    /// Named variants with their description, overrides and expectation; sweep points as a grid
    /// of parameter values (their overrides, with every linked path, would fill pages).
    func variantBlocks() -> [ReportBlock] {
        let declared = Dictionary(context.variants.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let labels = Self.axisLabels(comparison.variants.map(\.variant))
        let isSweepPoint: (String) -> Bool = { labels.key != nil && Self.sweepParameters($0) != nil }
        let named = comparison.variants.filter { !isSweepPoint($0.variant) }
        let points = comparison.variants.filter { isSweepPoint($0.variant) }
        var blocks: [ReportBlock] = []
        let rows: [[TableCell]] = named.map { variant in
            let info = declared[variant.variant]
            let overrides = (info?.overrides ?? [:]).keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { "\($0) = \(info!.overrides[$0]!)" }.joined(separator: ", ")
            return [
                TableCell(variant.variant + (variant.variant == comparison.baseline ? " (baseline)" : "")),
                TableCell(Self.seedList(variant.seeds)),
                TableCell(info?.description ?? "—", tone: info?.description == nil ? .muted : .plain),
                TableCell(overrides.isEmpty ? "—" : overrides, tone: overrides.isEmpty ? .muted : .plain),
                TableCell(info?.expectation ?? "—", tone: info?.expectation == nil ? .muted : .plain),
            ]
        }
        if !rows.isEmpty {
            blocks.append(.table(ReportTable(header: ["variant", "seeds", "description", "overrides", "expectation"], rows: rows)))
        }
        if let first = points.first, let parameters = Self.sweepParameters(first.variant) {
            blocks.append(.paragraph("\(points.count) sweep points, named by their parameters; the charts label them by their values alone, "
                                     + "in the order " + (labels.key ?? "") + ". Paths the experiment links to a parameter (`also`) take its value."))
            let pointRows: [[TableCell]] = points.map { variant in
                [TableCell(label(of: variant.variant)), TableCell(Self.seedList(variant.seeds))]
                    + (Self.sweepParameters(variant.variant) ?? []).map { TableCell($0.1) }
            }
            blocks.append(.table(ReportTable(header: ["label", "seeds"] + parameters.map(\.0), rows: pointRows)))
        }
        return blocks
    }

    /// Experiments with more variants than this list only what stands out in their tables; the
    /// CSV files beside the report hold every row.
    static let variantsForFullTables = 12

    var hasManyVariants: Bool { comparison.variants.count > Self.variantsForFullTables }

    /// `1–5` for a run of consecutive seeds, else a list.
    static func seedList(_ seeds: [UInt64]) -> String {
        guard let first = seeds.first, let last = seeds.last else { return "—" }
        if seeds.count > 2 && last - first == UInt64(seeds.count - 1) { return "\(first)–\(last) (\(seeds.count))" }
        return seeds.map(String.init).joined(separator: ", ")
    }

    /// Names a list of variants, or counts them when a list would fill the cell.
    func variantList(_ names: [String]) -> String {
        if names.isEmpty { return "—" }
        if names.count > 4 { return "\(names.count) variants" }
        return names.map { label(of: $0) }.joined(separator: ", ")
    }

    func rankingBlocks() -> [ReportBlock] {
        guard let first = comparison.ranking.first else { return [] }
        if comparison.ranking.allSatisfy({ $0.keys.allSatisfy { $0.value == nil } }) {
            return [.paragraph("Nothing to rank by: the ranking orders by \(comparison.rankingCriterion), and no run measures it "
                               + "(no trigger row is judged). Read the metrics and their differences below instead.")]
        }
        let rows: [[TableCell]] = comparison.ranking.map { ranked in
            [TableCell("\(ranked.rank)"), TableCell(ranked.variant)] + ranked.keys.map { key in
                guard let value = key.value else { return TableCell("—", tone: .muted) }
                let unit = Metric(name: key.name)?.unit ?? .seconds
                return TableCell(Self.estimate(value, unit))
            } + [TableCell(variantList(ranked.tiedWith))]
        }
        return [
            .paragraph("Ranked by \(comparison.rankingCriterion); a lower bound (≥) means some recoveries were censored."),
            .table(ReportTable(header: ["rank", "variant"] + first.keys.map(\.name) + ["tied with"], rows: rows,
                               alignments: [.right, .left] + first.keys.map { _ in .right } + [.left])),
        ]
    }

    // MARK: Pass rates

    mutating func passRateBlocks() -> [ReportBlock] {
        let series: [Int?] = rows.map { Optional($0) } + [nil]
        var marks: [Mark] = []
        var csv = CSVTable(header: ["variant", "row", "passed", "trials", "rate", "ciLower", "ciUpper"])
        for (position, variant) in comparison.variants.enumerated() {
            for (index, row) in series.enumerated() {
                guard let rate = variant.passRate(row: row), let interval = rate.interval, let value = rate.rate else { continue }
                let y = Double(position) + Self.offset(index, of: series.count)
                let style = Palette.series(index)
                marks.append(.errorBar(ErrorBarMark(orientation: .horizontal, position: y, low: interval.lowerBound, high: interval.upperBound,
                                                    color: style.color, cap: 3)))
                marks.append(.point(PointMark(x: value, y: y, marker: style.marker, color: style.color, filled: true,
                                              tooltip: "\(variant.variant), \(row.map { "row \($0)" } ?? "all rows"): \(rate.passed)/\(rate.trials)")))
                csv.rows.append([variant.variant, row.map(String.init) ?? "all", "\(rate.passed)", "\(rate.trials)", NumberFormat.data(value),
                                 NumberFormat.data(interval.lowerBound), NumberFormat.data(interval.upperBound)])
            }
        }
        data.append(("pass-rates.csv", csv))
        let legend = series.enumerated().map { index, row in
            let style = Palette.series(index)
            return LegendEntry(row.map { "row \($0)" } ?? "all rows", .marker(style.marker, color: style.color, filled: true))
        }
        let figure = Figure(name: "pass-rates", title: "Trigger rows passed",
                            summary: "Share of seeds in which each trigger row (and every row together) passed, per variant, with Wilson intervals.",
                            xAxis: .percent(title: "Seeds passing", upper: 1),
                            panels: [Panel(title: "Variant", height: Self.panelHeight(categories: comparison.variants.count, series: series.count),
                                           yAxis: .categories(title: "Variant", variantNames), marks: marks)],
                            legend: legend)
        let tableRows: [[TableCell]] = comparison.variants.map { variant in
            [TableCell(variant.variant)] + series.map { Self.passRateCell(variant.passRate(row: $0)) }
        }
        let header = ["variant"] + rows.map { row -> String in
            let condition = keptRuns.lazy.compactMap { $0.run.triggers.first { $0.row == row }?.condition }.first
            return "row \(row)" + (condition.map { ": \($0)" } ?? "")
        } + ["all rows"]
        return [
            .figure(ReportFigure(figure: figure, caption: "Share of seeds passing, with \(levelLabel) Wilson intervals. A row passes when its "
                                 + "traffic recovered before the target and its own rule acted, or the fault had no impact.",
                                 dataFile: "pass-rates.csv")),
            .table(ReportTable(header: header, rows: tableRows)),
        ]
    }

    // MARK: Recovery distributions

    /// The row's target in `variant`'s runs, if they agree on one.
    func target(row: Int, variant: String) -> Double? {
        let targets = Set(runs(of: variant).compactMap { $0.triggers.first { $0.row == row }?.targetSeconds })
        return targets.count == 1 ? targets.first : nil
    }

    mutating func recoveryBlocks() -> [ReportBlock] {
        var blocks: [ReportBlock] = [
            .paragraph("Every seed's recovery time (● recovered; ▷ not recovered when the run or the fault's window ended: at least this), "
                       + "the variant's Kaplan–Meier median (|), and the row's target (dashed). Seeds with no impact or no rule acting have "
                       + "no number and are counted at the right."),
        ]
        for row in rows {
            let metric = Metric.recoveryTime(row: row)
            var marks: [Mark] = []
            var csv = CSVTable(header: ["variant", "seed", "observation", "seconds", "outcome", "targetSeconds"])
            var largest = 0.0
            var namedLabels: [(Int, String)] = []
            for (position, variant) in comparison.variants.enumerated() {
                let style = Palette.series(0)
                let target = self.target(row: row, variant: variant.variant)
                if let target {
                    largest = max(largest, target)
                    marks.append(.rule(RuleMark(orientation: .vertical, value: target, from: Double(position) - 0.45,
                                                to: Double(position) + 0.45, color: Palette.vermillion, dash: "5 3", width: 1.5)))
                }
                var named: [String: Int] = [:]
                for (index, run) in runs(of: variant.variant).enumerated() {
                    guard let observation = metric.observation(in: run) else { continue }
                    let y = Double(position) + [-0.2, -0.1, 0, 0.1, 0.2][index % 5]
                    let seed = run.identity.seed
                    let targetText = target.map(NumberFormat.data) ?? ""
                    switch observation {
                    case .value(let seconds):
                        largest = max(largest, seconds)
                        marks.append(.point(PointMark(x: seconds, y: y, marker: .circle, color: style.color, filled: true, size: 3.5,
                                                      tooltip: "\(variant.variant) seed \(seed): \(NumberFormat.seconds(seconds))")))
                        csv.rows.append([variant.variant, "\(seed)", "value", NumberFormat.data(seconds), "recovered", targetText])
                    case .censored(let bound):
                        largest = max(largest, bound)
                        marks.append(.point(PointMark(x: bound, y: y, marker: .triangleRight, color: Palette.vermillion, filled: false, size: 4,
                                                      tooltip: "\(variant.variant) seed \(seed): not recovered, ≥ \(NumberFormat.seconds(bound))")))
                        csv.rows.append([variant.variant, "\(seed)", "censored", NumberFormat.data(bound), "notRecovered", targetText])
                    case .named(let outcome):
                        named[outcome.rawValue, default: 0] += 1
                        csv.rows.append([variant.variant, "\(seed)", "named", "", outcome.rawValue, targetText])
                    }
                }
                if let median = variant.summary(of: metric)?.median {
                    marks.append(.rule(RuleMark(orientation: .vertical, value: median.value, from: Double(position) - 0.32,
                                                to: Double(position) + 0.32, color: Palette.ink, dash: nil, width: 2)))
                }
                if !named.isEmpty {
                    let text = named.keys.sorted().map { "\(named[$0]!) \($0)" }.joined(separator: ", ")
                    namedLabels.append((position, text))
                }
            }
            // Room beyond the target, so that its line does not hide in the frame.
            let targets = comparison.variants.compactMap { target(row: row, variant: $0.variant) }
            let axis = Self.axis(for: .seconds, title: "Recovery time from onset", lower: 0,
                                 upper: max(largest * 1.05, (targets.max() ?? 0) * 1.1, 1))
            for (position, text) in namedLabels {
                marks.append(.text(TextMark(x: axis.domain.upperBound, y: Double(position), text: text, anchor: .end, dx: -4, dy: 4, size: 9.5)))
            }
            let file = "recovery-row\(row).csv"
            data.append((file, csv))
            let condition = keptRuns.lazy.compactMap { $0.run.triggers.first { $0.row == row }?.condition }.first ?? ""
            let figure = Figure(name: "recovery-row\(row)", title: "Row \(row): recovery time per seed" + (condition.isEmpty ? "" : " (\(condition))"),
                                summary: "Recovery time of every seed per variant for trigger row \(row), with the row's target.",
                                xAxis: axis,
                                panels: [Panel(title: "Variant", height: Self.panelHeight(categories: comparison.variants.count, series: 3),
                                               yAxis: .categories(title: "Variant", variantNames), marks: marks)],
                                legend: [
                                    LegendEntry("recovered", .marker(.circle, color: Palette.series(0).color, filled: true)),
                                    LegendEntry("not recovered (≥)", .marker(.triangleRight, color: Palette.vermillion, filled: false)),
                                    LegendEntry("median", .rule(color: Palette.ink, dash: nil)),
                                    LegendEntry("target", .rule(color: Palette.vermillion, dash: "5 3")),
                                ])
            blocks.append(.heading(level: 3, text: "Row \(row)" + (condition.isEmpty ? "" : ": \(condition)")))
            blocks.append(.figure(ReportFigure(figure: figure, caption: "Recovery time of row \(row) for every seed, against the row's target.",
                                               dataFile: file)))
            let tableRows: [[TableCell]] = comparison.variants.map { variant in
                let summary = variant.summary(of: metric)
                let pass = variant.passRate(row: row)
                return [
                    TableCell(variant.variant), TableCell(target(row: row, variant: variant.variant).map(NumberFormat.seconds) ?? "—"),
                    TableCell(summary.map { "\($0.count)" } ?? "0"),
                    TableCell(summary.map { Self.meanCell($0, .seconds) } ?? "—"),
                    TableCell(summary?.median.map { Self.estimate($0, .seconds) } ?? "—"),
                    TableCell(summary.map { "\($0.censoredCount)" } ?? "—"),
                    TableCell(summary.map(Self.namedCell) ?? "—"),
                    Self.passRateCell(pass),
                ]
            }
            blocks.append(.table(ReportTable(header: ["variant", "target", "seeds", "mean [\(levelLabel) CI]", "median", "censored", "no number", "passed"],
                                             rows: tableRows, alignments: [.left, .right, .right, .right, .right, .right, .left, .right])))
        }
        return blocks
    }

    // MARK: Metrics

    /// Metrics shown together: same unit, related meaning.
    struct MetricGroup {
        var key: String
        var title: String
        var metrics: [Metric]
        var unit: Metric.Unit
    }

    static func groupKey(_ metric: Metric) -> (key: String, title: String) {
        switch metric {
        case .recoveryTime(let row), .detectionTime(let row), .readRecoveryTime(let row), .writeRecoveryTime(let row):
            ("row\(row)", "Row \(row): detection and recovery times")
        case .rowPassed, .allRowsPassed:
            ("passed", "Trigger rows passed")
        case .requestAvailability, .timeAvailability:
            ("availability", "Availability")
        case .errorBudgetUsed:
            ("error-budget", "Error budget used")
        case .latency(let operation, _):
            ("latency-" + FileNames.stem(operation), "Latency of \(operation) requests")
        case .writesLost, .writesRejected:
            ("writes", "Writes lost and rejected")
        case .breakerOpens, .falseBreakerOpens:
            ("breaker-opens", "Breaker opens")
        case .breakerDetectionTime:
            ("breaker-detection", "Breaker detection time")
        case .alertsFired:
            ("alerts", "Alerts fired")
        }
    }

    static func groups(_ metrics: [Metric]) -> [MetricGroup] {
        var groups: [MetricGroup] = []
        for metric in metrics {
            let (key, title) = groupKey(metric)
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].metrics.append(metric)
            } else {
                groups.append(MetricGroup(key: key, title: title, metrics: [metric], unit: metric.unit))
            }
        }
        return groups
    }

    /// Whether every variant has the same plain value of `metric` (nothing to draw).
    func isConstant(_ metric: Metric) -> Bool {
        let summaries = comparison.variants.map { $0.summary(of: metric) }
        guard let first = summaries.first else { return true }
        return summaries.allSatisfy { summary in
            summary?.mean == first?.mean && summary?.meanLowerBound == first?.meanLowerBound
                && (summary?.standardDeviation ?? 0) == 0 && summary?.namedOutcomes == first?.namedOutcomes
        }
    }

    mutating func metricBlocks() -> [ReportBlock] {
        var blocks: [ReportBlock] = [
            .paragraph("Means across seeds with \(levelLabel) Student-t intervals (hollow ▷: only a lower bound of the mean, because some "
                       + "seeds did not recover; no interval then). Metrics with the same value in every variant and seed are listed, not drawn."),
        ]
        var constant: [String] = []
        var figures: [ReportFigure] = []
        for group in Self.groups(comparison.metrics.filter { !$0.isPassFail }) {
            let drawn = group.metrics.filter { !isConstant($0) }
            for metric in group.metrics where isConstant(metric) {
                if let summary = comparison.variants.first?.summary(of: metric), let mean = summary.mean {
                    constant.append("\(metric.name) = \(Self.value(mean, metric.unit))")
                } else if let summary = comparison.variants.first?.summary(of: metric), !summary.namedOutcomes.isEmpty {
                    constant.append("\(metric.name): \(Self.namedCell(summary))")
                }
            }
            guard !drawn.isEmpty else { continue }
            var marks: [Mark] = []
            var low = 0.0, high = 0.0
            var csv = CSVTable(header: ["variant", "metric", "unit", "seeds", "values", "censored", "mean", "ciLower", "ciUpper",
                                        "meanLowerBound", "median", "medianIsLowerBound", "noImpact", "notTriggered", "unreported"])
            for (position, variant) in comparison.variants.enumerated() {
                for (index, metric) in drawn.enumerated() {
                    guard let summary = variant.summary(of: metric) else { continue }
                    let style = Palette.series(index)
                    let y = Double(position) + Self.offset(index, of: drawn.count)
                    if let interval = summary.meanInterval {
                        low = min(low, interval.lowerBound)
                        high = max(high, interval.upperBound)
                        marks.append(.errorBar(ErrorBarMark(orientation: .horizontal, position: y, low: interval.lowerBound,
                                                            high: interval.upperBound, color: style.color, cap: 3)))
                    }
                    if let mean = summary.mean {
                        low = min(low, mean)
                        high = max(high, mean)
                        marks.append(.point(PointMark(x: mean, y: y, marker: style.marker, color: style.color, filled: true,
                                                      tooltip: "\(variant.variant), \(metric.name): \(Self.meanCell(summary, metric.unit))")))
                    } else if let bound = summary.meanLowerBound {
                        high = max(high, bound)
                        marks.append(.point(PointMark(x: bound, y: y, marker: .triangleRight, color: style.color, filled: false,
                                                      tooltip: "\(variant.variant), \(metric.name): mean ≥ \(Self.value(bound, metric.unit))")))
                    }
                    func count(_ outcome: NamedOutcome) -> String {
                        "\(summary.namedOutcomes.first { $0.outcome == outcome }?.count ?? 0)"
                    }
                    csv.rows.append([
                        variant.variant, metric.name, Self.unitLabel(metric.unit), "\(summary.count)", "\(summary.valueCount)",
                        "\(summary.censoredCount)", summary.mean.map(NumberFormat.data) ?? "",
                        summary.meanInterval.map { NumberFormat.data($0.lowerBound) } ?? "",
                        summary.meanInterval.map { NumberFormat.data($0.upperBound) } ?? "",
                        summary.meanLowerBound.map(NumberFormat.data) ?? "", summary.median.map { NumberFormat.data($0.value) } ?? "",
                        summary.median.map { $0.isLowerBound ? "true" : "false" } ?? "",
                        count(.noImpact), count(.notTriggered), count(.unreported),
                    ])
                }
            }
            let name = "metrics-" + group.key
            data.append((name + ".csv", csv))
            let legend = drawn.enumerated().map { index, metric in
                let style = Palette.series(index)
                return LegendEntry(metric.name, .marker(style.marker, color: style.color, filled: true))
            }
            let figure = Figure(name: name, title: group.title, summary: "Per variant: mean of \(drawn.map(\.name).joined(separator: ", ")) across seeds with confidence intervals.",
                                width: 560, xAxis: Self.axis(for: group.unit, title: "Mean across seeds", lower: low, upper: high),
                                panels: [Panel(title: "Variant", height: Self.panelHeight(categories: comparison.variants.count, series: drawn.count),
                                               yAxis: .categories(title: "Variant", variantNames), marks: marks)],
                                legend: legend)
            figures.append(ReportFigure(figure: figure, caption: "\(group.title): means with \(levelLabel) intervals.", dataFile: name + ".csv"))
        }
        if !figures.isEmpty { blocks.append(.figures(figures)) }
        if !constant.isEmpty {
            blocks.append(.paragraph("The same in every variant and seed: " + constant.joined(separator: "; ") + "."))
        }
        // The full table, one row per variant and metric.
        var all = CSVTable(header: ["variant", "metric", "unit", "seeds", "mean", "ciLower", "ciUpper", "meanLowerBound", "median",
                                    "medianIsLowerBound", "standardDeviation", "censored", "noNumber"])
        var rows: [[TableCell]] = []
        for metric in comparison.metrics where !metric.isPassFail {
            for variant in comparison.variants {
                guard let summary = variant.summary(of: metric) else { continue }
                rows.append([
                    TableCell(metric.name), TableCell(variant.variant), TableCell("\(summary.count)"),
                    TableCell(Self.meanCell(summary, metric.unit)),
                    TableCell(summary.median.map { Self.estimate($0, metric.unit) } ?? "—"),
                    TableCell(summary.standardDeviation.map { Self.value($0, metric.unit) } ?? "—"),
                    TableCell("\(summary.censoredCount)"), TableCell(Self.namedCell(summary)),
                ])
                all.rows.append([
                    variant.variant, metric.name, Self.unitLabel(metric.unit), "\(summary.count)", summary.mean.map(NumberFormat.data) ?? "",
                    summary.meanInterval.map { NumberFormat.data($0.lowerBound) } ?? "",
                    summary.meanInterval.map { NumberFormat.data($0.upperBound) } ?? "",
                    summary.meanLowerBound.map(NumberFormat.data) ?? "", summary.median.map { NumberFormat.data($0.value) } ?? "",
                    summary.median.map { $0.isLowerBound ? "true" : "false" } ?? "",
                    summary.standardDeviation.map(NumberFormat.data) ?? "", "\(summary.censoredCount)",
                    summary.namedOutcomes.map { "\($0.outcome.rawValue) \($0.count)" }.joined(separator: " "),
                ])
            }
        }
        data.append(("metrics.csv", all))
        blocks.append(.heading(level: 3, text: "All metrics"))
        if hasManyVariants {
            blocks.append(.paragraph("With \(comparison.variants.count) variants the table of every metric and variant (\(rows.count) rows) is in "
                                     + "metrics.csv beside this report."))
        } else {
            blocks.append(.paragraph("Every metric and variant; also in metrics.csv."))
            blocks.append(.table(ReportTable(header: ["metric", "variant", "seeds", "mean [\(levelLabel) CI]", "median", "sd", "censored", "no number"],
                                             rows: rows, alignments: [.left, .left, .right, .right, .right, .right, .right, .left])))
        }
        return blocks
    }

    // MARK: Differences

    mutating func differenceBlocks() -> [ReportBlock] {
        let others = comparison.variants.map(\.variant).filter { $0 != comparison.baseline }
        guard !others.isEmpty else { return [.paragraph("Only the baseline has runs: nothing to compare.")] }
        var blocks: [ReportBlock] = [
            .paragraph("Variant − baseline, seed by seed, with \(levelLabel) intervals of the mean difference. Filled markers: significant "
                       + "after Holm's correction over the family of \(comparison.familySize) tests; hollow: not significant. "
                       + "Differences with a censored or non-numeric seed have no mean and appear in the table only."),
        ]
        var figures: [ReportFigure] = []
        for group in Self.groups(comparison.metrics) {
            let drawn = group.metrics.filter { metric in
                others.contains { variant in
                    guard let difference = comparison.difference(variant, metric) else { return false }
                    return difference.verdict != .identical && difference.meanDifference != nil
                }
            }
            guard !drawn.isEmpty else { continue }
            var marks: [Mark] = [.rule(RuleMark(orientation: .vertical, value: 0, color: Palette.ink, dash: nil, width: 1))]
            var low = 0.0, high = 0.0
            var csv = CSVTable(header: ["variant", "metric", "pairs", "meanDifference", "ciLower", "ciUpper", "pValue", "holmPValue", "significant", "verdict"])
            for (position, variant) in others.enumerated() {
                for (index, metric) in drawn.enumerated() {
                    guard let difference = comparison.difference(variant, metric), let mean = difference.meanDifference else { continue }
                    let style = Palette.series(index)
                    let y = Double(position) + Self.offset(index, of: drawn.count)
                    if let interval = difference.interval {
                        low = min(low, interval.lowerBound)
                        high = max(high, interval.upperBound)
                        marks.append(.errorBar(ErrorBarMark(orientation: .horizontal, position: y, low: interval.lowerBound,
                                                            high: interval.upperBound, color: style.color, cap: 3)))
                    }
                    low = min(low, mean)
                    high = max(high, mean)
                    marks.append(.point(PointMark(x: mean, y: y, marker: style.marker, color: style.color, filled: difference.isSignificant,
                                                  tooltip: "\(variant) − \(comparison.baseline), \(metric.name): \(difference.verdict.rawValue)")))
                    csv.rows.append([
                        variant, metric.name, "\(difference.pairs)", NumberFormat.data(mean),
                        difference.interval.map { NumberFormat.data($0.lowerBound) } ?? "",
                        difference.interval.map { NumberFormat.data($0.upperBound) } ?? "",
                        difference.pValue.map(NumberFormat.data) ?? "", difference.adjustedPValue.map(NumberFormat.data) ?? "",
                        difference.isSignificant ? "true" : "false", difference.verdict.rawValue,
                    ])
                }
            }
            let name = "differences-" + group.key
            data.append((name + ".csv", csv))
            let legend = drawn.enumerated().map { index, metric in
                let style = Palette.series(index)
                return LegendEntry(metric.name, .marker(style.marker, color: style.color, filled: true))
            } + [LegendEntry("not significant", .marker(.circle, color: Palette.ink, filled: false))]
            let figure = Figure(name: name, title: "\(group.title): difference from \(comparison.baseline)",
                                summary: "Per variant: mean paired difference from the baseline with its interval.",
                                width: 560, xAxis: Self.axis(for: group.unit, title: "Variant − \(comparison.baseline)", lower: low, upper: high, isDifference: true),
                                panels: [Panel(title: "Variant", height: Self.panelHeight(categories: others.count, series: drawn.count),
                                               yAxis: .categories(title: "Variant", others.map { label(of: $0) }), marks: marks)],
                                legend: legend)
            figures.append(ReportFigure(figure: figure, caption: "\(group.title): variant − \(comparison.baseline) with \(levelLabel) intervals.",
                                        dataFile: name + ".csv"))
        }
        if !figures.isEmpty { blocks.append(.figures(figures)) }
        var everyDifference = CSVTable(header: ["variant", "metric", "pairs", "censoredPairs", "namedPairs", "meanDifference", "ciLower", "ciUpper",
                                                "test", "pValue", "holmPValue", "significant", "verdict"])
        for d in comparison.differences {
            everyDifference.rows.append([
                d.variant, d.metric.name, "\(d.pairs)", "\(d.censoredPairs)", "\(d.namedPairs)", d.meanDifference.map(NumberFormat.data) ?? "",
                d.interval.map { NumberFormat.data($0.lowerBound) } ?? "", d.interval.map { NumberFormat.data($0.upperBound) } ?? "",
                Self.testCell(d), d.pValue.map(NumberFormat.data) ?? "", d.adjustedPValue.map(NumberFormat.data) ?? "",
                d.isSignificant ? "true" : "false", d.verdict.rawValue,
            ])
        }
        data.append(("differences.csv", everyDifference))
        let differing = comparison.differences.filter { $0.verdict != .identical }
        let identical = comparison.differences.count - differing.count
        let shown = hasManyVariants ? differing.filter(\.isSignificant) : differing
        if hasManyVariants {
            blocks.append(.paragraph("With \(comparison.variants.count) variants only the \(shown.count) significant differences are listed; "
                                     + "differences.csv beside this report has all \(comparison.differences.count)."))
        }
        if !shown.isEmpty {
            let rows: [[TableCell]] = shown.map { d in
                [
                    TableCell(d.variant), TableCell(d.metric.name), TableCell(Self.pairCell(d)), TableCell(Self.differenceCell(d)),
                    TableCell(Self.testCell(d)), TableCell(d.pValue.map(Self.pValue) ?? "—"), TableCell(d.adjustedPValue.map(Self.pValue) ?? "—"),
                    TableCell(d.verdict.rawValue, tone: d.verdict == .worse ? .fail : (d.verdict == .better ? .pass : (d.isSignificant ? .plain : .muted))),
                ]
            }
            blocks.append(.table(ReportTable(header: ["variant", "metric", "pairs", "mean difference [\(levelLabel) CI]", "test", "p", "Holm p", "verdict"],
                                             rows: rows, alignments: [.left, .left, .right, .right, .left, .right, .right, .left])))
        }
        if identical > 0 {
            blocks.append(.paragraph("\(identical) comparison\(identical == 1 ? "" : "s") gave identical results in every seed (difference 0, p = 1) and "
                                     + "\(identical == 1 ? "is" : "are") not listed."))
        }
        if !hasManyVariants {
            blocks.append(.paragraph("Every comparison, identical ones included, is in differences.csv."))
        }
        return blocks
    }

    static func pairCell(_ difference: PairedDifference) -> String {
        var parts: [String] = []
        if difference.censoredPairs > 0 { parts.append("\(difference.censoredPairs) censored") }
        if difference.namedPairs > 0 { parts.append("\(difference.namedPairs) named") }
        if difference.undeterminedPairs > 0 { parts.append("\(difference.undeterminedPairs) unordered") }
        return "\(difference.pairs)" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
    }

    static func differenceCell(_ difference: PairedDifference) -> String {
        let unit = difference.metric.unit
        func signed(_ number: Double) -> String {
            let text: String
            switch unit {
            case .fraction, .passFail: text = NumberFormat.fixed(number * 100, decimals: unit == .passFail ? 1 : 3) + " pp"
            default: text = value(number, unit)
            }
            let isZero = !text.contains { $0.isNumber && $0 != "0" }
            return number > 0 && !isZero ? "+" + text : text
        }
        guard let mean = difference.meanDifference else { return "— (not every pair is a number)" }
        guard let interval = difference.interval else { return signed(mean) }
        return signed(mean) + " [" + signed(interval.lowerBound) + ", " + signed(interval.upperBound) + "]"
    }

    static func testCell(_ difference: PairedDifference) -> String {
        switch difference.test {
        case .pairedT(let t, let degreesOfFreedom)?: "paired t = " + NumberFormat.fixed(t, decimals: 2) + ", df \(degreesOfFreedom)"
        case .sign(let positive, let negative, let ties)?: "\(difference.metric.isPassFail ? "McNemar" : "sign") \(positive)+ \(negative)− \(ties)="
        case nil: "—"
        }
    }

    static func pValue(_ value: Double) -> String {
        if value < 0.0001 { return "< 0.0001" }
        return NumberFormat.fixed(value, decimals: 4)
    }

    // MARK: Pareto

    static func frontierVaries(_ frontier: ParetoFrontier) -> Bool {
        guard let first = frontier.points.first else { return false }
        return frontier.points.contains { $0.x != first.x || $0.y != first.y }
    }

    mutating func paretoBlocks(_ frontier: ParetoFrontier) -> [ReportBlock] {
        var marks: [Mark] = []
        let onFrontier = frontier.points.filter(\.isOnFrontier).sorted { $0.x.value < $1.x.value }
        // The frontier as a staircase: from each point, along x to the next one's x, then down.
        var stairs: [DataPoint?] = []
        for (index, point) in onFrontier.enumerated() {
            stairs.append(DataPoint(x: point.x.value, y: point.y.value))
            if index + 1 < onFrontier.count { stairs.append(DataPoint(x: onFrontier[index + 1].x.value, y: point.y.value)) }
        }
        let frontierStyle = SeriesStyle(color: Palette.blue, dash: "6 3", marker: .none, lineWidth: 1.5)
        marks.append(.line(LineMark(points: stairs, style: frontierStyle)))
        let labelAll = frontier.points.count <= 24
        var frontierLabels: [Mark] = [], otherLabels: [Mark] = []
        var csv = CSVTable(header: ["variant", frontier.x.name, "xIsLowerBound", frontier.y.name, "yIsLowerBound", "onFrontier", "dominatedBy"])
        for point in frontier.points {
            let lowerBound = point.x.isLowerBound || point.y.isLowerBound
            marks.append(.point(PointMark(x: point.x.value, y: point.y.value, marker: lowerBound ? .triangleRight : .circle,
                                          color: point.isOnFrontier ? Palette.blue : Palette.shade, filled: point.isOnFrontier, size: 4.5,
                                          tooltip: "\(point.variant): \(Self.estimate(point.x, frontier.x.unit)), \(Self.estimate(point.y, frontier.y.unit))")))
            if labelAll || point.isOnFrontier {
                let text = TextMark(x: point.x.value, y: point.y.value, text: label(of: point.variant), dx: 7, dy: -5, size: 9.5,
                                    avoidsOverlap: true)
                // Frontier names first: when labels crowd, those are the ones to keep.
                if point.isOnFrontier { frontierLabels.append(.text(text)) } else { otherLabels.append(.text(text)) }
            }
            csv.rows.append([point.variant, NumberFormat.data(point.x.value), point.x.isLowerBound ? "true" : "false",
                             NumberFormat.data(point.y.value), point.y.isLowerBound ? "true" : "false",
                             point.isOnFrontier ? "true" : "false", point.dominatedBy.joined(separator: " ")])
        }
        marks += frontierLabels + otherLabels
        data.append(("pareto.csv", csv))
        let xs = frontier.points.map(\.x.value), ys = frontier.points.map(\.y.value)
        let xAxis = Self.axis(for: frontier.x.unit, title: "Mean \(frontier.x.name)", lower: 0, upper: (xs.max() ?? 1) * 1.15)
        let yAxis = Self.axis(for: frontier.y.unit, title: "Mean \(frontier.y.name)", lower: 0, upper: (ys.max() ?? 1) * 1.1)
        let figure = Figure(name: "pareto", title: "Breaker detection time against false opens",
                            summary: "One point per variant: mean breaker detection time against mean false opens; the frontier joins the variants no other beats on both.",
                            xAxis: xAxis, panels: [Panel(height: 300, yAxis: yAxis, marks: marks)],
                            legend: [
                                LegendEntry("on the frontier", .marker(.circle, color: Palette.blue, filled: true)),
                                LegendEntry("dominated", .marker(.circle, color: Palette.shade, filled: false)),
                                LegendEntry("a mean is a lower bound", .marker(.triangleRight, color: Palette.shade, filled: false)),
                                LegendEntry("frontier", .line(frontierStyle)),
                            ])
        let listed = hasManyVariants ? frontier.points.filter(\.isOnFrontier) : frontier.points
        let rows: [[TableCell]] = listed.map { point in
            [TableCell(point.variant), TableCell(Self.estimate(point.x, frontier.x.unit)), TableCell(Self.estimate(point.y, frontier.y.unit)),
             TableCell(point.isOnFrontier ? "yes" : "no", tone: point.isOnFrontier ? .pass : .muted),
             TableCell(variantList(point.dominatedBy))]
        }
        var blocks: [ReportBlock] = [
            .paragraph("A lower failure threshold detects an outage sooner and opens more often without one. Lower is better on both axes; "
                       + "a variant is on the frontier when no other is at least as good on both and better on one."),
            .figure(ReportFigure(figure: figure, caption: "Mean \(frontier.x.name) against mean \(frontier.y.name) per variant.", dataFile: "pareto.csv")),
            .table(ReportTable(header: ["variant", frontier.x.name, frontier.y.name, "on the frontier", "dominated by"], rows: rows,
                               alignments: [.left, .right, .right, .left, .left])),
        ]
        if listed.count < frontier.points.count {
            blocks.insert(.paragraph("The \(listed.count) variants on the frontier; pareto.csv has all \(frontier.points.count) with what dominates each."),
                          at: 2)
        }
        if !frontier.variantsWithoutValues.isEmpty {
            blocks.append(.paragraph("Without a value on both axes: " + frontier.variantsWithoutValues.joined(separator: ", ") + "."))
        }
        return blocks
    }

    // MARK: Latency, sources

    mutating func pooledLatencyBlocks() -> [ReportBlock] {
        var csv = CSVTable(header: ["variant", "operation", "runs", "requests", "p50Ms", "p95Ms", "p99Ms", "meanMs", "maxMs"])
        var rows: [[TableCell]] = []
        func ms(_ value: Double) -> String { NumberFormat.fixed(value, decimals: 1) }
        for variant in comparison.variants {
            for latency in variant.pooledLatency {
                rows.append([TableCell(variant.variant), TableCell(latency.operation), TableCell("\(latency.runs)"),
                             TableCell(NumberFormat.grouped(Int64(latency.requests))), TableCell(ms(latency.p50Ms)), TableCell(ms(latency.p95Ms)),
                             TableCell(ms(latency.p99Ms)), TableCell(ms(latency.meanMs)), TableCell(ms(latency.maxMs))])
                csv.rows.append([variant.variant, latency.operation, "\(latency.runs)", "\(latency.requests)", NumberFormat.data(latency.p50Ms),
                                 NumberFormat.data(latency.p95Ms), NumberFormat.data(latency.p99Ms), NumberFormat.data(latency.meanMs),
                                 NumberFormat.data(latency.maxMs)])
            }
        }
        data.append(("latency-pooled.csv", csv))
        if hasManyVariants {
            return [.paragraph("Every seed's latency histogram merged per variant and operation class: with \(comparison.variants.count) variants "
                               + "the \(rows.count) rows are in latency-pooled.csv beside this report (milliseconds).")]
        }
        return [
            .paragraph("Every seed's latency histogram merged, so that these are percentiles of all the variant's successful requests "
                       + "(milliseconds; also in latency-pooled.csv)."),
            .table(ReportTable(header: ["variant", "operation", "runs", "requests", "p50", "p95", "p99", "mean", "max"], rows: rows,
                               alignments: [.left, .left] + Array(repeating: .right, count: 7))),
        ]
    }

    func sourceBlocks() -> [ReportBlock] {
        let rows: [[TableCell]] = comparison.variants.map { variant in
            let identities = runs(of: variant.variant).map(\.identity)
            func distinct(_ values: [String], prefix: Int = 12) -> String {
                var seen: [String] = []
                for value in values where !seen.contains(value) { seen.append(value) }
                return seen.map { String($0.prefix(prefix)) }.joined(separator: ", ")
            }
            return [
                TableCell(variant.variant), TableCell(Self.seedList(variant.seeds)), TableCell(distinct(identities.map(\.engineVersion), prefix: 40)),
                TableCell(distinct(identities.map(\.modelHash))), TableCell(distinct(identities.map(\.experimentHash))),
                TableCell(identities.map { String($0.runKey.prefix(12)) }.joined(separator: " ")),
            ]
        }
        return [
            .paragraph("The runs this report was drawn from (hashes shortened to 12 characters; sources.json beside the report, and a JSON "
                       + "block in the HTML, list every run key, digest and hash in full). A run key identifies the model, experiment, variant, "
                       + "overrides, seed and engine version."
                       + (context.experimentFile.map { " Experiment file: \($0)." } ?? "")),
            .table(ReportTable(header: ["variant", "seeds", "engine", "model hash", "experiment hash", "run keys (by seed)"], rows: rows)),
        ]
    }
}
