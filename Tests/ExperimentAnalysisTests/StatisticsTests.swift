import ExperimentAnalysis
import Testing

/// Hand-computed cases. Reference values: SciPy 1.17 (`scipy.stats.t.ppf`, `ttest_rel`,
/// `binomtest(...).proportion_ci(method="wilson")`, `binomtest(...).pvalue`) and the textbook
/// examples named with each test.
@Suite("Statistics across seeds")
struct StatisticsTests {
    @Test("mean, standard deviation, median and the t interval of 1…5 (t₀.₉₇₅,₄ = 2.7764451)")
    func meanAndInterval() throws {
        let summary = SeedSummary([1, 2, 3, 4, 5].map { Observation.value($0) })
        #expect(summary.count == 5 && summary.valueCount == 5 && summary.censoredCount == 0)
        #expect(summary.mean == 3)
        let standardDeviation = try #require(summary.standardDeviation)
        #expect(abs(standardDeviation - 1.5811388300841898) < 1e-12)
        let interval = try #require(summary.meanInterval)
        // 3 ± 2.7764451051977934 · 1.5811388 / √5
        #expect(abs(interval.lowerBound - 1.0367568385224428) < 1e-9)
        #expect(abs(interval.upperBound - 4.963243161477557) < 1e-9)
        #expect(summary.median == .point(3))
        #expect(SeedSummary([1, 2, 3, 4].map { Observation.value($0) }).median == .point(2.5))
    }

    @Test("one value has a mean but no interval; equal values a zero-width interval")
    func degenerateSamples() throws {
        let one = SeedSummary([Observation.value(7)])
        #expect(one.mean == 7 && one.meanInterval == nil && one.standardDeviation == nil && one.median == .point(7))
        let same = SeedSummary([Observation](repeating: .value(4), count: 6))
        let interval = try #require(same.meanInterval)
        #expect(interval.lowerBound == 4 && interval.upperBound == 4 && same.standardDeviation == 0)
        let none = SeedSummary([Observation]())
        #expect(none.count == 0 && none.mean == nil && none.median == nil)
    }

    @Test("Wilson interval of 8 in 10 is [0.4901625, 0.9433178]; 0 in 5 starts at 0")
    func wilson() throws {
        let comparison = try VariantComparison(runs: (1 ... 10).map { seed in
            RunFixture.recovered("baseline", seed: UInt64(seed), recovery: seed <= 8 ? 40 : 90).result
        })
        let rate = try #require(comparison.variant("baseline")?.passRate(row: 1))
        #expect(rate.passed == 8 && rate.trials == 10)
        let interval = try #require(rate.interval)
        #expect(abs(interval.lowerBound - 0.4901624715366418) < 1e-9)
        #expect(abs(interval.upperBound - 0.9433178485456248) < 1e-9)
        let overall = try #require(comparison.variant("baseline")?.passRate(row: nil))
        #expect(overall.passed == 8 && overall.trials == 10)
    }

    @Test("Holm on the textbook four (p = .01, .04, .03, .005): adjusted .03, .06, .06, .02")
    func holm() {
        let adjusted = HypothesisTests.holmAdjusted([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (value, reference) in zip(adjusted, expected) { #expect(abs(value - reference) < 1e-15) }
        #expect(HypothesisTests.holmAdjusted([]).isEmpty)
        #expect(HypothesisTests.holmAdjusted([0.5, 0.6]) == [1, 1])  // capped at 1
        // Monotone: a larger raw p never gets a smaller adjusted p.
        #expect(HypothesisTests.holmAdjusted([0.001, 0.02, 0.019]) == [0.003, 0.038, 0.038])
    }

    @Test("paired t on Student's sleep data: t = −4.0621, df 9, p = 0.0028329, CI [−2.4599, −0.7001]")
    func pairedT() throws {
        let drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
        let drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
        let result = try #require(HypothesisTests.pairedT(zip(drug1, drug2).map { $0 - $1 }))
        #expect(abs(result.mean - -1.58) < 1e-12)
        #expect(abs(result.t - -4.062127683382037) < 1e-9)
        #expect(result.degreesOfFreedom == 9)
        #expect(abs(result.pValue - 0.002832890197384273) < 1e-10)
        #expect(abs(result.interval.lowerBound - -2.459885763276983) < 1e-9)
        #expect(abs(result.interval.upperBound - -0.7001142367230175) < 1e-9)

        let difference = PairedDifference(
            metric: .recoveryTime(row: 1), variant: "drug1", baseline: "drug2",
            pairs: zip(drug1, drug2).map { (Observation.value($0), Observation.value($1)) })
        #expect(difference.test == .pairedT(t: result.t, degreesOfFreedom: 9))
        #expect(difference.pValue == result.pValue)
        #expect(difference.verdict == .better)  // lower recovery time is better
    }

    @Test("sign test: 9 of 10 one way p = 0.021484375; 6 of 6 p = 0.03125; no pairs p = 1")
    func signTest() {
        #expect(HypothesisTests.signTestPValue(positive: 9, negative: 1) == 0.021484375)
        #expect(HypothesisTests.signTestPValue(positive: 1, negative: 9) == 0.021484375)
        #expect(HypothesisTests.signTestPValue(positive: 0, negative: 6) == 0.03125)
        #expect(abs(HypothesisTests.signTestPValue(positive: 30, negative: 70) - 7.85013964559367e-05) < 1e-15)
        #expect(HypothesisTests.signTestPValue(positive: 5, negative: 5) == 1)
        // The exact small-n sum and the logarithmic large-n sum agree where they meet.
        #expect(abs(HypothesisTests.signTestPValue(positive: 20, negative: 30) - 0.20263875106454066) < 1e-15)
        #expect(abs(HypothesisTests.signTestPValue(positive: 20, negative: 31) - 0.16077960181198847) < 1e-12)
        #expect(HypothesisTests.signTestPValue(positive: 0, negative: 0) == 1)
        // Large n neither overflows nor underflows to nonsense.
        let large = HypothesisTests.signTestPValue(positive: 2_000, negative: 2_100)  // exactly 0.12206497999113813
        #expect(abs(large - 0.12206497999113813) < 1e-9)
    }

    @Test("identical results: difference 0, p = 1, verdict identical, never NaN")
    func identical() throws {
        let pairs = [40.0, 41, 39, 40].map { (Observation.value($0), Observation.value($0)) }
        let difference = PairedDifference(metric: .recoveryTime(row: 1), variant: "v", baseline: "b", pairs: pairs)
        #expect(difference.meanDifference == 0)
        #expect(difference.pValue == 1)
        #expect(difference.verdict == .identical)
        let interval = try #require(difference.interval)
        #expect(interval.lowerBound == 0 && interval.upperBound == 0)
        // Identical named outcomes and censoring bounds count as identical, too.
        let named = PairedDifference(metric: .recoveryTime(row: 1), variant: "v", baseline: "b",
                                     pairs: [(.named(.noImpact), .named(.noImpact)), (.censored(atLeast: 90), .censored(atLeast: 90))])
        #expect(named.verdict == .identical && named.pValue == 1 && named.meanDifference == nil)
    }

    @Test("a constant non-zero difference has a zero-width interval and the sign test's p")
    func constantDifference() throws {
        let pairs = (0 ..< 6).map { (Observation.value(Double($0) + 5), Observation.value(Double($0))) }
        let difference = PairedDifference(metric: .detectionTime(row: 1), variant: "v", baseline: "b", pairs: pairs)
        #expect(difference.meanDifference == 5)
        #expect(difference.interval?.lowerBound == 5 && difference.interval?.upperBound == 5)
        #expect(difference.test == .sign(positive: 6, negative: 0, ties: 0))
        #expect(difference.pValue == 0.03125)
        #expect(difference.verdict == .worse)
        let single = PairedDifference(metric: .detectionTime(row: 1), variant: "v", baseline: "b", pairs: [(.value(3), .value(1))])
        #expect(single.pValue == nil && single.verdict == .insufficientData && single.meanDifference == 2)
    }

    @Test("pass/fail differences use the exact McNemar test")
    func mcNemar() {
        // 7 seeds pass only with the variant, 1 only with the baseline, 2 both: p = 2·(1 + 8)/256.
        var pairs: [(variant: Observation, baseline: Observation)] = []
        pairs += Array(repeating: (.value(1), .value(0)), count: 7)
        pairs += [(.value(0), .value(1))]
        pairs += Array(repeating: (.value(1), .value(1)), count: 2)
        let difference = PairedDifference(metric: .rowPassed(row: 1), variant: "v", baseline: "b", pairs: pairs)
        #expect(difference.test == .sign(positive: 7, negative: 1, ties: 2))
        #expect(difference.pValue == 0.0703125)
        #expect(abs((difference.meanDifference ?? 0) - 0.6) < 1e-12)
        #expect(difference.verdict == .notSignificant)
    }
}

@Suite("Censored and named outcomes")
struct CensoringTests {
    @Test("Kaplan–Meier median: 10, 20, ≥25, 30, ≥40 gives 30")
    func kaplanMeier() {
        #expect(SeedSummary.kaplanMeierMedian(values: [10, 20, 30], censoredAt: [25, 40]) == .point(30))
        // Censored at the top, fewer than half: the ordinary order statistic.
        #expect(SeedSummary.kaplanMeierMedian(values: [10, 20, 30], censoredAt: [100, 100]) == .point(30))
        // Survival exactly one half, then an event: the midpoint.
        #expect(SeedSummary.kaplanMeierMedian(values: [10, 20, 30], censoredAt: [100]) == .point(25))
        // Survival exactly one half with only censored observations after: a lower bound.
        #expect(SeedSummary.kaplanMeierMedian(values: [10, 20], censoredAt: [100, 100]) == .atLeast(20))
        // More than half censored: at least the largest observation.
        #expect(SeedSummary.kaplanMeierMedian(values: [10], censoredAt: [100, 120]) == .atLeast(120))
        #expect(SeedSummary.kaplanMeierMedian(values: [], censoredAt: [50]) == .atLeast(50))
        #expect(SeedSummary.kaplanMeierMedian(values: [], censoredAt: []) == nil)
        // A censored observation tied with a value is still at risk at that value.
        #expect(SeedSummary.kaplanMeierMedian(values: [10, 20, 20], censoredAt: [20]) == .point(20))
    }

    @Test("a censored value is never averaged: no mean, no interval, a lower bound and a median")
    func censoredSummary() throws {
        let summary = SeedSummary([.value(40), .value(50), .value(60), .censored(atLeast: 150), .named(.noImpact)])
        #expect(summary.count == 5 && summary.valueCount == 3 && summary.censoredCount == 1)
        #expect(summary.namedOutcomes == [NamedOutcomeCount(outcome: .noImpact, count: 1)])
        #expect(summary.mean == nil && summary.meanInterval == nil && summary.standardDeviation == nil)
        #expect(summary.meanLowerBound == 75)  // (40 + 50 + 60 + 150) / 4
        #expect(summary.meanEstimate == .atLeast(75))
        #expect(summary.median == .point(55))  // 4 at risk: 40, 50 | 60, ≥150 → flat at ½ between 50 and 60
    }

    @Test("named outcomes are counted, not numbers")
    func namedOnly() {
        let summary = SeedSummary([.named(.noImpact), .named(.notTriggered), .named(.noImpact), .value(12)])
        #expect(summary.namedOutcomes == [NamedOutcomeCount(outcome: .noImpact, count: 2),
                                          NamedOutcomeCount(outcome: .notTriggered, count: 1)])
        #expect(summary.mean == 12 && summary.valueCount == 1 && summary.count == 4)
    }

    @Test("notRecovered runs are censored at censoredAtSeconds − onset; the summary says ≥")
    func censoredRuns() throws {
        let runs = [
            RunFixture.recovered("baseline", seed: 1, recovery: 40).result,
            RunFixture.recovered("baseline", seed: 2, recovery: 44).result,
            RunFixture.notRecovered("baseline", seed: 3, censoredAt: 180).result,
        ]
        let comparison = try VariantComparison(runs: runs)
        let summary = try #require(comparison.variant("baseline")?.summary(of: .recoveryTime(row: 1)))
        #expect(summary.censoredCount == 1 && summary.mean == nil)
        #expect(summary.meanLowerBound == 234.0 / 3)  // (40 + 44 + 150) / 3
        #expect(summary.median == .point(44))
        #expect(Metric.recoveryTime(row: 1).observation(in: runs[2]) == .censored(atLeast: 150))
        #expect(Metric.detectionTime(row: 1).observation(in: runs[2]) == .value(31))
        // A censoring "instant" before the onset (30 s) is the duration from onset that engine
        // 0.2.0 stores: the bound is that duration, not zero.
        let duration = RunFixture.notRecovered("baseline", seed: 4, censoredAt: 25).result
        #expect(Metric.recoveryTime(row: 1).observation(in: duration) == .censored(atLeast: 25))
    }

    @Test("with censored pairs, no mean difference; the sign test uses the pairs whose order is known")
    func censoredDifference() {
        let pairs: [(variant: Observation, baseline: Observation)] = [
            (.value(40), .censored(atLeast: 150)),   // variant lower: −
            (.value(45), .censored(atLeast: 150)),   // −
            (.value(160), .censored(atLeast: 150)),  // unknown
            (.censored(atLeast: 150), .value(50)),   // variant higher: +
            (.value(41), .value(50)),                // −
            (.named(.noImpact), .value(50)),         // unknown
        ]
        let difference = PairedDifference(metric: .recoveryTime(row: 1), variant: "v", baseline: "b", pairs: pairs)
        #expect(difference.meanDifference == nil && difference.interval == nil)
        #expect(difference.censoredPairs == 4 && difference.namedPairs == 1 && difference.undeterminedPairs == 2)
        #expect(difference.test == .sign(positive: 1, negative: 3, ties: 0))
        #expect(difference.pValue == HypothesisTests.signTestPValue(positive: 1, negative: 3))
    }

    @Test("breaker detection: first open during the fault; none is censored at the fault's duration")
    func breakerDetection() {
        var run = RunFixture(seed: 1)
        run.incidents = [RunFixture.incident(.recovered, recovery: 40)]  // onset 30, end 90
        run.events = [
            LoggedEventFixture.transition(at: 10, "CLOSED → OPEN: 5 failures in 60 s"),  // before the fault
            LoggedEventFixture.transition(at: 42, "OPEN → HALF_OPEN: reset timeout"),
            LoggedEventFixture.transition(at: 45, "HALF_OPEN → OPEN: trial failed"),
            LoggedEventFixture.transition(at: 50, "CLOSED → OPEN: 5 failures in 60 s"),
        ]
        #expect(Metric.breakerDetectionTime.observation(in: run.result) == .value(15))
        run.events = [LoggedEventFixture.transition(at: 95, "CLOSED → OPEN: late")]
        #expect(Metric.breakerDetectionTime.observation(in: run.result) == .censored(atLeast: 60))
        run.incidents = []
        #expect(Metric.breakerDetectionTime.observation(in: run.result) == nil)
    }

    // Before, falseOpens [0, 0, 0, 1, 0, 0, 0, 0, 0, 0] had the Student-t interval
    // 0.10 [−0.13, 0.33]; a count's interval is now the exact Poisson one and stays at or above 0.
    @Test("Counts get the exact Poisson interval of the mean, never below zero")
    func countsIntervalRespectsTheSupport() throws {
        let values = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].map { Observation.value(Double($0)) }
        let student = try #require(SeedSummary(values).meanInterval)
        #expect(student.lowerBound < 0)
        let counts = try #require(SeedSummary(values, counts: true).meanInterval)
        #expect(abs(counts.estimate - 0.1) < 1e-12)
        #expect(abs(counts.lowerBound - 0.002532) < 1e-5 && abs(counts.upperBound - 0.55716) < 1e-4)
        // All zero: [0, 3.689/n], not a zero-width interval at 0.
        let zeros = try #require(SeedSummary(Array(repeating: Observation.value(0), count: 5), counts: true).meanInterval)
        #expect(zeros.lowerBound == 0 && abs(zeros.upperBound - 3.6889 / 5) < 1e-3)
    }

    @Test("A comparison gives count metrics the exact Poisson interval")
    func comparisonUsesPoissonForCounts() throws {
        let runs = (1 ... 10).map { seed in
            var run = RunFixture(variant: "baseline", seed: UInt64(seed))
            run.writesLost = seed == 4 ? 1 : 0
            return run.result
        }
        let comparison = try VariantComparison(runs: runs)
        let lost = try #require(comparison.variant("baseline")?.summary(of: .writesLost)?.meanInterval)
        #expect(lost.lowerBound >= 0 && abs(lost.upperBound - 0.55716) < 1e-4)
    }
}
