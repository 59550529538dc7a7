import SimulationCore
import SimulationStatistics

/// One row of the per-interval series, before it becomes a `MetricSample`.
struct MetricSampleRow {
    var metric: String
    var scope: String
    var start: SimTime
    var width: SimDuration
    var value: Double
}

extension FailoverWorld {
    static let seriesInterval = SimDuration.seconds(10)

    /// Every 10 s: evaluate the alert rules over their window and record the per-interval series.
    func monitorTick() {
        simulation.send(to: controlID, kind: Kind.monitorTick, after: FailoverWorld.seriesInterval)
        let interval = FailoverWorld.seriesInterval
        if now > measureStart && now <= measureEnd + interval {
            let start = now - interval
            let total = observed.sum(\.total, now: now, window: interval)
            let failed = observed.sum(\.failed, now: now, window: interval)
            let lookups = observed.sum(\.cacheLookups, now: now, window: interval)
            let misses = observed.sum(\.cacheMisses, now: now, window: interval)
            func add(_ metric: String, _ value: Double, scope: String = "all") {
                series.append(MetricSampleRow(metric: metric, scope: scope, start: start, width: interval, value: value))
            }
            add("requestsPerSecond", Double(total) / interval.seconds)
            add("errorRate", total > 0 ? Double(failed) / Double(total) : 0)
            add("p95LatencyMs", (observed.latencyPercentile(95, now: now, window: interval)?.seconds ?? 0) * 1000)
            add("cacheMissRate", lookups > 0 ? Double(misses) / Double(lookups) : 0)
            add("breakersOpen", Double(control.breakersOpen))
            add("readsToReplica", readsToReplica)
            add("routedToFailover", routedToFailover)
            let following = dnsAnswer.filter { $0 == 0 }.count
            add("dnsPrimaryShare", Double(following) / Double(max(1, dnsAnswer.count)))
            add("writeQueueLength", Double(writeQueue.count))
            for region in regionNames.indices {
                add("poolInUse", Double(poolInUse[region]), scope: regionNames[region])
                add("instances", Double(instancesActive[region]), scope: regionNames[region])
                add("queueLength", Double(waiting[region].count), scope: regionNames[region])
            }
        }
        guard let alerts = model.alerts else { return }
        let window = alerts.evaluationWindow
        let total = observed.sum(\.total, now: now, window: window)
        let failed = observed.sum(\.failed, now: now, window: window)
        let lookups = observed.sum(\.cacheLookups, now: now, window: window)
        let misses = observed.sum(\.cacheMisses, now: now, window: window)
        let p95 = observed.latencyPercentile(95, now: now, window: window)
        let poolShare = model.database.map { db in
            Double(poolInUse.max() ?? 0) / Double(max(1, db.poolSize))
        } ?? 0
        evaluate("errorRate", total >= 10 ? Double(failed) / Double(total) : nil, alerts.errorRate, strict: true)
        evaluate("p95Latency", p95.map(\.seconds), Levels(warning: alerts.p95Latency.warning.seconds, critical: alerts.p95Latency.critical.seconds), strict: true)
        evaluate("circuitsOpen", Double(control.breakersOpen), alerts.circuitsOpen, strict: false)
        evaluate("cacheMissRate", lookups >= 10 ? Double(misses) / Double(lookups) : nil, alerts.cacheMissRate, strict: true)
        evaluate("databaseConnections", poolShare, alerts.databaseConnections, strict: true)
    }

    typealias Levels = ModelConfiguration.Levels

    /// Fires or resolves an alert when its level changes. `strict`: above the threshold (the
    /// reference's "> 1 %"); otherwise at or above it ("any" open circuit is warning ≥ 1).
    func evaluate(_ name: String, _ value: Double?, _ levels: Levels, strict: Bool) {
        guard let value else { return }
        func exceeds(_ threshold: Double) -> Bool { strict ? value > threshold : value >= threshold }
        let level = exceeds(levels.critical) ? 2 : exceeds(levels.warning) ? 1 : 0
        let previous = control.alertLevels[name] ?? 0
        guard level != previous else { return }
        control.alertLevels[name] = level
        let names = ["ok", "warning", "critical"]
        if level > previous {
            record("alertFired", name, "\(names[level]) (value \(formatted(value)))")
        } else {
            record("alertResolved", name, "down to \(names[level]) (value \(formatted(value)))")
        }
    }

    func formatted(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return "\(rounded)"
    }
}
