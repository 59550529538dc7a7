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

/// The per-interval series of a run at a width fixed by its measured duration (see
/// ``FailoverWorld/seriesWidth(for:)``): the 10 s samples the monitor takes are folded into one
/// interval until it is full, so a long run holds at most ``FailoverWorld/maxSeriesIntervals``
/// intervals per metric.
struct SeriesAccumulator {
    let width: SimDuration
    /// Start of the interval being filled, and the 10 s samples folded into it.
    var start: SimTime = .zero
    var samples = 0
    var total = 0
    var failed = 0
    var lookups = 0
    var misses = 0
    var latency = LatencyHistogram(highestTrackableValue: .seconds(60), significantDigits: 2)
    /// Sums of the gauges' 10 s samples, in the order ``FailoverWorld/gaugeNames`` gives.
    var gauges: [Double] = []
}

extension FailoverWorld {
    static let seriesInterval = SimDuration.seconds(10)

    /// At most this many intervals per metric and scope (12 hours at 10 s).
    static let maxSeriesIntervals = 4_320

    /// Interval widths of the series, finest first.
    static let seriesWidths: [SimDuration] = [.seconds(10), .minutes(1), .minutes(5), .minutes(15), .hours(1), .hours(6), .days(1)]

    /// The series' interval width for a measured period of `duration`: the finest of 10 s, 1 min,
    /// 5 min, 15 min, 1 h, 6 h and 1 d that gives at most ``maxSeriesIntervals`` intervals (10 s up
    /// to 12 hours, 1 min up to 3 days, 5 min up to 15 days, 15 min up to 45 days, 1 h up to 180
    /// days, 6 h up to 1,080 days), and beyond that whole days.
    static func seriesWidth(for duration: SimDuration) -> SimDuration {
        let limit = Int64(maxSeriesIntervals)
        for width in seriesWidths where duration.nanoseconds <= width.nanoseconds * limit { return width }
        let day = SimDuration.days(1).nanoseconds
        let days = (duration.nanoseconds + day * limit - 1) / (day * limit)
        return .nanoseconds(days * day)
    }

    /// Every 10 s: evaluate the alert rules over their window and record the per-interval series.
    func monitorTick() {
        simulation.send(to: controlID, kind: Kind.monitorTick, after: FailoverWorld.seriesInterval)
        registerFailbackEnds()
        let interval = FailoverWorld.seriesInterval
        if now > measureStart && now <= measureEnd + interval {
            let start = now - interval
            let total = observed.sum(\.total, now: now, window: interval)
            let failed = observed.sum(\.failed, now: now, window: interval)
            let lookups = observed.sum(\.cacheLookups, now: now, window: interval)
            let misses = observed.sum(\.cacheMisses, now: now, window: interval)
            let following = dnsAnswer.filter { $0 == 0 }.count
            var gauges: [Double] = [Double(control.breakersOpen), readsToReplica, routedToFailover,
                                    Double(following) / Double(max(1, dnsAnswer.count)), Double(writeQueue.count)]
            for region in regionNames.indices {
                gauges += [Double(poolInUse[region]), Double(instancesActive[region]), Double(waiting[region].count)]
            }
            if seriesAccumulator.width == interval {
                emitSeries(start: start, width: interval, requestsPerSecond: Double(total) / interval.seconds,
                           errorRate: total > 0 ? Double(failed) / Double(total) : 0,
                           p95LatencyMs: (observed.latencyPercentile(95, now: now, window: interval)?.seconds ?? 0) * 1000,
                           cacheMissRate: lookups > 0 ? Double(misses) / Double(lookups) : 0, gauges: gauges)
            } else {
                let width = seriesAccumulator.width
                let intervalStart = measureStart + .nanoseconds((start - measureStart).nanoseconds / width.nanoseconds * width.nanoseconds)
                if seriesAccumulator.samples > 0 && intervalStart != seriesAccumulator.start { flushSeries() }
                if seriesAccumulator.samples == 0 {
                    seriesAccumulator.start = intervalStart
                    seriesAccumulator.gauges = Array(repeating: 0, count: gauges.count)
                }
                seriesAccumulator.samples += 1
                seriesAccumulator.total += total
                seriesAccumulator.failed += failed
                seriesAccumulator.lookups += lookups
                seriesAccumulator.misses += misses
                observed.mergeLatency(into: &seriesAccumulator.latency, now: now, window: interval)
                for index in gauges.indices { seriesAccumulator.gauges[index] += gauges[index] }
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

    /// The interval being filled becomes rows: rates over the 10 s samples it holds (requests
    /// per second, error and cache-miss rates, the p95 of their latencies), gauges as the mean of
    /// their samples.
    func flushSeries() {
        let accumulator = seriesAccumulator
        guard accumulator.samples > 0 else { return }
        let samples = Double(accumulator.samples)
        emitSeries(start: accumulator.start, width: accumulator.width,
                   requestsPerSecond: Double(accumulator.total) / (samples * FailoverWorld.seriesInterval.seconds),
                   errorRate: accumulator.total > 0 ? Double(accumulator.failed) / Double(accumulator.total) : 0,
                   p95LatencyMs: accumulator.latency.isEmpty ? 0 : accumulator.latency.percentile(95).seconds * 1000,
                   cacheMissRate: accumulator.lookups > 0 ? Double(accumulator.misses) / Double(accumulator.lookups) : 0,
                   gauges: accumulator.gauges.map { $0 / samples })
        seriesAccumulator.samples = 0
        seriesAccumulator.total = 0
        seriesAccumulator.failed = 0
        seriesAccumulator.lookups = 0
        seriesAccumulator.misses = 0
        seriesAccumulator.latency.removeAll()
    }

    /// One interval's rows, in the series' fixed order of metrics (regions' metrics last).
    func emitSeries(start: SimTime, width: SimDuration, requestsPerSecond: Double, errorRate: Double, p95LatencyMs: Double,
                    cacheMissRate: Double, gauges: [Double]) {
        func add(_ metric: String, _ value: Double, scope: String = "all") {
            series.append(MetricSampleRow(metric: metric, scope: scope, start: start, width: width, value: value))
        }
        add("requestsPerSecond", requestsPerSecond)
        add("errorRate", errorRate)
        add("p95LatencyMs", p95LatencyMs)
        add("cacheMissRate", cacheMissRate)
        add("breakersOpen", gauges[0])
        add("readsToReplica", gauges[1])
        add("routedToFailover", gauges[2])
        add("dnsPrimaryShare", gauges[3])
        add("writeQueueLength", gauges[4])
        for region in regionNames.indices {
            add("poolInUse", gauges[5 + 3 * region], scope: regionNames[region])
            add("instances", gauges[6 + 3 * region], scope: regionNames[region])
            add("queueLength", gauges[7 + 3 * region], scope: regionNames[region])
        }
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
