import Foundation
import Testing
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

/// The contract's recovery rule over a run's every 1 s bin, evaluated once at the end: what the
/// model computed before it judged bins as they closed (kept here as the reference).
private func breachAndRecovery(_ world: FailoverWorld, _ traffic: ArrivalBins.Traffic, from: Int, to: Int,
                               threshold: Double, window: Int) -> (breach: Int?, recovery: Int?) {
    var breach: Int? = nil
    var bin = max(0, from)
    let end = min(to, world.arrivals.count)
    while bin < end {
        let (total, failed) = world.arrivals.rate(traffic, bin: bin)
        if total > 0 && Double(failed) / Double(total) >= threshold { breach = bin; break }
        bin += 1
    }
    guard let breach else { return (nil, nil) }
    var candidate = breach + 1
    var clean = 0
    bin = breach + 1
    while bin < end {
        let (total, failed) = world.arrivals.rate(traffic, bin: bin)
        if total > 0 && Double(failed) / Double(total) >= threshold {
            clean = 0
            candidate = bin + 1
        } else {
            clean += 1
            if clean >= window { return (breach, candidate) }
        }
        bin += 1
    }
    return (breach, nil)
}

/// A model with next to no traffic: a debug test can simulate many days of it quickly.
private func quietModel() throws -> ModelConfiguration {
    try ExperimentLoader.model(text: """
        kind: model
        name: quiet
        regions: {primary: only}
        traffic: {requestsPerSecond: 0.01, tenants: 1, tenantSkew: 0, employeesPerTenant: 1,
                  mix: {read: 1, write: 0, batch: 0, report: 0}, deadline: 1h}
        service: {instances: 1, concurrency: 1, queueLimit: 1000000, processing: 1s, backgroundErrorRate: 0}
        slo: {latency: [], uptime: 0.999, recoveryErrorRate: 0.01, stabilityWindow: 10s}
        """, file: "quiet.yaml")
}

private func quietExperiment(days: Int64) -> ExperimentConfiguration {
    ExperimentConfiguration(kind: "experiment", name: "quiet", description: nil, model: "quiet.yaml", overrides: nil,
                            duration: .days(days), warmUp: .zero, seeds: nil, faults: [], variants: nil)
}

@Suite("Measurements are bounded by the run's events, not its simulated time")
struct BoundedMeasurementTests {
    @Test("The series' interval width follows the stated rule, and no metric has more than 4,321 intervals")
    func seriesWidthRule() {
        #expect(FailoverWorld.seriesWidth(for: .minutes(40)) == .seconds(10))
        #expect(FailoverWorld.seriesWidth(for: .hours(12)) == .seconds(10))
        #expect(FailoverWorld.seriesWidth(for: .hours(12) + .seconds(1)) == .minutes(1))
        #expect(FailoverWorld.seriesWidth(for: .days(10)) == .minutes(5))
        #expect(FailoverWorld.seriesWidth(for: .days(400)) == .hours(6))
        #expect(FailoverWorld.seriesWidth(for: .days(5_000)) == .days(2))
        for days: Int64 in [1, 3, 20, 100, 400, 1_080, 5_000, 100_000] {
            let width = FailoverWorld.seriesWidth(for: .days(days))
            #expect(SimDuration.days(days).nanoseconds <= width.nanoseconds * Int64(FailoverWorld.maxSeriesIntervals), "\(days) days at \(width)")
        }
    }

    @Test("Series rows and arrival bins held stay the same for 2 and 30 simulated days")
    func boundedByEvents() throws {
        let model = try quietModel()
        var rowsPerMetric: [Int] = []
        for days: Int64 in [2, 30] {
            let (result, world) = try FailoverSimulation.simulate(model: model, experiment: quietExperiment(days: days), seed: 1)
            let rates = result.series.filter { $0.metric == "requestsPerSecond" }
            rowsPerMetric.append(rates.count)
            #expect(rates.count <= FailoverWorld.maxSeriesIntervals + 1, "\(days) days: \(rates.count) intervals")
            // Every metric has the same intervals, and the widths say what they cover.
            let width = FailoverWorld.seriesWidth(for: .days(days)).seconds
            #expect(rates.allSatisfy { $0.widthSeconds == width })
            #expect(rates.first?.startSeconds == 0 && rates.last?.startSeconds == Double(days * 86_400))
            // The coarser intervals keep the rate: about 0.01 requests per second.
            let served = result.availability.requests
            #expect(served > 0)
            let mean = rates.dropLast().map(\.value).reduce(0, +) / Double(rates.count - 1)
            #expect(abs(mean - Double(served) / Double(days * 86_400)) < 1e-3, "mean rate \(mean)")
            // Only open bins are held: a request is in flight for a few seconds at most here.
            #expect(world.arrivals.heldBins <= 10, "\(days) days: at most \(world.arrivals.heldBins) bins held at once")
            #expect(world.arrivals.folded == world.arrivals.count)
            #expect(result.availability.goodMinutes + result.availability.noDataMinutes == Int(days) * 1_440)
        }
        #expect(rowsPerMetric[0] <= 1 + 2 * 86_400 / 60 && rowsPerMetric[1] <= FailoverWorld.maxSeriesIntervals + 1)
    }

    @Test("Judged as bins close, every incident's recovery, counts and minutes equal the whole run's bins judged at the end")
    func sameAsWholeRun() throws {
        let model = try referenceModel(overrides: ["writes.queueCapacity": "500"])
        let faults = [
            FaultSpec(name: "db", kind: .databaseUnreachable, target: "us-central1", at: .seconds(60), duration: .seconds(90),
                      mode: .blackhole, row: 1),
            FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(330), duration: .seconds(120), fraction: 0.3, row: 2),
            FaultSpec(name: "cut", kind: .partition, target: "us-central1", at: .seconds(560), duration: .seconds(100),
                      links: [.clientsRegion, .edgeRegion, .regionRegion], row: 3),
            FaultSpec(name: "late", kind: .databaseUnreachable, target: "us-central1", at: .seconds(860), duration: .seconds(200), mode: .refuse),
        ]
        let plan = experiment(faults, duration: .seconds(900) + .milliseconds(500), warmUp: .seconds(20))
        let (result, world) = try FailoverSimulation.simulate(model: model, experiment: plan, seed: 3, keepArrivalBins: true)
        let stability = FailoverWorld.stabilityBins(model)
        let threshold = model.slo.recoveryErrorRate
        let ordered = plan.faults.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
        let bins = world.arrivals.count
        var recoveries = 0
        for (position, entry) in ordered.enumerated() {
            let onset = SimTime.zero + entry.element.at
            let windowEnd = position + 1 < ordered.count ? SimTime.zero + ordered[position + 1].element.at : world.measureEnd
            let from = Int((onset - world.measureStart).nanoseconds / 1_000_000_000)
            let to = min(bins, Int((windowEnd - world.measureStart).nanoseconds / 1_000_000_000))
            let incident = try #require(result.incidents.first { $0.fault == entry.element.name })
            let traffic: ArrivalBins.Traffic = entry.element.kind == .databaseUnreachable ? .reads : .all
            let main = breachAndRecovery(world, traffic, from: from, to: to, threshold: threshold, window: stability)
            // Result seconds are on the experiment's clock; bins count from the end of the warm-up.
            #expect(incident.recoveredAtSeconds == main.recovery.map { world.measuredFromSeconds + Double($0) }, "\(entry.element.name)")
            let reads = breachAndRecovery(world, .reads, from: from, to: to, threshold: threshold, window: stability)
            let writes = breachAndRecovery(world, .writes, from: from, to: to, threshold: threshold, window: stability)
            #expect(incident.readRecoverySeconds == (reads.breach == nil ? nil : reads.recovery.map { Double($0 - from) }), "\(entry.element.name)")
            #expect(incident.writeRecoverySeconds == (writes.breach == nil ? nil : writes.recovery.map { Double($0 - from) }), "\(entry.element.name)")
            var requests = 0, failed = 0, failbackFailed = 0
            let failbackFrom = main.recovery.map { $0 + stability } ?? to
            let failbackTo = incident.failbackEndedAtSeconds.map { min(bins, Int($0 - world.measuredFromSeconds) + stability) } ?? to
            for bin in max(0, from)..<max(max(0, from), to) {
                let r = world.arrivals.rate(.all, bin: bin)
                requests += r.total
                failed += r.failed
                if bin >= failbackFrom && bin < failbackTo { failbackFailed += r.failed }
            }
            #expect(incident.requests == Int64(requests) && incident.requestsFailed == Int64(failed), "\(entry.element.name)")
            #expect(incident.failbackRequestsFailed == Int64(failbackFailed), "\(entry.element.name)")
            if main.recovery != nil { recoveries += 1 }
        }
        #expect(recoveries >= 3, "the incidents recover, so failback counting is exercised")
        #expect(result.incidents.contains { $0.failbackRequestsFailed > 0 })
        // Time-based availability: whole minutes of the bins before the last fraction.
        var good = 0, bad = 0, noData = 0
        var minute = 0
        while minute * 60 < bins - 1 {
            var t = 0, f = 0
            for bin in (minute * 60)..<min(bins - 1, minute * 60 + 60) {
                let r = world.arrivals.rate(.all, bin: bin)
                t += r.total
                f += r.failed
            }
            if t < 10 { noData += 1 } else if Double(f) / Double(t) > (model.alerts?.errorRate.critical ?? 0.05) { bad += 1 } else { good += 1 }
            minute += 1
        }
        #expect(result.availability.goodMinutes == good && result.availability.badMinutes == bad && result.availability.noDataMinutes == noData)
        #expect(bad > 0)
    }
}
