import Foundation
import Testing
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore
import SimulationStatistics

/// Erlang C: the probability that an arrival waits in M/M/c with offered load `a = λ/μ`.
func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
    var term = 1.0
    var sum = 1.0
    for k in 1..<c {
        term *= a / Double(k)
        sum += term
    }
    let last = term * a / Double(c) * Double(c) / (Double(c) - a)
    return last / (sum + last)
}

@Suite("A one-service model behaves as M/M/c")
struct QueueingModelTests {
    /// Only client traffic and one service with a concurrency limit: the smallest valid model.
    static func model(servers: Int, rate: Double, meanService: String) -> String {
        model(servers: servers, rate: rate, processing: "{exponential: {mean: \(meanService)}}")
    }

    static func model(servers: Int, rate: Double, processing: String) -> String {
        """
        kind: model
        name: mmc
        regions: {primary: only}
        traffic:
          requestsPerSecond: \(rate)
          tenants: 1
          tenantSkew: 0
          employeesPerTenant: 1
          mix: {read: 1, write: 0, batch: 0, report: 0}
          deadline: 1h
        service:
          instances: 1
          concurrency: \(servers)
          queueLimit: 1000000
          processing: \(processing)
          backgroundErrorRate: 0
        slo:
          latency: []
          uptime: 0.999
          recoveryErrorRate: 0.01
          stabilityWindow: 10s
        """
    }

    @Test("Mean time in system against Erlang C for (c, ρ) = (2, 0.8) and (4, 0.875)", arguments: [(2, 0.8), (4, 0.875)])
    func erlang(servers: Int, rho: Double) throws {
        let mu = 10.0  // mean service 100 ms
        let lambda = rho * Double(servers) * mu
        let model = try ExperimentLoader.model(text: Self.model(servers: servers, rate: lambda, meanService: "100ms"), file: "mmc.yaml")
        let exp = ExperimentConfiguration(kind: "experiment", name: "mmc", description: nil, model: "mmc.yaml", overrides: nil,
                                          duration: .minutes(40), warmUp: .minutes(2), seeds: nil, faults: [], variants: nil)
        var means: [Double] = []
        for seed: UInt64 in 1...8 {
            let result = try FailoverSimulation.run(model: model, experiment: exp, seed: seed)
            let latency = try #require(result.latency.first { $0.operation == OperationClass.cached.rawValue })
            means.append(latency.meanMs / 1000)
        }
        let waitInQueue = erlangC(servers: servers, offeredLoad: lambda / mu) / (Double(servers) * mu - lambda)
        let expected = waitInQueue + 1 / mu
        let interval = try #require(ConfidenceInterval.mean(of: means, level: 0.99))
        // Latencies are recorded at microsecond resolution: negligible against a 100 ms service.
        #expect(interval.contains(expected), "W = \(expected) s, replications' 99 % interval \(interval)")
        #expect(interval.halfWidth < 0.15 * expected, "interval too wide to mean anything: \(interval)")
    }

    /// Each seed's queueing figures of the one service, over `seeds` replications.
    static func queueing(_ modelText: String, seeds: ClosedRange<UInt64>, duration: SimDuration = .minutes(30)) throws -> [ServiceQueueing] {
        let model = try ExperimentLoader.model(text: modelText, file: "mmc.yaml")
        let exp = ExperimentConfiguration(kind: "experiment", name: "mmc", description: nil, model: "mmc.yaml", overrides: nil,
                                          duration: duration, warmUp: .minutes(2), seeds: nil, faults: [], variants: nil)
        return try seeds.map { seed in
            let result = try FailoverSimulation.run(model: model, experiment: exp, seed: seed)
            return try #require(result.queueing.first)
        }
    }

    /// Whether the replications' 99 % interval of `values` holds `expected`, and is narrow enough
    /// to mean something.
    static func expectAgrees(_ values: [Double], _ expected: Double, _ what: String, width: Double = 0.15) throws {
        let interval = try #require(ConfidenceInterval.mean(of: values, level: 0.99))
        #expect(interval.contains(expected), "\(what) = \(expected), replications' 99 % interval \(interval)")
        #expect(interval.halfWidth < width * expected, "\(what): interval too wide to mean anything: \(interval)")
    }

    @Test("Utilisation, P(wait > 0), mean wait Wq and queue length Lq against Erlang C: M/M/1 at ρ = 0.7, M/M/3 at ρ = 0.8",
          arguments: [(1, 0.7), (3, 0.8)])
    func waitInQueue(servers: Int, rho: Double) throws {
        let mu = 10.0  // mean service 100 ms
        let lambda = rho * Double(servers) * mu
        let figures = try Self.queueing(Self.model(servers: servers, rate: lambda, meanService: "100ms"), seeds: 1...6)
        let waiting = erlangC(servers: servers, offeredLoad: lambda / mu)
        let wq = waiting / (Double(servers) * mu - lambda)
        try Self.expectAgrees(figures.map(\.utilisation), rho, "ρ", width: 0.02)
        try Self.expectAgrees(figures.map(\.waitProbability), waiting, "P(wait > 0)", width: 0.05)
        // Waits are strongly autocorrelated near saturation: six 30-minute replications pin Wq to ±25 %.
        try Self.expectAgrees(figures.map(\.meanWaitSeconds), wq, "Wq", width: 0.25)
        try Self.expectAgrees(figures.map(\.meanQueueLength), lambda * wq, "Lq", width: 0.25)
        #expect(figures.allSatisfy { $0.started > 10_000 && $0.waited <= $0.started })
    }

    @Test("M/D/1 at ρ = 0.8: mean wait by Pollaczek–Khinchine, P(wait > 0) = ρ")
    func deterministicService() throws {
        let mu = 10.0, rho = 0.8
        let figures = try Self.queueing(Self.model(servers: 1, rate: rho * mu, processing: "100ms"), seeds: 1...6)
        // Pollaczek–Khinchine with a service time of zero variance: Wq = ρ / (2μ(1 − ρ)).
        let wq = rho / (2 * mu * (1 - rho))
        try Self.expectAgrees(figures.map(\.utilisation), rho, "ρ", width: 0.02)
        try Self.expectAgrees(figures.map(\.waitProbability), rho, "P(wait > 0)", width: 0.05)
        try Self.expectAgrees(figures.map(\.meanWaitSeconds), wq, "Wq")
    }
}
