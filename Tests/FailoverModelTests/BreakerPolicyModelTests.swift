import Foundation
import Testing
import CircuitBreakers
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

@Suite("Breaker policies in the model")
struct BreakerPolicyModelTests {
    @Test("The reference fields build the reference policy; an override switches the policy, taking the library's defaults")
    func policyFromModel() throws {
        let reference = try referenceModel()
        let firestore = try #require(reference.breakers?.first)
        #expect(firestore.policy == .reference)
        #expect(firestore.policyConfiguration.kind == .reference)
        #expect(firestore.policyConfiguration.parameterValues.first { $0.name == "failureThreshold" }?.value == "5")

        let switched = try referenceModel(overrides: ["breakers[0].policy": "resilience4j",
                                                     "breakers[0].resilience4j.minimumNumberOfCalls": "10",
                                                     "breakers[0].resilience4j.failureRateThreshold": "20"])
        let configuration = try #require(switched.breakers?.first?.policyConfiguration)
        #expect(configuration.kind == .resilience4j)
        let values = Dictionary(uniqueKeysWithValues: configuration.parameterValues.map { ($0.name, $0.value) })
        #expect(values["minimumNumberOfCalls"] == "10")
        #expect(values["permittedNumberOfCallsInHalfOpenState"] == "10", "an unset parameter takes Resilience4j's default")
    }

    @Test("A misspelled parameter of any policy's mapping is an error naming the file, the key and a suggestion")
    func misspelledParameter() throws {
        do {
            _ = try referenceModel(overrides: ["breakers[0].hystrix.circuitBreakerErrorThresholdPercent": "30"])
            Issue.record("the misspelling was accepted")
        } catch let error as FileError {
            #expect(error.keyPath.contains("breakers[0].hystrix"), "\(error.keyPath)")
            #expect(error.message.contains("circuitBreakerErrorThresholdPercentage"), "\(error.message)")
            #expect(error.file.contains("esta-tracker.yaml"))
        }
        #expect(throws: FileError.self) { try referenceModel(overrides: ["breakers[0].policy": "netflix"]) }
    }

    @Test("Each policy runs in the model under a database outage, opens during it, and logs its own reasons")
    func everyPolicyRuns() throws {
        let outage = FaultSpec(name: "db", kind: .databaseUnreachable, target: "us-central1", at: .seconds(60), duration: .seconds(90),
                               mode: .refuse, row: 1)
        var reasons: [BreakerPolicyKind: Set<String>] = [:]
        for kind in BreakerPolicyKind.allCases {
            var overrides = ["breakers[0].policy": kind.rawValue]
            // Small-traffic settings so that each policy can trip at 200 req/s split over instances.
            switch kind {
            case .resilience4j: overrides["breakers[0].resilience4j.minimumNumberOfCalls"] = "5"
            case .hystrix: overrides["breakers[0].hystrix.circuitBreakerRequestVolumeThreshold"] = "5"
            case .polly: overrides["breakers[0].polly.MinimumThroughput"] = "5"
            default: break
            }
            let result = try run(try referenceModel(overrides: overrides), experiment([outage], duration: .minutes(5)))
            let transitions = result.events.filter { $0.kind == "breakerTransition" && $0.subject.hasPrefix("firestore→db-us-central1") }
            #expect(transitions.contains { $0.detail.hasPrefix("CLOSED → OPEN") }, "\(kind) opened")
            reasons[kind] = Set(transitions.map { $0.detail })
            let opens = result.breakers.map(\.opens).reduce(0, +)
            #expect(opens == result.events.filter { $0.kind == "breakerTransition" && $0.detail.contains("→ OPEN") }.count)
        }
        // Different policies give different reasons: the policy really changed.
        #expect(reasons[.reference] != reasons[.resilience4j])
        #expect(reasons[.hystrix] != reasons[.polly])
    }
}
