import RunResults

/// One interval of a per-interval series.
struct SeriesInterval: Equatable {
    var start: Double
    var end: Double
    var value: Double
}

/// A stretch of time in one state, on one lane of the state chart.
struct StateSegment: Equatable {
    var start: Double
    var end: Double
    /// The state's name as the CSV writes it (`OPEN`, `unhealthy`, `critical`, `answers us-east1`).
    var state: String
    /// A number that goes with the state (instances OPEN, share routed); 1 when there is none.
    var value: Double
    var fill: String
    var label: String
    var tooltip: String
}

/// One lane of the state chart: discrete segments, or a share from 0 to 1 drawn as a step area,
/// plus instants (alert fired and resolved).
struct StateLane: Equatable {
    struct Instant: Equatable {
        var time: Double
        var marker: Marker
        var filled: Bool
        var color: String
        var tooltip: String
    }

    var name: String
    var segments: [StateSegment] = []
    var share: [SeriesInterval] = []
    var shareFill: String = Palette.StateFill.action
    var instants: [Instant] = []

    var isEmpty: Bool {
        segments.isEmpty && instants.isEmpty && !share.contains { $0.value > 0 }
    }
}

/// What happened in a run over time, read from its series and event log.
///
/// The model writes per-interval aggregates every 10 s, wider for long runs (`Monitor.swift`), and logs discrete
/// events with free-text details; this type is the one place that knows those names and
/// formats, so that a change in the model's wording breaks one file (and its tests), not the
/// whole report.
struct RunTimeline {
    /// Metric names of the model's series (scope `all` unless said).
    enum SeriesName {
        static let requestRate = "requestsPerSecond"
        static let errorRate = "errorRate"
        static let p95Latency = "p95LatencyMs"
        static let readsToReplica = "readsToReplica"
        static let routedToFailover = "routedToFailover"
        static let dnsPrimaryShare = "dnsPrimaryShare"
        static let writeQueueLength = "writeQueueLength"
    }

    /// Event kinds of the model's log.
    enum EventKind {
        static let faultStart = "faultStart"
        static let faultEnd = "faultEnd"
        static let breakerTransition = "breakerTransition"
        static let healthChange = "healthChange"
        static let alertFired = "alertFired"
        static let alertResolved = "alertResolved"
        static let dnsChange = "dnsChange"
    }

    struct FaultWindow: Equatable {
        var name: String
        var kind: String
        var start: Double
        var end: Double
    }

    let run: RunResult
    /// The measured span on the experiment's clock: from the end of the warm-up
    /// (``RunResult/measuredFromSeconds``) to the end of the last interval (or of the last event
    /// or incident).
    let start: Double
    let end: Double
    let faults: [FaultWindow]

    init(_ run: RunResult) {
        self.run = run
        var end = run.series.reduce(0.0) { max($0, $1.startSeconds + $1.widthSeconds) }
        if end <= 0 {
            end = max(run.events.last?.timeSeconds ?? 0, run.incidents.map(\.endSeconds).max() ?? 0, 60)
        }
        self.end = end
        start = min(run.measuredFromSeconds, end)
        faults = RunTimeline.faultWindows(run, end: end)
    }

    /// Fault windows from the incidents (onset to end), else from faultStart/faultEnd events.
    static func faultWindows(_ run: RunResult, end: Double) -> [FaultWindow] {
        if !run.incidents.isEmpty {
            return run.incidents.map { FaultWindow(name: $0.fault, kind: $0.faultKind, start: $0.onsetSeconds, end: min($0.endSeconds, end)) }
        }
        var open: [(name: String, start: Double)] = []
        var windows: [FaultWindow] = []
        for event in run.events {
            if event.kind == EventKind.faultStart {
                open.append((event.subject, event.timeSeconds))
            } else if event.kind == EventKind.faultEnd, let index = open.firstIndex(where: { $0.name == event.subject }) {
                windows.append(FaultWindow(name: event.subject, kind: "", start: open[index].start, end: event.timeSeconds))
                open.remove(at: index)
            }
        }
        windows += open.map { FaultWindow(name: $0.name, kind: "", start: $0.start, end: end) }
        return windows.sorted { $0.start != $1.start ? $0.start < $1.start : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// The intervals of `metric` in `scope`, in time order.
    func series(_ metric: String, scope: String = "all") -> [SeriesInterval] {
        run.series.filter { $0.metric == metric && $0.scope == scope }
            .map { SeriesInterval(start: $0.startSeconds, end: $0.startSeconds + $0.widthSeconds, value: $0.value) }
            .sorted { $0.start < $1.start }
    }

    /// A step line through intervals: flat over each, with a gap where intervals do not touch.
    /// Touching intervals with the same value make one step, so that a flat stretch costs two
    /// points however long it is.
    static func stepPoints(_ intervals: [SeriesInterval], transform: (Double) -> Double = { $0 }) -> [DataPoint?] {
        var merged: [SeriesInterval] = []
        for interval in intervals {
            if let last = merged.last, abs(last.end - interval.start) <= 1e-9, last.value == interval.value {
                merged[merged.count - 1].end = interval.end
            } else {
                merged.append(interval)
            }
        }
        var points: [DataPoint?] = []
        var previousEnd: Double?
        for interval in merged {
            if let previousEnd, abs(previousEnd - interval.start) > 1e-9 { points.append(nil) }
            let value = transform(interval.value)
            points.append(DataPoint(x: interval.start, y: value))
            points.append(DataPoint(x: interval.end, y: value))
            previousEnd = interval.end
        }
        return points
    }

    // MARK: Lanes

    /// Every lane with something on it, in a fixed order: faults, health checks, controller
    /// actions (reads on the replica, traffic routed, DNS), breakers, alerts.
    func lanes() -> [StateLane] {
        var lanes: [StateLane] = []
        var faultLane = StateLane(name: "Faults")
        faultLane.segments = faults.map { window in
            StateSegment(start: window.start, end: window.end, state: "fault", value: 1, fill: Palette.StateFill.fault,
                         label: window.name,
                         tooltip: "\(window.name)\(window.kind.isEmpty ? "" : " (\(window.kind))"): \(NumberFormat.clock(window.start))–\(NumberFormat.clock(window.end))")
        }
        lanes.append(faultLane)
        lanes += healthLanes()
        lanes.append(shareLane("Reads on the replica", metric: SeriesName.readsToReplica))
        lanes.append(shareLane("Traffic routed to failover", metric: SeriesName.routedToFailover))
        lanes.append(dnsRecordLane())
        lanes.append(shareLane("Edge on failover DNS answer", metric: SeriesName.dnsPrimaryShare, complement: true))
        lanes += breakerLanes()
        lanes += alertLanes()
        return lanes.filter { !$0.isEmpty }
    }

    func shareLane(_ name: String, metric: String, complement: Bool = false) -> StateLane {
        var lane = StateLane(name: name)
        let intervals = series(metric)
        // A model without DNS writes a primary share of 0 throughout (no edge location follows a
        // record): that is "no DNS", not "everything on failover".
        if complement && !intervals.contains(where: { $0.value > 0 }) { return lane }
        lane.share = intervals.map { interval in
            var interval = interval
            interval.value = min(1, max(0, complement ? 1 - interval.value : interval.value))
            return interval
        }
        return lane
    }

    /// The DNS record's answer from `dnsChange` events: "record now answers X…" starts a
    /// failover segment, "record answers Y again" ends it.
    func dnsRecordLane() -> StateLane {
        var lane = StateLane(name: "DNS record on failover")
        var since: (time: Double, region: String)?
        for event in run.events where event.kind == EventKind.dnsChange {
            if event.detail.hasPrefix("record now answers ") {
                let rest = event.detail.dropFirst("record now answers ".count)
                let region = String(rest.prefix { $0 != ";" && $0 != " " })
                if since == nil { since = (event.timeSeconds, region) }
            } else if event.detail.hasSuffix(" again"), let open = since {
                lane.segments.append(segment(open.time, event.timeSeconds, state: "answers \(open.region)", fill: Palette.StateFill.action,
                                             label: "answers \(open.region)", what: "DNS record"))
                since = nil
            }
        }
        if let open = since {
            lane.segments.append(segment(open.time, end, state: "answers \(open.region)", fill: Palette.StateFill.action,
                                         label: "answers \(open.region)", what: "DNS record"))
        }
        return lane
    }

    func segment(_ start: Double, _ stop: Double, state: String, value: Double = 1, fill: String, label: String, what: String) -> StateSegment {
        StateSegment(start: start, end: max(start, stop), state: state, value: value, fill: fill, label: label,
                     tooltip: "\(what): \(label), \(NumberFormat.clock(start))–\(NumberFormat.clock(max(start, stop)))")
    }

    /// Health-check endpoints while unhealthy, one lane per endpoint that changed.
    func healthLanes() -> [StateLane] {
        var order: [String] = []
        var unhealthySince: [String: Double] = [:]
        var segments: [String: [StateSegment]] = [:]
        for event in run.events where event.kind == EventKind.healthChange {
            let endpoint = event.subject
            if !order.contains(endpoint) { order.append(endpoint) }
            if event.detail.hasPrefix("unhealthy") {
                if unhealthySince[endpoint] == nil { unhealthySince[endpoint] = event.timeSeconds }
            } else if event.detail.hasPrefix("healthy"), let since = unhealthySince.removeValue(forKey: endpoint) {
                segments[endpoint, default: []].append(segment(since, event.timeSeconds, state: "unhealthy", fill: Palette.StateFill.bad,
                                                               label: "unhealthy", what: endpoint))
            }
        }
        for endpoint in order {
            if let since = unhealthySince[endpoint] {
                segments[endpoint, default: []].append(segment(since, end, state: "unhealthy", fill: Palette.StateFill.bad,
                                                               label: "unhealthy", what: endpoint))
            }
        }
        return order.map { StateLane(name: "Health \($0)", segments: segments[$0] ?? []) }
    }

    /// A breaker transition's states, read from its detail `FROM → TO: reason`.
    static func transition(_ detail: String) -> (from: String, to: String)? {
        guard let arrow = detail.range(of: " → ") else { return nil }
        let from = String(detail[..<arrow.lowerBound]).trimmingCharacters(in: .whitespaces)
        let to = String(detail[arrow.upperBound...].prefix { $0.isLetter || $0 == "_" })
        guard !from.isEmpty, !to.isEmpty else { return nil }
        return (from, to)
    }

    /// The lane a breaker instance belongs to. A model with instance-scoped breakers has one
    /// breaker per API instance and target (`firestore→db-us-central1@us-central1/api-3`):
    /// dozens of lanes would hide the picture, so instances of one guard, target and region share
    /// a lane that counts how many are OPEN. With few breakers, each has its own lane.
    static func breakerGroup(_ name: String, grouped: Bool) -> String {
        guard grouped, let at = name.lastIndex(of: "@"), let slash = name[at...].firstIndex(of: "/") else { return name }
        return String(name[..<slash])
    }

    /// Most breakers shown one per lane; more are grouped.
    static let breakerLanesUngrouped = 6

    func breakerLanes() -> [StateLane] {
        let transitions = run.events.enumerated()
            .filter { $0.element.kind == EventKind.breakerTransition }
            .sorted { ($0.element.timeSeconds, $0.offset) < ($1.element.timeSeconds, $1.offset) }
            .map(\.element)
        guard !transitions.isEmpty else { return [] }
        var names: [String] = []
        var seen = Set<String>()
        for event in transitions where seen.insert(event.subject).inserted { names.append(event.subject) }
        let grouped = names.count > Self.breakerLanesUngrouped
        var groups: [String] = []
        var members: [String: Int] = [:]
        for name in names {
            let group = Self.breakerGroup(name, grouped: grouped)
            if members[group] == nil { groups.append(group) }
            members[group, default: 0] += 1
        }
        // Each instance starts in the state its first transition leaves (CLOSED unless the run
        // began with it open after the warm-up).
        var state: [String: String] = [:]
        for event in transitions where state[event.subject] == nil {
            state[event.subject] = Self.transition(event.detail)?.from ?? "CLOSED"
        }
        func counts(_ group: String) -> (open: Int, halfOpen: Int) {
            var open = 0, halfOpen = 0
            for name in names where Self.breakerGroup(name, grouped: grouped) == group {
                switch state[name] {
                case "OPEN": open += 1
                case "HALF_OPEN": halfOpen += 1
                default: break
                }
            }
            return (open, halfOpen)
        }
        var current: [String: (open: Int, halfOpen: Int)] = [:]
        var since: [String: Double] = [:]
        for group in groups {
            current[group] = counts(group)
            since[group] = 0
        }
        var segments: [String: [StateSegment]] = [:]
        func close(_ group: String, at time: Double) {
            let value = current[group]!
            let start = since[group]!
            guard time > start, value.open > 0 || value.halfOpen > 0 else { return }
            let instances = members[group]!
            let state = value.open > 0 ? "OPEN" : "HALF_OPEN"
            let label: String
            if grouped {
                label = value.open > 0 ? "\(value.open) OPEN" + (value.halfOpen > 0 ? ", \(value.halfOpen) HALF" : "") : "\(value.halfOpen) HALF_OPEN"
            } else {
                label = state
            }
            let tooltip = grouped
                ? "\(group): \(value.open) of \(instances) OPEN, \(value.halfOpen) HALF_OPEN, \(NumberFormat.clock(start))–\(NumberFormat.clock(time))"
                : "\(group): \(state), \(NumberFormat.clock(start))–\(NumberFormat.clock(time))"
            segments[group, default: []].append(StateSegment(
                start: start, end: time, state: state, value: Double(value.open > 0 ? value.open : value.halfOpen),
                fill: value.open > 0 ? Palette.StateFill.bad : Palette.StateFill.caution, label: label, tooltip: tooltip))
        }
        var index = 0
        while index < transitions.count {
            // Every transition at one instant, then one segment boundary.
            let time = transitions[index].timeSeconds
            var touched: [String] = []
            while index < transitions.count && transitions[index].timeSeconds == time {
                let event = transitions[index]
                if let change = Self.transition(event.detail) { state[event.subject] = change.to }
                let group = Self.breakerGroup(event.subject, grouped: grouped)
                if !touched.contains(group) { touched.append(group) }
                index += 1
            }
            for group in touched {
                let updated = counts(group)
                guard updated != current[group]! else { continue }
                close(group, at: time)
                current[group] = updated
                since[group] = time
            }
        }
        for group in groups { close(group, at: end) }
        return groups.map { group in
            let instances = members[group]!
            // The breaker's own name says what it guards (`firestore→db-…`); no prefix needed.
            let name = grouped ? "\(group) ×\(instances)" : group
            return StateLane(name: name, segments: segments[group] ?? [])
        }
    }

    /// Alerts: level bands (warning, critical) and the instants they fired and resolved.
    func alertLanes() -> [StateLane] {
        var order: [String] = []
        var level: [String: (name: String, since: Double)] = [:]
        var lanes: [String: StateLane] = [:]
        func levelName(_ detail: String, resolved: Bool) -> String {
            let text = resolved ? String(detail.dropFirst(detail.hasPrefix("down to ") ? "down to ".count : 0)) : detail
            return String(text.prefix { $0.isLetter })
        }
        func close(_ alert: String, at time: Double) {
            guard let open = level[alert], open.name != "ok", time > open.since else { return }
            let fill = open.name == "critical" ? Palette.StateFill.bad : Palette.StateFill.caution
            lanes[alert]!.segments.append(segment(open.since, time, state: open.name, fill: fill, label: open.name, what: "alert \(alert)"))
        }
        for event in run.events where event.kind == EventKind.alertFired || event.kind == EventKind.alertResolved {
            let alert = event.subject
            if lanes[alert] == nil {
                order.append(alert)
                lanes[alert] = StateLane(name: "Alert \(alert)")
            }
            let resolved = event.kind == EventKind.alertResolved
            close(alert, at: event.timeSeconds)
            level[alert] = (levelName(event.detail, resolved: resolved), event.timeSeconds)
            lanes[alert]!.instants.append(StateLane.Instant(
                time: event.timeSeconds, marker: resolved ? .triangleDown : .triangle, filled: !resolved,
                color: Palette.ink, tooltip: "alert \(alert) \(resolved ? "resolved" : "fired") at \(NumberFormat.clock(event.timeSeconds)): \(event.detail)"))
        }
        for alert in order { close(alert, at: end) }
        return order.map { lanes[$0]! }
    }
}
