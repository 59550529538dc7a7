import ArgumentParser
import ExperimentAnalysis
import FailoverModel
import Foundation
import ModelFiles
import RunResults
import RunStore

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare an experiment's variants across seeds.",
        discussion: """
            Loads the stored runs of the experiment (by its name) or the runs given with --runs, \
            and prints per variant and metric the number of seeds, the mean with its 95 % \
            Student-t interval, the median, and the censored count; pass rates with Wilson \
            intervals; latency percentiles of every seed's requests pooled; the paired \
            difference of each variant against the baseline, seed by seed, with its interval, \
            p-value and Holm-corrected p-value; a ranking (trigger pass rate, then mean recovery \
            time, unless --rank-by); and, when breaker opens differ, the Pareto frontier of \
            breaker detection time against false opens.

            One run counts per variant and seed: the latest stored. Runs that did not recover \
            are censored (shown as ≥ a bound), never averaged; noImpact and notTriggered are \
            counted, not numbers. The multiple-comparison family is every variant × compared \
            metric with a p-value; --metric narrows it (choose before looking).

            Variants are listed in the order the experiment runs them (baseline, named \
            variants, sweep points), the others alphabetically; with --runs, alphabetically, \
            named experiment/variant when the runs span several experiments. The default \
            baseline is the variant named baseline, else the first.

            Examples:
              failsim compare experiments/trigger-table.yaml
              failsim compare breaker-thresholds.yaml --db sweep.sqlite --json
              failsim compare mine.yaml --baseline queue --metric row1.recoveryTime
              failsim compare mine.yaml --rank-by availability.requestBased
              failsim compare --runs 3 4 7 8

            \(ExitCodes.help(usage: "bad usage (unknown option or metric, unknown baseline, no such run id, no runs stored)", io: "the run store cannot be opened or read"))
            """
    )

    @Argument(help: ArgumentHelp("The experiment file whose stored runs to compare.", valueName: "experiment-file"))
    var experimentFile: String?

    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Compare these stored runs (ids, as `failsim runs` lists them) instead.", valueName: "id"))
    var runs: [Int64] = []

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The variant the others are compared with.", valueName: "variant"))
    var baseline: String?

    @Option(name: .long, help: ArgumentHelp(
        "Compare only this metric against the baseline (repeatable), e.g. row1.recoveryTime, latency.db.p99.",
        valueName: "name"))
    var metric: [String] = []

    @Option(name: .customLong("rank-by"), help: ArgumentHelp(
        "Rank by this metric instead of trigger pass rate, then mean recovery time.", valueName: "name"))
    var rankBy: String?

    @Flag(name: .long, help: "Print one JSON document instead of tables.")
    var json = false

    func validate() throws {
        if experimentFile == nil && runs.isEmpty {
            throw ValidationError("give an experiment file, or run ids with --runs")
        }
        if experimentFile != nil && !runs.isEmpty {
            throw ValidationError("give an experiment file or --runs, not both")
        }
        for name in metric + (rankBy.map { [$0] } ?? []) where Metric(name: name) == nil {
            throw ValidationError("unknown metric '\(name)'; metric names look like row1.recoveryTime, row1.detectionTime, "
                                  + "triggers.passed, availability.requestBased, latency.db.p99, writes.lost, "
                                  + "breakers.falseOpens, alerts.fired")
        }
    }

    func run() throws {
        var variantOrder: [String] = []
        var experimentName: String?
        // Stored runs do not record their experiment's checks; without the experiment file they
        // are the trigger rows, as for an experiment without `checks:` (the output says which).
        var checks = RunChecks.triggerRows
        if let experimentFile {
            let declared = try reportingErrors { try Self.loadExperiment(experimentFile) }
            experimentName = declared.name
            variantOrder = declared.variants
            checks = declared.checks
        }
        let (ids, results) = try reportingErrors { () throws -> ([Int64], [RunResult]) in
            let runStore = try store.openForReading()
            // Ascending ids, so that of several runs of one variant and seed the latest counts.
            let ids = try experimentName.map { try runStore.runIDs(experiment: $0) } ?? Array(Set(runs)).sorted()
            var loaded: [RunResult] = []
            for id in ids {
                guard let result = try runStore.run(id: id) else {
                    printError("error: \(store.db): no run with id \(id); `failsim runs` lists the stored runs")
                    throw ExitCode(ExitCodes.usage)
                }
                loaded.append(result)
            }
            return (ids, loaded)
        }
        if results.isEmpty, let experimentName {
            printError("error: \(store.db): no runs of experiment '\(experimentName)'; "
                       + "store some with `failsim run \(experimentFile ?? "") --variant NAME --seed N`")
            throw ExitCode(ExitCodes.usage)
        }
        let options = ComparisonOptions(
            baseline: baseline, variantOrder: variantOrder,
            ranking: rankBy.flatMap { Metric(name: $0) }.map { .metric($0) } ?? .passRateThenRecoveryTime,
            comparedMetrics: metric.isEmpty ? nil : metric.compactMap { Metric(name: $0) }, checks: checks)
        let comparison: VariantComparison
        do {
            comparison = try VariantComparison(runs: results, options: options)
        } catch {
            let subject = experimentName.map { "experiment '\($0)'" } ?? "runs \(ids.map(String.init).joined(separator: ", "))"
            printError("error: \(store.db), \(subject): \(error.description)")
            throw ExitCode(ExitCodes.usage)
        }
        if case .metric(let chosen) = options.ranking, !comparison.metrics.contains(chosen) {
            printError("error: \(store.db): no run measures metric '\(chosen.name)' to rank by")
            throw ExitCode(ExitCodes.usage)
        }
        if json {
            print(try Report.json(Self.document(comparison, database: store.db, experimentFile: experimentFile, runIDs: ids)))
        } else {
            print(Self.tables(comparison, database: store.db, runIDs: ids))
        }
    }

    /// The experiment's name and its variants in the order it runs them (baseline, named
    /// variants, sweep points). The models it names are not needed to compare stored runs, so
    /// they are not read.
    static func loadExperiment(_ path: String) throws -> (name: String, variants: [String], checks: RunChecks) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileError(file: path, line: nil, column: nil, keyPath: "", message: "the file is not UTF-8 text")
        }
        let experiment = try ExperimentLoader.load(experimentText: text, experimentFile: path) { name throws(FileError) in
            ("", name)
        }.experiment
        do {
            return (experiment.name, try experiment.resolvedVariants().map(\.name), experiment.runChecks)
        } catch {
            throw FileError(file: path, line: nil, column: nil, keyPath: "sweep", message: error.description)
        }
    }

    // MARK: - Tables

    static func tables(_ comparison: VariantComparison, database: String, runIDs: [Int64]) -> String {
        var out: [String] = []
        let level = percentLabel(comparison.level)
        out.append("failsim compare: \(comparison.experiments.joined(separator: ", ")) in \(database) — "
                   + "\(comparison.variants.count) variant\(comparison.variants.count == 1 ? "" : "s"), "
                   + "\(comparison.runCount) run\(comparison.runCount == 1 ? "" : "s"), baseline \(comparison.baseline)")
        out.append("Means with \(level) Student-t intervals across seeds; censored values (≥) are never averaged.")

        let rows = comparison.metrics.compactMap { metric -> Int? in
            if case .rowPassed(let row) = metric { return row }
            return nil
        }
        if !rows.isEmpty {
            out.append("")
            out.append("Pass rates (Wilson \(level) intervals)")
            var table = [["variant", "seeds"] + rows.map { "row \($0)" } + ["all rows"]]
            for variant in comparison.variants {
                table.append([variant.variant, "\(variant.seeds.count)"]
                             + (rows.map { Optional($0) } + [nil]).map { passRate(variant.passRate(row: $0)) })
            }
            out.append(contentsOf: Report.table(table))
        }

        out.append("")
        out.append(contentsOf: checksTable(comparison))

        for metric in comparison.metrics where !metric.isPassFail {
            let summaries = comparison.variants.compactMap { variant in variant.summary(of: metric).map { (variant.variant, $0) } }
            guard !summaries.isEmpty else { continue }
            out.append("")
            out.append("\(metric.name) (\(metric.unit.rawValue)\(directionLabel(metric.direction)))")
            var table = [["variant", "n", "mean [\(level) CI]", "median", "sd", "censored", "named outcomes"]]
            for (name, summary) in summaries {
                table.append([
                    name, "\(summary.count)", meanCell(summary, metric.unit),
                    summary.median.map { estimate($0, metric.unit) } ?? "—",
                    summary.standardDeviation.map { number($0, metric.unit) } ?? "—",
                    "\(summary.censoredCount)",
                    summary.namedOutcomes.isEmpty ? "—" : summary.namedOutcomes.map { "\($0.outcome.rawValue) \($0.count)" }.joined(separator: ", "),
                ])
            }
            out.append(contentsOf: Report.table(table))
        }

        let pooled = comparison.variants.flatMap { variant in variant.pooledLatency.map { (variant.variant, $0) } }
        if !pooled.isEmpty {
            out.append("")
            out.append("Latency pooled over seeds (every seed's histogram merged; ms)")
            var table = [["variant", "operation", "runs", "requests", "p50", "p95", "p99", "mean", "max"]]
            for (name, latency) in pooled {
                table.append([name, latency.operation, "\(latency.runs)", "\(latency.requests)", Report.ms(latency.p50Ms),
                              Report.ms(latency.p95Ms), Report.ms(latency.p99Ms), Report.ms(latency.meanMs), Report.ms(latency.maxMs)])
            }
            out.append(contentsOf: Report.table(table))
        }

        out.append("")
        out.append("Paired differences against \(comparison.baseline) (variant − baseline, seed by seed)")
        out.append("  Family: \(comparison.familySize) test\(comparison.familySize == 1 ? "" : "s") (every variant × compared metric "
                   + "with a p-value), Holm-corrected at α = \(comparison.significanceLevel)")
        let shown = comparison.differences.filter { $0.verdict != .identical }
        let identical = comparison.differences.count - shown.count
        if comparison.differences.isEmpty {
            out.append("  (nothing to pair: no other variant shares seeds with the baseline)")
        } else if !shown.isEmpty {
            var table = [["variant", "metric", "pairs", "mean difference [\(level) CI]", "test", "p", "Holm p", "significant", "verdict"]]
            for difference in shown {
                table.append([
                    difference.variant, difference.metric.name, pairCell(difference), differenceCell(difference),
                    testCell(difference.test, metric: difference.metric), difference.pValue.map(pValue) ?? "—",
                    difference.adjustedPValue.map(pValue) ?? "—", difference.pValue == nil ? "—" : (difference.isSignificant ? "yes" : "no"),
                    difference.verdict.rawValue,
                ])
            }
            out.append(contentsOf: Report.table(table))
        }
        if identical > 0 {
            out.append("  \(identical) comparison\(identical == 1 ? "" : "s") with identical results (difference 0, p = 1) not shown; --json lists them")
        }

        out.append("")
        out.append("Ranking (\(comparison.rankingCriterion))")
        if let first = comparison.ranking.first {
            var table = [["rank", "variant"] + first.keys.map(\.name) + ["tied with"]]
            for ranked in comparison.ranking {
                let keys = ranked.keys.map { key -> String in
                    guard let value = key.value else { return "—" }
                    if key.name == Metric.allRowsPassed.name { return Report.percent(value.value) }
                    let unit = Metric(name: key.name)?.unit ?? .seconds
                    return estimate(value, unit)
                }
                table.append(["\(ranked.rank)", ranked.variant] + keys + [ranked.tiedWith.isEmpty ? "—" : ranked.tiedWith.joined(separator: ", ")])
            }
            out.append(contentsOf: Report.table(table))
        }

        if let frontier = comparison.paretoFrontier, breakerOpensVary(comparison) {
            out.append("")
            out.append("Pareto frontier: \(frontier.x.name) against \(frontier.y.name) (means; not dominated on both)")
            var table = [["variant", frontier.x.name, frontier.y.name, "frontier", "dominated by"]]
            for point in frontier.points {
                table.append([point.variant, estimate(point.x, frontier.x.unit), estimate(point.y, frontier.y.unit),
                              point.isOnFrontier ? "yes" : "no", point.dominatedBy.isEmpty ? "—"
                                : point.dominatedBy.count <= 2 ? point.dominatedBy.joined(separator: ", ")
                                : "\(point.dominatedBy.count) variants, e.g. " + point.dominatedBy.prefix(2).joined(separator: ", ")])
            }
            out.append(contentsOf: Report.table(table))
            if !frontier.variantsWithoutValues.isEmpty {
                out.append("  without values: \(frontier.variantsWithoutValues.joined(separator: ", "))")
            }
        }

        if !comparison.notes.isEmpty {
            out.append("")
            out.append("Notes")
            for note in comparison.notes { out.append("  \(note.description)") }
        }
        out.append("")
        out.append("Runs: \(runIDs.map(String.init).joined(separator: " "))")
        return out.joined(separator: "\n")
    }

    /// `Checks (…)`, then per variant the runs that passed every check and each failing check
    /// with the number of runs that failed it.
    static func checksTable(_ comparison: VariantComparison) -> [String] {
        var table = [["variant", "seeds", "passed checks", "failing checks"]]
        for variant in comparison.variants {
            let tally = variant.checks
            table.append([variant.variant, "\(tally.runs)", "\(tally.passed)/\(tally.runs)",
                          tally.failing.isEmpty ? "—" : tally.failing.map { "\($0.name): \($0.runs == 1 ? "1 run" : "\($0.runs) runs")" }.joined(separator: "; ")])
        }
        return ["Checks (\(comparison.checks.summary))"] + Report.table(table)
    }

    /// Whether breaker opens differ between variants, the sign of a breaker sweep.
    static func breakerOpensVary(_ comparison: VariantComparison) -> Bool {
        let summaries = comparison.variants.map { $0.summary(of: .breakerOpens) }
        return summaries.contains { $0 != summaries[0] }
    }

    static func percentLabel(_ level: Double) -> String {
        let percent = level * 100
        return percent == percent.rounded() ? "\(Int(percent)) %" : String(format: "%.1f %%", percent)
    }

    static func directionLabel(_ direction: Metric.Direction) -> String {
        switch direction {
        case .lowerIsBetter: "; lower is better"
        case .higherIsBetter: "; higher is better"
        case .neutral: ""
        }
    }

    static func number(_ value: Double, _ unit: Metric.Unit) -> String {
        switch unit {
        case .seconds: String(format: "%.2f s", value)
        case .milliseconds: String(format: "%.2f ms", value)
        case .fraction: String(format: "%.4f %%", value * 100)
        case .count: String(format: "%.2f", value)
        case .passFail: Report.percent(value)
        }
    }

    static func estimate(_ value: Estimate, _ unit: Metric.Unit) -> String {
        switch value {
        case .point(let number): self.number(number, unit)
        case .atLeast(let number): "≥ " + self.number(number, unit)
        }
    }

    static func meanCell(_ summary: SeedSummary, _ unit: Metric.Unit) -> String {
        if let bound = summary.meanLowerBound { return "≥ \(number(bound, unit)) (censored: no interval)" }
        guard let mean = summary.mean else { return "—" }
        guard let interval = summary.meanInterval else { return "\(number(mean, unit)) (one value)" }
        return "\(number(mean, unit)) [\(number(interval.lowerBound, unit)), \(number(interval.upperBound, unit))]"
    }

    static func passRate(_ rate: PassRate?) -> String {
        guard let rate, let interval = rate.interval else { return "—" }
        return "\(rate.passed)/\(rate.trials) " + String(format: "[%.1f, %.1f] %%", interval.lowerBound * 100, interval.upperBound * 100)
    }

    static func pairCell(_ difference: PairedDifference) -> String {
        var cell = "\(difference.pairs)"
        var parts: [String] = []
        if difference.censoredPairs > 0 { parts.append("\(difference.censoredPairs) censored") }
        if difference.namedPairs > 0 { parts.append("\(difference.namedPairs) named") }
        if difference.undeterminedPairs > 0 { parts.append("\(difference.undeterminedPairs) unordered") }
        if !parts.isEmpty { cell += " (" + parts.joined(separator: ", ") + ")" }
        return cell
    }

    static func differenceCell(_ difference: PairedDifference) -> String {
        let unit = difference.metric.unit
        func signed(_ value: Double) -> String {
            let text = number(value, unit)
            return value > 0 ? "+" + text : text
        }
        guard let mean = difference.meanDifference else { return "— (not all pairs are numbers)" }
        guard let interval = difference.interval else { return signed(mean) }
        return "\(signed(mean)) [\(signed(interval.lowerBound)), \(signed(interval.upperBound))]"
    }

    static func testCell(_ test: PairedDifference.Test?, metric: Metric) -> String {
        switch test {
        case .pairedT(let t, let degreesOfFreedom)?: String(format: "t = %.2f, df %d", t, degreesOfFreedom)
        case .sign(let positive, let negative, let ties)?:
            "\(metric.isPassFail ? "McNemar" : "sign") \(positive)+ \(negative)− \(ties)="
        case nil: "—"
        }
    }

    static func pValue(_ value: Double) -> String {
        value < 0.0001 ? String(format: "%.1e", value) : String(format: "%.4f", value)
    }

    // MARK: - JSON

    /// The document `failsim compare --json` prints. Key names are stable; optional numbers are
    /// explicit `null`.
    static func document(_ comparison: VariantComparison, database: String, experimentFile: String?, runIDs: [Int64]) -> [String: Any] {
        func orNull(_ value: Any?) -> Any { value ?? NSNull() }
        func estimateJSON(_ value: Estimate?) -> [String: Any] {
            ["value": orNull(value?.value), "isLowerBound": orNull(value?.isLowerBound)]
        }
        let header: [String: Any] = [
            "database": database, "experimentFile": orNull(experimentFile), "experiments": comparison.experiments,
            "baseline": comparison.baseline, "level": comparison.level, "significanceLevel": comparison.significanceLevel,
            "runs": comparison.runCount, "runIds": runIDs, "variants": comparison.variants.map(\.variant),
            "metrics": comparison.metrics.map(\.name), "familySize": comparison.familySize,
            "family": "every variant other than the baseline × every compared metric with a p-value; Holm's correction",
            "rankingCriterion": comparison.rankingCriterion.description, "checks": comparison.checks.summary,
        ]
        let variants: [[String: Any]] = comparison.variants.map { variant in
            [
                "variant": variant.variant,
                "seeds": variant.seeds.map { NSNumber(value: $0) },
                "metrics": variant.metrics.map { entry -> [String: Any] in
                    let s = entry.summary
                    var named: [String: Any] = [:]
                    for outcome in NamedOutcome.allCases {
                        named[outcome.rawValue] = s.namedOutcomes.first { $0.outcome == outcome }?.count ?? 0
                    }
                    return [
                        "metric": entry.metric.name, "unit": entry.metric.unit.rawValue,
                        "direction": entry.metric.direction.rawValue, "n": s.count, "values": s.valueCount,
                        "censored": s.censoredCount, "namedOutcomes": named, "mean": orNull(s.mean),
                        "standardDeviation": orNull(s.standardDeviation), "ciLower": orNull(s.meanInterval?.lowerBound),
                        "ciUpper": orNull(s.meanInterval?.upperBound), "meanLowerBound": orNull(s.meanLowerBound),
                        "median": orNull(s.median?.value), "medianIsLowerBound": orNull(s.median?.isLowerBound),
                    ]
                },
                "passRates": variant.passRates.map { rate -> [String: Any] in
                    [
                        "row": orNull(rate.row), "passed": rate.passed, "trials": rate.trials, "rate": orNull(rate.rate),
                        "ciLower": orNull(rate.interval?.lowerBound), "ciUpper": orNull(rate.interval?.upperBound),
                    ]
                },
                "checks": [
                    "runs": variant.checks.runs, "passed": variant.checks.passed,
                    "failing": variant.checks.failing.map { ["name": $0.name, "runs": $0.runs] as [String: Any] },
                ] as [String: Any],
                "pooledLatency": variant.pooledLatency.map { latency -> [String: Any] in
                    [
                        "operation": latency.operation, "runs": latency.runs, "requests": latency.requests,
                        "p50Ms": latency.p50Ms, "p95Ms": latency.p95Ms, "p99Ms": latency.p99Ms,
                        "meanMs": latency.meanMs, "maxMs": latency.maxMs,
                    ]
                },
            ]
        }
        let differences: [[String: Any]] = comparison.differences.map { d in
            var test: [String: Any] = ["kind": NSNull(), "t": NSNull(), "degreesOfFreedom": NSNull(),
                                       "positive": NSNull(), "negative": NSNull(), "ties": NSNull()]
            switch d.test {
            case .pairedT(let t, let degreesOfFreedom)?:
                test["kind"] = "pairedT"
                test["t"] = t
                test["degreesOfFreedom"] = degreesOfFreedom
            case .sign(let positive, let negative, let ties)?:
                test["kind"] = d.metric.isPassFail ? "mcNemar" : "sign"
                test["positive"] = positive
                test["negative"] = negative
                test["ties"] = ties
            case nil:
                break
            }
            return [
                "variant": d.variant, "baseline": d.baseline, "metric": d.metric.name, "pairs": d.pairs,
                "censoredPairs": d.censoredPairs, "namedPairs": d.namedPairs, "undeterminedPairs": d.undeterminedPairs,
                "meanDifference": orNull(d.meanDifference), "ciLower": orNull(d.interval?.lowerBound),
                "ciUpper": orNull(d.interval?.upperBound), "test": test, "pValue": orNull(d.pValue),
                "holmPValue": orNull(d.adjustedPValue), "significant": d.isSignificant, "verdict": d.verdict.rawValue,
            ]
        }
        let ranking: [[String: Any]] = comparison.ranking.map { ranked in
            [
                "rank": ranked.rank, "variant": ranked.variant, "tiedWith": ranked.tiedWith,
                "keys": ranked.keys.map { key -> [String: Any] in
                    ["name": key.name, "higherIsBetter": key.higherIsBetter].merging(estimateJSON(key.value)) { $1 }
                },
            ]
        }
        let pareto: Any = comparison.paretoFrontier.map { frontier -> [String: Any] in
            [
                "x": frontier.x.name, "y": frontier.y.name, "frontier": frontier.frontier,
                "withoutValues": frontier.variantsWithoutValues,
                "breakerOpensVary": breakerOpensVary(comparison),
                "points": frontier.points.map { point -> [String: Any] in
                    [
                        "variant": point.variant, "x": point.x.value, "xIsLowerBound": point.x.isLowerBound,
                        "y": point.y.value, "yIsLowerBound": point.y.isLowerBound, "onFrontier": point.isOnFrontier,
                        "dominatedBy": point.dominatedBy,
                    ]
                },
            ]
        } ?? NSNull()
        return [
            "comparison": header, "variants": variants, "differences": differences, "ranking": ranking,
            "pareto": pareto, "notes": comparison.notes.map(\.description),
        ]
    }
}
