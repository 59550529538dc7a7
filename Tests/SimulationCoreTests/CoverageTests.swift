import Testing
import SimulationStatistics
@testable import SimulationCore

@Suite("Confidence intervals over replications")
struct CoverageTests {
    /// The interval every comparison reports — a Student-t interval over independent replications,
    /// each with its warm-up deleted — covers the true M/M/1 mean wait (ρ/(μ − λ) = 1 s at
    /// λ = 0.5/s, μ = 1/s) in about 95 % of experiments.
    @Test("95 % intervals over replications with warm-up deletion cover the M/M/1 mean wait about 95 % of the time")
    func coverage() throws {
        let experiments = 200
        let replications = 6
        var covered = 0
        for experiment in 0..<experiments {
            var means: [Double] = []
            for replication in 0..<replications {
                let seed = UInt64(experiment * replications + replication + 1)
                let run = try runQueue(servers: 1, arrivalRate: 0.5, serviceRate: 1, customers: 1_000, warmUp: 200, seed: seed)
                means.append(run.meanWait)
            }
            let interval = try #require(ConfidenceInterval.mean(of: means, level: 0.95))
            if interval.contains(1.0) { covered += 1 }
        }
        let rate = Double(covered) / Double(experiments)
        // Three binomial standard errors around the nominal 95 %.
        let standardError = (0.95 * 0.05 / Double(experiments)).squareRoot()
        #expect(abs(rate - 0.95) < 3 * standardError, "coverage \(rate) over \(experiments) experiments")
    }
}
