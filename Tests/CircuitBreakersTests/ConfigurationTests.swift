import Foundation
import Testing
import SimulationCore
@testable import CircuitBreakers

@Suite("Policy configuration: names, text parameters, Codable form, errors")
struct ConfigurationTests {
    @Test("an unknown policy suggests the closest name and lists the valid ones")
    func unknownPolicy() {
        do {
            _ = try BreakerPolicyKind(named: "resilence4j")
            Issue.record("accepted")
        } catch {
            #expect(error == .unknownPolicy(name: "resilence4j", suggestion: "resilience4j"))
            #expect(error.description == "unknown breaker policy 'resilence4j'; did you mean 'resilience4j'? (policies: reference, consecutive, resilience4j, hystrix, polly)")
        }
        #expect((try? BreakerPolicyKind(named: "Hystrix")) == .hystrix)
    }

    @Test("each policy's defaults build, and every policy names its parameters", arguments: BreakerPolicyKind.allCases)
    func defaultsBuild(kind: BreakerPolicyKind) throws {
        let configuration = try BreakerPolicyConfiguration(kind: kind)
        #expect(configuration.kind == kind)
        let names = configuration.parameterValues.map(\.name)
        #expect(Set(names).isSubset(of: Set(kind.parameterNames)))
        #expect(names.count >= kind.parameterNames.count - 1) // the optional exponential cap may be absent
    }

    @Test("JSON round trip through the flattened form", arguments: BreakerPolicyKind.allCases)
    func codableRoundTrip(kind: BreakerPolicyKind) throws {
        let configuration = try BreakerPolicyConfiguration(kind: kind)
        let data = try JSONEncoder().encode(configuration)
        let decoded = try JSONDecoder().decode(BreakerPolicyConfiguration.self, from: data)
        #expect(decoded == configuration)
    }

    @Test("decoding accepts numbers and Booleans and reports bad values with their key")
    func decoding() throws {
        let json = #"{"policy": "resilience4j", "failureRateThreshold": 20, "automaticTransitionFromOpenToHalfOpenEnabled": true, "waitDurationInOpenState": "30s"}"#
        let configuration = try JSONDecoder().decode(BreakerPolicyConfiguration.self, from: Data(json.utf8))
        guard case .resilience4j(let policy) = configuration else { Issue.record("wrong policy"); return }
        #expect(policy.failureRateThreshold == 20)
        #expect(policy.automaticTransitionFromOpenToHalfOpenEnabled)
        #expect(policy.waitDurationInOpenState == .seconds(30))

        let bad = #"{"policy": "hystrix", "circuitBreakerErrorThresholdPercentag": 20}"#
        do {
            _ = try JSONDecoder().decode(BreakerPolicyConfiguration.self, from: Data(bad.utf8))
            Issue.record("accepted")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.last?.stringValue == "circuitBreakerErrorThresholdPercentag")
            #expect(context.debugDescription.contains("did you mean 'circuitBreakerErrorThresholdPercentage'?"))
        }
    }

    @Test("malformed values say what was expected")
    func malformedValues() {
        #expect(throws: BreakerConfigurationError.malformedValue(parameter: "failureThreshold", value: "five", expected: "a whole number")) {
            try BreakerPolicyConfiguration(policy: "reference", parameters: ["failureThreshold": "five"])
        }
        #expect(throws: BreakerConfigurationError.malformedValue(parameter: "resetTimeout", value: "30",
                                                                 expected: "a duration such as 250ms, 5s, 1.5s or 1m30s")) {
            try BreakerPolicyConfiguration(policy: "reference", parameters: ["resetTimeout": "30"])
        }
        let error = BreakerConfigurationError.outOfRange(parameter: "failureRateThreshold", value: "150",
                                                         expected: "a percentage greater than 0 and at most 100")
        #expect(error.description == "failureRateThreshold: 150 is out of range: expected a percentage greater than 0 and at most 100")
    }

    @Test("did-you-mean finds near misses and stays quiet for unrelated words")
    func suggestions() {
        #expect(suggestion(for: "minimumNumberOfCall", among: Resilience4jPolicy.parameterNames) == "minimumNumberOfCalls")
        #expect(suggestion(for: "waitDuration", among: Resilience4jPolicy.parameterNames) == "waitDurationInOpenState")
        #expect(suggestion(for: "consecutive5xx", among: ConsecutiveFailuresPolicy.parameterNames) == "consecutive_5xx")
        #expect(suggestion(for: "zebra", among: PollyPolicy.parameterNames) == nil)
    }

    @Test("statistics: time in each state and opens, accounted at transitions")
    func statistics() throws {
        var b = CircuitBreaker(configuration: .reference(try ReferencePolicy(failureThreshold: 1, resetTimeout: .seconds(10))))
        b.call(.failure, at: sec(5))             // OPEN at 5
        b.call(.success, at: sec(15))            // HALF_OPEN at 15
        b.call(.success, at: sec(16))            // CLOSED at 16
        #expect(b.transitions.isEmpty, "the log is kept only when asked for")
        #expect(b.transitionCount == 3)
        #expect(b.statistics.opens == 1)
        #expect(b.statistics.time(in: .closed, upTo: sec(20)) == .seconds(9))
        #expect(b.statistics.time(in: .open, upTo: sec(20)) == .seconds(10))
        #expect(b.statistics.time(in: .halfOpen, upTo: sec(20)) == .seconds(1))
        #expect(b.lastTransition == BreakerTransition(from: .halfOpen, to: .closed, at: sec(16), reason: .trialSuccessesReached))
    }

    @Test("time going backwards traps")
    func timeBackwards() async {
        await #expect(processExitsWith: .failure) {
            var b = CircuitBreaker(configuration: .reference(try! ReferencePolicy()))
            _ = b.permitsCall(at: SimTime(nanoseconds: 10))
            _ = b.permitsCall(at: SimTime(nanoseconds: 9))
        }
    }
}
