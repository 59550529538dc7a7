import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Replay: permitted lines record their outcome, rejected ones do not")
struct ReplayTests {
    static let reference = try! BreakerPolicyConfiguration(policy: "reference", parameters: [
        "failureThreshold": "2", "successThreshold": "1", "resetTimeout": "10s", "monitorWindow": "60s",
    ])

    @Test("transitions, summary and time in each state of a small trace")
    func smallTrace() throws {
        let trace = """
            time,outcome,duration
            0,success,20ms
            1,failure
            2,failure
            3,failure
            12,attempt
            13,success
            30,success
            """
        var lines: [ReplayedLine] = []
        let result = try BreakerReplay.replay(text: trace, configuration: Self.reference) { lines.append($0) }
        #expect(result.transitions == [
            BreakerTransition(from: .closed, to: .open, at: sec(2), reason: .failureThresholdReached),
            BreakerTransition(from: .open, to: .halfOpen, at: sec(12), reason: .resetTimeoutElapsed),
        ])
        let summary = result.summary
        #expect(summary.calls == 7)
        #expect(summary.permitted == 4, "0, 1, 2 and the attempt at 12; 3 is rejected, 13 and 30 find the trial slot held")
        #expect(summary.rejected == 3)
        #expect(summary.successes == 1 && summary.failures == 2 && summary.heldAttempts == 1)
        #expect(summary.end == sec(30))
        #expect(summary.timeClosed == .seconds(2) && summary.timeOpen == .seconds(10) && summary.timeHalfOpen == .seconds(18))
        #expect(summary.opens == 1 && summary.transitions == 2 && summary.finalState == .halfOpen)
        #expect(lines.map(\.state) == [.closed, .closed, .open, .open, .halfOpen, .halfOpen, .halfOpen])
        #expect(lines.map(\.permitted) == [true, true, true, false, true, false, false])
        #expect(lines[3] == ReplayedLine(line: 5, time: sec(3), outcome: .failure, permitted: false, state: .open))
    }

    @Test("a call's outcome counts when it completes: a burst of 2 s timeouts opens the breaker 2 s in, not at once")
    func outcomesCountAtCompletion() throws {
        let trace = """
            time,outcome,duration
            0,failure,2s
            0.1,failure,2s
            0.2,failure,2s
            0.3,failure,2s
            """
        let result = try BreakerReplay.replay(text: trace, configuration: Self.reference)
        // The second failure completes at 2.1 s: that is when the threshold of 2 is reached.
        #expect(result.transitions == [BreakerTransition(from: .closed, to: .open, at: ms(2_100), reason: .failureThresholdReached)])
        #expect(result.summary.permitted == 4, "every call asked while the breaker was still closed")
        #expect(result.summary.end == ms(2_300), "the replay runs on to the last completion")
    }

    @Test("outcomes reach the breaker in order of completion, not of the lines")
    func completionOrder() throws {
        // The slow failure started first completes last; the two quick ones open the breaker at 2 s.
        let trace = """
            time,outcome,duration
            0,failure,5s
            1,failure
            2,failure,0s
            """
        var lines: [ReplayedLine] = []
        let result = try BreakerReplay.replay(text: trace, configuration: Self.reference) { lines.append($0) }
        #expect(result.transitions.first == BreakerTransition(from: .closed, to: .open, at: sec(2), reason: .failureThresholdReached))
        #expect(lines.map(\.state) == [.closed, .closed, .open], "a call without a duration counts in the state after its line")
        #expect(result.summary.end == sec(5))
        #expect(result.summary.failures == 3)
    }

    @Test("every policy replays the same trace and accounts for the whole span", arguments: BreakerPolicyKind.allCases)
    func everyPolicy(kind: BreakerPolicyKind) throws {
        var text = "time,outcome\n"
        var random = RandomStreams(seed: 3).stream(named: "replay-trace")
        var time: Int64 = 0
        for _ in 0..<5_000 {
            time += Int64(random.nextIndex(below: 40)) * 1_000_000
            let outage = time > 20_000_000_000 && time < 50_000_000_000
            let outcome = random.nextUniform() < (outage ? 0.9 : 0.01) ? "failure" : "success"
            text += "\(SimDuration(nanoseconds: time)),\(outcome)\n"
        }
        let result = try BreakerReplay.replay(text: text, configuration: try BreakerPolicyConfiguration(kind: kind))
        let s = result.summary
        #expect(s.calls == 5_000 && s.permitted + s.rejected == s.calls)
        #expect(s.timeClosed + s.timeOpen + s.timeHalfOpen == SimDuration(nanoseconds: s.end.nanoseconds))
        #expect(s.opens >= 1, "\(kind) never opened during a 90 % failure outage")
        #expect(result.transitions.count == s.transitions)
    }

    @Test("a malformed line stops the replay with its line and field")
    func malformedStops() {
        #expect(throws: TraceError(line: 3, field: .outcome, message: "expected one of success, failure, ignored, attempt, found 'ok'")) {
            try BreakerReplay.replay(text: "0,success\n1,success\n2,ok\n", configuration: Self.reference)
        }
    }
}
