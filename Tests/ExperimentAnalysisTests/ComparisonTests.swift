import ExperimentAnalysis
import RunResults
import Testing

@Suite("Comparing variants")
struct ComparisonTests {
    @Test("variants in the given order, then alphabetical; seeds ascending; the last run of a seed counts")
    func groupingAndOrder() throws {
        var stale = RunFixture.recovered("fast", seed: 2, recovery: 99)
        stale.experimentHash = "old"
        let runs = [
            RunFixture.recovered("zeta", seed: 1, recovery: 50).result,
            stale.result,
            RunFixture.recovered("fast", seed: 1, recovery: 30).result,
            RunFixture.recovered("baseline", seed: 2, recovery: 41).result,
            RunFixture.recovered("baseline", seed: 1, recovery: 40).result,
            RunFixture.recovered("alpha", seed: 1, recovery: 45).result,
            RunFixture.recovered("fast", seed: 2, recovery: 31).result,
        ]
        let comparison = try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: ["baseline", "fast", "missing"]))
        #expect(comparison.variants.map(\.variant) == ["baseline", "fast", "alpha", "zeta"])
        #expect(comparison.baseline == "baseline")
        #expect(comparison.runCount == 6)
        let fast = try #require(comparison.variant("fast"))
        #expect(fast.seeds == [1, 2])
        #expect(fast.summary(of: .recoveryTime(row: 1))?.mean == 30.5)  // 31 replaced 99
        #expect(comparison.notes.contains(.supersededRuns(variant: "fast", seed: 2, ignored: 1)))
        #expect(comparison.notes.contains(.mixedInputs(variant: "fast", experimentVersions: 2, modelVersions: 1, engineVersions: 1)) == false)
        #expect(comparison.notes.contains(.unpairedSeeds(variant: "baseline", seeds: [2])) == false)  // fast ran seed 2
        #expect(comparison.notes.first == .supersededRuns(variant: "fast", seed: 2, ignored: 1))
        #expect(comparison.differences.map(\.variant).first == "fast")
    }

    @Test("the same runs in any order give the same comparison")
    func deterministic() throws {
        var runs: [RunResult] = []
        for (index, variant) in ["baseline", "b", "a"].enumerated() {
            for seed in 1 ... 5 {
                var run = RunFixture.recovered(variant, seed: UInt64(seed), recovery: 40 + Double(index * seed))
                run.latency = [RunFixture.latency("db", [(20 + Int64(seed), 50), (200, 1)])]
                run.breakers = [BreakerSummary(breaker: "x", opens: seed, falseOpens: index, secondsOpen: 1, callsRejected: 0)]
                runs.append(run.result)
            }
        }
        let forward = try VariantComparison(runs: runs)
        let backward = try VariantComparison(runs: runs.reversed())
        #expect(forward == backward)
        #expect(forward.variants.map(\.variant) == ["a", "b", "baseline"])
        #expect(forward.baseline == "baseline")
    }

    @Test("baseline: 'baseline' if present, else the first variant; an unknown one is an error")
    func baselineChoice() throws {
        let runs = [RunFixture.recovered("b", seed: 1, recovery: 40).result, RunFixture.recovered("a", seed: 1, recovery: 40).result]
        #expect(try VariantComparison(runs: runs).baseline == "a")
        #expect(try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: ["b"])).baseline == "b")
        #expect(try VariantComparison(runs: runs, options: ComparisonOptions(baseline: "b")).baseline == "b")
        #expect(throws: ComparisonError.unknownBaseline("nope", variants: ["a", "b"])) {
            try VariantComparison(runs: runs, options: ComparisonOptions(baseline: "nope"))
        }
        #expect(throws: ComparisonError.noRuns) { try VariantComparison(runs: []) }
        #expect(throws: ComparisonError.metricNotMeasured(.recoveryTime(row: 3))) {
            try VariantComparison(runs: runs, options: ComparisonOptions(comparedMetrics: [.recoveryTime(row: 3)]))
        }
    }

    @Test("runs of several experiments keep their variants apart")
    func severalExperiments() throws {
        var other = RunFixture.recovered("baseline", seed: 1, recovery: 70)
        other.experiment = "other"
        let comparison = try VariantComparison(runs: [RunFixture.recovered("baseline", seed: 1, recovery: 40).result, other.result])
        #expect(comparison.experiments == ["exp", "other"])
        #expect(comparison.variants.map(\.variant) == ["exp/baseline", "other/baseline"])
        #expect(comparison.baseline == "exp/baseline")
    }

    @Test("pooled percentiles are not the mean of per-seed percentiles")
    func pooledLatency() throws {
        // Seed 1: 1,000 requests at 10 ms; seed 2: 10 requests at 100 ms.
        var first = RunFixture(seed: 1)
        first.latency = [RunFixture.latency("db", [(10, 1_000)])]
        var second = RunFixture(seed: 2)
        second.latency = [RunFixture.latency("db", [(100, 10)])]
        let comparison = try VariantComparison(runs: [first.result, second.result])
        let variant = try #require(comparison.variant("baseline"))
        let pooled = try #require(variant.pooledLatency(of: "db"))
        #expect(pooled.runs == 2 && pooled.requests == 1_010)
        #expect(abs(pooled.p50Ms - 10) < 0.01)
        #expect(abs(pooled.p99Ms - 10) < 0.01)  // 1,000 of 1,010 are at 10 ms
        let perSeed = try #require(variant.summary(of: .latency(operation: "db", percentile: .p50)))
        #expect(abs((perSeed.mean ?? 0) - 55) < 0.1)  // (10 + 100) / 2: no request took 55 ms
        #expect(abs(pooled.meanMs - (10 * 1_000 + 100 * 10) / 1_010) < 1e-5)  // the mean is rounded to 1 ns
        #expect(pooled.maxMs == 100)
    }

    @Test("a missing histogram is reported, not pooled over a subset")
    func unpooled() throws {
        var first = RunFixture(seed: 1)
        first.latency = [RunFixture.latency("db", [(10, 100)])]
        var second = RunFixture(seed: 2)
        var bare = RunFixture.latency("db", [(20, 100)])
        bare.histogram = .init()
        second.latency = [bare]
        let comparison = try VariantComparison(runs: [first.result, second.result])
        #expect(comparison.variant("baseline")?.pooledLatency.isEmpty == true)
        #expect(comparison.notes == [.latencyNotPooled(variant: "baseline", operation: "db", reason: "seed 2 stored no histogram")])
        #expect(comparison.variant("baseline")?.summary(of: .latency(operation: "db", percentile: .p50))?.valueCount == 2)
    }

    @Test("Pareto frontier: dominated points leave it, equal points both stay")
    func pareto() {
        func point(_ name: String, _ x: Double, _ y: Double) -> ParetoFrontier.Point {
            ParetoFrontier.Point(variant: name, x: .point(x), y: .point(y))
        }
        let frontier = ParetoFrontier(x: .breakerDetectionTime, y: .falseBreakerOpens, points: [
            point("fast-noisy", 2, 9), point("balanced", 5, 3), point("slow-quiet", 20, 0),
            point("worse", 6, 3), point("twin", 5, 3), point("bad", 25, 10),
        ])
        #expect(frontier.frontier == ["fast-noisy", "balanced", "slow-quiet", "twin"])
        #expect(frontier.points.first { $0.variant == "worse" }?.dominatedBy == ["balanced", "twin"])
        #expect(frontier.points.first { $0.variant == "bad" }?.dominatedBy == ["fast-noisy", "balanced", "slow-quiet", "worse", "twin"])
        // A higher-is-better axis is turned around.
        let availability = ParetoFrontier(x: .requestAvailability, y: .falseBreakerOpens, points: [
            point("a", 0.999, 1), point("b", 0.99, 1),
        ])
        #expect(availability.frontier == ["a"])
    }

    @Test("breaker sweep: the frontier of detection time against false opens")
    func breakerSweep() throws {
        // Threshold 2 opens at once but falsely; threshold 10 opens late but never falsely.
        let settings: [(name: String, delay: Double, falseOpens: Int)] = [
            ("baseline", 10, 2), ("threshold-2", 3, 8), ("threshold-10", 25, 0), ("threshold-5-slow", 12, 3),
        ]
        var runs: [RunResult] = []
        for setting in settings {
            for seed in 1 ... 3 {
                var run = RunFixture.recovered(setting.name, seed: UInt64(seed), recovery: 40)
                run.events = [LoggedEventFixture.transition(at: 30 + setting.delay, "CLOSED → OPEN: failures")]
                run.breakers = [BreakerSummary(breaker: "firestore", opens: setting.falseOpens + 1, falseOpens: setting.falseOpens,
                                               secondsOpen: 30, callsRejected: 10)]
                runs.append(run.result)
            }
        }
        let comparison = try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: settings.map(\.name)))
        let frontier = try #require(comparison.paretoFrontier)
        #expect(frontier.frontier == ["baseline", "threshold-2", "threshold-10"])
        #expect(frontier.points.first { $0.variant == "threshold-5-slow" }?.dominatedBy == ["baseline"])
        #expect(frontier.points.first { $0.variant == "baseline" }?.x == .point(10))
    }

    @Test("ranking: pass rate, then mean recovery time; ties are stated and share a rank")
    func ranking() throws {
        var runs: [RunResult] = []
        for seed in UInt64(1) ... 4 {
            runs.append(RunFixture.recovered("baseline", seed: seed, recovery: 50).result)
            runs.append(RunFixture.recovered("quick", seed: seed, recovery: 30).result)
            runs.append(RunFixture.recovered("quick-twin", seed: seed, recovery: 30).result)
            runs.append(RunFixture.recovered("late", seed: seed, recovery: seed == 1 ? 90 : 20).result)
        }
        let comparison = try VariantComparison(runs: runs)
        #expect(comparison.ranking.map(\.variant) == ["quick", "quick-twin", "baseline", "late"])
        #expect(comparison.ranking.map(\.rank) == [1, 1, 3, 4])
        #expect(comparison.ranking[0].tiedWith == ["quick-twin"])
        #expect(comparison.ranking[2].tiedWith.isEmpty)
        #expect(comparison.ranking[3].keys.first?.value == .point(0.75))

        let byAvailability = try VariantComparison(runs: runs, options: ComparisonOptions(ranking: .metric(.requestAvailability)))
        #expect(byAvailability.ranking.allSatisfy { $0.rank == 1 && $0.tiedWith.count == 3 })
    }

    @Test("paired differences: identical variants say so; a real effect survives Holm")
    func differences() throws {
        var runs: [RunResult] = []
        let noise: [Double] = [0.3, -1.2, 0.8, 2.1, -0.4, 1.5, -0.9, 0.2]
        for (index, jitter) in noise.enumerated() {
            let seed = UInt64(index + 1)
            runs.append(RunFixture.recovered("baseline", seed: seed, recovery: 50 + jitter).result)
            runs.append(RunFixture.recovered("same", seed: seed, recovery: 50 + jitter).result)
            runs.append(RunFixture.recovered("faster", seed: seed, recovery: 35 + jitter + 0.1 * Double(index % 3)).result)
        }
        let comparison = try VariantComparison(runs: runs)
        let same = try #require(comparison.difference("same", .recoveryTime(row: 1)))
        #expect(same.verdict == .identical && same.pValue == 1 && same.meanDifference == 0)
        let faster = try #require(comparison.difference("faster", .recoveryTime(row: 1)))
        #expect(faster.verdict == .better && faster.isSignificant)
        #expect(faster.interval.map { $0.contains(-14.9) } == true)
        #expect(faster.adjustedPValue! >= faster.pValue!)
        // Every compared (variant, metric) with a p-value is in the family.
        #expect(comparison.familySize == comparison.differences.filter { $0.pValue != nil }.count)
        let measured = comparison.metrics.count
        #expect(comparison.differences.count == 2 * measured)
        // Choosing fewer metrics makes a smaller family.
        let chosen = try VariantComparison(runs: runs, options: ComparisonOptions(comparedMetrics: [.recoveryTime(row: 1)]))
        #expect(chosen.familySize == 2)
        #expect(chosen.difference("faster", .recoveryTime(row: 1))!.adjustedPValue! == min(1, 2 * faster.pValue!))
    }

    @Test("alerts fired, writes and breakers are read from the run")
    func counts() throws {
        var run = RunFixture(seed: 1)
        run.events = [LoggedEventFixture.alert(at: 40), LoggedEventFixture.alert(at: 80),
                      LoggedEvent(timeSeconds: 90, kind: "alertResolved", subject: "errorRate")]
        run.writesLost = 3
        run.writesRejected = 7
        run.breakers = [BreakerSummary(breaker: "a", opens: 2, falseOpens: 1, secondsOpen: 3, callsRejected: 4),
                        BreakerSummary(breaker: "b", opens: 1, falseOpens: 0, secondsOpen: 1, callsRejected: 0)]
        let result = run.result
        #expect(Metric.alertsFired.observation(in: result) == .value(2))
        #expect(Metric.writesLost.observation(in: result) == .value(3))
        #expect(Metric.writesRejected.observation(in: result) == .value(7))
        #expect(Metric.breakerOpens.observation(in: result) == .value(3))
        #expect(Metric.falseBreakerOpens.observation(in: result) == .value(1))
        #expect(Metric.recoveryTime(row: 1).observation(in: result) == nil)
        #expect(Metric.measured(in: [result]) == [
            .requestAvailability, .timeAvailability, .errorBudgetUsed, .writesLost, .writesRejected,
            .breakerOpens, .falseBreakerOpens, .alertsFired,
        ])
    }

    @Test("metric names read back")
    func names() {
        let metrics: [Metric] = [
            .recoveryTime(row: 1), .detectionTime(row: 12), .readRecoveryTime(row: 2), .writeRecoveryTime(row: 3),
            .rowPassed(row: 1), .allRowsPassed, .requestAvailability, .timeAvailability, .errorBudgetUsed,
            .latency(operation: "cached", percentile: .p99), .latency(operation: "db", percentile: .p50),
            .writesLost, .writesRejected, .breakerOpens, .falseBreakerOpens, .breakerDetectionTime, .alertsFired,
        ]
        for metric in metrics { #expect(Metric(name: metric.name) == metric, "\(metric.name)") }
        #expect(Metric(name: "row1.recoveryTime") == .recoveryTime(row: 1))
        #expect(Metric(name: "latency.cached.p99") == .latency(operation: "cached", percentile: .p99))
        for bad in ["", "row0.recoveryTime", "rowx.recoveryTime", "row1.nothing", "latency.db.p90", "latency..p50", "writes"] {
            #expect(Metric(name: bad) == nil, "\(bad)")
        }
    }
}
