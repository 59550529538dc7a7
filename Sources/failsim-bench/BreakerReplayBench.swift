import ArgumentParser
import CircuitBreakers
import Foundation
import SimulationCore

/// Replays a generated trace of call outcomes through a breaker policy, the way
/// `failsim breaker replay` does (bytes → `BreakerReplay.replay`, transitions kept, summary only).
/// Target (issue 5): 10 million outcomes with summary output in under 2 seconds.
struct BreakerReplayBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaker-replay",
        abstract: "Replay N generated call outcomes through breaker policies (the CLI's code path).",
        discussion: """
            Generates a trace in memory (seeded): calls every millisecond on average, 1 % \
            background failures, and a 60 s outage every 1000 s with 95 % failures and 2 s \
            durations; every line has time (seconds with microseconds), outcome and duration. \
            Then times the replay alone, per policy (all five unless --policy is given). With \
            --file the trace is also written there and read back memory-mapped, as the CLI \
            reads it.
            """)

    @Option(help: "Outcomes (trace lines) to replay.")
    var outcomes = 10_000_000

    @Option(help: "Policy to replay (repeatable; default all five).")
    var policy: [String] = []

    @Option(name: .customLong("set"), help: "A policy parameter key=value (repeatable; needs exactly one --policy).")
    var settings: [String] = []

    @Option(help: "Also write the trace to this file and replay it from there.")
    var file: String?

    @Option(help: "Seed of the generated trace.")
    var seed: UInt64 = 1

    @Flag(help: "One JSON object per policy.")
    var json = false

    func run() throws {
        var parameters: [String: String] = [:]
        for text in settings {
            guard let equals = text.firstIndex(of: "=") else { throw ValidationError("--set expects key=value") }
            parameters[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        if !parameters.isEmpty && policy.count != 1 { throw ValidationError("--set needs exactly one --policy") }
        let kinds = policy.isEmpty ? BreakerPolicyKind.allCases : try policy.map { try BreakerPolicyKind(named: $0) }
        let configurations = try kinds.map { try BreakerPolicyConfiguration(kind: $0, parameters: parameters) }

        var bytes: [UInt8] = []
        let generated = measure {
            bytes = Self.trace(outcomes: outcomes, seed: seed)
            return Int64(bytes.count)
        }
        var data = Data()
        if let file {
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        }
        if !json {
            print(String(format: "trace: %d lines, %.1f MB, generated in %.2f s%@", outcomes, Double(bytes.count) / 1e6,
                         generated.seconds, file.map { ", replayed from \($0) (memory-mapped)" } ?? ", replayed from memory"))
        }
        for configuration in configurations {
            var result: ReplayResult? = nil
            let timing = measure {
                let replay = { (raw: UnsafeRawBufferPointer) -> ReplayResult in
                    try! BreakerReplay.replay(raw, configuration: configuration, keepsTransitions: true)
                }
                result = file == nil ? bytes.withUnsafeBytes(replay) : data.withUnsafeBytes(replay)
                return Int64(result!.summary.calls)
            }
            let s = result!.summary
            let rate = Double(s.calls) / timing.seconds
            let note = String(format: "%@: %lld outcomes in %.3f s = %.2f M outcomes/s; permitted %d, rejected %d, opens %d, transitions %d",
                              configuration.kind.rawValue, Int64(s.calls), timing.seconds, rate / 1e6, s.permitted, s.rejected,
                              s.opens, s.transitions)
            if json {
                emit(BenchmarkReport(benchmark: "breaker-replay/\(configuration.kind.rawValue)", pending: nil, events: Int64(s.calls),
                                     seconds: timing.seconds, eventsPerSecond: rate, note: note,
                                     extra: ["opens": Double(s.opens), "rejected": Double(s.rejected),
                                             "traceMegabytes": Double(bytes.count) / 1e6]),
                     json: true)
            } else {
                print(note)
            }
        }
    }

    /// A trace of `outcomes` lines: `seconds.micros,outcome,duration`, written byte by byte.
    static func trace(outcomes: Int, seed: UInt64) -> [UInt8] {
        var random = RandomStreams(seed: seed).stream(named: "breaker-replay-bench")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(outcomes * 28)
        bytes.append(contentsOf: Array("time,outcome,duration\n".utf8))
        var micros: Int64 = 0
        let success = Array("success".utf8), failure = Array("failure".utf8)
        let fast = Array("12ms".utf8), slow = Array("2s".utf8)
        var digits = [UInt8](repeating: 0, count: 24)
        for _ in 0..<outcomes {
            micros += Int64(random.nextIndex(below: 2_001)) // mean 1 ms
            let second = micros / 1_000_000
            let inOutage = second % 1_000 >= 500 && second % 1_000 < 560
            let failed = random.nextUniform() < (inOutage ? 0.95 : 0.01)
            var whole = second
            var count = 0
            repeat { digits[count] = UInt8(48 + whole % 10); whole /= 10; count += 1 } while whole > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(digits[index]) }
            bytes.append(0x2E)
            var fraction = micros % 1_000_000
            for index in 0..<6 { digits[index] = UInt8(48 + fraction % 10); fraction /= 10 }
            for index in stride(from: 5, through: 0, by: -1) { bytes.append(digits[index]) }
            bytes.append(0x2C)
            bytes.append(contentsOf: failed ? failure : success)
            bytes.append(0x2C)
            bytes.append(contentsOf: inOutage ? slow : fast)
            bytes.append(0x0A)
        }
        return bytes
    }
}
