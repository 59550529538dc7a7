import Foundation
import Testing

/// `failsim breaker replay | compare | policies`, run as the built executable.
@Suite("failsim breaker")
struct BreakerCommandTests {
    static let trace = """
        time,outcome,duration
        0,success,20ms
        0.5,failure,20ms
        1,failure
        1.5,failure
        2,failure
        2.5,failure
        3,failure
        40,success
        41,success
        42,failure

        """

    @Test("replay prints the transitions with their reasons and the summary")
    func replayText() throws {
        let failsim = try Failsim()
        let path = try failsim.write("calls.csv", Self.trace)
        let invocation = try failsim.run(["breaker", "replay", "--policy", "reference", path])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let out = invocation.stdout
        #expect(out.contains("policy reference"))
        #expect(out.contains("2.5 s   CLOSED -> OPEN       failureThreshold failures within monitorWindow"))
        #expect(out.contains("32.5 s  OPEN -> HALF_OPEN    resetTimeout elapsed"))
        #expect(out.contains("41 s    HALF_OPEN -> CLOSED  successThreshold consecutive trial successes"))
        #expect(out.contains("calls 10  permitted 9  rejected 1"))
        #expect(out.contains("CLOSED 3.5 s (8.3 %), OPEN 30 s (71.4 %), HALF_OPEN 8.5 s (20.2 %)"))
        #expect(out.contains("opens 1  transitions 3  final state CLOSED"))
    }

    @Test("--set takes the library's names; --states adds the state after each line")
    func replayStates() throws {
        let failsim = try Failsim()
        let path = try failsim.write("calls.csv", Self.trace)
        let invocation = try failsim.run(["breaker", "replay", "--policy", "reference", "--set", "failureThreshold=3", path, "--states"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let lines = invocation.stdout.split(separator: "\n").map(String.init)
        let stateLines = lines.filter { $0.hasPrefix("  ") && ($0.hasSuffix("CLOSED") || $0.hasSuffix("OPEN")) && $0.contains(" s ") }
        #expect(stateLines.count == 10, "\(invocation.stdout)")
        #expect(stateLines[3].split(separator: " ", omittingEmptySubsequences: true) == ["5", "1.5", "s", "failure", "yes", "OPEN"])
        #expect(invocation.stdout.contains("failureThreshold=3"))
    }

    @Test("--json: policy, parameters, transitions, summary, and with --states the documented objects")
    func replayJSON() throws {
        let failsim = try Failsim()
        let path = try failsim.write("calls.csv", Self.trace)
        for states in [false, true] {
            let invocation = try failsim.run(["breaker", "replay", "--policy", "resilience4j", "--set", "minimumNumberOfCalls=4",
                                              "--set", "slidingWindowSize=4", path, "--json"] + (states ? ["--states"] : []))
            #expect(invocation.status == 0, "\(invocation.stderr)")
            let document = try #require(try invocation.json() as? [String: Any])
            #expect(document["policy"] as? String == "resilience4j")
            let parameters = try #require(document["parameters"] as? [String: Any])
            #expect(parameters["minimumNumberOfCalls"] as? String == "4")
            let transitions = try #require(document["transitions"] as? [[String: Any]])
            let first = try #require(transitions.first)
            #expect(Set(first.keys) == ["time", "from", "to", "reason", "reasonCode"])
            #expect(first["to"] as? String == "OPEN")
            #expect(first["reasonCode"] as? String == "failureRateThresholdReached")
            let summary = try #require(document["summary"] as? [String: Any])
            for key in ["calls", "permitted", "rejected", "successes", "failures", "ignored", "heldAttempts", "endSeconds",
                        "timeInState", "opens", "transitions", "finalState"] {
                #expect(summary[key] != nil, "summary lacks \(key)")
            }
            #expect(summary["calls"] as? Int == 10)
            if states {
                let lines = try #require(document["states"] as? [[String: Any]])
                #expect(lines.count == 10)
                #expect(Set(lines[0].keys) == ["line", "time", "outcome", "permitted", "state"])
                #expect(lines[1]["line"] as? Int == 3)
                #expect(lines[1]["time"] as? Double == 0.5)
                #expect(lines[1]["outcome"] as? String == "failure")
                #expect(lines[1]["permitted"] as? Bool == true)
            } else {
                #expect(document["states"] == nil)
            }
        }
    }

    @Test("a malformed trace line exits 65 naming file, line and field")
    func malformedLine() throws {
        let failsim = try Failsim()
        let path = try failsim.write("bad.csv", "time,outcome\n0,success\n1,sucess\n")
        let invocation = try failsim.run(["breaker", "replay", "--policy", "reference", path])
        #expect(invocation.status == 65)
        #expect(invocation.stderr.contains("\(path):3: field 'outcome': expected one of success, failure, ignored, attempt, found 'sucess'"))
        let backwards = try failsim.write("backwards.csv", "5,success\n4,success\n")
        let second = try failsim.run(["breaker", "replay", "--policy", "polly", backwards])
        #expect(second.status == 65)
        #expect(second.stderr.contains("\(backwards):2: field 'time': time goes backwards"))
    }

    @Test("bad usage exits 64: unknown policy (with a suggestion), unknown or invalid --set, unreadable trace 74")
    func usageErrors() throws {
        let failsim = try Failsim()
        let path = try failsim.write("calls.csv", Self.trace)
        let unknown = try failsim.run(["breaker", "replay", "--policy", "resilence4j", path])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown breaker policy 'resilence4j'; did you mean 'resilience4j'?"))
        let parameter = try failsim.run(["breaker", "replay", "--policy", "resilience4j", "--set", "failureRate=20", path])
        #expect(parameter.status == 64)
        #expect(parameter.stderr.contains("did you mean 'failureRateThreshold'?"))
        let range = try failsim.run(["breaker", "replay", "--policy", "resilience4j", "--set", "failureRateThreshold=150", path])
        #expect(range.status == 64)
        #expect(range.stderr.contains("failureRateThreshold: 150 is out of range: expected a percentage greater than 0 and at most 100"))
        let malformed = try failsim.run(["breaker", "replay", "--policy", "reference", "--set", "failureThreshold", path])
        #expect(malformed.status == 64)
        let compare = try failsim.run(["breaker", "compare", "--policy", "hystrix", "--set", "polly.FailureRatio=0.2"])
        #expect(compare.status == 64)
        #expect(compare.stderr.contains("there is no --policy polly"))
        let missing = try failsim.run(["breaker", "replay", "--policy", "reference", "nothere.csv"])
        #expect(missing.status == 74)
    }

    @Test("compare prints a table with one row per candidate and the measures an architect reads")
    func compareTable() throws {
        let failsim = try Failsim()
        let invocation = try failsim.run(["breaker", "compare", "--duration", "5m", "--seed", "3"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let out = invocation.stdout
        for header in ["candidate", "detection", "open", "half-open", "rejected", "of them healthy", "failed through", "false opens",
                       "closed after"] {
            #expect(out.contains(header), "table lacks \(header)")
        }
        for policy in ["reference", "consecutive", "resilience4j", "hystrix", "polly"] {
            #expect(out.split(separator: "\n").contains { $0.hasPrefix("  \(policy) ") }, "no row for \(policy)")
        }
        #expect(out.contains("Outages: 2m+90s"))
    }

    @Test("compare: --policy with --set P.key, --candidate with a label, several outages, --json")
    func compareJSON() throws {
        let failsim = try Failsim()
        let invocation = try failsim.run([
            "breaker", "compare", "--policy", "reference", "--policy", "resilience4j", "--set", "resilience4j.failureRateThreshold=20",
            "--candidate", "envoy-3=consecutive:consecutive_5xx=3,base_ejection_time=10s", "--outage", "1m+30s", "--outage", "3m+1m",
            "--duration", "5m", "--json",
        ])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let document = try #require(try invocation.json() as? [String: Any])
        let traffic = try #require(document["traffic"] as? [String: Any])
        #expect((traffic["outages"] as? [Any])?.count == 2)
        let candidates = try #require(document["candidates"] as? [[String: Any]])
        #expect(candidates.map { $0["label"] as? String } == ["reference", "resilience4j", "envoy-3"])
        #expect((candidates[1]["parameters"] as? [String: Any])?["failureRateThreshold"] as? String == "20")
        #expect((candidates[2]["parameters"] as? [String: Any])?["base_ejection_time"] as? String == "10s")
        for candidate in candidates {
            for key in ["calls", "permitted", "rejected", "rejectedOutsideOutages", "failuresPermitted", "opens", "falseOpens",
                        "timeOpenSeconds", "timeHalfOpenSeconds", "outages", "transitions"] {
                #expect(candidate[key] != nil, "candidate lacks \(key)")
            }
            let outages = try #require(candidate["outages"] as? [[String: Any]])
            #expect(outages.count == 2)
            #expect(outages[0]["detectionSeconds"] != nil && outages[0]["closedAfterSeconds"] != nil)
        }
        #expect(Set(candidates.map { $0["calls"] as? Int }).count == 1, "every candidate sees the same calls")
    }

    @Test("help stays within 80 columns and names the exit codes; failsim --help lists breaker")
    func help() throws {
        let failsim = try Failsim()
        for command in [["breaker"], ["breaker", "replay"], ["breaker", "compare"], ["breaker", "policies"]] {
            let help = try failsim.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Exit codes") && help.stdout.contains("65"))
            for line in help.stdout.split(separator: "\n") where !line.hasPrefix("USAGE:") {
                #expect(line.count <= 80, "help line too wide: \(line)")
            }
        }
        #expect(try failsim.run(["--help"]).stdout.contains("breaker"))
        let policies = try failsim.run(["breaker", "policies"])
        #expect(policies.status == 0)
        let row = policies.stdout.split(separator: "\n").first { $0.contains("permittedNumberOfCallsInHalfOpenState") }
        #expect(row?.split(separator: " ").last == "10")
        #expect(policies.stdout.contains("FailureRatio"))
    }
}
