import Foundation
import Testing
@testable import Availability
import FailoverModel
import ModelFiles
import SimulationCore

/// The fast method against brute force on a scaled-down case: the reference model at 2 req/s,
/// a two-hour "year" of database outages and region partitions (both rules act, failback and
/// breakers included), once simulated whole at request level for several seeds, once assembled
/// from the incident library. The two means must agree within their intervals (the difference
/// within 1.96 standard errors of both, the library's resampling error included).
@Suite("Uptime against brute force")
struct BruteForceTests {
    static let experimentText = """
        kind: experiment
        name: brute-force
        model: esta-tracker.yaml
        warmUp: 30s
        duration: 2h
        faults: []
        faultProcesses:
          - name: db-outage
            every: {exponential: {mean: 30m}}
            duration: {lognormal: {median: 90s, p99: 6m}}
            faults: [{kind: databaseUnreachable, mode: blackhole, target: us-central1, row: 1}]
          - name: partition
            every: {exponential: {mean: 50m}}
            duration: {lognormal: {median: 2m, p99: 8m}}
            faults: [{kind: partition, target: us-central1, row: 3}]
        """

    @Test func fastMethodAgreesWithFullRequestLevelRuns() throws {
        // The reference model without its alert rules: evaluating them every 10 s (merging a
        // minute of latency histograms) is most of a debug build's time at this low rate, and
        // they decide nothing (the down-minute line defaults to the same 5 %).
        let reference = try String(contentsOf: Support.repository.appendingPathComponent("models/esta-tracker.yaml"), encoding: .utf8)
        let alerts = try #require(reference.range(of: "\nalerts:")), backups = try #require(reference.range(of: "\nbackups:"))
        let modelText = String(reference[..<alerts.lowerBound]) + String(reference[backups.lowerBound...])
        let model = try ExperimentLoader.model(text: modelText, file: "esta-tracker.yaml", overrides: ["traffic.requestsPerSecond": "2"])
        let experiment = try ExperimentLoader.load(experimentText: Self.experimentText, experimentFile: "brute-force.yaml") { _ throws(FileError) in
            (modelText, "esta-tracker.yaml")
        }.experiment

        // Brute force: the whole two hours at request level, one run per seed, on two threads.
        let seeds: [UInt64] = Array(1...6)
        let brute = try ParallelWork.map(count: seeds.count, jobs: 2) { index in
            try FailoverSimulation.run(model: model, experiment: experiment, seed: seeds[index] + 1000).availability
        }
        let bruteRequests = brute.map { 1 - $0.requestBased }
        let bruteMinutes = brute.map { Double($0.badMinutes) / Double($0.goodMinutes + $0.badMinutes) }

        // The fast method: library runs and overlaps at request level, years assembled.
        var settings = UptimeSettings()
        settings.years = 40
        settings.seed = 3
        settings.yearLength = experiment.duration
        settings.bootstrapReplicates = 10
        settings.library.post = .minutes(3)
        settings.library.compressAfter = .minutes(10)
        settings.library.normalOperation = .minutes(10)
        settings.library.warmUp = .seconds(30)
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let evaluator = ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study.loadLevels)
        let (report, _) = try study.run(evaluator: evaluator, jobs: 2)
        let yearMinutes = experiment.duration.seconds / 60

        for (name, bruteValues) in [("requests", bruteRequests), ("minutes", bruteMinutes)] {
            let fast = try #require(report.measure(name)).downtimeMinutes.mean
            let fastMean = fast.mean / yearMinutes
            let fastStandardError = (fast.upper - fast.lower) / 2 / 2.02 / yearMinutes   // t(39) = 2.02
            let bruteMean = bruteValues.reduce(0, +) / Double(bruteValues.count)
            let bruteStandardError = Summaries.standardDeviation(bruteValues) / Double(bruteValues.count).squareRoot()
            let libraryError = fast.librarySD / yearMinutes
            let allowed = 1.96 * (fastStandardError * fastStandardError + bruteStandardError * bruteStandardError
                                  + libraryError * libraryError).squareRoot()
            print("brute force against the fast method, \(name): fast \(fastMean) ± \(fastStandardError) (library \(libraryError)), "
                  + "brute force \(bruteMean) ± \(bruteStandardError), allowed difference \(allowed)")
            #expect(abs(fastMean - bruteMean) <= allowed,
                    "\(name): fast \(fastMean) ± \(fastStandardError) (library \(libraryError)), brute force \(bruteMean) ± \(bruteStandardError)")
            // Both must see real downtime, or agreeing would be empty.
            #expect(bruteMean > 0.002 && fastMean > 0.002, "\(name): too little downtime to compare (\(fastMean), \(bruteMean))")
        }
    }
}
