import Testing
@testable import SimulationCore

/// Sample moments and quantiles against theory.
///
/// Tolerances: with n independent draws the sample mean has standard error σ/√n and the sample
/// variance approximately √((μ₄ − σ⁴)/n), estimated here from the sample's own fourth central
/// moment. Every check allows 5 standard errors: a correct sampler fails one check with probability
/// about 6 × 10⁻⁷, while a wrong parameterisation (rate for mean, σ² for σ, an off-by-one rank) is
/// off by far more than 5 standard errors at these sample sizes. Seeds are fixed, so the outcome
/// is reproducible; n = 100,000 keeps each distribution to a fraction of a second in a debug build.
@Suite("Distributions against theory")
struct DistributionTests {
    static let n = 100_000

    struct Moments {
        var mean: Double
        var variance: Double
        var meanStandardError: Double
        var varianceStandardError: Double
    }

    static func draw(_ distribution: Distribution, seed: UInt64, count: Int = n) -> [Double] {
        var generator = RandomStreams(seed: seed).stream(named: "distribution-test")
        return (0..<count).map { _ in distribution.sample(&generator) }
    }

    static func moments(_ sample: [Double]) -> Moments {
        let n = Double(sample.count)
        let mean = sample.reduce(0, +) / n
        var m2 = 0.0, m4 = 0.0
        for x in sample {
            let d = (x - mean) * (x - mean)
            m2 += d
            m4 += d * d
        }
        let variance = m2 / (n - 1)
        m4 /= n
        return Moments(mean: mean, variance: variance, meanStandardError: (variance / n).squareRoot(),
                       varianceStandardError: (Swift.max(m4 - variance * variance, 0) / n).squareRoot())
    }

    /// (name, distribution, independently derived mean, independently derived variance)
    static let cases: [(String, Distribution, Double, Double)] = [
        ("uniform(2, 5)", try! .uniform(low: 2, high: 5), 3.5, 9.0 / 12),
        ("exponential(mean 2)", try! .exponential(mean: 2), 2, 4),
        ("exponential(rate 4)", try! .exponential(rate: 4), 0.25, 0.0625),
        ("normal(10, 3)", try! .normal(mean: 10, standardDeviation: 3), 10, 9),
        // exp(μ + σ²/2) and (e^{σ²} − 1)·e^{2μ+σ²} for μ = 0.5, σ = 0.4 (Python math.exp).
        ("lognormal(0.5, 0.4)", try! .lognormal(mu: 0.5, sigma: 0.4), 1.7860384307500734, 0.5534881011446781),
        // Pareto(x_m = 1, α = 6): α·x_m/(α−1) = 1.2; x_m²·α/((α−1)²(α−2)) = 6/100. (α > 4 so the
        // fourth moment, and with it the variance's standard error, is finite.)
        ("pareto(1, 6)", try! .pareto(scale: 1, shape: 6), 1.2, 0.06),
        // Weibull(λ = 2, k = 1.5): λΓ(1 + 1/k) and λ²(Γ(1 + 2/k) − Γ(1 + 1/k)²) (Python math.gamma).
        ("weibull(2, 1.5)", try! .weibull(scale: 2, shape: 1.5), 1.8054905859018673, 1.502761139255727),
        ("bernoulli(0.3)", try! .bernoulli(probability: 0.3), 0.3, 0.21),
        ("poisson(3.5) — inversion", try! .poisson(mean: 3.5), 3.5, 3.5),
        ("poisson(250) — PTRS", try! .poisson(mean: 250), 250, 250),
        ("poisson(12) — PTRS near the switch", try! .poisson(mean: 12), 12, 12),
        ("constant(7)", try! .constant(7), 7, 0),
    ]

    @Test("sample mean and variance match theory (and Distribution.mean/variance)",
          arguments: cases.indices)
    func moments(index: Int) {
        let (name, distribution, mean, variance) = DistributionTests.cases[index]
        #expect(abs(distribution.mean! - mean) <= 1e-12 * Swift.max(1, abs(mean)), "\(name): Distribution.mean")
        #expect(abs(distribution.variance! - variance) <= 1e-12 * Swift.max(1, variance), "\(name): Distribution.variance")
        let sample = DistributionTests.draw(distribution, seed: UInt64(index) + 1)
        #expect(sample.allSatisfy { $0.isFinite }, "\(name): a non-finite sample")
        let m = DistributionTests.moments(sample)
        #expect(abs(m.mean - mean) <= 5 * m.meanStandardError + 1e-12,
                "\(name): sample mean \(m.mean) vs \(mean) (se \(m.meanStandardError))")
        #expect(abs(m.variance - variance) <= 5 * m.varianceStandardError + 1e-12,
                "\(name): sample variance \(m.variance) vs \(variance) (se \(m.varianceStandardError))")
    }

    /// The fraction of a sample at or below `value` against the probability `p` that theory gives:
    /// Binomial(n, p), so within 5·√(p(1−p)/n).
    static func expectFraction(_ sample: [Double], below value: Double, is p: Double, _ what: String) {
        let fraction = Double(sample.lazy.filter { $0 <= value }.count) / Double(sample.count)
        let tolerance = 5 * (p * (1 - p) / Double(sample.count)).squareRoot()
        #expect(abs(fraction - p) <= tolerance, "\(what): fraction ≤ \(value) is \(fraction), expected \(p) ± \(tolerance)")
    }

    /// A distribution-free interval for the sample p-quantile: the order statistics of rank
    /// n·p ∓ 5·√(n·p(1−p)) bracket the true quantile except with probability about 6 × 10⁻⁷.
    static func expectQuantile(_ sorted: [Double], _ p: Double, is value: Double, _ what: String) {
        let n = Double(sorted.count)
        let spread = 5 * (n * p * (1 - p)).squareRoot()
        let low = sorted[Swift.max(0, Int((n * p - spread).rounded(.down)))]
        let high = sorted[Swift.min(sorted.count - 1, Int((n * p + spread).rounded(.up)))]
        #expect(low <= value && value <= high, "\(what): p\(p * 100) \(value) outside the sample's [\(low), \(high)]")
    }

    @Test("lognormal(median:p99:) has the quoted median and 99th percentile")
    func lognormalFromPercentiles() throws {
        let distribution = try Distribution.lognormal(median: 0.05, p99: 0.4)
        // σ = (ln 0.4 − ln 0.05)/Φ⁻¹(0.99), mean e^{μ+σ²/2} (Python: 0.07455376588273083).
        #expect(abs(distribution.mean! - 0.07455376588273083) < 1e-12)
        let sample = DistributionTests.draw(distribution, seed: 31, count: 200_000).sorted()
        DistributionTests.expectQuantile(sample, 0.5, is: 0.05, "lognormal median")
        DistributionTests.expectQuantile(sample, 0.99, is: 0.4, "lognormal p99")
        DistributionTests.expectFraction(sample, below: 0.05, is: 0.5, "lognormal median")
        DistributionTests.expectFraction(sample, below: 0.4, is: 0.99, "lognormal p99")
        // The sample median itself within a few per cent: the median's standard error is
        // 1/(2 f(m) √n) = median·σ·√(π/2)/√n ≈ 0.05 × 0.894 × 1.2533 / 447 ≈ 1.25e-4 (0.25 %).
        let median = sample[sample.count / 2]
        #expect(abs(median - 0.05) < 5 * 1.25e-4, "sample median \(median)")
    }

    @Test("empirical percentile tables are sampled by linear interpolation")
    func empirical() throws {
        let distribution = try Distribution.empirical(percentiles: [(0, 10), (50, 20), (90, 50), (100, 100)])
        // Mean of the piecewise-linear quantile function: 0.5·15 + 0.4·35 + 0.1·75 = 29.
        #expect(abs(distribution.mean! - 29) < 1e-12)
        let sample = DistributionTests.draw(distribution, seed: 41)
        #expect(sample.allSatisfy { $0 >= 10 && $0 <= 100 })
        let sorted = sample.sorted()
        for (p, value) in [(0.25, 15.0), (0.5, 20), (0.7, 35), (0.9, 50), (0.95, 75), (0.99, 95)] {
            DistributionTests.expectQuantile(sorted, p, is: value, "empirical")
            DistributionTests.expectFraction(sample, below: value, is: p, "empirical")
        }
        // The table's mean: the variance of a draw is below (100 − 10)²/4, so the mean's standard
        // error is below 45/√n ≈ 0.142; allow 5 of those.
        let m = DistributionTests.moments(sample)
        #expect(abs(m.mean - 29) < 5 * m.meanStandardError)
        // A one-point table is a constant; a table that does not reach 0 and 100 clamps at its ends.
        let single = try Distribution.empirical(percentiles: [(50, 3)])
        #expect(DistributionTests.draw(single, seed: 1, count: 100).allSatisfy { $0 == 3 })
        let partial = try Distribution.empirical(percentiles: [(10, 1), (90, 2)])
        let partialSample = DistributionTests.draw(partial, seed: 2, count: 20_000)
        DistributionTests.expectFraction(partialSample, below: 1, is: 0.1, "clamped lower end")
        #expect(partialSample.allSatisfy { $0 >= 1 && $0 <= 2 })
    }

    @Test("Zipf rank frequencies follow k^−s / H")
    func zipf() throws {
        let count = 10, exponent = 1.2
        let distribution = try Distribution.zipf(count: count, exponent: exponent)
        #expect(abs(distribution.mean! - 3.026070014612279) < 1e-12) // Python: Σk·k^−s / Σk^−s
        let n = 200_000
        var generator = RandomStreams(seed: 51).stream(named: "zipf")
        var frequencies = [Int](repeating: 0, count: count + 1)
        for _ in 0..<n {
            let rank = Int(distribution.sample(&generator))
            #expect(rank >= 1 && rank <= count)
            frequencies[rank] += 1
        }
        let harmonic = (1...count).reduce(0.0) { $0 + Double.pow(Double($1), -exponent) }
        for rank in 1...count {
            let p = Double.pow(Double(rank), -exponent) / harmonic
            let tolerance = 5 * (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(frequencies[rank]) - Double(n) * p) <= tolerance,
                    "rank \(rank): \(frequencies[rank]) draws, expected \(Double(n) * p) ± \(tolerance)")
        }
        // Exponent 0 is uniform over the ranks.
        let flat = try Distribution.zipf(count: 4, exponent: 0)
        #expect(abs(flat.mean! - 2.5) < 1e-12)
    }

    @Test("Poisson probabilities match the pmf on both code paths", arguments: [3.5, 250.0])
    func poissonShape(mean: Double) throws {
        let distribution = try Distribution.poisson(mean: mean)
        let n = 200_000
        var generator = RandomStreams(seed: 61).stream(named: "poisson")
        var counts: [Int: Int] = [:]
        for _ in 0..<n {
            let k = distribution.sample(&generator)
            #expect(k >= 0 && k == k.rounded())
            counts[Int(k), default: 0] += 1
        }
        // pmf(k) = e^{−m} m^k / k!, in logs; cells around the mean, each Binomial(n, pmf).
        let centre = Int(mean)
        let width = Int(2 * mean.squareRoot())
        for k in Swift.max(0, centre - width)...(centre + width) {
            let p = Double.exp(-mean + Double(k) * Double.log(mean) - Double.logGamma(Double(k) + 1))
            let tolerance = 5 * (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(counts[k, default: 0]) - Double(n) * p) <= tolerance,
                    "poisson(\(mean)) P(X = \(k)): \(counts[k, default: 0]) of \(n), expected \(Double(n) * p) ± \(tolerance)")
        }
    }

    @Test("invalid parameters are typed errors naming the parameter")
    func invalidParameters() {
        func parameter(_ make: () throws -> Distribution) -> String? {
            do {
                _ = try make()
                return nil
            } catch let error as DistributionError {
                #expect(!error.description.isEmpty && error.description.contains(error.parameter))
                return error.parameter
            } catch {
                Issue.record("untyped error \(error)")
                return "?"
            }
        }
        #expect(parameter { try .exponential(rate: -1) } == "rate")
        #expect(parameter { try .exponential(rate: 0) } == "rate")
        #expect(parameter { try .exponential(rate: .nan) } == "rate")
        #expect(parameter { try .exponential(mean: -2) } == "mean")
        #expect(parameter { try .exponential(mean: .infinity) } == "mean")
        #expect(parameter { try .lognormal(median: 0.1, p99: 0.05) } == "p99")
        #expect(parameter { try .lognormal(median: 0.1, p99: 0.1) } == "p99")
        #expect(parameter { try .lognormal(median: 0, p99: 1) } == "median")
        #expect(parameter { try .lognormal(median: .nan, p99: 1) } == "median")
        #expect(parameter { try .lognormal(mu: 0, sigma: -1) } == "sigma")
        #expect(parameter { try .empirical(percentiles: []) } == "percentiles")
        #expect(parameter { try .empirical(percentiles: [(10, 1), (110, 2)]) } == "percentile")
        #expect(parameter { try .empirical(percentiles: [(50, 1), (40, 2)]) } == "percentile")
        #expect(parameter { try .empirical(percentiles: [(50, 1), (50, 2)]) } == "percentile")
        #expect(parameter { try .empirical(percentiles: [(10, 5), (90, 2)]) } == "value at p90.0")
        #expect(parameter { try .empirical(percentiles: [(10, .nan)]) } == "value at p10.0")
        #expect(parameter { try .bernoulli(probability: 1.5) } == "probability")
        #expect(parameter { try .bernoulli(probability: -0.1) } == "probability")
        #expect(parameter { try .bernoulli(probability: .nan) } == "probability")
        #expect(parameter { try .poisson(mean: -1) } == "mean")
        #expect(parameter { try .poisson(mean: 0) } == "mean")
        #expect(parameter { try .poisson(mean: .nan) } == "mean")
        #expect(parameter { try .poisson(mean: 1e13) } == "mean")
        #expect(parameter { try .normal(mean: 0, standardDeviation: -1) } == "standardDeviation")
        #expect(parameter { try .normal(mean: .infinity, standardDeviation: 1) } == "mean")
        #expect(parameter { try .uniform(low: 2, high: 1) } == "high")
        #expect(parameter { try .uniform(low: .nan, high: 1) } == "low")
        #expect(parameter { try .pareto(scale: -1, shape: 2) } == "scale")
        #expect(parameter { try .pareto(scale: 1, shape: 0) } == "shape")
        #expect(parameter { try .weibull(scale: 1, shape: -3) } == "shape")
        #expect(parameter { try .weibull(scale: .infinity, shape: 1) } == "scale")
        #expect(parameter { try .zipf(count: 0, exponent: 1) } == "count")
        #expect(parameter { try .zipf(count: 10, exponent: -1) } == "exponent")
        #expect(parameter { try .constant(.nan) } == "value")
        // Boundaries that are valid.
        #expect(parameter { try .bernoulli(probability: 0) } == nil)
        #expect(parameter { try .bernoulli(probability: 1) } == nil)
        #expect(parameter { try .normal(mean: 1, standardDeviation: 0) } == nil)
        #expect(parameter { try .uniform(low: 1, high: 1) } == nil)
        #expect(parameter { try .empirical(percentiles: [(0, 1), (100, 1)]) } == nil)
    }

    @Test("heavy tails and edge parameters never give NaN")
    func noNaN() throws {
        let distributions: [Distribution] = [
            try .pareto(scale: 1, shape: 0.5),   // infinite mean, still finite draws
            try .weibull(scale: 1, shape: 0.2),
            try .lognormal(mu: 0, sigma: 5),
            try .bernoulli(probability: 0), try .bernoulli(probability: 1),
            try .poisson(mean: 1e-9), try .poisson(mean: 1e9),
            try .normal(mean: 0, standardDeviation: 0),
            try .zipf(count: 1, exponent: 3),
        ]
        for distribution in distributions {
            let sample = DistributionTests.draw(distribution, seed: 71, count: 20_000)
            #expect(sample.allSatisfy { !$0.isNaN && $0 >= 0 }, "\(distribution)")
        }
        #expect(try Distribution.pareto(scale: 1, shape: 0.5).mean == nil)
        var generator = Xoshiro256StarStar(seed: 3)
        #expect(try Distribution.bernoulli(probability: 1).sample(&generator) == 1)
        #expect(try Distribution.bernoulli(probability: 0).sample(&generator) == 0)
    }

    @Test("a duration distribution rejects negative support and truncates a normal at zero")
    func durations() throws {
        func rejects(_ distribution: Distribution) -> Bool {
            do {
                _ = try DurationDistribution(seconds: distribution)
                return false
            } catch {
                return error.parameter == "support"
            }
        }
        #expect(rejects(try .constant(-1)))
        #expect(rejects(try .uniform(low: -1, high: 1)))
        #expect(rejects(try .empirical(percentiles: [(0, -0.5), (100, 1)])))
        #expect(!rejects(try .uniform(low: 0, high: 1)))
        #expect(!rejects(try .exponential(mean: 1)))

        // Normal(0.1 s, 0.1 s) truncated at zero: a point mass P(X ≤ 0) = Φ(−1) = 0.15865525393145707
        // at zero, and mean μΦ(μ/σ) + σφ(μ/σ) = 0.10833154705876864 (Python statistics.NormalDist).
        let truncated = try DurationDistribution(seconds: .normal(mean: 0.1, standardDeviation: 0.1))
        var generator = RandomStreams(seed: 81).stream(named: "durations")
        let n = DistributionTests.n
        let sample = (0..<n).map { _ in truncated.sample(&generator) }
        #expect(sample.allSatisfy { $0.nanoseconds >= 0 })
        let zeros = Double(sample.filter { $0 == .zero }.count) / Double(n)
        let p = 0.15865525393145707
        #expect(abs(zeros - p) <= 5 * (p * (1 - p) / Double(n)).squareRoot(), "share truncated to zero: \(zeros)")
        let m = DistributionTests.moments(sample.map(\.seconds))
        #expect(abs(m.mean - 0.10833154705876864) <= 5 * m.meanStandardError, "truncated mean \(m.mean)")
        // Sampled durations are rounded to whole nanoseconds.
        let constant = try DurationDistribution(seconds: .constant(2.5e-9))
        #expect(constant.sample(&generator).nanoseconds == 2)
        #expect(DurationDistribution.constant(.milliseconds(250)).sample(&generator) == .milliseconds(250))
    }

    @Test("the normal quantile matches tables; the fast approximation is within 1.2e-9")
    func normalQuantile() {
        // Φ⁻¹ to double precision (tables; Python statistics.NormalDist agrees to 1 ulp).
        let table: [(Double, Double)] = [
            (0.99, 2.3263478740408408), (0.975, 1.959963984540054), (1e-10, -6.361340902404056),
            (0.5, 0), (0.8413447460685429, 1.0), (0.025, -1.959963984540054), (0.001, -3.0902323061678132),
        ]
        for (p, z) in table {
            let q = NormalQuantile.quantile(p)
            #expect(abs(q - z) <= 4e-15 * Swift.max(1, abs(z)), "Φ⁻¹(\(p)) = \(q), table \(z)")
            let a = NormalQuantile.approximate(p)
            #expect(abs(a - z) <= 1.2e-9 * Swift.max(abs(z), 1e-300) + (z == 0 ? 1e-15 : 0), "approximate(\(p)) = \(a)")
        }
        #expect(abs(NormalQuantile.z99 - NormalQuantile.quantile(0.99)) <= 2 * NormalQuantile.z99.ulp)
        // Across the whole range: approximation vs refined value, and Φ(Φ⁻¹(p)) = p.
        var p = 1e-12
        while p < 1 - 1e-12 {
            let exact = NormalQuantile.quantile(p)
            let approx = NormalQuantile.approximate(p)
            #expect(abs(approx - exact) <= 1.2e-9 * abs(exact) + 1e-15, "p = \(p)")
            #expect(abs(NormalQuantile.cumulative(exact) - p) <= 1e-14 * Swift.max(p, 1e-3), "Φ(Φ⁻¹(\(p)))")
            p = p < 0.01 ? p * 3 : p + 0.0137
        }
        // The upper tail is as precise as the lower: Φ⁻¹(1 − t) = −Φ⁻¹(t′), where t′ = 1 − (1 − t) is
        // the tail probability that 1 − t really represents (exact by Sterbenz's lemma).
        for t in [1e-3, 1e-6, 1e-10, 1e-14] {
            let upper = 1 - t
            let tail = 1 - upper
            let expected = -NormalQuantile.quantile(tail)
            #expect(abs(NormalQuantile.quantile(upper) - expected) <= 1e-14 * abs(expected), "Φ⁻¹(1 − \(t))")
            #expect(abs(NormalQuantile.approximate(upper) - expected) <= 1.2e-9 * abs(expected), "approximate(1 − \(t))")
        }
    }
}
