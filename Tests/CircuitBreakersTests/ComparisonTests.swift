import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Comparison: the same seeded traffic through several policies")
struct ComparisonTests {
    static func candidates() throws -> [ComparisonCandidate] {
        try BreakerPolicyKind.allCases.map { ComparisonCandidate(label: $0.rawValue, configuration: try BreakerPolicyConfiguration(kind: $0)) }
    }

    @Test("every candidate sees the same calls; the run is a pure function of its inputs")
    func sameTrafficAndDeterminism() throws {
        let traffic = try ComparisonTraffic(seed: 42, duration: .minutes(5), callsPerSecond: 40)
        let first = BreakerComparison.run(try Self.candidates(), on: traffic)
        let second = BreakerComparison.run(try Self.candidates(), on: traffic)
        #expect(Set(first.map(\.calls)).count == 1)
        #expect(first.map(\.transitions) == second.map(\.transitions))
        #expect(first.map(\.rejected) == second.map(\.rejected))
        var calls = traffic.makeCalls()
        var count = 0
        var failuresInOutage = 0
        while let call = calls.next() {
            count += 1
            if call.inOutage && call.outcome == .failure { failuresInOutage += 1 }
            #expect(call.inOutage == traffic.inOutage(call.time))
        }
        #expect(count == first[0].calls)
        #expect(abs(Double(count) - 300 * 40) < 5 * (300.0 * 40).squareRoot(), "Poisson count near rate × duration")
        #expect(failuresInOutage > 0)
    }

    @Test("a total outage is detected by every policy and the breaker closes again afterwards")
    func detectionAndRecovery() throws {
        let traffic = try ComparisonTraffic(seed: 1, duration: .minutes(10), callsPerSecond: 50, backgroundErrorRate: 0)
        for result in BreakerComparison.run(try Self.candidates(), on: traffic) {
            let response = try #require(result.outages.first)
            let detection = try #require(response.detectionDelay, "\(result.candidate.label) did not detect the outage")
            #expect(detection < .seconds(60), "\(result.candidate.label): \(detection)")
            #expect(response.closedAfterEnd != nil, "\(result.candidate.label) did not close again")
            #expect(result.falseOpens == 0, "\(result.candidate.label): no background errors, no false opens")
            #expect(result.rejected > 0 && result.timeOpen > .zero)
        }
    }

    @Test("a reference breaker detects a total outage when its fifth failing call completes")
    func referenceDetection() throws {
        let traffic = try ComparisonTraffic(seed: 9, duration: .minutes(4), callsPerSecond: 50, backgroundErrorRate: 0)
        let result = BreakerComparison.run(ComparisonCandidate(label: "reference", configuration: try BreakerPolicyConfiguration(kind: .reference)), on: traffic)
        var calls = traffic.makeCalls()
        var failures: [SimTime] = []
        while let call = calls.next(), failures.count < 5 {
            // A failure counts when the call completes, a call duration after it started.
            if call.inOutage { failures.append(call.time + call.duration) }
        }
        #expect(traffic.callDuration > .zero, "calls take time, so completion and start differ")
        let expected = failures.sorted()[4] - traffic.outages[0].start
        #expect(result.outages[0].detectionDelay == expected)
    }

    @Test("opens outside outages are counted as false opens")
    func falseOpens() throws {
        let traffic = try ComparisonTraffic(seed: 5, duration: .minutes(10), callsPerSecond: 100, backgroundErrorRate: 0.2, outages: [])
        let configuration = try BreakerPolicyConfiguration(policy: "reference", parameters: ["failureThreshold": "5", "monitorWindow": "1s"])
        let result = BreakerComparison.run(ComparisonCandidate(label: "tight", configuration: configuration), on: traffic)
        #expect(result.falseOpens > 0)
        #expect(result.falseOpens == result.opens)
        #expect(result.rejectedOutsideOutages == result.rejected)
    }

    @Test("traffic settings are checked")
    func validation() {
        #expect(throws: TrafficError.self) { try ComparisonTraffic(backgroundErrorRate: 1.5) }
        #expect(throws: TrafficError.self) { try ComparisonTraffic(duration: .minutes(1), outages: [Outage(start: sec(120), length: .seconds(5))]) }
        #expect(throws: TrafficError.self) {
            try ComparisonTraffic(outages: [Outage(start: sec(10), length: .seconds(30)), Outage(start: sec(20), length: .seconds(5))])
        }
        #expect(throws: TrafficError.self) { try ComparisonTraffic(duration: .days(365), callsPerSecond: 10_000) }
    }
}
