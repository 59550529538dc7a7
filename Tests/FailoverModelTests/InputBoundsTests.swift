import Foundation
import Testing
import CircuitBreakers
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

/// Issue 15, items 13, 17 and 19: the bound on stated durations, where a run ends, and the keys a
/// model may leave out.
@Suite("Input bounds")
struct InputBoundsTests {
    /// Every duration of the reference model that is added to the clock, and the high ends of its
    /// distributions. Before the bound, `9223372036854775807ns` in any of them trapped in `SimTime +`
    /// (SIGILL); now it is refused, and the longest accepted value runs.
    static let durationKeys = [
        "dns.ttl", "dns.staleExtra", "links.connectTimeout", "links.clientToEdge.lognormal.p99", "links.edgeToRegion.uniform.high",
        "links.betweenRegions.lognormal.p99", "traffic.deadline", "traffic.retry.backoff", "edge.l1TTL", "edge.processing.lognormal.p99",
        "service.scaleUpInterval", "service.coldStart.lognormal.p99", "service.processing.lognormal.p99", "cache.ttl",
        "cache.lookup.lognormal.p99", "database.read.lognormal.p99", "database.write.lognormal.p99", "database.callTimeout",
        "database.refuseLatency", "database.replication.lag.lognormal.p99", "database.promotion.delay.uniform.high",
        "breakers[0].resetTimeout", "breakers[0].monitorWindow", "healthChecks.timeout", "controller.actionDelay",
        "controller.databaseUnreachableFor", "controller.failback.hysteresis", "controller.failback.stepInterval",
    ]

    @Test("A duration of 9223372036854775807ns is refused at its key; the longest accepted (3650d) runs to the end", arguments: durationKeys)
    func longestDurations(key: String) throws {
        let path = repositoryRoot.appendingPathComponent("models/esta-tracker.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(throws: FileError.self) {
            _ = try ExperimentLoader.model(text: text, file: path, overrides: ["traffic.requestsPerSecond": "20", key: "9223372036854775807ns"])
        }
        do {
            _ = try ExperimentLoader.model(text: text, file: path, overrides: [key: "9223372036854775807ns"])
        } catch {
            #expect(error.message.contains("longer than 3650d"), "\(key): \(error)")
        }
        // Many retries, so that an exponential backoff of 3650d × 2^attempt is taken too.
        let model = try referenceModel(overrides: ["traffic.requestsPerSecond": "20", "traffic.retry.maxAttempts": "30",
                                                   "traffic.retry.budget": "100", key: "3650d"])
        // Every kind of fault, so that every path a duration is added on is taken.
        let faults = [
            FaultSpec(name: "db", kind: .databaseUnreachable, at: .seconds(2), duration: .seconds(4), mode: .blackhole),
            FaultSpec(name: "cut", kind: .partition, at: .seconds(7), duration: .seconds(3)),
            FaultSpec(name: "5xx", kind: .api5xx, at: .seconds(11), duration: .seconds(3), fraction: 1),
            FaultSpec(name: "slow", kind: .latency, at: .seconds(15), duration: .seconds(2), added: .seconds(1)),
        ]
        let result = try run(model, experiment(faults, duration: .seconds(20), warmUp: .zero))
        #expect(result.status == .completed, "\(key)")
        #expect(result.identity.simulatedSeconds <= 20 + FailoverSimulation.longestDrain.seconds, "\(key)")
    }

    @Test("A run ends a deadline (at most a minute) after its measured period, and never past --max-simulated")
    func runEnd() throws {
        let long = try referenceModel(overrides: ["traffic.requestsPerSecond": "20", "traffic.deadline": "365d"])
        let measured = experiment([], duration: .seconds(30), warmUp: .seconds(5))
        // Before: 365 days of simulated time for 35 s of experiment (a hang).
        let result = try run(long, measured)
        #expect(result.identity.simulatedSeconds == 35 + 60)
        let short = try referenceModel(overrides: ["traffic.requestsPerSecond": "20", "traffic.deadline": "10s"])
        #expect(try run(short, measured).identity.simulatedSeconds == 35 + 10)
        // With the limit at warmUp + duration, the drain is cut and the clock stops at the limit.
        let bounded = try FailoverSimulation.run(model: long, experiment: measured, seed: 1,
                                                 sizeLimits: ModelSizeLimits(maxSimulated: .seconds(35)))
        #expect(bounded.identity.simulatedSeconds == 35)
    }

    @Test("A single queue needs no tenants, mix or slo; the defaults are the documented ones")
    func singleQueue() throws {
        let text = """
            kind: model
            name: mmc
            regions: {primary: only}
            traffic: {requestsPerSecond: 8, deadline: 1h}
            service: {instances: 1, concurrency: 2, queueLimit: 1000000,
                      processing: {exponential: {mean: 200ms}}, backgroundErrorRate: 0}
            """
        let model = try ExperimentLoader.model(text: text, file: "mmc.yaml")
        #expect(model.traffic.tenants == 1 && model.traffic.tenantSkew == 0 && model.traffic.employeesPerTenant == 1)
        #expect(model.traffic.mix == .init(read: 1, write: 0, batch: 0, report: 0))
        #expect(model.slo == .defaults && model.slo.uptime == 0.999 && model.slo.stabilityWindow == .seconds(10))
        let result = try run(model, experiment([], duration: .seconds(60), warmUp: .zero))
        #expect(result.availability.requests > 300 && result.availability.served == result.availability.requests)
        // The README's 1-hour deadline once simulated 61 minutes for this minute.
        #expect(result.identity.simulatedSeconds == 120)
    }

    @Test("A mix must add up to 1: read 0.8 + write 0.3 is refused with the sum")
    func mixSum() throws {
        let path = repositoryRoot.appendingPathComponent("models/esta-tracker.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        do {
            _ = try ExperimentLoader.model(text: text, file: path, overrides: ["traffic.mix.read": "0.8", "traffic.mix.write": "0.3",
                                                                              "traffic.mix.batch": "0", "traffic.mix.report": "0"])
            Issue.record("a mix adding up to 1.1 was accepted")
        } catch {
            #expect(error.keyPath == "traffic.mix" && error.message.contains("must add up to 1, found 1.1"), "\(error)")
        }
    }

    @Test("A breaker's reference fields left out take the defaults `failsim breaker policies` lists")
    func breakerDefaults() throws {
        let text = """
            kind: model
            name: defaults
            regions: {primary: a}
            traffic: {requestsPerSecond: 1, deadline: 10s}
            service: {instances: 1, concurrency: 1, queueLimit: 0, processing: 1ms, backgroundErrorRate: 0}
            breakers: [{name: db, guards: database}, {name: half, guards: database, failureThreshold: 9}]
            """
        let model = try ExperimentLoader.model(text: text, file: "defaults.yaml")
        let listed = try BreakerPolicyConfiguration(kind: .reference)
        #expect(model.breakers?[0].policyConfiguration == listed)
        #expect(model.breakers?[1].policyConfiguration == .reference(try ReferencePolicy(failureThreshold: 9)))
    }

    @Test("Lognormal by mean and sigma, and by mu and sigma: the distribution's mean and median against theory")
    func lognormalForms() throws {
        func spec(_ yaml: String) throws -> DurationSpec {
            let text = """
                kind: model
                name: forms
                regions: {primary: a}
                traffic: {requestsPerSecond: 1, deadline: 10s}
                service: {instances: 1, concurrency: 1, queueLimit: 0, processing: \(yaml), backgroundErrorRate: 0}
                """
            return try ExperimentLoader.model(text: text, file: "forms.yaml").service.processing
        }
        let byMean = try spec("{lognormal: {mean: 25ms, sigma: 0.6}}")
        // E[X] = exp(mu + sigma²/2) = the mean given.
        #expect(abs(byMean.distribution.seconds.mean! - 0.025) < 1e-15)
        let byLog = try spec("{lognormal: {mu: -3.9, sigma: 0.5}}")
        var stream = RandomStreams(seed: 5).stream(named: "lognormal-forms")
        let n = 100_000
        var draws = (0..<n).map { _ in byMean.sample(&stream).seconds }
        let mean = draws.reduce(0, +) / Double(n)
        // Standard error of the mean: sd/√n, sd = mean·√(exp(σ²) − 1).
        let meanError = 0.025 * (exp(0.36) - 1).squareRoot() / Double(n).squareRoot()
        #expect(abs(mean - 0.025) < 5 * meanError, "sample mean \(mean)")
        draws = (0..<n).map { _ in byLog.sample(&stream).seconds }.sorted()
        // The median is exp(mu); below it, half the draws (standard error 0.5/√n).
        let below = Double(draws.filter { $0 < exp(-3.9) }.count) / Double(n)
        #expect(abs(below - 0.5) < 5 * 0.5 / Double(n).squareRoot(), "share below exp(mu): \(below)")
        // Spelled back as written, and the median/p99 spelling encodes as it always did.
        #expect(byMean.description == "lognormal(mean 25ms, sigma 0.6)")
        let classic = try spec("{lognormal: {median: 3ms, p99: 15ms}}")
        #expect(String(decoding: try CanonicalJSON.encode(classic), as: UTF8.self) == #"{"lognormal":{"median":"3ms","p99":"15ms"}}"#)
    }
}
