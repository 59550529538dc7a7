import ArgumentParser
import CircuitBreakers
import Foundation
import SimulationCore

/// `failsim breaker`: the breaker lab. The policies and the replay live in the CircuitBreakers
/// module; these commands parse, call and print.
struct BreakerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaker",
        abstract: "Replay call outcomes through breaker policies, or compare policies on seeded traffic.",
        discussion: """
            Policies (the library each follows; parameters take its own names):
              reference     the reference architecture's failureThreshold,
                            successThreshold, resetTimeout, monitorWindow,
                            halfOpenMaxCalls
              consecutive   Envoy outlier detection: consecutive_5xx, interval,
                            base_ejection_time, max_ejection_time
              resilience4j  Resilience4j CircuitBreakerConfig:
                            failureRateThreshold, slidingWindowType, ...
              hystrix       Hystrix 1.5: circuitBreakerRequestVolumeThreshold,
                            circuitBreakerErrorThresholdPercentage, ...
              polly         Polly v8 advanced breaker: FailureRatio,
                            MinimumThroughput, SamplingDuration, BreakDuration

            `failsim breaker policies` lists every parameter with its default; the \
            exact rules and boundaries of each policy are in the CircuitBreakers \
            documentation.

            Examples:
              failsim breaker replay --policy resilience4j \\
                  --set failureRateThreshold=20 calls.csv
              failsim breaker compare --policy reference --policy resilience4j \\
                  --set resilience4j.failureRateThreshold=20 --outage 2m+90s
              failsim breaker policies

            \(BreakerCommand.exitCodes)
            """,
        subcommands: [BreakerReplayCommand.self, BreakerCompareCommand.self, BreakerPoliciesCommand.self]
    )

    static let exitCodes = """
        Exit codes:
          0   success
          64  bad usage (unknown policy, malformed or invalid --set,
              unknown option)
          65  a malformed trace line; stderr names FILE:LINE and the field
          74  the trace file cannot be read
        """
}

// MARK: - Shared parsing

enum BreakerArguments {
    /// Prints the message and ends with the usage exit code.
    static func usage(_ message: String) -> ExitCode {
        printError("error: \(message)")
        return ExitCode(ExitCodes.usage)
    }

    /// `key=value` → (key, value); the value may itself contain `=`.
    static func setting(_ text: String) throws -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw usage("--set expects key=value, found '\(text)'")
        }
        let key = text[..<equals].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw usage("--set expects key=value, found '\(text)'") }
        return (key, value)
    }

    static func configuration(policy: String, parameters: [String: String]) throws -> BreakerPolicyConfiguration {
        do {
            return try BreakerPolicyConfiguration(policy: policy, parameters: parameters)
        } catch {
            throw usage(error.description)
        }
    }

    static func duration(_ text: String, option: String) throws -> SimDuration {
        do {
            return try SimDuration(parsing: text)
        } catch {
            throw usage("\(option): \(error.description)")
        }
    }

    /// Seconds as exact decimals, trailing zeros dropped: `12.5 s`, `0.000000001 s`.
    static func seconds(_ time: SimTime) -> String { seconds(nanoseconds: time.nanoseconds) }

    static func seconds(nanoseconds: Int64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        guard fraction != "0" else { return "\(whole) s" }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction) s"
    }

    /// A short readable duration for tables: `0.25 s`, `12.3 s`, `2m05s`.
    static func short(_ duration: SimDuration) -> String {
        let s = duration.seconds
        if s < 10 { return String(format: "%.2f s", s) }
        if s < 600 { return String(format: "%.1f s", s) }
        let whole = Int(s.rounded())
        return String(format: "%dm%02ds", whole / 60, whole % 60)
    }

    static func parameters(_ configuration: BreakerPolicyConfiguration) -> [String: Any] {
        var parameters: [String: Any] = [:]
        for (name, value) in configuration.parameterValues { parameters[name] = value }
        return parameters
    }

    static func transitionJSON(_ t: BreakerTransition) -> [String: Any] {
        ["time": t.at.seconds, "from": t.from.rawValue, "to": t.to.rawValue, "reason": t.reason.description,
         "reasonCode": t.reason.rawValue]
    }

    /// The parameters that differ from the policy's defaults, as `name=value`.
    static func changedParameters(_ configuration: BreakerPolicyConfiguration) -> [String] {
        let defaults = (try? BreakerPolicyConfiguration(kind: configuration.kind))?.parameterValues ?? []
        var defaultValue: [String: String] = [:]
        for (name, value) in defaults { defaultValue[name] = value }
        return configuration.parameterValues.filter { defaultValue[$0.name] != $0.value }.map { "\($0.name)=\($0.value)" }
    }
}

/// Standard output through a buffer, for per-line output of long traces.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

// MARK: - replay

struct BreakerReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace of call outcomes through one breaker policy.",
        discussion: """
            The trace is CSV, one call per line: time,outcome[,duration]. time is seconds from \
            the start (12.5), a duration (1.5s) or an ISO-8601 timestamp (relative to the first \
            line); outcome is success, failure, ignored or attempt (asks for permission and never \
            reports back); duration (optional, with a unit) lets a policy judge slow calls. An \
            optional header line starts with time; # starts a comment.

            Each line asks the breaker for permission at its time; a permitted line records its \
            outcome when the call completes, as the libraries do: at its time plus its duration \
            (at once without a duration); a rejected line's outcome is not recorded. Prints the \
            transitions (time, from -> to, reason) and a summary: calls, permitted, rejected, \
            outcomes recorded, time in each state from 0 to the last line (or to the last call's \
            completion, if later), opens. --states adds the state after \
            each line. --json prints one document: policy, parameters, transitions (time, from, \
            to, reason, reasonCode), summary, and with --states an array states of {line, time, \
            outcome, permitted, state}; times are seconds.

            --set takes the policy's own parameter names (see `failsim breaker policies`); \
            durations as 250ms, 5s, 1m30s; Hystrix's ...InMilliseconds keys take milliseconds.

            Examples:
              failsim breaker replay --policy reference calls.csv
              failsim breaker replay --policy resilience4j calls.csv --states \\
                  --set slidingWindowType=TIME_BASED --set slidingWindowSize=10
              failsim breaker replay --policy hystrix calls.csv --json \\
                  --set circuitBreakerSleepWindowInMilliseconds=2000

            \(BreakerCommand.exitCodes)
            """
    )

    @Option(name: .long, help: ArgumentHelp("The policy: reference, consecutive, resilience4j, hystrix or polly.", valueName: "policy"))
    var policy: String

    @Option(name: .customLong("set"), help: ArgumentHelp("A policy parameter, with the library's name (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    @Argument(help: ArgumentHelp("The trace: CSV time,outcome[,duration].", valueName: "trace.csv"))
    var trace: String

    @Flag(name: .long, help: "Also print the breaker's state after every line.")
    var states = false

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    func run() throws {
        var parameters: [String: String] = [:]
        for text in settings {
            let (key, value) = try BreakerArguments.setting(text)
            guard parameters[key] == nil else { throw BreakerArguments.usage("--set \(key) is given twice") }
            parameters[key] = value
        }
        let configuration = try BreakerArguments.configuration(policy: policy, parameters: parameters)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: trace), options: .alwaysMapped)
        } catch {
            printError("error: \(trace): cannot read the trace (\(error.localizedDescription))")
            throw ExitCode(ExitCodes.ioError)
        }
        var output = BufferedOutput()
        var firstState = true
        if states {
            output.write(json ? "{\"states\":[" : "States\n  line      time            outcome  permitted  state\n")
        }
        let result: ReplayResult
        do {
            result = try data.withUnsafeBytes { raw in
                try BreakerReplay.replay(raw, configuration: configuration, keepsTransitions: true, onLine: states ? { line in
                    if json {
                        output.write(firstState ? "\n" : ",\n")
                        firstState = false
                        output.write("{\"line\":\(line.line),\"outcome\":\"\(line.outcome)\",\"permitted\":\(line.permitted),"
                                     + "\"state\":\"\(line.state.rawValue)\",\"time\":\(line.time.seconds)}")
                    } else {
                        output.write(Self.stateRow(line))
                    }
                } : nil)
            }
        } catch let error as TraceError {
            output.flush()
            printError("error: \(error.description(file: trace))")
            throw ExitCode(ExitCodes.dataError)
        }
        if json {
            let document = Self.document(result, trace: trace)
            if states {
                // The states were streamed; the rest of the object follows them.
                let rest = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
                output.write("\n],")
                output.write(String(decoding: rest.dropFirst(), as: UTF8.self))
                output.write("\n")
            } else {
                output.write(try Report.json(document) + "\n")
            }
        } else {
            if states { output.write("\n") }
            output.write(Self.text(result, trace: trace))
        }
        output.flush()
    }

    static func stateRow(_ line: ReplayedLine) -> String {
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        return "  " + pad(String(line.line), 8) + "  " + pad(BreakerArguments.seconds(line.time), 14) + "  "
            + pad(line.outcome.description, 7) + "  " + pad(line.permitted ? "yes" : "no", 9) + "  " + line.state.rawValue + "\n"
    }

    static func text(_ result: ReplayResult, trace: String) -> String {
        var out: [String] = []
        let configuration = result.configuration
        out.append("Breaker replay of \(trace): policy \(configuration.kind)")
        let changed = BreakerArguments.changedParameters(configuration)
        out.append("  " + (changed.isEmpty ? "library defaults" : changed.joined(separator: "  ") + "  (defaults otherwise)"))
        out.append("")
        out.append("Transitions")
        if result.transitions.isEmpty {
            out.append("  (none)")
        } else {
            var rows = [["time", "transition", "reason"]]
            for t in result.transitions {
                rows.append([BreakerArguments.seconds(t.at), "\(t.from.rawValue) -> \(t.to.rawValue)", t.reason.description])
            }
            out.append(contentsOf: Report.table(rows))
        }
        let s = result.summary
        out.append("")
        out.append("Summary")
        out.append("  calls \(s.calls)  permitted \(s.permitted)  rejected \(s.rejected)")
        out.append("  recorded \(counted(s.successes, "success", "successes")), \(counted(s.failures, "failure")), \(s.ignored) ignored; "
                   + "\(counted(s.heldAttempts, "attempt")) held a permit")
        let span = Double(s.end.nanoseconds)
        func share(_ state: BreakerState) -> String {
            let time = s.time(in: state)
            let percent = span > 0 ? String(format: " (%.1f %%)", Double(time.nanoseconds) / span * 100) : ""
            return "\(state.rawValue) \(BreakerArguments.seconds(nanoseconds: time.nanoseconds))\(percent)"
        }
        out.append("  time from 0 s to \(BreakerArguments.seconds(s.end)): \(share(.closed)), \(share(.open)), \(share(.halfOpen))")
        out.append("  opens \(s.opens)  transitions \(s.transitions)  final state \(s.finalState.rawValue)")
        return out.joined(separator: "\n") + "\n"
    }

    static func document(_ result: ReplayResult, trace: String) -> [String: Any] {
        let s = result.summary
        let summary: [String: Any] = [
            "calls": s.calls, "permitted": s.permitted, "rejected": s.rejected, "successes": s.successes,
            "failures": s.failures, "ignored": s.ignored, "heldAttempts": s.heldAttempts, "endSeconds": s.end.seconds,
            "timeInState": [BreakerState.closed.rawValue: s.timeClosed.seconds, BreakerState.open.rawValue: s.timeOpen.seconds,
                            BreakerState.halfOpen.rawValue: s.timeHalfOpen.seconds],
            "opens": s.opens, "transitions": s.transitions, "finalState": s.finalState.rawValue,
        ]
        return [
            "trace": trace,
            "policy": result.configuration.kind.rawValue,
            "parameters": BreakerArguments.parameters(result.configuration),
            "transitions": result.transitions.map(BreakerArguments.transitionJSON),
            "summary": summary,
        ]
    }
}

// MARK: - compare

struct BreakerCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same seeded traffic with outages through several policies and compare them.",
        discussion: """
            Generates open-loop Poisson calls at --rate for --duration from --seed (the same \
            calls and outcomes for every candidate), failing at --background-error-rate, and at \
            --outage-error-rate inside each --outage START+LENGTH window (default: one outage, \
            2m+90s). Prints per candidate: detection delay (outage start to OPEN; "missed" if it \
            never opened during the outage), time OPEN and HALF_OPEN, calls rejected (in total \
            and outside outages), failed calls let through, opens, false opens (opens that start \
            outside every outage), and time to close after the outage ends ("never" if it had not \
            closed by the end). With several outages the per-outage cells read a / b.

            Candidates:
              --policy P           P with its library defaults (repeatable)
              --set P.key=value    a setting for every --policy P candidate
              --candidate [LABEL=]P[:key=value,key=value...]
                                   one candidate with its own settings
                                   (repeatable; the label names it in the table)
            With none, the five policies run with their library defaults.

            Call durations (--call-duration, --outage-call-duration) matter only to policies \
            that judge slow calls (Resilience4j) or time calls out (Hystrix): set the outage \
            duration to the client timeout to model a hung dependency.

            Examples:
              failsim breaker compare
              failsim breaker compare --policy reference --policy resilience4j \\
                  --set resilience4j.failureRateThreshold=20 --seed 7 --rate 200
              failsim breaker compare --outage 60s+30s --outage 5m+2m --json \\
                  --candidate 'r4j-20=resilience4j:failureRateThreshold=20' \\
                  --candidate 'envoy-3=consecutive:consecutive_5xx=3'

            \(BreakerCommand.exitCodes)
            """
    )

    @Option(name: .long, help: ArgumentHelp("A policy to compare with its defaults (repeatable).", valueName: "policy"))
    var policy: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("A setting for the --policy candidates of one policy (repeatable).", valueName: "policy.key=value"))
    var settings: [String] = []

    @Option(name: .long, help: ArgumentHelp("A candidate with its own settings (repeatable).", valueName: "[label=]policy[:key=value,...]"))
    var candidate: [String] = []

    @Option(name: .long, help: "The seed the traffic is drawn from.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("How long the traffic runs.", valueName: "duration"))
    var duration: String = "10m"

    @Option(name: .long, help: ArgumentHelp("Calls per second (Poisson).", valueName: "calls/s"))
    var rate: Double = 50

    @Option(name: .customLong("background-error-rate"), help: ArgumentHelp("Share of calls that fail outside outages.", valueName: "share"))
    var backgroundErrorRate: Double = 0.005

    @Option(name: .long, help: ArgumentHelp("An outage window (repeatable); default 2m+90s.", valueName: "start+length"))
    var outage: [String] = []

    @Flag(name: .customLong("no-outage"), help: "Run without outages (to count false opens alone).")
    var noOutage = false

    @Option(name: .customLong("outage-error-rate"), help: ArgumentHelp("Share of calls that fail inside an outage.", valueName: "share"))
    var outageErrorRate: Double = 1

    @Option(name: .customLong("call-duration"), help: ArgumentHelp("How long a call takes outside outages.", valueName: "duration"))
    var callDuration: String = "20ms"

    @Option(name: .customLong("outage-call-duration"), help: ArgumentHelp("How long a call takes inside an outage (default: --call-duration).", valueName: "duration"))
    var outageCallDuration: String?

    @Flag(name: .long, help: "Print one JSON document instead of a table.")
    var json = false

    func candidates() throws -> [ComparisonCandidate] {
        var settingsByPolicy: [String: [String: String]] = [:]
        let policies = try policy.map { name -> String in
            do throws(BreakerConfigurationError) {
                return try BreakerPolicyKind(named: name).rawValue
            } catch {
                throw BreakerArguments.usage(error.description)
            }
        }
        for text in settings {
            let (key, value) = try BreakerArguments.setting(text)
            var policyName: String
            var parameter: String
            if let dot = key.firstIndex(of: ".") {
                policyName = String(key[..<dot])
                parameter = String(key[key.index(after: dot)...])
            } else if Set(policies).count == 1 {
                policyName = policies[0]
                parameter = key
            } else {
                throw BreakerArguments.usage("--set \(key): say which policy it is for, as policy.\(key)=value")
            }
            do { policyName = try BreakerPolicyKind(named: policyName).rawValue } catch { throw BreakerArguments.usage(error.description) }
            guard policies.contains(policyName) else {
                throw BreakerArguments.usage("--set \(key) is for \(policyName), but there is no --policy \(policyName)")
            }
            guard settingsByPolicy[policyName]?[parameter] == nil else { throw BreakerArguments.usage("--set \(key) is given twice") }
            settingsByPolicy[policyName, default: [:]][parameter] = value
        }
        var result: [ComparisonCandidate] = []
        for name in policies {
            let parameters = settingsByPolicy[name] ?? [:]
            let configuration = try BreakerArguments.configuration(policy: name, parameters: parameters)
            result.append(ComparisonCandidate(label: name, configuration: configuration))
        }
        for spec in candidate {
            result.append(try Self.candidate(spec))
        }
        if result.isEmpty {
            result = try BreakerPolicyKind.allCases.map {
                ComparisonCandidate(label: $0.rawValue, configuration: try BreakerArguments.configuration(policy: $0.rawValue, parameters: [:]))
            }
        }
        var seen: [String: Int] = [:]
        for index in result.indices {
            let label = result[index].label
            seen[label, default: 0] += 1
            if seen[label]! > 1 { result[index].label = "\(label)#\(seen[label]!)" }
        }
        return result
    }

    /// `[label=]policy[:key=value,key=value...]`.
    static func candidate(_ spec: String) throws -> ComparisonCandidate {
        let head: Substring
        let tail: Substring?
        if let colon = spec.firstIndex(of: ":") {
            head = spec[..<colon]
            tail = spec[spec.index(after: colon)...]
        } else {
            head = spec[...]
            tail = nil
        }
        var label: String? = nil
        var policyName = String(head)
        if let equals = head.firstIndex(of: "=") {
            label = String(head[..<equals]).trimmingCharacters(in: .whitespaces)
            policyName = String(head[head.index(after: equals)...])
        }
        var parameters: [String: String] = [:]
        for part in tail.map({ $0.split(separator: ",", omittingEmptySubsequences: true) }) ?? [] {
            let (key, value) = try BreakerArguments.setting(String(part))
            guard parameters[key] == nil else { throw BreakerArguments.usage("--candidate \(spec): \(key) is given twice") }
            parameters[key] = value
        }
        guard label.map({ !$0.isEmpty }) ?? true else { throw BreakerArguments.usage("--candidate \(spec): the label is empty") }
        let configuration = try BreakerArguments.configuration(policy: policyName.trimmingCharacters(in: .whitespaces), parameters: parameters)
        return ComparisonCandidate(label: label ?? configuration.kind.rawValue, configuration: configuration)
    }

    func traffic() throws -> ComparisonTraffic {
        var outages: [Outage] = []
        if noOutage && !outage.isEmpty { throw BreakerArguments.usage("--no-outage and --outage contradict each other") }
        for text in (outage.isEmpty && !noOutage ? ["2m+90s"] : outage) {
            guard let plus = text.dropFirst().firstIndex(of: "+") else {
                throw BreakerArguments.usage("--outage expects START+LENGTH such as 2m+90s, found '\(text)'")
            }
            let start = try BreakerArguments.duration(String(text[..<plus]), option: "--outage")
            let length = try BreakerArguments.duration(String(text[text.index(after: plus)...]), option: "--outage")
            outages.append(Outage(start: .zero + start, length: length))
        }
        do {
            return try ComparisonTraffic(
                seed: seed, duration: try BreakerArguments.duration(duration, option: "--duration"), callsPerSecond: rate,
                backgroundErrorRate: backgroundErrorRate, outages: outages, outageErrorRate: outageErrorRate,
                callDuration: try BreakerArguments.duration(callDuration, option: "--call-duration"),
                outageCallDuration: try outageCallDuration.map { try BreakerArguments.duration($0, option: "--outage-call-duration") })
        } catch let error as TrafficError {
            throw BreakerArguments.usage("--\(error.description)")
        }
    }

    func run() throws {
        let candidates = try candidates()
        let traffic = try traffic()
        let results = BreakerComparison.run(candidates, on: traffic)
        if json {
            print(try Report.json(Self.document(results, traffic: traffic)))
        } else {
            print(Self.text(results, traffic: traffic))
        }
    }

    static func outageText(_ outage: Outage) -> String {
        "\(SimDuration(nanoseconds: outage.start.nanoseconds))+\(outage.length)"
    }

    static func text(_ results: [CandidateResult], traffic: ComparisonTraffic) -> String {
        var out: [String] = []
        let calls = results.first?.calls ?? 0
        out.append("Breaker comparison: seed \(traffic.seed), \(traffic.duration) of traffic at \(parameterNumber(traffic.callsPerSecond)) calls/s "
                   + "(\(calls) calls), background errors \(percent(traffic.backgroundErrorRate))")
        if traffic.outages.isEmpty {
            out.append("No outages: every open is a false open.")
        } else {
            out.append("Outages: " + traffic.outages.map(outageText).joined(separator: ", ")
                       + " (calls fail at \(percent(traffic.outageErrorRate)))")
        }
        out.append("")
        var rows = [["candidate", "detection", "open", "half-open", "rejected", "of them healthy", "failed through", "opens",
                     "false opens", "closed after"]]
        for r in results {
            let detection = r.outages.map { response -> String in
                if response.openAtStart { return "open before" }
                return response.detectionDelay.map(BreakerArguments.short) ?? "missed"
            }.joined(separator: " / ")
            let closed = r.outages.map { response -> String in
                if response.neverClosed { return "never" }
                return response.closedAfterEnd.map(BreakerArguments.short) ?? "—"
            }.joined(separator: " / ")
            rows.append([r.candidate.label, detection.isEmpty ? "—" : detection, BreakerArguments.short(r.timeOpen),
                         BreakerArguments.short(r.timeHalfOpen), "\(r.rejected)", "\(r.rejectedOutsideOutages)",
                         "\(r.failuresPermitted)", "\(r.opens)", "\(r.falseOpens)", closed.isEmpty ? "—" : closed])
        }
        out.append(contentsOf: Report.table(rows))
        out.append("")
        out.append("detection: outage start to OPEN (\"open before\": already OPEN when it began); open, half-open: total")
        out.append("time in the state; of them healthy: rejected outside outages; closed after: outage end to CLOSED.")
        out.append("")
        var settingRows = [["candidate", "policy", "settings (library defaults otherwise)"]]
        for r in results {
            let changed = BreakerArguments.changedParameters(r.candidate.configuration)
            settingRows.append([r.candidate.label, r.candidate.configuration.kind.rawValue,
                                changed.isEmpty ? "defaults" : changed.joined(separator: " ")])
        }
        out.append(contentsOf: Report.table(settingRows))
        return out.joined(separator: "\n")
    }

    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? String(format: "%.0f %%", value) : String(format: "%g %%", value)
    }

    static func parameterNumber(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }

    static func document(_ results: [CandidateResult], traffic: ComparisonTraffic) -> [String: Any] {
        func outageJSON(_ outage: Outage) -> [String: Any] {
            ["startSeconds": outage.start.seconds, "lengthSeconds": outage.length.seconds]
        }
        let trafficJSON: [String: Any] = [
            "seed": NSNumber(value: traffic.seed), "durationSeconds": traffic.duration.seconds, "callsPerSecond": traffic.callsPerSecond,
            "backgroundErrorRate": traffic.backgroundErrorRate, "outageErrorRate": traffic.outageErrorRate,
            "callDurationSeconds": traffic.callDuration.seconds, "outageCallDurationSeconds": traffic.outageCallDuration.seconds,
            "outages": traffic.outages.map(outageJSON),
        ]
        let candidates: [[String: Any]] = results.map { r in
            let outages: [[String: Any]] = r.outages.map { response in
                var entry = outageJSON(response.outage)
                entry["detectionSeconds"] = response.detectionDelay.map { $0.seconds as Any } ?? NSNull()
                entry["closedAfterSeconds"] = response.closedAfterEnd.map { $0.seconds as Any } ?? NSNull()
                entry["neverClosed"] = response.neverClosed
                entry["openAtStart"] = response.openAtStart
                return entry
            }
            return [
                "label": r.candidate.label, "policy": r.candidate.configuration.kind.rawValue,
                "parameters": BreakerArguments.parameters(r.candidate.configuration),
                "calls": r.calls, "permitted": r.permitted, "rejected": r.rejected, "rejectedOutsideOutages": r.rejectedOutsideOutages,
                "failuresPermitted": r.failuresPermitted, "opens": r.opens, "falseOpens": r.falseOpens,
                "timeOpenSeconds": r.timeOpen.seconds, "timeHalfOpenSeconds": r.timeHalfOpen.seconds,
                "outages": outages, "transitions": r.transitions.map(BreakerArguments.transitionJSON),
            ]
        }
        return ["traffic": trafficJSON, "candidates": candidates]
    }
}

// MARK: - policies

struct BreakerPoliciesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "List the breaker policies and their parameters with defaults.",
        discussion: """
            Every parameter takes the library's own name, as --set and model files use it. \
            --json prints an object per policy with its parameters and defaults.

            \(BreakerCommand.exitCodes)
            """
    )

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let configurations = try BreakerPolicyKind.allCases.map { try BreakerPolicyConfiguration(kind: $0) }
        if json {
            var document: [String: Any] = [:]
            for configuration in configurations {
                document[configuration.kind.rawValue] = BreakerArguments.parameters(configuration)
            }
            print(try Report.json(document))
            return
        }
        for configuration in configurations {
            var defaults: [String: String] = [:]
            for (name, value) in configuration.parameterValues { defaults[name] = value }
            print("\(configuration.kind)")
            let rows = configuration.kind.parameterNames.map { [$0, defaults[$0] ?? "none"] }
            print(Report.table([["parameter", "default"]] + rows).joined(separator: "\n"))
            print("")
        }
    }
}
