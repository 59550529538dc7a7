import Foundation
import RunResults
import SimulationStatistics

/// How a comparison is made.
public struct ComparisonOptions: Equatable, Sendable {
    /// The variant every other is compared with; `nil`: the variant named `baseline` if there is
    /// one, else the first in variant order.
    public var baseline: String?
    /// Variants to list first, in this order (an experiment's own order); variants with runs that
    /// are not named here follow in alphabetical (UTF-8 byte) order, and names without runs are
    /// ignored.
    public var variantOrder: [String]
    /// Confidence level of every interval (default 0.95).
    public var level: Double
    /// Significance level of the Holm-corrected paired tests (default 0.05).
    public var significanceLevel: Double
    /// What the ranking orders by.
    public var ranking: RankingCriterion
    /// The metrics compared against the baseline, which are the family of the multiple-comparison
    /// correction; `nil`: every measured metric. Fewer metrics make a smaller family and so a
    /// less strict correction; choose them before looking at the results.
    public var comparedMetrics: [Metric]?
    /// The first axis of the Pareto frontier (default: breaker detection time).
    public var paretoX: Metric
    /// The second axis of the Pareto frontier (default: false breaker opens).
    public var paretoY: Metric
    /// The experiment's checks, which each variant's runs are tallied against
    /// (``VariantAnalysis/checks``); default: the trigger rows, as an experiment without a
    /// `checks:` section has them.
    public var checks: RunChecks

    public init(
        baseline: String? = nil, variantOrder: [String] = [], level: Double = 0.95, significanceLevel: Double = 0.05,
        ranking: RankingCriterion = .passRateThenRecoveryTime, comparedMetrics: [Metric]? = nil,
        paretoX: Metric = .breakerDetectionTime, paretoY: Metric = .falseBreakerOpens, checks: RunChecks = .triggerRows
    ) {
        self.checks = checks
        self.baseline = baseline
        self.variantOrder = variantOrder
        self.level = level
        self.significanceLevel = significanceLevel
        self.ranking = ranking
        self.comparedMetrics = comparedMetrics
        self.paretoX = paretoX
        self.paretoY = paretoY
    }
}

/// Why runs could not be compared.
public enum ComparisonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There were no runs.
    case noRuns
    /// The requested baseline has no runs; `variants` are those that have.
    case unknownBaseline(String, variants: [String])
    /// A metric asked to be compared is measured by none of the runs.
    case metricNotMeasured(Metric)

    public var description: String {
        switch self {
        case .noRuns:
            "no runs to compare"
        case .unknownBaseline(let name, let variants):
            "no runs of baseline variant '\(name)'; the variants with runs are: \(variants.joined(separator: ", "))"
        case .metricNotMeasured(let metric):
            "no run measures metric '\(metric.name)'"
        }
    }
}

/// A fact about the input that qualifies the results.
public enum ComparisonNote: Equatable, Sendable, CustomStringConvertible {
    /// Several runs of one variant and seed: the last one given counts, `ignored` earlier ones
    /// do not.
    case supersededRuns(variant: String, seed: UInt64, ignored: Int)
    /// The variant's runs come from more than one version of the inputs (experiment, model or
    /// engine), so its seeds may not be replications of one configuration.
    case mixedInputs(variant: String, experimentVersions: Int, modelVersions: Int, engineVersions: Int)
    /// Runs that stopped at an event or time limit, so they cover less simulated time.
    case incompleteRuns(variant: String, seeds: [UInt64])
    /// Seeds the variant ran but the baseline did not (or the reverse, for the baseline): they
    /// count in the variant's summaries but not in its paired differences.
    case unpairedSeeds(variant: String, seeds: [UInt64])
    /// Latency of one operation class could not be pooled across the variant's seeds.
    case latencyNotPooled(variant: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .supersededRuns(let variant, let seed, let ignored):
            return "\(variant) seed \(seed): \(ignored) earlier run\(ignored == 1 ? "" : "s") ignored (the latest counts)"
        case .mixedInputs(let variant, let experiments, let models, let engines):
            return "\(variant): runs from \(experiments) experiment, \(models) model and \(engines) engine version(s)"
        case .incompleteRuns(let variant, let seeds):
            return "\(variant): seed\(seeds.count == 1 ? "" : "s") \(seeds.map(String.init).joined(separator: ", ")) stopped at a limit"
        case .unpairedSeeds(let variant, let seeds):
            return "\(variant): seed\(seeds.count == 1 ? "" : "s") \(seeds.map(String.init).joined(separator: ", ")) not run by the other side: not paired"
        case .latencyNotPooled(let variant, let operation, let reason):
            return "\(variant): \(operation) latency not pooled: \(reason)"
        }
    }
}

/// A metric summarised across one variant's seeds.
public struct MetricSummary: Equatable, Sendable {
    public var metric: Metric
    public var summary: SeedSummary

    public init(metric: Metric, summary: SeedSummary) {
        self.metric = metric
        self.summary = summary
    }
}

/// The share of seeds in which a trigger row (or every row) passed.
public struct PassRate: Equatable, Sendable {
    /// The row; `nil` for "every judged row of the run passed".
    public var row: Int?
    /// Seeds in which it passed.
    public var passed: Int
    /// Seeds that judged it.
    public var trials: Int
    /// The Wilson score interval; `nil` with no trials.
    public var interval: ConfidenceInterval?

    public init(row: Int?, passed: Int, trials: Int, interval: ConfidenceInterval?) {
        self.row = row
        self.passed = passed
        self.trials = trials
        self.interval = interval
    }

    /// passed ÷ trials; `nil` with no trials.
    public var rate: Double? { trials > 0 ? Double(passed) / Double(trials) : nil }
}

/// Latency of one operation class with every seed's histogram merged into one, so that the
/// percentiles are those of all the variant's requests together (a mean of per-seed percentiles
/// is not a percentile of anything).
public struct PooledLatency: Equatable, Sendable {
    public var operation: String
    /// Runs pooled.
    public var runs: Int
    /// Successful requests measured, over all pooled runs.
    public var requests: Int
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    /// Exact mean of the pooled latencies.
    public var meanMs: Double
    public var maxMs: Double

    public init(operation: String, runs: Int, requests: Int, p50Ms: Double, p95Ms: Double, p99Ms: Double,
                meanMs: Double, maxMs: Double) {
        self.operation = operation
        self.runs = runs
        self.requests = requests
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.meanMs = meanMs
        self.maxMs = maxMs
    }

    /// The pooled percentile `percentile`.
    public func value(_ percentile: LatencyPercentile) -> Double {
        switch percentile {
        case .p50: p50Ms
        case .p95: p95Ms
        case .p99: p99Ms
        }
    }
}

/// One variant across its seeds.
public struct VariantAnalysis: Equatable, Sendable {
    /// The variant's name (prefixed `experiment/` when the runs span several experiments).
    public var variant: String
    /// The seeds analysed, ascending.
    public var seeds: [UInt64]
    /// Every measured metric that is not pass/fail, in the comparison's metric order.
    public var metrics: [MetricSummary]
    /// Per trigger row (ascending), then every row together (``PassRate/row`` `nil`).
    public var passRates: [PassRate]
    /// Pooled latency per operation class, in the comparison's class order.
    public var pooledLatency: [PooledLatency]
    /// The runs against the experiment's checks (``ComparisonOptions/checks``).
    public var checks: CheckTally

    public init(variant: String, seeds: [UInt64], metrics: [MetricSummary], passRates: [PassRate],
                pooledLatency: [PooledLatency], checks: CheckTally = CheckTally()) {
        self.checks = checks
        self.variant = variant
        self.seeds = seeds
        self.metrics = metrics
        self.passRates = passRates
        self.pooledLatency = pooledLatency
    }

    /// The summary of `metric`, if the variant has one.
    public func summary(of metric: Metric) -> SeedSummary? {
        metrics.first { $0.metric == metric }?.summary
    }

    /// The pass rate of `row` (`nil`: every row together).
    public func passRate(row: Int?) -> PassRate? {
        passRates.first { $0.row == row }
    }

    /// The pooled latency of `operation`.
    public func pooledLatency(of operation: String) -> PooledLatency? {
        pooledLatency.first { $0.operation == operation }
    }
}

/// Variants of an experiment compared across seeds: per-metric summaries with intervals, pass
/// rates, pooled latency, paired differences against a baseline with Holm's correction, a
/// ranking and a Pareto frontier. Pure: no I/O, and the same runs in the same order always give
/// the same result.
///
/// **Which runs.** Runs are grouped by variant; when they come from more than one experiment,
/// variants are named `experiment/variant` so that equally named variants of different
/// experiments stay apart. Within a variant there is one run per seed: when several runs share
/// variant and seed, the **last in the given order** counts (pass runs in storage order so that
/// the latest counts) and the others are reported in ``notes``.
///
/// **Order.** Variants: ``ComparisonOptions/variantOrder`` first, then alphabetical. Seeds:
/// ascending. Metrics: ``Metric/measured(in:)`` over the kept runs taken variant by variant, seed
/// by seed. Notes: by variant, then kind. Nothing depends on dictionary order.
///
/// **Family.** The multiple-comparison family is every paired difference with a p-value in this
/// comparison: each variant other than the baseline × each compared metric (all measured metrics
/// unless ``ComparisonOptions/comparedMetrics``), including pass/fail metrics and comparisons whose
/// results are identical (p = 1). Holm's correction is applied to that family at once.
public struct VariantComparison: Equatable, Sendable {
    /// Experiment names, in order of first appearance.
    public var experiments: [String]
    /// The baseline variant.
    public var baseline: String
    /// Every variant, in variant order.
    public var variants: [VariantAnalysis]
    /// The measured metrics, in report order.
    public var metrics: [Metric]
    /// Paired differences against the baseline: variant by variant, metric by metric.
    public var differences: [PairedDifference]
    /// The number of tests Holm's correction covered (differences with a p-value).
    public var familySize: Int
    /// What the ranking orders by.
    public var rankingCriterion: RankingCriterion
    /// Every variant, best first.
    public var ranking: [RankedVariant]
    /// The frontier of ``ComparisonOptions/paretoX`` against ``ComparisonOptions/paretoY``; `nil`
    /// when either is not measured or no variant has values on both.
    public var paretoFrontier: ParetoFrontier?
    /// Facts that qualify the results.
    public var notes: [ComparisonNote]
    /// Runs analysed (after dropping superseded ones).
    public var runCount: Int
    /// The confidence level of the intervals.
    public var level: Double
    /// The significance level of the corrected tests.
    public var significanceLevel: Double
    /// What each run was checked against (``ComparisonOptions/checks``).
    public var checks: RunChecks

    /// The analysis of `variant`, if it has runs.
    public func variant(_ name: String) -> VariantAnalysis? {
        variants.first { $0.variant == name }
    }

    /// The paired difference of `variant` against the baseline on `metric`, if there is one.
    public func difference(_ variant: String, _ metric: Metric) -> PairedDifference? {
        differences.first { $0.variant == variant && $0.metric == metric }
    }

    /// Compares `runs` (see the type's description).
    ///
    /// - Throws: ``ComparisonError/noRuns``, ``ComparisonError/unknownBaseline(_:variants:)`` when
    ///   ``ComparisonOptions/baseline`` names a variant without runs,
    ///   ``ComparisonError/metricNotMeasured(_:)`` for a compared metric no run measures.
    /// - Complexity: O(variants × metrics × seeds · log seeds) plus the size of the runs' events
    ///   and histograms.
    public init(runs: [RunResult], options: ComparisonOptions = ComparisonOptions()) throws(ComparisonError) {
        precondition(options.level > 0 && options.level < 1, "a confidence level is within (0, 1)")
        precondition(options.significanceLevel > 0 && options.significanceLevel < 1, "a significance level is within (0, 1)")
        guard !runs.isEmpty else { throw .noRuns }
        level = options.level
        significanceLevel = options.significanceLevel
        rankingCriterion = options.ranking
        checks = options.checks

        var experimentNames: [String] = []
        for run in runs where !experimentNames.contains(run.identity.experiment) {
            experimentNames.append(run.identity.experiment)
        }
        experiments = experimentNames
        let label: (RunResult) -> String = experimentNames.count == 1
            ? { $0.identity.variant }
            : { "\($0.identity.experiment)/\($0.identity.variant)" }

        // One run per variant and seed: the last given.
        var latest: [String: [UInt64: Int]] = [:]
        var runCounts: [String: [UInt64: Int]] = [:]
        for (index, run) in runs.enumerated() {
            latest[label(run), default: [:]][run.identity.seed] = index
            runCounts[label(run), default: [:]][run.identity.seed, default: 0] += 1
        }
        var names: [String] = []
        for name in options.variantOrder where latest[name] != nil && !names.contains(name) { names.append(name) }
        names += latest.keys.filter { !names.contains($0) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        let baselineName: String
        if let requested = options.baseline {
            guard latest[requested] != nil else { throw .unknownBaseline(requested, variants: names) }
            baselineName = requested
        } else {
            baselineName = names.contains("baseline") ? "baseline" : names[0]
        }
        baseline = baselineName

        // Runs by variant (in variant order), seeds ascending.
        let grouped: [(variant: String, seeds: [UInt64], runs: [RunResult])] = names.map { name in
            let seeds = latest[name]!.keys.sorted()
            return (name, seeds, seeds.map { runs[latest[name]![$0]!] })
        }
        let keptRuns = grouped.flatMap(\.runs)
        runCount = keptRuns.count
        let measured = Metric.measured(in: keptRuns)
        metrics = measured
        if let compared = options.comparedMetrics {
            for metric in compared where !measured.contains(metric) { throw .metricNotMeasured(metric) }
        }

        // Notes.
        var notes: [ComparisonNote] = []
        let baselineSeeds = Set(grouped.first { $0.variant == baselineName }!.seeds)
        for group in grouped {
            for seed in group.seeds {
                let count = runCounts[group.variant]![seed]!
                if count > 1 { notes.append(.supersededRuns(variant: group.variant, seed: seed, ignored: count - 1)) }
            }
            let experimentVersions = Set(group.runs.map(\.identity.experimentHash)).count
            let modelVersions = Set(group.runs.map(\.identity.modelHash)).count
            let engineVersions = Set(group.runs.map(\.identity.engineVersion)).count
            if experimentVersions > 1 || modelVersions > 1 || engineVersions > 1 {
                notes.append(.mixedInputs(variant: group.variant, experimentVersions: experimentVersions,
                                          modelVersions: modelVersions, engineVersions: engineVersions))
            }
            let incomplete = zip(group.seeds, group.runs).filter { $0.1.status != .completed }.map(\.0)
            if !incomplete.isEmpty { notes.append(.incompleteRuns(variant: group.variant, seeds: incomplete)) }
            if group.variant != baselineName {
                let unpaired = group.seeds.filter { !baselineSeeds.contains($0) }
                if !unpaired.isEmpty { notes.append(.unpairedSeeds(variant: group.variant, seeds: unpaired)) }
            } else if grouped.count > 1 {
                // Baseline seeds that no other variant ran are paired with nothing.
                let others = Set(grouped.filter { $0.variant != baselineName }.flatMap(\.seeds))
                let unpaired = group.seeds.filter { !others.contains($0) }
                if !unpaired.isEmpty { notes.append(.unpairedSeeds(variant: group.variant, seeds: unpaired)) }
            }
        }

        // Per variant: summaries, pass rates, pooled latency.
        let operations = measured.compactMap { metric -> String? in
            if case .latency(let operation, .p50) = metric { return operation }
            return nil
        }
        let rows = measured.compactMap { metric -> Int? in
            if case .rowPassed(let row) = metric { return row }
            return nil
        }
        var analyses: [VariantAnalysis] = []
        for group in grouped {
            let summaries = measured.filter { !$0.isPassFail }.compactMap { metric -> MetricSummary? in
                let observations = group.runs.compactMap { metric.observation(in: $0) }
                guard !observations.isEmpty else { return nil }
                return MetricSummary(metric: metric, summary: SeedSummary(observations, level: options.level, counts: metric.unit == .count))
            }
            var passRates: [PassRate] = []
            for metric in rows.map({ Metric.rowPassed(row: $0) }) + (rows.isEmpty ? [] : [.allRowsPassed]) {
                let outcomes = group.runs.compactMap { metric.observation(in: $0) }
                let passed = outcomes.filter { $0 == .value(1) }.count
                passRates.append(PassRate(
                    row: metric.row, passed: passed, trials: outcomes.count,
                    interval: ConfidenceInterval.wilsonScore(successes: passed, trials: outcomes.count, level: options.level)))
            }
            var pooled: [PooledLatency] = []
            for operation in operations {
                switch VariantComparison.pool(operation: operation, runs: group.runs) {
                case .success(let latency?): pooled.append(latency)
                case .success(nil): break
                case .failure(let problem):
                    notes.append(.latencyNotPooled(variant: group.variant, operation: operation, reason: problem.reason))
                }
            }
            analyses.append(VariantAnalysis(variant: group.variant, seeds: group.seeds, metrics: summaries,
                                            passRates: passRates, pooledLatency: pooled,
                                            checks: CheckTally(group.runs, checks: options.checks)))
        }
        variants = analyses
        self.notes = VariantComparison.ordered(notes, variants: names)

        // Paired differences and Holm's correction over the family.
        let baselineGroup = grouped.first { $0.variant == baselineName }!
        let compared = options.comparedMetrics.map { chosen in measured.filter { chosen.contains($0) } } ?? measured
        var differences: [PairedDifference] = []
        for group in grouped where group.variant != baselineName {
            for metric in compared {
                var pairs: [(variant: Observation, baseline: Observation)] = []
                for (seed, run) in zip(group.seeds, group.runs) {
                    guard let baselineIndex = baselineGroup.seeds.firstIndex(of: seed),
                          let mine = metric.observation(in: run),
                          let theirs = metric.observation(in: baselineGroup.runs[baselineIndex])
                    else { continue }
                    pairs.append((mine, theirs))
                }
                guard !pairs.isEmpty else { continue }
                differences.append(PairedDifference(
                    metric: metric, variant: group.variant, baseline: baselineName, pairs: pairs,
                    level: options.level, significanceLevel: options.significanceLevel))
            }
        }
        let family = differences.indices.filter { differences[$0].pValue != nil }
        let adjusted = HypothesisTests.holmAdjusted(family.map { differences[$0].pValue! })
        for (index, value) in zip(family, adjusted) {
            differences[index].adjust(to: value, significanceLevel: options.significanceLevel)
        }
        self.differences = differences
        familySize = family.count

        ranking = RankedVariant.rank(analyses.map { analysis in
            let group = grouped.first { $0.variant == analysis.variant }!
            return (analysis.variant, VariantComparison.rankingKeys(options.ranking, analysis: analysis, runs: group.runs,
                                                                     rows: rows, level: options.level))
        })

        // The frontier, when both axes are measured.
        if measured.contains(options.paretoX) && measured.contains(options.paretoY) {
            var points: [ParetoFrontier.Point] = []
            var without: [String] = []
            for analysis in analyses {
                if let x = VariantComparison.axisValue(options.paretoX, analysis),
                   let y = VariantComparison.axisValue(options.paretoY, analysis) {
                    points.append(ParetoFrontier.Point(variant: analysis.variant, x: x, y: y))
                } else {
                    without.append(analysis.variant)
                }
            }
            paretoFrontier = points.isEmpty ? nil
                : ParetoFrontier(x: options.paretoX, y: options.paretoY, points: points, variantsWithoutValues: without)
        } else {
            paretoFrontier = nil
        }
    }

    // MARK: - Parts

    struct PoolingProblem: Error {
        var reason: String
    }

    /// Merges the histograms of `operation` over `runs` (those with successful requests of that
    /// class); `nil` when no run has any. Pooling a subset would misstate the variant, so one
    /// missing or unreadable histogram fails the whole class.
    static func pool(operation: String, runs: [RunResult]) -> Result<PooledLatency?, PoolingProblem> {
        var merged: LatencyHistogram?
        var pooledRuns = 0
        for run in runs {
            guard let latency = run.latency.first(where: { $0.operation == operation && $0.count > 0 }) else { continue }
            guard !latency.histogram.isEmpty else {
                return .failure(PoolingProblem(reason: "seed \(run.identity.seed) stored no histogram"))
            }
            let histogram: LatencyHistogram
            do {
                histogram = try LatencyHistogram(serialized: [UInt8](latency.histogram))
            } catch {
                return .failure(PoolingProblem(reason: "seed \(run.identity.seed): \(error.description)"))
            }
            if var pooled = merged {
                guard pooled.hasSameConfiguration(as: histogram) else {
                    return .failure(PoolingProblem(reason: "seed \(run.identity.seed)'s histogram has another precision or range"))
                }
                pooled.merge(histogram)
                merged = pooled
            } else {
                merged = histogram
            }
            pooledRuns += 1
        }
        guard let merged, !merged.isEmpty else { return .success(nil) }
        func milliseconds(_ percentile: Double) -> Double { merged.percentile(percentile).seconds * 1000 }
        return .success(PooledLatency(
            operation: operation, runs: pooledRuns, requests: merged.count,
            p50Ms: milliseconds(50), p95Ms: milliseconds(95), p99Ms: milliseconds(99),
            meanMs: merged.mean.seconds * 1000, maxMs: merged.max.seconds * 1000))
    }

    static func rankingKeys(_ criterion: RankingCriterion, analysis: VariantAnalysis, runs: [RunResult],
                            rows: [Int], level: Double) -> [RankingKey] {
        switch criterion {
        case .passRateThenRecoveryTime:
            let passRate = analysis.passRate(row: nil)?.rate.map(Estimate.point)
            let recoveries = rows.flatMap { row in runs.compactMap { Metric.recoveryTime(row: row).observation(in: $0) } }
            let recovery = SeedSummary(recoveries, level: level).meanEstimate
            return [
                RankingKey(name: Metric.allRowsPassed.name, value: passRate, higherIsBetter: true),
                RankingKey(name: "recoveryTime", value: recovery, higherIsBetter: false),
            ]
        case .metric(let metric):
            let value: Estimate?
            if metric.isPassFail {
                let outcomes = runs.compactMap { metric.observation(in: $0) }
                value = outcomes.isEmpty ? nil : .point(Double(outcomes.filter { $0 == .value(1) }.count) / Double(outcomes.count))
            } else {
                value = analysis.summary(of: metric)?.meanEstimate
            }
            return [RankingKey(name: metric.name, value: value, higherIsBetter: metric.direction == .higherIsBetter)]
        }
    }

    static func axisValue(_ metric: Metric, _ analysis: VariantAnalysis) -> Estimate? {
        if metric.isPassFail {
            guard let rate = analysis.passRate(row: metric.row)?.rate else { return nil }
            return .point(rate)
        }
        return analysis.summary(of: metric)?.meanEstimate
    }

    /// Notes by variant (in variant order), keeping the order in which each variant's were made.
    static func ordered(_ notes: [ComparisonNote], variants: [String]) -> [ComparisonNote] {
        func variant(of note: ComparisonNote) -> String {
            switch note {
            case .supersededRuns(let variant, _, _), .mixedInputs(let variant, _, _, _), .incompleteRuns(let variant, _),
                 .unpairedSeeds(let variant, _), .latencyNotPooled(let variant, _, _):
                variant
            }
        }
        return notes.enumerated().sorted { a, b in
            let left = variants.firstIndex(of: variant(of: a.element)) ?? variants.count
            let right = variants.firstIndex(of: variant(of: b.element)) ?? variants.count
            return (left, a.offset) < (right, b.offset)
        }.map(\.element)
    }
}
