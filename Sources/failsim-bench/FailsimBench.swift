import ArgumentParser
import SimulationCore
import Foundation

/// Benchmarks of the engine, run in release: `swift run -c release failsim-bench …`.
/// Timing uses the wall clock, which is fine here: this is not simulation code.
@main
struct FailsimBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failsim-bench",
        abstract: "Benchmarks of the failsim engine and model (run with -c release).",
        subcommands: [HoldBenchmark.self, MM1Benchmark.self, ModelHourBenchmark.self, BreakerReplayBenchmark.self, FuzzLoadersCommand.self])
}

struct BenchmarkReport: Encodable {
    var benchmark: String
    var pending: Int?
    var events: Int64
    var seconds: Double
    var eventsPerSecond: Double
    var note: String?
    var extra: [String: Double]? = nil
}

func emit(_ report: BenchmarkReport, json: Bool) {
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try! encoder.encode(report), as: UTF8.self))
    } else {
        print(String(format: "%@: %lld events in %.3f s = %.2f M events/s", report.benchmark, report.events, report.seconds, report.eventsPerSecond / 1e6))
        if let note = report.note { print("  " + note) }
    }
}

func measure(_ body: () -> Int64) -> (events: Int64, seconds: Double) {
    let clock = ContinuousClock()
    var events: Int64 = 0
    let elapsed = clock.measure { events = body() }
    let seconds = elapsed.inSeconds
    return (events, seconds)
}
