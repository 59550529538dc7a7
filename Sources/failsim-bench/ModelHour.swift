import ArgumentParser
import FailoverModel
import Foundation
import ModelFiles
import SimulationCore

/// The reference model at request level: how many requests per wall-clock second one core
/// simulates, how many events a request costs, and whether memory stays flat in simulated time.
struct ModelHourBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-hour",
        abstract: "Simulate the reference model (embedded) for a stretch of simulated time at a given load.",
        discussion: """
            Runs the embedded reference model with its trigger-table faults (database outage, \
            5xx spike, partition: every entity, timeout and breaker takes part) for each \
            --duration in turn, and reports requests per wall-clock second, events per request \
            and the process's peak resident memory after each. Peak memory only grows, so give \
            the durations in increasing order: equal peaks mean memory is flat in simulated time.
            """)

    @Option(help: "Arrival rate in requests per second.")
    var rate: Double = 2000

    @Option(parsing: .upToNextOption, help: "Simulated durations to run, in increasing order (e.g. 15m 1h).")
    var duration: [String] = ["1h"]

    @Flag(help: "Run without faults (normal operation only).")
    var noFaults = false

    @Option(help: "The seed.")
    var seed: UInt64 = 1

    @Flag(help: "One JSON object per duration.")
    var json = false

    func run() throws {
        let loaded = try ExperimentLoader.load(
            experimentText: EmbeddedDefaults.experimentText, experimentFile: EmbeddedDefaults.experimentFile
        ) { _ throws(FileError) in (EmbeddedDefaults.modelText, EmbeddedDefaults.modelFile) }
        let model = try ExperimentLoader.model(
            text: loaded.modelText, file: loaded.modelFile,
            overrides: ["traffic.requestsPerSecond": String(rate)])
        for text in duration {
            var experiment = loaded.experiment
            experiment.duration = try SimDuration(parsing: text)
            if noFaults { experiment.faults = [] }
            // A shorter run keeps only the faults that start within it (later ones are refused:
            // nothing of them would be measured).
            let end = (experiment.warmUp ?? .zero) + experiment.duration
            experiment.faults = experiment.faults.filter { $0.at < end }
            var requests: Int64 = 0
            var events: Int64 = 0
            let timing = measure {
                let result = try! FailoverSimulation.run(model: model, experiment: experiment, seed: seed)
                requests = result.availability.requests
                events = result.identity.events
                return events
            }
            let peak = peakResidentMegabytes()
            let report = BenchmarkReport(
                benchmark: "model-hour", pending: nil, events: events, seconds: timing.seconds,
                eventsPerSecond: Double(events) / timing.seconds,
                note: String(format: "%@ simulated at %.0f req/s: %lld requests, %.2f M requests/s, %.1f events/request, peak RSS %.0f MB",
                             text, rate, requests, Double(requests) / timing.seconds / 1e6,
                             Double(events) / Double(max(1, requests)), peak),
                extra: ["requests": Double(requests), "requestsPerSecond": Double(requests) / timing.seconds,
                        "eventsPerRequest": Double(events) / Double(max(1, requests)), "peakResidentMB": peak])
            emit(report, json: json)
        }
    }
}

/// The process's peak resident set size (Linux `VmHWM`), in megabytes; 0 where unavailable.
func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return digits / 1024
    }
    return 0
}
