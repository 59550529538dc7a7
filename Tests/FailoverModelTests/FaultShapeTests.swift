import Foundation
import Testing
@testable import FailoverModel
import RunResults
import SimulationCore

@Suite("Flapping and tenant-scoped faults")
struct FaultShapeTests {
    func databaseOutage(period: SimDuration?, dutyCycle: Double?) -> FaultSpec {
        var fault = FaultSpec(name: "db", kind: .databaseUnreachable, target: "us-central1",
                              at: .seconds(60), duration: .minutes(3), mode: .refuse, row: 1)
        fault.period = period
        fault.dutyCycle = dutyCycle
        return fault
    }

    @Test("A database that flaps 10 s down / 10 s up never satisfies the 30 s rule; 90 s down / 30 s up does")
    func flappingDatabase() throws {
        let short = try run(try referenceModel(), experiment([databaseOutage(period: .seconds(20), dutyCycle: 0.5)]))
        let shortIncident = try #require(short.incidents.first)
        // Between flaps the DB check passes again, so the 5xx rule no longer defers to the DB
        // rule and may act instead: the DB rule itself never does.
        #expect(shortIncident.rule != Rule.databaseUnreachable.rawValue)
        #expect(!short.events.contains { $0.kind == "failover" && $0.subject == Rule.databaseUnreachable.rawValue })
        #expect(shortIncident.requestsFailed > 0)

        let long = try run(try referenceModel(), experiment([databaseOutage(period: .minutes(2), dutyCycle: 0.75)]))
        let longIncident = try #require(long.incidents.first)
        #expect(longIncident.rule == Rule.databaseUnreachable.rawValue)
        let detection = try #require(longIncident.detectionSeconds)
        #expect(detection > 30 && detection < 90, "the rule acts within the first 90 s down period, after 30 s")
    }

    @Test("Flapping turns the fault off and on: a 50 % duty cycle fails about half the reads a steady fault fails")
    func flappingDutyCycle() throws {
        // No controller and no breakers, so nothing mitigates and nothing remembers the last
        // flap: failed requests measure the fault's on-time directly.
        var unmitigated = try referenceModel()
        unmitigated.controller = nil
        unmitigated.breakers = nil
        let steady = try run(unmitigated, experiment([databaseOutage(period: nil, dutyCycle: nil)]))
        let flapping = try run(unmitigated, experiment([databaseOutage(period: .seconds(20), dutyCycle: 0.5)]))
        let steadyFailed = Double(try #require(steady.incidents.first).requestsFailed)
        let flappingFailed = Double(try #require(flapping.incidents.first).requestsFailed)
        #expect(steadyFailed > 0)
        let ratio = flappingFailed / steadyFailed
        #expect(ratio > 0.35 && ratio < 0.65, "flapping/steady failed requests = \(ratio)")
    }

    @Test("A 5xx fault on two small tenants hurts only them and stays below the 10 % rule")
    func tenantScopedFiveXX() throws {
        var fault = FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(60), duration: .minutes(2), fraction: 1, row: 2)
        fault.tenants = [20, 21]
        let result = try run(try referenceModel(), experiment([fault]))
        let tenants = Dictionary(uniqueKeysWithValues: result.availability.tenants.map { ($0.scope, $0) })
        let hit = [try #require(tenants["tenant-20"]), try #require(tenants["tenant-21"])]
        let share = Double(hit.map(\.requests).reduce(0, +)) / Double(result.availability.requests)
        #expect(share < 0.1, "the scoped tenants carry \(share) of the traffic")
        for tenant in hit {
            // Two of the eight measured minutes fail entirely for these tenants.
            #expect(tenant.requestBased < 0.85 && tenant.requestBased > 0.6, "\(tenant.scope): \(tenant.requestBased)")
        }
        for name in ["tenant-1", "tenant-4", "tenant-7"] {
            #expect(try #require(tenants[name]).requestBased > 0.99, "\(name)")
        }
        #expect(try #require(result.incidents.first).rule == nil, "a 5xx rate below 10 % is not acted on")
    }

    @Test("A tenant-scoped fault does not narrow another fault in force at the same time")
    func scopesAreIndependent() throws {
        var fiveXX = FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(50), duration: .minutes(3), fraction: 1)
        fiveXX.tenants = [7]
        let database = TriggerRowTests.databaseOutage
        let alone = try run(try referenceModel(), experiment([database]))
        let together = try run(try referenceModel(), experiment([fiveXX, database]))
        let aloneIncident = try #require(alone.incidents.first)
        let togetherIncident = try #require(together.incidents.first { $0.fault == "db" })
        #expect(togetherIncident.outcome == .recovered)
        #expect(togetherIncident.rule == Rule.databaseUnreachable.rawValue)
        // Common random numbers: the database outage fails the same requests of tenant 1.
        let tenantOne = { (r: RunResult) in r.availability.tenants.first { $0.scope == "tenant-1" }!.requestBased }
        #expect(abs(tenantOne(alone) - tenantOne(together)) < 0.002)
        #expect(aloneIncident.rule == togetherIncident.rule)
    }

    @Test("Partitions and region loss cannot be scoped to tenants; unknown tenant ranks are named")
    func scopeValidation() throws {
        var partition = FaultSpec(name: "cut", kind: .partition, at: .seconds(60), duration: .minutes(1))
        partition.tenants = [1]
        #expect(throws: ModelError.self) { try run(try referenceModel(), experiment([partition])) }
        var fiveXX = FaultSpec(name: "5xx", kind: .api5xx, at: .seconds(60), duration: .minutes(1), fraction: 0.5)
        fiveXX.tenants = [0]
        do {
            _ = try run(try referenceModel(), experiment([fiveXX]))
            Issue.record("tenant 0 was accepted")
        } catch let error as ModelError {
            #expect(error.message.contains("tenant 0"))
        }
    }
}
