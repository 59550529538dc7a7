import Foundation
import Testing
@testable import Availability
import FailoverModel
import ModelFiles
import SimulationCore

/// Models, experiments and evaluators shared by the tests.
enum Support {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One region, no failover, no cache: every read goes to the database, so a database outage
    /// and an API outage each fail every request (two components in series), and nothing fails
    /// otherwise.
    static let singleRegionModel = """
        kind: model
        name: single-region
        regions: {primary: only}
        traffic: {requestsPerSecond: 2, tenants: 3, tenantSkew: 0, employeesPerTenant: 1,
                  mix: {read: 1, write: 0, batch: 0, report: 0}, deadline: 10s}
        service: {instances: 2, concurrency: 20, queueLimit: 1000,
                  processing: {lognormal: {median: 3ms, p99: 15ms}}, backgroundErrorRate: 0}
        database:
          read: {lognormal: {median: 12ms, p99: 60ms}}
          write: {lognormal: {median: 40ms, p99: 150ms}}
          poolSize: 50
          callTimeout: 2s
          refuseLatency: 5ms
          errorRate: 0
          replication: {mode: async, lag: 200ms}
          promotion: {mode: manual, delay: 5m}
        slo: {latency: [], uptime: 0.999, recoveryErrorRate: 0.01, stabilityWindow: 10s}
        """

    static func model(_ text: String, overrides: [String: String] = [:]) throws -> ModelConfiguration {
        try ExperimentLoader.model(text: text, file: "test-model.yaml", overrides: overrides)
    }

    static func experiment(_ text: String) throws -> ExperimentConfiguration {
        try ExperimentLoader.load(experimentText: text, experimentFile: "test-experiment.yaml") { _ throws(FileError) in
            (singleRegionModel, "test-model.yaml")
        }.experiment
    }

    /// An experiment of exponential up and down times per component (`every` runs from the end
    /// of the previous fault, so up times are exponential too: an alternating renewal process).
    static func components(_ list: [(name: String, fault: String, upMinutes: Int, downMinutes: Int)]) throws -> ExperimentConfiguration {
        var text = """
            kind: experiment
            name: components
            model: test-model.yaml
            duration: 1h
            faults: []
            faultProcesses:

            """
        for component in list {
            text += """
                  - name: \(component.name)
                    every: {exponential: {mean: \(component.upMinutes)m}}
                    duration: {exponential: {mean: \(component.downMinutes)m}}
                    faults: [\(component.fault)]

                """
        }
        return try experiment(text)
    }

    /// Settings for small, quick studies.
    static func settings(years: Int, yearLength: SimDuration, seed: UInt64 = 11) -> UptimeSettings {
        var settings = UptimeSettings()
        settings.years = years
        settings.seed = seed
        settings.yearLength = yearLength
        settings.bootstrapReplicates = 20
        settings.library.post = .minutes(1)
        settings.library.compressAfter = .minutes(10)
        settings.library.warmUp = .seconds(10)
        settings.library.normalOperation = .minutes(5)
        return settings
    }

    /// P(down at t) of an alternating renewal process that starts up, with exponential up and
    /// down times: u(1 − e^(−st)) with u = λ/(λ+μ), s = λ+μ; written a + b·e^(−st).
    struct Unavailability {
        var a: Double
        var b: Double
        var s: Double
        init(upMinutes: Double, downMinutes: Double) {
            let lambda = 1 / upMinutes, mu = 1 / downMinutes
            a = lambda / (lambda + mu)
            b = -a
            s = lambda + mu
        }
    }

    /// Mean over [0, T] of the product of the components' unavailabilities (T in minutes).
    static func meanProduct(_ terms: [Unavailability], minutes t: Double) -> Double {
        // Expand Π(a_i + b_i e^(−s_i t)) into sums of c·e^(−r t) and integrate each.
        var expansion: [(c: Double, r: Double)] = [(1, 0)]
        for term in terms {
            expansion = expansion.flatMap { [($0.c * term.a, $0.r), ($0.c * term.b, $0.r + term.s)] }
        }
        return expansion.reduce(0) { sum, part in
            sum + (part.r == 0 ? part.c : part.c * (1 - Foundation.exp(-part.r * t)) / (part.r * t))
        }
    }
}

/// Components that fail every request exactly while the system is down, computed from the
/// scenario's fault intervals — series: down while any component is; parallel: while all are.
/// It follows the library's compression and stretching like the model evaluator, so the year
/// assembly meets the same shapes.
struct IntervalEvaluator: ScenarioEvaluator {
    enum Structure { case series, parallel }
    var components: [String]
    var structure: Structure
    var rate: Double

    func effects(of scenarios: [Scenario], settings: LibrarySettings, jobs: Int, progress: ((Int, Int) -> Void)?) throws -> [ScenarioEffect] {
        scenarios.map { effect($0, settings: settings) }
    }

    func effect(_ scenario: Scenario, settings: LibrarySettings) -> ScenarioEffect {
        let binSeconds = ScenarioEffect.binSeconds
        if scenario.faults.isEmpty {
            let bins = Int((scenario.normalOperation ?? settings.normalOperation).seconds / binSeconds)
            return ScenarioEffect(scenario: scenario.name, level: scenario.level, preBins: 0,
                                  failed: Array(repeating: 0, count: bins), arrivalRate: rate)
        }
        let compressed = scenario.compressed(after: settings.compressAfter, preBins: settings.preBins)
        let intervals = scenario.faults.indices.map { i -> (component: Int, start: Double, end: Double) in
            let start = compressed.faults[i].offset.seconds
            return (components.firstIndex(of: scenario.faults[i].process)!, start, start + compressed.faults[i].duration.seconds)
        }
        let bins = settings.preBins + Int((compressed.span.seconds / binSeconds).rounded(.up)) + Int(settings.post.seconds / binSeconds)
        var failed: [Double] = []
        for bin in 0..<bins {
            let from = Double(bin - settings.preBins) * binSeconds
            let to = from + binSeconds
            var points = [from, to]
            for interval in intervals {
                for point in [interval.start, interval.end] where point > from && point < to { points.append(point) }
            }
            points.sort()
            var down = 0.0
            for (lower, upper) in zip(points, points.dropFirst()) where upper > lower {
                let middle = (lower + upper) / 2
                let isDown = components.indices.map { c in intervals.contains { $0.component == c && $0.start <= middle && middle < $0.end } }
                if structure == .series ? isDown.contains(true) : !isDown.contains(false) { down += upper - lower }
            }
            failed.append(down / binSeconds * rate * binSeconds)
        }
        let end = scenario.faults.count == 1 ? ScenarioEffect.faultEnd(span: compressed.span, preBins: settings.preBins) : nil
        return ScenarioEffect(scenario: scenario.name, level: scenario.level, preBins: settings.preBins, failed: failed, arrivalRate: rate,
                              cuts: compressed.cuts, faultEndBin: end?.bin, faultSeconds: end?.seconds,
                              incidents: scenario.faults.map { ScenarioEffect.Incident(process: $0.process, faultKind: "api5xx") })
    }
}
