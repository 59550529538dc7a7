import ExperimentAnalysis
import SimulationCore
import Testing

/// Intervals and tests checked against their nominal rates on cases with a known answer, with
/// seeded streams (the seed is in every failure message).
///
/// With 2,000 experiments, the observed rate of a 95 % interval has a standard deviation of
/// √(0.95 · 0.05 / 2000) ≈ 0.49 %; the band 93.5 % … 96.5 % is about ±3 standard deviations.
@Suite("Coverage of intervals across seeds")
struct CoverageTests {
    static let experiments = 2_000
    static let band = 0.935 ... 0.965

    @Test("the 95 % t interval of a mean covers the true mean about 95 % of the time (normal, n = 8)")
    func meanCoverage() throws {
        let seed: UInt64 = 20_251_125
        var stream = RandomStreams(seed: seed).stream(named: "coverage/normal")
        let normal = try Distribution.normal(mean: 40, standardDeviation: 7)
        var covered = 0
        for _ in 0 ..< Self.experiments {
            let sample = (0 ..< 8).map { _ in Observation.value(normal.sample(&stream)) }
            if try #require(SeedSummary(sample).meanInterval).contains(40) { covered += 1 }
        }
        let rate = Double(covered) / Double(Self.experiments)
        #expect(Self.band.contains(rate), "coverage \(rate) with seed \(seed)")
    }

    @Test("replications with warm-up deletion: intervals of replication means cover the steady-state mean")
    func replicationCoverage() throws {
        // An AR(1) process X(t) = μ + φ(X(t−1) − μ) + ε, started far from μ = 10: the first 40 steps
        // are deleted as warm-up (bias φ⁴⁰ · 90 ≈ 10⁻¹⁰), the next 40 averaged; one replication per
        // seed, 6 replications per experiment.
        let seed: UInt64 = 7
        let mean = 10.0, phi = 0.6
        let noise = try Distribution.normal(mean: 0, standardDeviation: 2)
        var covered = 0
        for experiment in 0 ..< Self.experiments {
            var replicationMeans: [Observation] = []
            for replication in 0 ..< 6 {
                var stream = RandomStreams(seed: seed).stream(named: "coverage/ar1", index: experiment * 6 + replication)
                var x = 100.0
                var sum = 0.0
                for step in 0 ..< 80 {
                    x = mean + phi * (x - mean) + noise.sample(&stream)
                    if step >= 40 { sum += x }
                }
                replicationMeans.append(.value(sum / 40))
            }
            if try #require(SeedSummary(replicationMeans).meanInterval).contains(mean) { covered += 1 }
        }
        let rate = Double(covered) / Double(Self.experiments)
        #expect(Self.band.contains(rate), "coverage \(rate) with seed \(seed)")
    }

    @Test("paired differences under common random numbers: the interval covers the true difference, the test keeps its size")
    func pairedCoverage() throws {
        let seed: UInt64 = 99
        var stream = RandomStreams(seed: seed).stream(named: "coverage/paired")
        let shared = try Distribution.exponential(mean: 30)  // the seed's luck, common to both variants
        let own = try Distribution.normal(mean: 0, standardDeviation: 1.5)
        var covered = 0
        var falseAlarms = 0
        for _ in 0 ..< Self.experiments {
            var shifted: [(variant: Observation, baseline: Observation)] = []
            var null: [(variant: Observation, baseline: Observation)] = []
            for _ in 0 ..< 10 {
                let luck = shared.sample(&stream)
                let baseline = luck + own.sample(&stream)
                shifted.append((.value(luck + 3 + own.sample(&stream)), .value(baseline)))
                null.append((.value(luck + own.sample(&stream)), .value(baseline)))
            }
            let difference = PairedDifference(metric: .recoveryTime(row: 1), variant: "v", baseline: "b", pairs: shifted)
            if try #require(difference.interval).contains(3) { covered += 1 }
            let noDifference = PairedDifference(metric: .recoveryTime(row: 1), variant: "v", baseline: "b", pairs: null)
            if try #require(noDifference.pValue) <= 0.05 { falseAlarms += 1 }
        }
        let coverage = Double(covered) / Double(Self.experiments)
        let size = Double(falseAlarms) / Double(Self.experiments)
        #expect(Self.band.contains(coverage), "coverage \(coverage) with seed \(seed)")
        #expect((0.035 ... 0.065).contains(size), "false alarms \(size) with seed \(seed)")
    }

    @Test("Wilson intervals cover a pass probability of 0.8 about 95 % of the time (20 seeds)")
    func wilsonCoverage() throws {
        let seed: UInt64 = 3
        var stream = RandomStreams(seed: seed).stream(named: "coverage/wilson")
        var covered = 0
        for _ in 0 ..< Self.experiments {
            var runs = [RunFixture]()
            for index in 0 ..< 20 {
                let passes = stream.nextUniform() < 0.8
                runs.append(RunFixture.recovered("baseline", seed: UInt64(index), recovery: passes ? 40 : 80))
            }
            let comparison = try VariantComparison(runs: runs.map(\.result), options: ComparisonOptions(comparedMetrics: []))
            if try #require(comparison.variants[0].passRate(row: 1)?.interval).contains(0.8) { covered += 1 }
        }
        let rate = Double(covered) / Double(Self.experiments)
        // Wilson's coverage oscillates with n and p; at n = 20, p = 0.8 it is about 94–96 %.
        #expect((0.925 ... 0.975).contains(rate), "coverage \(rate) with seed \(seed)")
    }
}
