import Testing
@testable import SimulationStatistics

@Suite("Quantiles and confidence intervals")
struct ConfidenceIntervalTests {
    @Test func studentTQuantilesMatchPublishedTables() {
        // Three-decimal table values (any statistics textbook's t table).
        let table: [(p: Double, degreesOfFreedom: Double, t: Double)] = [
            (0.975, 1, 12.706), (0.975, 2, 4.303), (0.975, 5, 2.571), (0.975, 10, 2.228),
            (0.995, 19, 2.861), (0.95, 30, 1.697), (0.99, 60, 2.390), (0.975, 120, 1.980),
        ]
        for row in table {
            let t = StudentTDistribution(degreesOfFreedom: row.degreesOfFreedom).quantile(row.p)
            #expect(abs(t - row.t) < 0.0005, "t(\(row.p), \(row.degreesOfFreedom)) = \(t), table \(row.t)")
        }
    }

    @Test func studentTQuantilesToHighPrecision() {
        // Reference values from SciPy 1.17 (scipy.stats.t.ppf).
        let reference: [(p: Double, degreesOfFreedom: Double, t: Double)] = [
            (0.975, 1, 12.706204736174694), (0.975, 2, 4.302652729749462), (0.975, 3, 3.1824463052837078),
            (0.975, 4, 2.7764451051977934), (0.975, 10, 2.228138851986274), (0.995, 19, 2.8609346064649794),
            (0.95, 5, 2.0150483733330233), (0.999, 7, 4.785289628638333), (0.9995, 30, 3.6459586350420627),
            (0.975, 1000, 1.9623390808264083), (0.6, 3, 0.2766706623326898), (0.975, 2.5, 3.5746548420036817),
            (0.999999, 3, 103.29946777942898),
        ]
        for row in reference {
            let distribution = StudentTDistribution(degreesOfFreedom: row.degreesOfFreedom)
            let t = distribution.quantile(row.p)
            #expect(abs(t - row.t) <= 1e-9 * row.t, "t(\(row.p), \(row.degreesOfFreedom)) = \(t), expected \(row.t)")
            #expect(abs(distribution.quantile(1 - row.p) + row.t) <= 1e-9 * row.t)
            #expect(abs(distribution.cumulativeProbability(t) - row.p) < 1e-12)
        }
        #expect(StudentTDistribution(degreesOfFreedom: 7).quantile(0.5) == 0)
    }

    @Test func studentTApproachesTheNormal() {
        let normal = 1.959963984540054
        #expect(StudentTDistribution(degreesOfFreedom: .infinity).quantile(0.975) == StandardNormalDistribution.quantile(0.975))
        #expect(abs(StudentTDistribution(degreesOfFreedom: 1e6).quantile(0.975) - normal) < 1e-5)
        var previous = Double.infinity
        for degreesOfFreedom in [1.0, 2, 3, 5, 10, 30, 100, 1_000, 100_000] {
            let t = StudentTDistribution(degreesOfFreedom: degreesOfFreedom).quantile(0.975)
            #expect(t < previous && t > normal)
            previous = t
        }
    }

    @Test func studentTCumulativeProbability() {
        // SciPy: t.cdf(2.0, 5) and t.cdf(-3.5, 12.5).
        #expect(abs(StudentTDistribution(degreesOfFreedom: 5).cumulativeProbability(2) - 0.9490302605850708) < 1e-13)
        #expect(abs(StudentTDistribution(degreesOfFreedom: 12.5).cumulativeProbability(-3.5) - 0.00206757052288064) < 1e-15)
    }

    @Test func normalQuantiles() {
        #expect(abs(StandardNormalDistribution.quantile(0.99) - 2.326348) < 5e-7)
        #expect(abs(StandardNormalDistribution.quantile(0.975) - 1.959964) < 5e-7)
        // SciPy 1.17 (scipy.stats.norm.ppf), across Acklam's regions.
        let reference: [(p: Double, x: Double)] = [
            (0.99, 2.3263478740408408), (0.975, 1.959963984540054), (0.8, 0.8416212335729143),
            (1e-10, -6.361340902404056), (0.02425, -1.972961051311885), (0.3, -0.5244005127080409),
            (0.999999, 4.753424308817087),
        ]
        for row in reference {
            let x = StandardNormalDistribution.quantile(row.p)
            #expect(abs(x - row.x) <= 1e-12 * abs(row.x), "Φ⁻¹(\(row.p)) = \(x), expected \(row.x)")
        }
        #expect(StandardNormalDistribution.quantile(0.5) == 0)
        #expect(StandardNormalDistribution.quantile(0.25) == -StandardNormalDistribution.quantile(0.75))
        #expect(StandardNormalDistribution.quantile(0.0625) == -StandardNormalDistribution.quantile(0.9375))
        #expect(StandardNormalDistribution.quantile(0) == -.infinity)
        #expect(StandardNormalDistribution.quantile(1) == .infinity)
    }

    @Test func meanIntervalOfReplications() throws {
        // SciPy: t.interval(level, n − 1, loc = mean, scale = sem) for this sample.
        let sample = [9.1, 10.3, 8.7, 11.2, 9.9, 10.0, 10.8, 9.4]
        let ninetyFive = try #require(ConfidenceInterval.mean(of: sample))
        #expect(abs(ninetyFive.estimate - 9.925) < 1e-12)
        #expect(abs(ninetyFive.lowerBound - 9.218786732727091) < 1e-9)
        #expect(abs(ninetyFive.upperBound - 10.63121326727291) < 1e-9)
        #expect(ninetyFive.level == 0.95)
        let ninetyNine = try #require(ConfidenceInterval.mean(of: sample, level: 0.99))
        #expect(abs(ninetyNine.lowerBound - 8.879852327373294) < 1e-9)
        #expect(abs(ninetyNine.upperBound - 10.970147672626707) < 1e-9)
        #expect(ninetyNine.halfWidth > ninetyFive.halfWidth)
        #expect(ConfidenceInterval.mean(of: [3.0]) == nil)
    }

    @Test func wilsonScoreIntervalMatchesNewcombe() throws {
        // R. G. Newcombe, "Two-sided confidence intervals for the single proportion", Statistics in
        // Medicine 17 (1998), Table I, method 3 (score interval without continuity correction).
        let examples: [(successes: Int, trials: Int, lower: Double, upper: Double)] = [
            (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0, 0.1611), (1, 29, 0.0061, 0.1718),
        ]
        for example in examples {
            let interval = try #require(ConfidenceInterval.wilsonScore(successes: example.successes, trials: example.trials))
            #expect(abs(interval.lowerBound - example.lower) < 0.00005, "\(example)")
            #expect(abs(interval.upperBound - example.upper) < 0.00005, "\(example)")
            #expect(interval.estimate == Double(example.successes) / Double(example.trials))
        }
        let all = try #require(ConfidenceInterval.wilsonScore(successes: 50, trials: 50))
        #expect(all.upperBound == 1)
        #expect(all.lowerBound < 1 && all.lowerBound > 0.9)
        #expect(ConfidenceInterval.wilsonScore(successes: 0, trials: 0) == nil)
    }

    // Garwood's exact 95 % limits for a Poisson count k, as tabulated (e.g. Ulm, Am. J. Epidemiol.
    // 131, 1990, Table 1; the same in every epidemiology text): k = 0 → [0, 3.689], 1 →
    // [0.0253, 5.572], 2 → [0.2422, 7.225], 5 → [1.623, 11.668], 10 → [4.795, 18.390].
    @Test("The exact Poisson interval matches the published table")
    func poissonIntervalMatchesTheTable() throws {
        let table: [(Int, Double, Double)] = [(0, 0, 3.6889), (1, 0.02532, 5.5716), (2, 0.24217, 7.2247),
                                              (5, 1.6235, 11.668), (10, 4.7954, 18.390)]
        for (k, lower, upper) in table {
            let interval = try #require(ConfidenceInterval.poissonMean(totalCount: k, observations: 1))
            #expect(abs(interval.lowerBound - lower) <= 0.0005 * max(1, lower), "k = \(k): lower \(interval.lowerBound)")
            #expect(abs(interval.upperBound - upper) <= 0.0005 * upper, "k = \(k): upper \(interval.upperBound)")
        }
        // Over n observations the bounds are the total's divided by n, never below zero.
        let ten = try #require(ConfidenceInterval.poissonMean(totalCount: 1, observations: 10))
        #expect(abs(ten.estimate - 0.1) < 1e-12 && abs(ten.lowerBound - 0.002532) < 1e-5 && abs(ten.upperBound - 0.55716) < 1e-4)
        #expect(ConfidenceInterval.poissonMean(totalCount: 3, observations: 0) == nil)
        // Large totals: close to the normal approximation k ± 1.96·√k.
        let large = try #require(ConfidenceInterval.poissonMean(totalCount: 1_000_000, observations: 1))
        #expect(abs(large.lowerBound - (1_000_000 - 1.96 * 1000)) < 5 && abs(large.upperBound - (1_000_000 + 1.96 * 1000)) < 5)
    }

    @Test("Gamma quantiles invert the incomplete gamma function; χ² quantiles are twice them")
    func gammaQuantiles() {
        // χ²(0.95; 1) = 3.841459, χ²(0.05; 10) = 3.940299, χ²(0.975; 30) = 46.97924.
        #expect(abs(2 * GammaDistribution(shape: 0.5).quantile(0.95) - 3.841459) < 1e-5)
        #expect(abs(2 * GammaDistribution(shape: 5).quantile(0.05) - 3.940299) < 1e-5)
        #expect(abs(2 * GammaDistribution(shape: 15).quantile(0.975) - 46.97924) < 1e-4)
        for shape in [0.3, 1, 4.5, 80, 5000] {
            for p in [0.001, 0.025, 0.5, 0.975, 0.999] {
                let x = GammaDistribution(shape: shape).quantile(p)
                #expect(abs(GammaDistribution(shape: shape).cumulativeProbability(x) - p) < 1e-9, "shape \(shape), p \(p)")
            }
        }
        // Shape 1 is the exponential distribution: P(X ≤ x) = 1 − e^(−x).
        #expect(abs(GammaDistribution(shape: 1).quantile(0.975) - -Double.log(0.025)) < 1e-9)
    }

    @Test("The exact Poisson interval covers the true mean at least 95 % of the time, and never goes negative")
    func poissonIntervalCoverage() throws {
        var random = TestRandom(seed: 11)
        func poisson(_ mean: Double) -> Int {
            // Inversion: count unit-rate exponential gaps until they pass `mean`.
            var count = 0
            var sum = -Double.log(1 - random.nextUnit())
            while sum < mean { count += 1; sum += -Double.log(1 - random.nextUnit()) }
            return count
        }
        for (mean, seeds) in [(0.1, 10), (0.5, 5), (3.0, 20)] {
            var covered = 0
            let trials = 2000
            for _ in 0 ..< trials {
                let total = (0 ..< seeds).reduce(0) { sum, _ in sum + poisson(mean) }
                let interval = try #require(ConfidenceInterval.poissonMean(totalCount: total, observations: seeds))
                #expect(interval.lowerBound >= 0)
                if interval.contains(mean) { covered += 1 }
            }
            // Garwood's interval is conservative: coverage at least the level (allowing 2000
            // trials' sampling error of about ±1 %).
            #expect(Double(covered) / Double(trials) >= 0.94, "mean \(mean), \(seeds) seeds: \(covered)/\(trials)")
        }
    }
}
