import ArgumentParser
import FailoverModel
import Foundation
import ModelFiles
import SimulationCore

/// A seeded, structured fuzzer of the model and experiment loaders.
///
/// Every input is a pure function of (`--seed`, iteration number, the seed files): the shipped
/// model and experiments, mutated one to four times by a generator derived from the seed with
/// ``SplitMix64`` (lines deleted, duplicated, swapped; scalars replaced by other types, extremes,
/// huge numbers and odd unicode; keys misspelled; garbage bytes; truncation; deep nesting;
/// anchors and aliases; overrides of random paths). Each input goes through `FileKind.read`,
/// ``LocatedYAMLDecoder`` (bytes), `ExperimentLoader.model(text:file:overrides:)`,
/// `ExperimentLoader.load(experimentText:…)`, ``ExperimentPlan`` and
/// `FailoverSimulation.check(model:experiment:seed:)`; an input that passes all of them is then
/// simulated briefly (``FuzzTargets/runLimits``: a bounded number of events, so that no input can
/// hang the fuzzer however long its durations or high its rates). It must load or throw a typed error
/// (`FileError`, `ModelError`, `DistributionError`): anything else is a finding, and so is a crash
/// (a trap kills the process) or a hang.
///
/// Because a trap ends the process, the command supervises workers: each worker (this command
/// with `--worker`) writes the input it is about to try to `current-input.yaml` (and its
/// iteration to `current-input.iteration`) in the findings folder; when a worker dies, the
/// supervisor saves that input as `crash-SEED-ITERATION.yaml` with the worker's last words, and
/// starts a new worker at the next iteration. A worker that spends more than `--hang-seconds` on
/// one input exits with status 3 and the input is saved as `hang-…`.
///
/// Timing uses the wall clock (the time budget), which is fine here: this is not simulation code.
struct FuzzLoadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-loaders",
        abstract: "Fuzz the model and experiment loaders with seeded structured mutations (run with -c release).",
        discussion: """
            Mutates models/*.yaml and experiments/*.yaml of --repository (default: the working \
            folder; the embedded reference files when it has none) and feeds every input to the \
            loaders, ExperimentPlan and FailoverSimulation.check. An input must load or fail with \
            a typed error; crashes, hangs and other errors are findings, saved in --findings with \
            the seed and iteration that make them. Exit status 0 when nothing was found, 1 otherwise.

            Examples:
              swift run -c release failsim-bench fuzz-loaders --seconds 600 --seed 1
              failsim-bench fuzz-loaders --seed 1 --start 4711 --iterations 1 --worker   # one input again, in-process
              failsim-bench fuzz-loaders --replay fuzz-findings/crash-1-4711.yaml        # a saved input
            """)

    @Option(help: "Wall-clock seconds to fuzz for, restarts included.")
    var seconds: Double = 60

    @Option(help: "The seed: with the iteration number it decides every input.")
    var seed: UInt64 = 1

    @Option(help: "The first iteration (to go on after a crash, or to replay one input).")
    var start: UInt64 = 0

    @Option(help: "Stop after this many iterations (default: the time budget decides).")
    var iterations: UInt64?

    @Option(help: "A folder with models/ and experiments/ whose YAML files are mutated.")
    var repository: String?

    @Option(help: "Folder for the current input and for findings (crashes, hangs, untyped errors).")
    var findings = "fuzz-findings"

    @Option(help: "An input that takes longer than this counts as a hang.")
    var hangSeconds: Double = 10

    @Option(help: "Feed this one file to every target in this process, print what each said, and stop.")
    var replay: String?

    @Flag(help: "Run inputs in this process, without a supervisor (what the supervisor starts).")
    var worker = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let seeds = try FuzzSeeds.load(repository: repository)
        if let replay {
            guard let bytes = FileManager.default.contents(atPath: replay) else {
                throw ValidationError("cannot read \(replay)")
            }
            for kind in [FuzzSeeds.Kind.model, .experiment] {
                // As a model, with an override too: overrides take another path through the loader.
                let input = FuzzInput(bytes: Array(bytes), kind: kind, file: (replay as NSString).lastPathComponent,
                                      overrides: kind == .model ? ["traffic.requestsPerSecond": "100"] : [:],
                                      modelText: seeds.model.text, description: "replay")
                let outcome = FuzzTargets(seeds: seeds).run(input)
                print("as \(kind): \(outcome.label)\(outcome.detail.map { ": " + $0 } ?? "")")
            }
            return
        }
        try FileManager.default.createDirectory(atPath: findings, withIntermediateDirectories: true)
        if worker {
            try FuzzWorker(command: self, seeds: seeds).run()
        } else {
            try FuzzSupervisor(command: self, seeds: seeds).run()
        }
    }
}

// MARK: - Seed files

/// The files mutated: one model and the experiments.
struct FuzzSeeds {
    enum Kind: String { case model, experiment }
    struct File {
        var name: String
        var text: String
        var kind: Kind
        var lines: [String]
    }

    var model: File
    var files: [File]
    /// Every key written in the seed files, for misspellings and splices.
    var keys: [String]

    static func load(repository: String?) throws -> FuzzSeeds {
        let fm = FileManager.default
        let root = repository ?? fm.currentDirectoryPath
        var files: [File] = []
        for folder in ["models", "experiments"] {
            let path = (root as NSString).appendingPathComponent(folder)
            let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
            for name in names {
                guard let data = fm.contents(atPath: (path as NSString).appendingPathComponent(name)),
                      let text = String(data: data, encoding: .utf8),
                      let kind = try? FileKind.read(from: text, file: name) else { continue }
                files.append(File(name: "\(folder)/\(name)", text: text, kind: kind == .model ? .model : .experiment))
            }
        }
        if !files.contains(where: { $0.kind == .model }) || !files.contains(where: { $0.kind == .experiment }) {
            if repository != nil { throw ValidationError("\(root) has no models/*.yaml or no experiments/*.yaml") }
            files = [File(name: EmbeddedDefaults.modelFile, text: EmbeddedDefaults.modelText, kind: .model),
                     File(name: EmbeddedDefaults.experimentFile, text: EmbeddedDefaults.experimentText, kind: .experiment)]
        }
        let model = files.first { $0.name.hasSuffix("esta-tracker.yaml") } ?? files.first { $0.kind == .model }!
        var keys: Set<String> = []
        for file in files {
            for line in file.lines {
                for (key, _) in ValueSpans.keys(in: line) { keys.insert(key) }
            }
        }
        return FuzzSeeds(model: model, files: files, keys: keys.sorted())
    }
}

extension FuzzSeeds.File {
    init(name: String, text: String, kind: FuzzSeeds.Kind) {
        self.init(name: name, text: text, kind: kind, lines: text.components(separatedBy: "\n"))
    }
}

// MARK: - Inputs

/// One input: the bytes, how they are fed, and the mutations that made them.
struct FuzzInput {
    var bytes: [UInt8]
    var kind: FuzzSeeds.Kind
    /// The file name errors must name.
    var file: String
    /// Overrides applied when the input is a model.
    var overrides: [String: String]
    /// The model an experiment input resolves to.
    var modelText: String
    var description: String
}

/// Draws from a ``SplitMix64`` stream.
struct FuzzRandom {
    var source: SplitMix64

    init(seed: UInt64, iteration: UInt64) {
        // One independent stream per (seed, iteration): any iteration can be made again alone.
        source = SplitMix64(seed: SplitMix64.mix(seed ^ SplitMix64.mix(iteration &+ 0x5EED)))
    }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(source.nextIndex(below: UInt64(bound))) }
    mutating func chance(_ probability: Double) -> Bool { source.nextUniform() < probability }
    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
    mutating func inRange(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
}

enum FuzzDictionary {
    static let values: [String] = [
        "0", "-1", "1", "-0", "0.0", "1.5", "2", "100", "150", "1e308", "1e309", "-1e309", "4.9e-324", "1e-400",
        "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "1000000000", "1000001", "0x7FFFFFFFFFFFFFFF",
        "0x8000000000000000", "0x", "1_000", "_1", "1__0", ".inf", "-.inf", ".nan", "NaN", "+1", "0.", ".5", "1e",
        "true", "false", "yes", "no", "on", "off", "null", "~", "", "\"\"", "''", "[]", "{}", "[1, 2]", "[0]", "[-1]",
        "{a: 1}", "\"quoted\"", "'single'", "\"30s\"", "\"1\"", "0s", "1ns", "-5s", "-0s", "1.5s", "0.0000000001s",
        "1.0000000000000000000000000001s", "292y", "106751d", "106752d", "365000d", "9223372036854775807ns",
        "9223372036854775808ns", "2562047h", "2562048h", "153722867m", "1m30s", "1m1m1m", "1e3s", "5 parsecs",
        "ms", "1..5s", "1.5.5s", "µs", "1µs", "1μs", "１s", "1 s", "+5s", "s5", "1ss", "!!binary aGVsbG8=",
        "!custom x", "!!str 1", "!!int x", "!!float 1", "!!null", "&anchor 1", "*undefined", "|", ">-", "@", "`",
        "%", "- x", "? x", "{", "[", "}", "]", "\"unterminated", "'unterminated", "\\", "é", "𝟘", "\u{202E}lortnoc",
        "\u{FEFF}", "\u{2028}", "\u{0085}", "😀", "a\u{0301}", "\u{200B}", "Ａ", "us-central1", "us-east1",
        "mars-north1", "reference", "resilience4j", "hystrix", "polly", "consecutive", "blackhole", "refuse",
        "databaseUnreachable", "partition", "regionLoss", "api5xx", "latency", "cacheOutage", "instance", "region",
        "global", "database", "external", "batch", "async", "sync", "queue", "reject", "model", "experiment",
        "{lognormal: {median: 1ms, p99: 1ms}}", "{uniform: {low: 2s, high: 1s}}", "{exponential: {mean: 0s}}",
        "{normal: {mean: 1s, standardDeviation: 292y}}", "{pareto: {scale: 1ns, shape: 1e-300}}",
        "{weibull: {scale: 292y, shape: 1e-300}}", "{empirical: []}",
        "{empirical: [{percentile: 50, value: 1s}, {percentile: 50, value: 2s}]}",
        "{exponential: {mean: 100000d}}", "{exponential: {mean: 1ns}}", "{constant: 0s}", "{lognormal: {}}",
        "{lognormal: {median: 1s, p99: 2s}, uniform: {low: 1s, high: 2s}}",
        "[reference, reference]", "[1, 1]", "[18446744073709551615, 0]",
        // Extremes a run must survive or refuse up front (issue 15, items 17–20): the longest
        // stated duration and one past it, the shortest, huge counts and rates, tiny rates.
        "3650d", "3650d1ns", "1ms", "0o17", "0x10", "1e9", "1e-7", "1e-300", "100000000", "4294967296",
        "{pareto: {scale: 1ms, shape: 0.01}}", "{lognormal: {mean: 1s, sigma: 30}}", "{lognormal: {mu: 50, sigma: 1}}",
        "{uniform: {low: 0s, high: 3650d}}",
    ]

    static let overridePaths: [String] = [
        "traffic.requestsPerSecond", "traffic.tenants", "traffic.mix.read", "traffic.deadline", "healthChecks.interval",
        "healthChecks.successThreshold", "breakers[0].resetTimeout", "breakers[0].policy", "breakers[0].failureThreshold",
        "breakers[0].resilience4j.failureRateThreshold", "breakers[0].hystrix.circuitBreakerErrorThresholdPercentage",
        "breakers[0].polly.FailureRatio", "breakers[0].consecutive.consecutive_5xx", "breakers[2].scope",
        "breakers[9].name", "controller.failback.steps[2]", "controller.failback.steps[3]", "database.replication.lag",
        "database.poolSize", "dns.ttl", "edge.locations", "service.instances", "cache.keysPerTenant", "writes.policy",
        "slo.latency[0].p50", "triggers[0].target", "triggers[5].target", "regions.primary", "kind", "name",
        "a..b", "[0]", "breakers[-1].name", "breakers[99999999999999999999].name", "", ".", "traffic.", "traffic[0]",
        "traffic.mix.read.deeper", "newSection.key", "breakers[0].resilience4j.newKey",
        "links.connectTimeout", "database.callTimeout", "database.refuseLatency", "cache.ttl", "healthChecks.timeout",
        "controller.actionDelay", "controller.evaluationWindow", "alerts.evaluationWindow", "controller.failback.stepInterval",
        "service.processing", "service.scaleUpInterval", "service.coldStart", "traffic.retry.backoff", "traffic.retry.maxAttempts",
        "traffic.profile[0].requestsPerSecond", "breakers[0].monitorWindow", "breakers[0].halfOpenMaxCalls",
        "breakers[0].resilience4j.slidingWindowSize", "breakers[0].resilience4j.permittedNumberOfCallsInHalfOpenState",
        "breakers[0].hystrix.metricsRollingStatisticalWindowInMilliseconds", "database.replication.lag.lognormal.p99",
    ]

    static let scalars: [Unicode.Scalar] = [
        "\u{0}", "\u{1}", "\t", "\r", "\u{0B}", "\u{0C}", "\u{1B}", "\u{7F}", "\u{85}", "\u{A0}", "\u{AD}", "\u{301}",
        "\u{200B}", "\u{200D}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "\u{1F600}",
        "\u{10FFFF}", "\u{E000}", "é", "ß", "İ", "а", "ﬁ", "𝟘", ":", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@",
        "`", "{", "}", "[", "]", ",", "?", "-", "\\",
    ]
}

/// Finds `key: value` places in one line of YAML, block or flow style.
enum ValueSpans {
    /// The keys of a line and where their values are (UTF-8 offsets, end exclusive).
    static func keys(in line: String) -> [(key: String, value: Range<Int>)] {
        // Lines made long by earlier mutations (deep nesting, huge numbers) are left alone: the
        // scan below is quadratic in the number of keys on a line.
        guard line.utf8.count <= 2_000 else { return [] }
        let bytes = Array(line.utf8)
        var found: [(String, Range<Int>)] = []
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: " ") else { index += 1; continue }
            // The key runs back to a blank, '{', ',' or '-' at the line's start.
            var keyStart = index
            while keyStart > 0, ![UInt8(ascii: " "), UInt8(ascii: "{"), UInt8(ascii: ",")].contains(bytes[keyStart - 1]) { keyStart -= 1 }
            var valueStart = index + 2
            while valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            var valueEnd = valueStart
            var depth = 0
            while valueEnd < bytes.count {
                let byte = bytes[valueEnd]
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                }
                if depth == 0 && (byte == UInt8(ascii: ",") || (byte == UInt8(ascii: "#") && valueEnd > 0 && bytes[valueEnd - 1] == UInt8(ascii: " "))) { break }
                valueEnd += 1
            }
            while valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") { valueEnd -= 1 }
            let key = String(decoding: bytes[keyStart..<index], as: UTF8.self)
            if !key.isEmpty { found.append((key, valueStart..<valueEnd)) }
            index += 2
        }
        return found
    }
}

/// Makes the input of one iteration.
struct FuzzMutator {
    let seeds: FuzzSeeds

    func input(seed: UInt64, iteration: UInt64) -> FuzzInput {
        var random = FuzzRandom(seed: seed, iteration: iteration)
        let base = random.pick(seeds.files)
        var lines = base.lines
        var notes: [String] = []
        var bytesMutations: [(inout [UInt8], inout FuzzRandom) -> String] = []
        for _ in 0..<random.inRange(1...4) {
            let choice = random.below(100)
            switch choice {
            case 0..<30: notes.append(replaceValue(&lines, &random))
            case 30..<38: notes.append(deleteLine(&lines, &random))
            case 38..<45: notes.append(duplicateLine(&lines, &random))
            case 45..<50: notes.append(swapLines(&lines, &random))
            case 50..<58: notes.append(misspellKey(&lines, &random))
            case 58..<62: notes.append(reindent(&lines, &random))
            case 62..<66: notes.append(splice(&lines, &random))
            case 66..<70: notes.append(deepNesting(&lines, &random))
            case 70..<75: notes.append(hugeNumber(&lines, &random))
            case 75..<80: notes.append(insertScalar(&lines, &random))
            case 80..<83: notes.append(aliases(&lines, &random))
            case 83..<87: notes.append(addOverride(&lines, &random))
            case 87..<89: notes.append(documentMarker(&lines, &random))
            case 89..<93: bytesMutations.append(Self.garbageBytes)
            case 93..<97: bytesMutations.append(Self.truncate)
            default: bytesMutations.append(Self.lineEnds)
            }
        }
        var bytes = Array(lines.joined(separator: "\n").utf8)
        for mutation in bytesMutations { notes.append(mutation(&bytes, &random)) }
        var overrides: [String: String] = [:]
        if base.kind == .model && random.chance(0.3) {
            for _ in 0..<random.inRange(1...3) {
                overrides[random.pick(FuzzDictionary.overridePaths)] = random.pick(FuzzDictionary.values)
            }
            notes.append("overrides \(overrides.sorted { $0.key < $1.key })")
        }
        var modelText = seeds.model.text
        if base.kind == .experiment && random.chance(0.2) {
            var modelLines = seeds.model.lines
            notes.append("model: " + replaceValue(&modelLines, &random))
            modelText = modelLines.joined(separator: "\n")
        }
        let name = (base.name as NSString).lastPathComponent
        return FuzzInput(bytes: bytes, kind: base.kind, file: "fuzz-\(name)", overrides: overrides, modelText: modelText,
                         description: "\(base.name): " + notes.joined(separator: "; "))
    }

    // Line mutations. Each returns a note of what it did.

    func replaceValue(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let candidates = lines.indices.filter { !ValueSpans.keys(in: lines[$0]).isEmpty }
        guard !candidates.isEmpty else { return "no value" }
        let index = random.pick(candidates)
        let spans = ValueSpans.keys(in: lines[index])
        let span = random.pick(spans)
        let value = random.chance(0.85) ? random.pick(FuzzDictionary.values) : randomNumberOrDuration(&random)
        var bytes = Array(lines[index].utf8)
        bytes.replaceSubrange(span.value, with: Array(value.utf8))
        lines[index] = String(decoding: bytes, as: UTF8.self)
        return "line \(index + 1): \(span.key) = \(value.debugDescription)"
    }

    func randomNumberOrDuration(_ random: inout FuzzRandom) -> String {
        let number = random.chance(0.5) ? String(random.source.nextBits() >> UInt64(random.below(64)))
                                        : String(Double(bitPattern: random.source.nextBits()))
        return random.chance(0.5) ? number + random.pick(["ns", "us", "ms", "s", "m", "h", "d", "x", ""]) : number
    }

    func deleteLine(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        guard !lines.isEmpty else { return "empty" }
        let index = random.below(lines.count)
        lines.remove(at: index)
        return "deleted line \(index + 1)"
    }

    func duplicateLine(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        guard !lines.isEmpty else { return "empty" }
        let index = random.below(lines.count)
        let copies = random.chance(0.9) ? 1 : random.inRange(2...2000)
        lines.insert(contentsOf: Array(repeating: lines[index], count: copies), at: index)
        return "duplicated line \(index + 1) ×\(copies)"
    }

    func swapLines(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        guard lines.count > 1 else { return "short" }
        let a = random.below(lines.count), b = random.below(lines.count)
        lines.swapAt(a, b)
        return "swapped lines \(a + 1) and \(b + 1)"
    }

    func misspellKey(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let candidates = lines.indices.filter { !ValueSpans.keys(in: lines[$0]).isEmpty }
        guard !candidates.isEmpty else { return "no key" }
        let index = random.pick(candidates)
        let (key, span) = random.pick(ValueSpans.keys(in: lines[index]))
        var spelling = Array(key)
        switch random.below(5) {
        case 0: if !spelling.isEmpty { spelling.remove(at: random.below(spelling.count)) }
        case 1: if spelling.count > 1 { let i = random.below(spelling.count - 1); spelling.swapAt(i, i + 1) }
        case 2: spelling.insert(random.pick(Array("abcdefghijklmnopqrstuvwxyzA_-. ")), at: random.below(spelling.count + 1))
        case 3: spelling = Array(spelling.map { String($0) }.joined().uppercased())
        default: spelling = Array(random.pick(seeds.keys))
        }
        // The key ends two bytes before its value starts (": "), possibly after blanks.
        var bytes = Array(lines[index].utf8)
        var colon = span.lowerBound - 1
        while colon > 0, bytes[colon] != UInt8(ascii: ":") { colon -= 1 }
        let keyStart = colon - key.utf8.count
        guard keyStart >= 0 else { return "no key" }
        bytes.replaceSubrange(keyStart..<colon, with: Array(String(spelling).utf8))
        lines[index] = String(decoding: bytes, as: UTF8.self)
        return "line \(index + 1): key \(key) -> \(String(spelling).debugDescription)"
    }

    func reindent(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        guard !lines.isEmpty else { return "empty" }
        let index = random.below(lines.count)
        if random.chance(0.5) {
            lines[index] = String(repeating: random.chance(0.8) ? " " : "\t", count: random.inRange(1...4)) + lines[index]
        } else {
            lines[index] = String(lines[index].drop(while: { $0 == " " }))
        }
        return "reindented line \(index + 1)"
    }

    func splice(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let other = random.pick(seeds.files)
        guard !other.lines.isEmpty else { return "empty" }
        let from = random.below(other.lines.count)
        let count = random.inRange(1...8)
        let block = Array(other.lines[from..<min(other.lines.count, from + count)])
        let at = random.below(lines.count + 1)
        lines.insert(contentsOf: block, at: at)
        return "spliced \(block.count) lines of \(other.name) at \(at + 1)"
    }

    func deepNesting(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let candidates = lines.indices.filter { !ValueSpans.keys(in: lines[$0]).isEmpty }
        guard !candidates.isEmpty else { return "no value" }
        let index = random.pick(candidates)
        let span = random.pick(ValueSpans.keys(in: lines[index])).value
        let depth = random.pick([2, 50, 99, 100, 101, 500, 999, 1000, 1001, 5000, 100_000])
        let value: String
        switch random.below(3) {
        case 0: value = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        case 1: value = String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
        default: value = "\n" + String(repeating: "- ", count: depth) + "x"
        }
        var bytes = Array(lines[index].utf8)
        bytes.replaceSubrange(span, with: Array(value.utf8))
        lines[index] = String(decoding: bytes, as: UTF8.self)
        return "line \(index + 1): nested \(depth) deep"
    }

    func hugeNumber(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let candidates = lines.indices.filter { !ValueSpans.keys(in: lines[$0]).isEmpty }
        guard !candidates.isEmpty else { return "no value" }
        let index = random.pick(candidates)
        let span = random.pick(ValueSpans.keys(in: lines[index])).value
        let digits = String((0..<random.inRange(19...4000)).map { _ in Character(String(random.below(10))) })
        let value = random.pick(["", "-", "0.", "1e"]) + digits + random.pick(["", "s", "ms", "d", ".5s", "e9"])
        var bytes = Array(lines[index].utf8)
        bytes.replaceSubrange(span, with: Array(value.utf8))
        lines[index] = String(decoding: bytes, as: UTF8.self)
        return "line \(index + 1): \(value.count)-character number"
    }

    func insertScalar(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        guard !lines.isEmpty else { return "empty" }
        let index = random.below(lines.count)
        var scalars = Array(lines[index].unicodeScalars)
        let scalar = random.pick(FuzzDictionary.scalars)
        let count = random.chance(0.9) ? 1 : random.inRange(2...64)
        scalars.insert(contentsOf: Array(repeating: scalar, count: count), at: random.below(scalars.count + 1))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        lines[index] = String(view)
        return "line \(index + 1): inserted U+\(String(scalar.value, radix: 16, uppercase: true)) ×\(count)"
    }

    func aliases(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        if random.chance(0.3) {
            // A small "billion laughs": each level repeats the previous one ten times.
            var bomb = ["bomb0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
            for level in 1...random.inRange(2...9) {
                bomb.append("bomb\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
            }
            lines.append(contentsOf: bomb)
            if random.chance(0.5) {
                // The top level used inside a key: keys are hashed while the document is composed.
                let top = "*l\(bomb.count - 1)"
                lines.append(random.pick(["? \(top)\n: 1", "[\(top)]: 1", "\(top) : 1", "{k: \(top)}: 1", "? [\(top), \(top)]\n: 1"]))
                return "alias bomb of \(bomb.count) levels, used in a key"
            }
            return "alias bomb of \(bomb.count) levels"
        }
        let candidates = lines.indices.filter { !ValueSpans.keys(in: lines[$0]).isEmpty }
        guard candidates.count > 1 else { return "no values" }
        let from = random.pick(candidates), to = random.pick(candidates)
        let fromSpan = random.pick(ValueSpans.keys(in: lines[from])).value
        var fromBytes = Array(lines[from].utf8)
        fromBytes.insert(contentsOf: Array("&a ".utf8), at: fromSpan.lowerBound)
        lines[from] = String(decoding: fromBytes, as: UTF8.self)
        let toSpan = random.pick(ValueSpans.keys(in: lines[to])).value
        var toBytes = Array(lines[to].utf8)
        if toSpan.upperBound <= toBytes.count {
            toBytes.replaceSubrange(toSpan, with: Array(random.pick(["*a", "*b", "{<<: *a}", "[*a, *a]"]).utf8))
        }
        lines[to] = String(decoding: toBytes, as: UTF8.self)
        return "anchor on line \(from + 1), alias on line \(to + 1)"
    }

    func addOverride(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let path = random.pick(FuzzDictionary.overridePaths)
        let value = random.pick(FuzzDictionary.values)
        let entry = "\(path.debugDescription): \(value.debugDescription)"
        if let index = lines.firstIndex(where: { $0.hasPrefix("overrides:") }) {
            lines.insert("  " + entry, at: index + 1)
            if lines[index].contains("{") { lines[index] = "overrides:" }
        } else if let index = lines.firstIndex(where: { $0.contains("overrides: {") }) {
            lines[index] = lines[index].replacingOccurrences(of: "overrides: {", with: "overrides: {\(entry), ")
        } else {
            lines.append("overrides: {\(entry)}")
        }
        return "override \(entry)"
    }

    func documentMarker(_ lines: inout [String], _ random: inout FuzzRandom) -> String {
        let marker = random.pick(["---", "...", "%YAML 1.1", "%YAML 2.0", "%TAG ! tag:x,2024:", "--- !!map", "---\nkind: model"])
        let at = random.below(lines.count + 1)
        lines.insert(marker, at: at)
        return "inserted \(marker.debugDescription) at line \(at + 1)"
    }

    static func garbageBytes(_ bytes: inout [UInt8], _ random: inout FuzzRandom) -> String {
        let count = random.inRange(1...16)
        let at = random.below(bytes.count + 1)
        let garbage = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.source.nextBits()) }
        bytes.insert(contentsOf: garbage, at: at)
        return "\(count) garbage bytes at byte \(at)"
    }

    static func truncate(_ bytes: inout [UInt8], _ random: inout FuzzRandom) -> String {
        let at = random.below(bytes.count + 1)
        bytes.removeSubrange(at...)
        return "truncated at byte \(at)"
    }

    static func lineEnds(_ bytes: inout [UInt8], _ random: inout FuzzRandom) -> String {
        let replacement: [UInt8] = random.pick([[0x0D, 0x0A], [0x0D], [0xC2, 0x85], [0xE2, 0x80, 0xA8]])
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            if byte == 0x0A { result.append(contentsOf: replacement) } else { result.append(byte) }
        }
        bytes = result
        return "line ends \(replacement)"
    }
}

// MARK: - Targets

/// What became of one input.
struct FuzzOutcome {
    /// `loaded`, `FileError`, `ModelError`, `DistributionError`, or `unexpected <type>` (a finding).
    var label: String
    var detail: String?
    var isFinding: Bool { label.hasPrefix("unexpected") || label.hasPrefix("misplaced") }
}

struct FuzzTargets {
    let seeds: FuzzSeeds
    /// The shipped experiment (decoded once) that models are checked against.
    let baseExperiment: ExperimentConfiguration?

    init(seeds: FuzzSeeds) {
        self.seeds = seeds
        let experiment = seeds.files.first { $0.kind == .experiment && $0.name.hasSuffix("trigger-table.yaml") }
            ?? seeds.files.first { $0.kind == .experiment }!
        baseExperiment = try? LocatedYAMLDecoder().decode(ExperimentConfiguration.self, from: experiment.text, file: experiment.name)
    }

    /// What a mutant that validates is simulated under: few enough events (and pending events,
    /// and a small enough model) that no input can run long or take much memory, whatever its
    /// durations and rates. A run that reaches a limit ends as `stoppedAtEventLimit`, a result.
    static let runLimits = SimulationLimits(maxEvents: 200_000, maxPendingEvents: 200_000)
    static let sizeLimits = ModelSizeLimits(maxTenants: 100_000, maxCacheEntries: 2_000_000, maxInstances: 1_000,
                                            maxRequestsPerSecond: 100_000)

    /// A short run of `model` under `experiment` (issue 15: what validates must also run).
    static func simulate(_ model: ModelConfiguration, _ experiment: ExperimentConfiguration, seed: UInt64) throws {
        let result = try FailoverSimulation.run(model: model, experiment: experiment, seed: seed, limits: runLimits, sizeLimits: sizeLimits)
        precondition(result.identity.simulatedSeconds <= sizeLimits.maxSimulated.seconds,
                     "a run went past --max-simulated: \(result.identity.simulatedSeconds) s")
    }

    /// Every target, in order; the first unexpected error ends the input.
    func run(_ input: FuzzInput) -> FuzzOutcome {
        var labels: [String] = []
        func attempt(as success: String = "loaded", _ body: () throws -> Void) -> FuzzOutcome? {
            do {
                try body()
                labels.append(success)
                return nil
            } catch let error as FileError {
                labels.append("FileError")
                if error.file != input.file && !error.file.hasPrefix(input.file) && error.file != seeds.model.name
                    && !error.file.hasPrefix("model.yaml") {
                    return FuzzOutcome(label: "misplaced FileError", detail: "names \(error.file), not \(input.file): \(error)")
                }
                if error.message.isEmpty || (error.line ?? 1) < 1 || (error.column ?? 1) < 1 {
                    return FuzzOutcome(label: "misplaced FileError", detail: "\(error)")
                }
                return nil
            } catch is ModelError {
                labels.append("ModelError")
                return nil
            } catch is DistributionError {
                labels.append("DistributionError")
                return nil
            } catch {
                return FuzzOutcome(label: "unexpected \(type(of: error))", detail: String(describing: error))
            }
        }
        let text = String(decoding: input.bytes, as: UTF8.self)
        if let finding = attempt({ _ = try FileKind.read(from: input.bytes, file: input.file) }) { return finding }
        switch input.kind {
        case .model:
            if let finding = attempt({ _ = try LocatedYAMLDecoder().decode(ModelConfiguration.self, from: input.bytes, file: input.file) }) {
                return finding
            }
            var model: ModelConfiguration? = nil
            if let finding = attempt({ model = try ExperimentLoader.model(text: text, file: input.file) }) { return finding }
            if let model, let baseExperiment {
                var checked = false
                if let finding = attempt({
                    try FailoverSimulation.check(model: model, experiment: baseExperiment, seed: 1)
                    _ = FailoverSimulation.runKey(model: model, experiment: baseExperiment, variant: "baseline", overrides: [:], seed: 1)
                    checked = true
                }) { return finding }
                if checked, let finding = attempt(as: "simulated", { try Self.simulate(model, baseExperiment, seed: 1) }) { return finding }
            }
            if !input.overrides.isEmpty {
                if let finding = attempt({
                    let overridden = try ExperimentLoader.model(text: text, file: input.file, overrides: input.overrides)
                    if let baseExperiment { try FailoverSimulation.check(model: overridden, experiment: baseExperiment, seed: 2) }
                }) { return finding }
            }
        case .experiment:
            if let finding = attempt({ _ = try LocatedYAMLDecoder().decode(ExperimentConfiguration.self, from: input.bytes, file: input.file) }) {
                return finding
            }
            let modelText = input.modelText
            var simulated: (ModelConfiguration, ExperimentConfiguration, UInt64)? = nil
            if let finding = attempt({
                let loaded = try ExperimentLoader.load(experimentText: text, experimentFile: input.file) { _ throws(FileError) in
                    (text: modelText, file: "model.yaml")
                }
                let plan = try ExperimentPlan(loaded)
                for variant in plan.variants {
                    try FailoverSimulation.check(model: variant.model, experiment: plan.experiment, seed: plan.seeds.first ?? 1)
                }
                _ = plan.runs(seeds: Array(plan.seeds.prefix(2)))
                simulated = plan.variants.first.map { ($0.model, plan.experiment, plan.seeds.first ?? 1) }
            }) { return finding }
            if let (model, experiment, seed) = simulated,
               let finding = attempt(as: "simulated", { try Self.simulate(model, experiment, seed: seed) }) { return finding }
        }
        return FuzzOutcome(label: labels.last ?? "loaded", detail: nil)
    }
}

// MARK: - Worker and supervisor

/// Summary of a worker's inputs, printed as one JSON line when it ends.
struct FuzzWorkerSummary: Codable {
    var firstIteration: UInt64
    var executions: UInt64
    var outcomes: [String: UInt64]
    var findings: [String]
}

/// Notices an input that takes too long: exits with status 3 so the supervisor saves it.
final class FuzzWatchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: ContinuousClock.Instant? = nil
    private var iteration: UInt64 = 0
    private let limit: Duration

    init(seconds: Double) {
        limit = .milliseconds(Int64(seconds * 1000))
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                lock.lock()
                let overdue = started.map { ContinuousClock.now - $0 > limit } ?? false
                let stuck = iteration
                lock.unlock()
                if overdue {
                    FileHandle.standardError.write(Data("fuzz-loaders: iteration \(stuck) took longer than \(limit); treated as a hang\n".utf8))
                    exit(3)
                }
            }
        }
        thread.start()
    }

    func begin(_ iteration: UInt64) {
        lock.lock()
        self.iteration = iteration
        started = .now
        lock.unlock()
    }

    func end() {
        lock.lock()
        started = nil
        lock.unlock()
    }
}

struct FuzzWorker {
    let command: FuzzLoadersCommand
    let seeds: FuzzSeeds

    func run() throws {
        let mutator = FuzzMutator(seeds: seeds)
        let targets = FuzzTargets(seeds: seeds)
        let watchdog = FuzzWatchdog(seconds: command.hangSeconds)
        let currentInput = URL(fileURLWithPath: command.findings).appendingPathComponent("current-input.yaml")
        let currentIteration = URL(fileURLWithPath: command.findings).appendingPathComponent("current-input.iteration")
        let summaryFile = URL(fileURLWithPath: command.findings).appendingPathComponent("worker-summary.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let deadline = ContinuousClock.now + .milliseconds(Int64(command.seconds * 1000))
        var summary = FuzzWorkerSummary(firstIteration: command.start, executions: 0, outcomes: [:], findings: [])
        var iteration = command.start
        let last = command.iterations.map { command.start &+ $0 } ?? .max
        while iteration < last && ContinuousClock.now < deadline {
            let input = mutator.input(seed: command.seed, iteration: iteration)
            // Written before the attempt, so that a crash leaves the input behind.
            try Data(input.bytes).write(to: currentInput)
            try Data("\(iteration)\n\(input.kind.rawValue)\n\(input.description)\n".utf8).write(to: currentIteration)
            watchdog.begin(iteration)
            let outcome = targets.run(input)
            watchdog.end()
            summary.executions += 1
            summary.outcomes[outcome.label, default: 0] += 1
            if outcome.isFinding {
                let name = "error-\(command.seed)-\(iteration).yaml"
                try Data(input.bytes).write(to: URL(fileURLWithPath: command.findings).appendingPathComponent(name))
                try Data("\(outcome.label): \(outcome.detail ?? "")\n\(input.description)\n".utf8)
                    .write(to: URL(fileURLWithPath: command.findings).appendingPathComponent(name + ".txt"))
                summary.findings.append(name)
            }
            iteration += 1
            // Kept on disk as it goes, so that a worker that dies still leaves most of its counts.
            if summary.executions % 25 == 0 { try encoder.encode(summary).write(to: summaryFile) }
        }
        try encoder.encode(summary).write(to: summaryFile)
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}

struct FuzzSupervisor {
    let command: FuzzLoadersCommand
    let seeds: FuzzSeeds

    struct Report: Encodable {
        var seed: UInt64
        var firstIteration: UInt64
        var nextIteration: UInt64
        var executions: UInt64
        var seconds: Double
        var executionsPerSecond: Double
        var workers: Int
        var outcomes: [String: UInt64]
        var crashes: [String]
        var hangs: [String]
        var untypedErrors: [String]
    }

    func run() throws {
        let clock = ContinuousClock()
        let began = clock.now
        let deadline = began + .milliseconds(Int64(command.seconds * 1000))
        let folder = URL(fileURLWithPath: command.findings)
        guard let executable = Bundle.main.executableURL else { throw ValidationError("cannot find this executable to start workers") }
        var report = Report(seed: command.seed, firstIteration: command.start, nextIteration: command.start, executions: 0,
                            seconds: 0, executionsPerSecond: 0, workers: 0, outcomes: [:], crashes: [], hangs: [], untypedErrors: [])
        let last = command.iterations.map { command.start &+ $0 } ?? .max
        while report.nextIteration < last {
            let remaining = deadline - clock.now
            guard remaining > .milliseconds(200) else { break }
            let seconds = remaining.inSeconds
            var arguments = ["fuzz-loaders", "--worker", "--seed", "\(command.seed)", "--start", "\(report.nextIteration)",
                             "--seconds", "\(seconds)", "--findings", command.findings, "--hang-seconds", "\(command.hangSeconds)"]
            if command.iterations != nil { arguments += ["--iterations", "\(last - report.nextIteration)"] }
            if let repository = command.repository { arguments += ["--repository", repository] }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try? FileManager.default.removeItem(at: folder.appendingPathComponent("worker-summary.json"))
            try process.run()
            report.workers += 1
            let errorBox = FuzzBox()
            let done = DispatchSemaphore(value: 0)
            Thread { errorBox.data = err.fileHandleForReading.readDataToEndOfFile(); done.signal() }.start()
            let output = out.fileHandleForReading.readDataToEndOfFile()
            done.wait()
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus == 0,
               let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
               let summary = try? JSONDecoder().decode(FuzzWorkerSummary.self, from: Data(line.utf8)) {
                report.executions += summary.executions
                report.nextIteration += summary.executions
                for (label, count) in summary.outcomes { report.outcomes[label, default: 0] += count }
                report.untypedErrors += summary.findings
                break  // the worker used the time (or the iterations) up
            }
            // The worker died on an input: keep it, and go on from the next one. Its counts are
            // those it last saved (the executions are counted from the iteration numbers).
            if let data = try? Data(contentsOf: folder.appendingPathComponent("worker-summary.json")),
               let saved = try? JSONDecoder().decode(FuzzWorkerSummary.self, from: data), saved.firstIteration == report.nextIteration {
                for (label, count) in saved.outcomes { report.outcomes[label, default: 0] += count }
                report.untypedErrors += saved.findings
            }
            let iterationText = (try? String(contentsOf: folder.appendingPathComponent("current-input.iteration"), encoding: .utf8)) ?? ""
            let facts = iterationText.split(separator: "\n", omittingEmptySubsequences: false)
            guard let failed = facts.first.flatMap({ UInt64($0) }), failed >= report.nextIteration else {
                throw ValidationError("a worker failed before its first input (status \(process.terminationStatus)): "
                                      + String(decoding: errorBox.data, as: UTF8.self))
            }
            let isHang = process.terminationReason == .exit && process.terminationStatus == 3
            let name = "\(isHang ? "hang" : "crash")-\(command.seed)-\(failed).yaml"
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            try FileManager.default.copyItem(at: folder.appendingPathComponent("current-input.yaml"), to: folder.appendingPathComponent(name))
            let stderrTail = String(decoding: errorBox.data.suffix(4000), as: UTF8.self)
            let how = process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
            try Data("""
                \(how); reproduce with: failsim-bench fuzz-loaders --seed \(command.seed) --start \(failed) --iterations 1 --worker
                kind: \(facts.count > 1 ? facts[1] : ""); mutations: \(facts.count > 2 ? facts[2] : "")
                --- worker's standard error (end) ---
                \(stderrTail)
                """.utf8).write(to: folder.appendingPathComponent(name + ".txt"))
            if isHang { report.hangs.append(name) } else { report.crashes.append(name) }
            report.outcomes[isHang ? "hang" : "crash", default: 0] += 1
            report.executions += failed - report.nextIteration + 1
            report.nextIteration = failed + 1
        }
        let elapsed = clock.now - began
        report.seconds = elapsed.inSeconds
        report.executionsPerSecond = report.seconds > 0 ? Double(report.executions) / report.seconds : 0
        if command.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("fuzz-loaders: seed \(report.seed), iterations \(report.firstIteration)..<\(report.nextIteration): "
                  + "\(report.executions) executions in \(String(format: "%.1f", report.seconds)) s "
                  + "(\(Int(report.executionsPerSecond.rounded()))/s), \(report.workers) worker(s)")
            for (label, count) in report.outcomes.sorted(by: { $0.key < $1.key }) { print("  \(label): \(count)") }
            for name in report.crashes { print("  crash: \(command.findings)/\(name)") }
            for name in report.hangs { print("  hang: \(command.findings)/\(name)") }
            for name in report.untypedErrors { print("  untyped error: \(command.findings)/\(name)") }
        }
        if !report.crashes.isEmpty || !report.hangs.isEmpty || !report.untypedErrors.isEmpty { throw ExitCode(1) }
    }
}

final class FuzzBox: @unchecked Sendable { var data = Data() }
