import RunResults

/// The report of one run: what happened over time, and how the run is judged.
///
/// Timelines of request rate, error rate and p95 latency per 10 s interval with the fault windows
/// shaded and the detection, mitigation and recovery instants marked; the states of health
/// checks, controller actions, DNS, breakers and alerts as bands; the trigger table, the latency
/// SLA table, availability and error-budget use, write outcomes, breakers and the event log.
///
/// ```swift
/// let bundle = RunReport.make(run: result, experimentFile: "experiments/trigger-table.yaml")
/// for file in bundle.files { try file.contents.write(to: folder.appendingPathComponent(file.path)) }
/// ```
///
/// Pure: the same run gives the same bytes. Nothing in it names a database row.
public enum RunReport {
    /// The report's folder name: `run-<experiment>-<variant>-seed<seed>`, reduced to characters
    /// safe in file names.
    public static func folderName(for identity: RunIdentity) -> String {
        "run-" + FileNames.safe("\(identity.experiment)-\(identity.variant)") + "-seed\(identity.seed)"
    }

    /// Renders the report of `run`. `experimentFile` (as the caller names it, e.g. relative to the
    /// repository) is recorded in the sources so that a staleness check can reload it. With
    /// `checks` (the experiment's), the report lists every check and its verdict.
    ///
    /// - Complexity: O(samples + events · log events + breakers · transitions).
    public static func make(run: RunResult, experimentFile: String? = nil, checks: RunChecks? = nil) -> ReportBundle {
        var builder = RunReportBuilder(run: run)
        builder.checks = checks
        let document = builder.document()
        let sources = ReportSources(kind: .run, experiment: run.identity.experiment, experimentFile: experimentFile,
                                    variants: [run.identity.variant], runs: [ReportSources.Run(run.identity)])
        return ReportBundle.make(folderName: folderName(for: run.identity), document: document, data: builder.data, sources: sources)
    }
}

/// Builds the run report's blocks and data files.
struct RunReportBuilder {
    let run: RunResult
    let timeline: RunTimeline
    var checks: RunChecks?
    private(set) var data: [(String, CSVTable)] = []

    /// Timelines are wide: a 40-minute run in 10 s intervals is 240 steps.
    static let width = 1040.0

    init(run: RunResult) {
        self.run = run
        timeline = RunTimeline(run)
    }

    mutating func document() -> ReportDocument {
        let identity = run.identity
        var blocks: [ReportBlock] = []
        var lead = "Experiment \(identity.experiment) on model \(identity.model), variant \(identity.variant), seed \(identity.seed); "
            + "engine \(identity.engineVersion). "
        lead += "\(run.status == .completed ? "Completed" : "Stopped (\(run.status.rawValue))"): "
            + "\(NumberFormat.grouped(identity.events)) events over \(NumberFormat.clock(identity.simulatedSeconds)) of simulated time "
            + "(warm-up included). Times are on the experiment's clock — t = 0 at the start of the simulation, the clock faults' "
            + "`at:` are written on — and measured from \(NumberFormat.clock(run.measuredFromSeconds)), the end of the warm-up."
        if let detail = run.statusDetail { lead += " \(detail)." }
        if !identity.overrides.isEmpty {
            let sorted = identity.overrides.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            lead += " Overrides: " + sorted.map { "\($0) = \(identity.overrides[$0]!)" }.joined(separator: ", ") + "."
        }

        blocks.append(.heading(level: 2, text: "Verdicts"))
        blocks += triggerBlocks()
        if let checks {
            let evaluated = checks.evaluate(run)
            let failing = evaluated.filter { !$0.passed }.count
            blocks.append(.heading(level: 2, text: "Checks"))
            blocks.append(.paragraph("The experiment checks: \(checks.summary). \(evaluated.count - failing) of \(evaluated.count) passed."))
            blocks.append(.table(ReportTable(header: ["check", "value", "verdict"], rows: evaluated.map { check in
                [TableCell(check.name), TableCell(check.value), TableCell(check.passed ? "PASS" : "FAIL", tone: check.passed ? .pass : .fail)]
            })))
        }
        blocks.append(.heading(level: 2, text: "Timeline"))
        blocks += timelineBlocks()
        blocks.append(.heading(level: 2, text: "Latency against the SLA"))
        blocks += latencyBlocks()
        blocks.append(.heading(level: 2, text: "Availability and error budget"))
        blocks += availabilityBlocks()
        blocks.append(.heading(level: 2, text: "Writes"))
        blocks += writeBlocks()
        blocks.append(.heading(level: 2, text: "Circuit breakers"))
        blocks += breakerBlocks()
        blocks.append(.heading(level: 2, text: "Events"))
        blocks += eventBlocks()
        blocks.append(.heading(level: 2, text: "Sources"))
        blocks += sourceBlocks()
        return ReportDocument(title: "Run report: \(identity.experiment) — \(identity.variant), seed \(identity.seed)", lead: lead,
                              blocks: blocks)
    }

    // MARK: Verdicts

    func triggerBlocks() -> [ReportBlock] {
        guard !run.triggers.isEmpty else {
            let faults = run.incidents.isEmpty ? "The run injected no fault" : "No fault of this run exercises a trigger-table row"
            return [.paragraph("\(faults), so no trigger-table row is judged.")]
        }
        let passed = run.triggers.filter(\.passed).count
        var rows: [[TableCell]] = []
        for verdict in run.triggers {
            rows.append([
                TableCell("\(verdict.row)"), TableCell(verdict.condition), TableCell(verdict.action), TableCell(verdict.fault),
                TableCell(NumberFormat.seconds(verdict.targetSeconds)),
                TableCell(verdict.detectionSeconds.map(NumberFormat.seconds) ?? "—"),
                TableCell(recoveryText(verdict)), TableCell(verdict.outcome.rawValue, tone: verdict.outcome == .recovered || verdict.outcome == .noImpact ? .plain : .fail),
                .verdict(verdict.passed), TableCell(verdict.rule ?? "none"),
            ])
        }
        return [
            .paragraph("\(passed) of \(run.triggers.count) trigger-table rows passed. A row passes when its traffic recovered before the "
                       + "target and its own rule acted, or when the fault had no visible impact. Recovery is measured from onset."),
            .table(ReportTable(header: ["#", "condition", "action", "fault", "target", "detection", "recovery", "outcome", "verdict", "rule that acted"],
                               rows: rows, alignments: [.right, .left, .left, .left, .right, .right, .right, .left, .left, .left])),
        ]
    }

    func recoveryText(_ verdict: TriggerVerdict) -> String {
        if let recovery = verdict.recoverySeconds { return NumberFormat.seconds(recovery) }
        if verdict.outcome == .notRecovered,
           let incident = run.incidents.first(where: { $0.fault == verdict.fault }), let censored = incident.censoredAtSeconds {
            // Engine 0.2.0 stores the censoring as a duration from onset; the contract says an
            // instant. A value before the onset can only be the duration.
            let bound = censored < incident.onsetSeconds ? censored : censored - incident.onsetSeconds
            return "≥ " + NumberFormat.seconds(max(0, bound))
        }
        return "—"
    }

    // MARK: Timeline

    mutating func timelineBlocks() -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        let figure = trafficFigure()
        let faults = timeline.faults.isEmpty
            ? "No fault was injected."
            : "Shaded: fault windows (" + timeline.faults.map { "\($0.name) \(NumberFormat.clock($0.start))–\(NumberFormat.clock($0.end))" }.joined(separator: "; ") + ")."
        blocks.append(.figure(ReportFigure(
            figure: figure,
            caption: "Request rate, error rate and p95 latency per 10 s interval, measured at the client by arrival time. \(faults)"
                + (run.incidents.contains { $0.detectedAtSeconds != nil } ? " Vertical lines: detection (D), mitigation (M) and recovery (R) of each incident." : ""),
            dataFile: "timeline.csv")))
        data.append(("timeline.csv", timelineCSV()))

        let lanes = timeline.lanes()
        if lanes.contains(where: { $0.name != "Faults" }) {
            blocks.append(.figure(ReportFigure(
                figure: stateFigure(lanes),
                caption: "States over time. Bands: a fault, an unhealthy health check, the DNS record on the failover region, "
                    + "breakers OPEN (vermillion, with how many) or HALF_OPEN (orange), alerts at warning (orange) or critical (vermillion); "
                    + "▲ an alert fired, ▽ it resolved. Step areas: the share of reads on the replica, of traffic routed to the failover region "
                    + "and of edge locations using the failover DNS answer (10 s intervals).",
                dataFile: "states.csv")))
            data.append(("states.csv", statesCSV(lanes)))
        } else {
            blocks.append(.paragraph("No health check, controller action, DNS answer, breaker or alert changed state during the run."))
        }
        if !run.incidents.isEmpty {
            blocks.append(.heading(level: 3, text: "Incidents"))
            blocks.append(.table(incidentTable()))
        }
        return blocks
    }

    func trafficFigure() -> Figure {
        let requestRate = timeline.series(RunTimeline.SeriesName.requestRate)
        let errorRate = timeline.series(RunTimeline.SeriesName.errorRate)
        let latency = timeline.series(RunTimeline.SeriesName.p95Latency)
        let xAxis = Axis.clock(lower: timeline.start, upper: timeline.end)
        let shading = timeline.faults.map { window in
            Mark.band(BandMark(x0: window.start, x1: window.end, fill: Palette.StateFill.fault, opacity: 0.16,
                               tooltip: "\(window.name): \(NumberFormat.clock(window.start))–\(NumberFormat.clock(window.end))"))
        }
        func instants(labelled: Bool) -> [Mark] {
            var marks: [Mark] = []
            for incident in run.incidents {
                let entries: [(Double?, String, String)] = [
                    (incident.detectedAtSeconds, "D", Palette.orange),
                    (incident.mitigatedAtSeconds, "M", Palette.blue),
                    (incident.recoveredAtSeconds, "R", Palette.bluishGreen),
                ]
                for (time, label, color) in entries {
                    guard let time else { continue }
                    marks.append(.rule(RuleMark(orientation: .vertical, value: time, color: color, dash: "4 3", width: 1.25,
                                                label: labelled ? label : nil)))
                }
            }
            return marks
        }
        let rateStyle = Palette.series(0)
        let errorStyle = Palette.series(1)
        let latencyStyle = Palette.series(2)
        let maxRate = requestRate.map(\.value).max() ?? 0
        let maxError = errorRate.map(\.value).max() ?? 0
        let maxLatency = latency.map(\.value).max() ?? 0
        let panels = [
            Panel(height: 120, yAxis: .linear(title: "Request rate", unit: "req/s", lower: 0, upper: max(maxRate, 1), tickCount: 4),
                  marks: shading + instants(labelled: true) + [.line(LineMark(points: RunTimeline.stepPoints(requestRate), style: rateStyle))]),
            Panel(height: 120, yAxis: .percent(title: "Error rate", upper: max(maxError, 0.01), tickCount: 4),
                  marks: shading + instants(labelled: false) + [.line(LineMark(points: RunTimeline.stepPoints(errorRate), style: errorStyle))]),
            Panel(height: 120, yAxis: .linear(title: "p95 latency", unit: "ms", lower: 0, upper: max(maxLatency, 1), tickCount: 4),
                  marks: shading + instants(labelled: false) + [.line(LineMark(points: RunTimeline.stepPoints(latency), style: latencyStyle))]),
        ]
        var legend = [
            LegendEntry("request rate", .line(rateStyle)), LegendEntry("error rate", .line(errorStyle)),
            LegendEntry("p95 latency", .line(latencyStyle)),
        ]
        if !timeline.faults.isEmpty { legend.append(LegendEntry("fault window", .swatch(fill: Palette.StateFill.fault, opacity: 0.16))) }
        if run.incidents.contains(where: { $0.detectedAtSeconds != nil }) {
            legend += [LegendEntry("detected (D)", .rule(color: Palette.orange, dash: "4 3")),
                       LegendEntry("mitigated (M)", .rule(color: Palette.blue, dash: "4 3"))]
        }
        if run.incidents.contains(where: { $0.recoveredAtSeconds != nil }) {
            legend.append(LegendEntry("recovered (R)", .rule(color: Palette.bluishGreen, dash: "4 3")))
        }
        return Figure(name: "timeline", title: "Traffic, errors and latency over time",
                      summary: "Three panels over time since the start of measurement: request rate, error rate and p95 latency per 10 s interval, with fault windows shaded.",
                      width: RunReportBuilder.width, xAxis: xAxis, panels: panels, legend: legend)
    }

    func stateFigure(_ lanes: [StateLane]) -> Figure {
        var marks: [Mark] = timeline.faults.map { window in
            Mark.band(BandMark(x0: window.start, x1: window.end, fill: Palette.StateFill.fault, opacity: 0.08))
        }
        for (index, lane) in lanes.enumerated() {
            let position = Double(index)
            for segment in lane.segments {
                marks.append(.band(BandMark(x0: segment.start, x1: segment.end, y0: position - 0.36, y1: position + 0.36, fill: segment.fill,
                                            opacity: segment.fill == Palette.StateFill.fault ? 0.35 : (segment.fill == Palette.StateFill.caution ? 0.6 : 0.85), label: segment.label,
                                            tooltip: segment.tooltip, outline: segment.fill)))
            }
            if lane.share.contains(where: { $0.value > 0 }) {
                // Share 0 at the lane's bottom edge, 1 at its top (positions grow downwards).
                // Only where the share is above zero, so that an idle lane has no baseline stroke.
                let points = RunTimeline.stepPoints(lane.share.filter { $0.value > 0 }) { position + 0.36 - 0.72 * $0 }
                var run: [DataPoint] = []
                for point in points + [nil] {
                    if let point {
                        run.append(point)
                    } else if !run.isEmpty {
                        marks.append(.area(AreaMark(points: run, baseline: position + 0.36, fill: lane.shareFill, opacity: 0.45)))
                        run = []
                    }
                }
            }
            for instant in lane.instants {
                marks.append(.point(PointMark(x: instant.time, y: position, marker: instant.marker, color: instant.color,
                                              filled: instant.filled, size: 4, tooltip: instant.tooltip)))
            }
        }
        let legend = [
            LegendEntry("fault", .swatch(fill: Palette.StateFill.fault, opacity: 0.35)),
            LegendEntry("OPEN / unhealthy / critical", .swatch(fill: Palette.StateFill.bad, opacity: 0.85)),
            LegendEntry("HALF_OPEN / warning", .swatch(fill: Palette.StateFill.caution, opacity: 0.6)),
            LegendEntry("failover in force (share)", .swatch(fill: Palette.StateFill.action, opacity: 0.6)),
            LegendEntry("alert fired", .marker(.triangle, color: Palette.ink, filled: true)),
            LegendEntry("alert resolved", .marker(.triangleDown, color: Palette.ink, filled: false)),
        ]
        return Figure(name: "states", title: "Health, failover, DNS, breakers and alerts over time",
                      summary: "One lane per state: faults, unhealthy health checks, reads on the replica, traffic routed, DNS record and answers, breakers open, alert levels.",
                      width: RunReportBuilder.width, xAxis: .clock(lower: timeline.start, upper: timeline.end),
                      panels: [Panel(title: "State", height: Double(lanes.count) * 24, yAxis: .categories(title: "State", lanes.map(\.name)), marks: marks)],
                      legend: legend)
    }

    func timelineCSV() -> CSVTable {
        let names = [RunTimeline.SeriesName.requestRate, RunTimeline.SeriesName.errorRate, RunTimeline.SeriesName.p95Latency,
                     RunTimeline.SeriesName.readsToReplica, RunTimeline.SeriesName.routedToFailover, RunTimeline.SeriesName.dnsPrimaryShare,
                     RunTimeline.SeriesName.writeQueueLength]
        let columns = names.map { timeline.series($0) }
        var starts: [Double] = []
        for column in columns { for interval in column where !starts.contains(interval.start) { starts.append(interval.start) } }
        starts.sort()
        var byStart: [[Double: Double]] = columns.map { column in
            Dictionary(column.map { ($0.start, $0.value) }, uniquingKeysWith: { _, last in last })
        }
        var widths: [Double: Double] = [:]
        for column in columns { for interval in column { widths[interval.start] = interval.end - interval.start } }
        var table = CSVTable(header: ["startSeconds", "endSeconds"] + names)
        for start in starts {
            table.rows.append([NumberFormat.data(start), NumberFormat.data(start + (widths[start] ?? 0))]
                              + byStart.indices.map { index in byStart[index][start].map(NumberFormat.data) ?? "" })
        }
        byStart.removeAll()
        return table
    }

    func statesCSV(_ lanes: [StateLane]) -> CSVTable {
        var table = CSVTable(header: ["lane", "startSeconds", "endSeconds", "state", "value"])
        for lane in lanes {
            for segment in lane.segments {
                table.rows.append([lane.name, NumberFormat.data(segment.start), NumberFormat.data(segment.end), segment.state,
                                   NumberFormat.data(segment.value)])
            }
            if lane.share.contains(where: { $0.value > 0 }) {
                for interval in lane.share {
                    table.rows.append([lane.name, NumberFormat.data(interval.start), NumberFormat.data(interval.end), "share",
                                       NumberFormat.data(interval.value)])
                }
            }
            for instant in lane.instants {
                table.rows.append([lane.name, NumberFormat.data(instant.time), NumberFormat.data(instant.time),
                                   instant.filled ? "fired" : "resolved", "1"])
            }
        }
        return table
    }

    func incidentTable() -> ReportTable {
        func at(_ value: Double?) -> TableCell { TableCell(value.map(NumberFormat.clock) ?? "—") }
        let rows: [[TableCell]] = run.incidents.map { incident in
            [
                TableCell(incident.fault), TableCell(incident.faultKind), TableCell(incident.target),
                at(incident.onsetSeconds), at(incident.endSeconds), at(incident.detectedAtSeconds), at(incident.mitigatedAtSeconds),
                at(incident.recoveredAtSeconds), at(incident.failbackEndedAtSeconds), TableCell(incident.rule ?? "none"),
                TableCell(NumberFormat.grouped(incident.requestsFailed) + " of " + NumberFormat.grouped(incident.requests)),
                TableCell(NumberFormat.grouped(incident.failbackRequestsFailed)), TableCell(NumberFormat.grouped(incident.staleReads)),
            ]
        }
        return ReportTable(header: ["fault", "kind", "target", "onset", "end", "detected", "mitigated", "recovered", "failback ended",
                                    "rule", "requests failed", "failback failed", "stale reads"],
                           rows: rows,
                           alignments: [.left, .left, .left, .right, .right, .right, .right, .right, .right, .left, .right, .right, .right])
    }

    // MARK: Tables

    func latencyBlocks() -> [ReportBlock] {
        guard !run.latency.isEmpty else { return [.paragraph("No latency was measured.")] }
        func ms(_ value: Double) -> String { NumberFormat.fixed(value, decimals: 1) }
        let rows: [[TableCell]] = run.latency.map { line in
            [
                TableCell(line.operation), TableCell(NumberFormat.grouped(line.count)),
                TableCell(ms(line.p50Ms)), TableCell(ms(line.p95Ms)), TableCell(ms(line.p99Ms)),
                TableCell(line.targetP50Ms.map(ms) ?? "—"), TableCell(line.targetP95Ms.map(ms) ?? "—"), TableCell(line.targetP99Ms.map(ms) ?? "—"),
                line.passed.map { TableCell.verdict($0) } ?? TableCell("no target", tone: .muted),
            ]
        }
        return [
            .paragraph("Latency of successful requests measured at the client per logical request (retries included), in milliseconds, "
                       + "by the path that served it; failed requests are errors, not latencies."),
            .table(ReportTable(header: ["operation", "requests", "p50", "p95", "p99", "target p50", "target p95", "target p99", "verdict"],
                               rows: rows, alignments: [.left] + Array(repeating: .right, count: 7) + [.left])),
        ]
    }

    func availabilityBlocks() -> [ReportBlock] {
        let a = run.availability
        var blocks: [ReportBlock] = [
            .table(ReportTable(header: ["measure", "value", "from"], rows: [
                [TableCell("request-based"), TableCell(NumberFormat.percent(a.requestBased)),
                 TableCell(NumberFormat.grouped(a.served) + " of " + NumberFormat.grouped(a.requests) + " requests served")],
                [TableCell("time-based"), TableCell(NumberFormat.percent(a.timeBased)),
                 TableCell("\(a.goodMinutes) good, \(a.badMinutes) bad, \(a.noDataMinutes) no-data minutes")],
                [TableCell("error budget used"), TableCell(NumberFormat.percent(a.errorBudgetUsed)),
                 TableCell("share of the annual error budget consumed by this run's bad minutes")],
            ], alignments: [.left, .right, .left])),
        ]
        if !a.regions.isEmpty {
            blocks.append(.heading(level: 3, text: "Per region"))
            blocks.append(.table(scopedTable(a.regions, scope: "region")))
        }
        if !a.tenants.isEmpty {
            let worst = a.tenants.enumerated().sorted {
                $0.element.requestBased != $1.element.requestBased ? $0.element.requestBased < $1.element.requestBased : $0.offset < $1.offset
            }.prefix(5).map(\.element)
            blocks.append(.heading(level: 3, text: "Tenants"))
            blocks.append(.paragraph("\(a.tenants.count) tenants sent requests; the five with the lowest request-based availability:"))
            blocks.append(.table(scopedTable(Array(worst), scope: "tenant")))
        }
        return blocks
    }

    func scopedTable(_ scopes: [ScopedAvailability], scope: String) -> ReportTable {
        ReportTable(header: [scope, "requests", "served", "request-based", "time-based"], rows: scopes.map { s in
            [TableCell(s.scope), TableCell(NumberFormat.grouped(s.requests)), TableCell(NumberFormat.grouped(s.served)),
             TableCell(NumberFormat.percent(s.requestBased)), TableCell(s.timeBased.map { NumberFormat.percent($0) } ?? "—")]
        }, alignments: [.left, .right, .right, .right, .right])
    }

    func writeBlocks() -> [ReportBlock] {
        let w = run.writes
        var blocks: [ReportBlock] = [
            .table(ReportTable(header: ["acknowledged", "queued", "rejected", "replayed", "lost", "duplicates suppressed"], rows: [[
                TableCell(NumberFormat.grouped(w.acknowledged)), TableCell(NumberFormat.grouped(w.queued)),
                TableCell(NumberFormat.grouped(w.rejected)), TableCell(NumberFormat.grouped(w.replayed)),
                TableCell(NumberFormat.grouped(w.lost), tone: w.lost > 0 ? .fail : .plain), TableCell(NumberFormat.grouped(w.duplicatesSuppressed)),
            ]], alignments: Array(repeating: .right, count: 6))),
        ]
        let pending = w.pending ?? 0
        let verdict: String
        if pending > 0 {
            verdict = "\(NumberFormat.grouped(pending)) acknowledged writes were still queued when the run ended (pending: neither applied nor lost); "
                + (w.lost > 0 ? "\(NumberFormat.grouped(w.lost)) were lost (the goal is zero)." : "none was lost before the end.")
        } else {
            verdict = w.lost == 0 ? "No acknowledged write was lost." : "\(NumberFormat.grouped(w.lost)) acknowledged writes were lost (the goal is zero)."
        }
        blocks.insert(.paragraph(verdict), at: 0)
        let affected = run.incidents.filter { $0.writesQueued + $0.writesRejected + $0.writesReplayed + $0.writesLost > 0 || $0.rpoWrites != nil }
        if !affected.isEmpty {
            blocks.append(.table(ReportTable(header: ["fault", "queued", "rejected", "replayed", "lost", "RTO", "RPO (writes)"], rows: affected.map { i in
                [TableCell(i.fault), TableCell(NumberFormat.grouped(i.writesQueued)), TableCell(NumberFormat.grouped(i.writesRejected)),
                 TableCell(NumberFormat.grouped(i.writesReplayed)), TableCell(NumberFormat.grouped(i.writesLost), tone: i.writesLost > 0 ? .fail : .plain),
                 TableCell(i.rtoSeconds.map(NumberFormat.seconds) ?? "—"), TableCell(i.rpoWrites.map { NumberFormat.grouped($0) } ?? "—")]
            }, alignments: [.left, .right, .right, .right, .right, .right, .right])))
        }
        return blocks
    }

    func breakerBlocks() -> [ReportBlock] {
        guard !run.breakers.isEmpty else { return [.paragraph("No breaker opened or rejected a call.")] }
        let grouped = run.breakers.count > RunTimeline.breakerLanesUngrouped
        var order: [String] = []
        var totals: [String: (instances: Int, opens: Int, falseOpens: Int, secondsOpen: Double, rejected: Int64)] = [:]
        for breaker in run.breakers {
            let group = RunTimeline.breakerGroup(breaker.breaker, grouped: grouped)
            if totals[group] == nil { order.append(group) }
            var total = totals[group] ?? (0, 0, 0, 0, 0)
            total.instances += 1
            total.opens += breaker.opens
            total.falseOpens += breaker.falseOpens
            total.secondsOpen += breaker.secondsOpen
            total.rejected += breaker.callsRejected
            totals[group] = total
        }
        let opens = run.breakers.reduce(0) { $0 + $1.opens }
        let falseOpens = run.breakers.reduce(0) { $0 + $1.falseOpens }
        return [
            .paragraph("\(opens) opens, \(falseOpens) of them false (no fault affected the guarded path), over \(run.breakers.count) breaker instances "
                       + "that opened or rejected calls" + (grouped ? "; instances of one guard, target and region are added up." : ".")),
            .table(ReportTable(header: [grouped ? "breakers" : "breaker", "instances", "opens", "false opens", "time open (instance-seconds)", "calls rejected"],
                               rows: order.map { group in
                                   let t = totals[group]!
                                   return [TableCell(group), TableCell("\(t.instances)"), TableCell("\(t.opens)"), TableCell("\(t.falseOpens)"),
                                           TableCell(NumberFormat.fixed(t.secondsOpen, decimals: 1)), TableCell(NumberFormat.grouped(t.rejected))]
                               }, alignments: [.left, .right, .right, .right, .right, .right])),
        ]
    }

    mutating func eventBlocks() -> [ReportBlock] {
        var csv = CSVTable(header: ["timeSeconds", "kind", "subject", "detail"])
        for event in run.events {
            csv.rows.append([NumberFormat.data(event.timeSeconds), event.kind, event.subject, event.detail])
        }
        data.append(("events.csv", csv))
        let shown = run.events.filter { $0.kind != RunTimeline.EventKind.breakerTransition }
        let transitions = run.events.count - shown.count
        var blocks: [ReportBlock] = [
            .paragraph("\(run.events.count) events were logged; every one is in events.csv. "
                       + (transitions > 0 ? "The \(transitions) breaker transitions are drawn above, not listed; " : "")
                       + (shown.isEmpty ? "there is nothing else." : "the others, in time order:")),
        ]
        if !shown.isEmpty {
            blocks.append(.table(ReportTable(header: ["time", "kind", "subject", "detail"], rows: shown.map { event in
                [TableCell(NumberFormat.clock(event.timeSeconds)), TableCell(event.kind), TableCell(event.subject), TableCell(event.detail)]
            }, alignments: [.right, .left, .left, .left])))
        }
        return blocks
    }

    func sourceBlocks() -> [ReportBlock] {
        let identity = run.identity
        return [
            .paragraph("The inputs this report was drawn from; sources.json beside it (and a JSON block in the HTML) says the same for "
                       + "programs. A run key identifies the model, experiment, variant, overrides, seed and engine version; the digest "
                       + "identifies the results."),
            .table(ReportTable(header: ["field", "value"], rows: [
                ["experiment", TableCell(identity.experiment)], ["model", TableCell(identity.model)],
                ["variant", TableCell(identity.variant)], ["seed", TableCell("\(identity.seed)")],
                ["engine version", TableCell(identity.engineVersion)], ["run key", TableCell(identity.runKey)],
                ["digest", TableCell(identity.digest)], ["model hash", TableCell(identity.modelHash)],
                ["experiment hash", TableCell(identity.experimentHash)],
            ])),
        ]
    }
}
