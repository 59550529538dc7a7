import ExperimentAnalysis
import Foundation
import RunResults
import Testing
@testable import Reports

@Suite("Experiment report")
struct ExperimentReportTests {
    static let order = ["baseline", "slow-dns-checks", "long-reset-timeout", "no-precedence"]

    static let context = ExperimentReportContext(
        experimentFile: "experiments/trigger-fixture.yaml", description: "One fault per trigger row.",
        variants: [
            .init(name: "baseline"),
            .init(name: "slow-dns-checks", description: "DNS health checks every 30 s.", expectation: "the partition row misses its target",
                  overrides: ["healthChecks.interval": "30s"]),
            .init(name: "long-reset-timeout", overrides: ["breakers[0].resetTimeout": "5m"]),
            .init(name: "no-precedence", overrides: ["controller.precedence": "false"]),
        ],
        notes: ["2 stored runs of earlier inputs were left out."])

    static func report(seeds: Int = 5) throws -> (ReportBundle, VariantComparison) {
        let runs = Fixtures.experimentRuns(seeds: seeds)
        let comparison = try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: order))
        return (ExperimentReport.make(comparison: comparison, runs: runs, context: context), comparison)
    }

    @Test func theReportHasEveryChartTheIssueAsksFor() throws {
        let (bundle, _) = try Self.report()
        checkWellFormed(bundle)
        let paths = bundle.files.map(\.path)
        for expected in ["pass-rates.svg", "recovery-row1.svg", "recovery-row2.svg", "recovery-row3.svg", "metrics-row1.svg",
                         "metrics-breaker-opens.svg", "differences-row3.svg", "pareto.svg", "pareto.csv", "latency-pooled.csv"] {
            #expect(paths.contains(expected), "the report has \(expected)")
        }
        #expect(bundle.folderName == "trigger-fixture")
        let markdown = text(bundle, "README.md")
        #expect(markdown.hasPrefix("# Experiment report: trigger-fixture\n\nOne fault per trigger row. 4 variants × 5 seeds (20 runs)"))
        #expect(markdown.contains("| slow-dns-checks | 1–5 (5) | DNS health checks every 30 s. | healthChecks.interval = 30s | the partition row misses its target |"))
        #expect(markdown.contains("- 2 stored runs of earlier inputs were left out."))
        #expect(markdown.contains("## Breaker trade-off: Pareto frontier"))
        #expect(bundle.sources.kind == .experiment)
        #expect(bundle.sources.variants == Self.order)
        #expect(bundle.sources.runs.count == 20)
        #expect(bundle.sources.runs.first == ReportSources.Run(Fixtures.experimentRuns(seeds: 5)[0].identity))
    }

    @Test func passRatesComeFromTheComparison() throws {
        let (bundle, comparison) = try Self.report()
        let csv = text(bundle, "pass-rates.csv").split(separator: "\n").map(String.init)
        #expect(csv.first == "variant,row,passed,trials,rate,ciLower,ciUpper")
        let rate = comparison.variant("slow-dns-checks")!.passRate(row: 3)!
        #expect(rate.passed == 0)
        let interval = rate.interval!
        #expect(csv.contains("slow-dns-checks,3,0,5,0,0,\(NumberFormat.data(interval.upperBound))"))
        #expect(text(bundle, "README.md").contains("| slow-dns-checks | 5/5 [56.6, 100.0] % |"))
    }

    @Test func recoveryStripsShowCensoredSeedsAndTargets() throws {
        let (bundle, _) = try Self.report()
        let rows = text(bundle, "recovery-row3.csv").split(separator: "\n").map(String.init)
        #expect(rows.first == "variant,seed,observation,seconds,outcome,targetSeconds")
        #expect(rows.contains("slow-dns-checks,3,censored,500,notRecovered,120"))
        #expect(rows.contains("baseline,1,value,104.5,recovered,120"))
        let svg = text(bundle, "recovery-row3.svg")
        #expect(svg.contains("stroke-dasharray=\"5 3\""), "the target is drawn")
        #expect(svg.contains("not recovered, ≥ 500.0 s"))
    }

    @Test func differencesAreTheComparisonsWithHolmVerdicts() throws {
        let (bundle, comparison) = try Self.report()
        let csv = text(bundle, "differences-row1.csv")
        let difference = comparison.difference("long-reset-timeout", .recoveryTime(row: 1))!
        #expect(difference.meanDifference == 3)
        #expect(csv.contains("long-reset-timeout,row1.recoveryTime,5,3,3,3,"))
        let markdown = text(bundle, "README.md")
        #expect(markdown.contains("| long-reset-timeout | row1.recoveryTime | 5 | +3.0 s [+3.0 s, +3.0 s] | sign 5+ 0− 0= |"))
        #expect(markdown.contains("gave identical results in every seed"))
    }

    @Test func theSameRunsGiveTheSameBytes() throws {
        let (first, _) = try Self.report()
        let (second, _) = try Self.report()
        #expect(first == second)
    }

    @Test func aSingleVariantStillRenders() throws {
        let runs = Fixtures.experimentRuns(seeds: 3, variants: ["baseline"])
        let comparison = try VariantComparison(runs: runs)
        let bundle = ExperimentReport.make(comparison: comparison, runs: runs, context: ExperimentReportContext())
        checkWellFormed(bundle)
        #expect(text(bundle, "README.md").contains("Only the baseline has runs: nothing to compare."))
        #expect(!bundle.files.map(\.path).contains("pareto.svg"))
    }

    @Test func sweepPointsAreLabelledByTheirValues() {
        let labels = ExperimentReportBuilder.axisLabels(["baseline", "policy=reference failureThreshold=3", "policy=polly failureThreshold=5"])
        #expect(labels.labels == ["baseline", "reference · 3", "polly · 5"])
        #expect(labels.key == "policy · failureThreshold")
        let mixed = ExperimentReportBuilder.axisLabels(["a=1 b=2", "a=1 c=2"])
        #expect(mixed.labels == ["a=1 b=2", "a=1 c=2"] && mixed.key == nil)
        #expect(ExperimentReportBuilder.axisLabels(["baseline", "slow-dns-checks"]).key == nil)
    }

    @Test func twoHundredRunsReportInSeconds() throws {
        let variants = (0..<20).map { $0 == 0 ? "baseline" : "failureThreshold=\($0) scope=\($0 % 2 == 0 ? "instance" : "region")" }
        let runs = Fixtures.experimentRuns(seeds: 10, variants: variants)
        #expect(runs.count == 200)
        let clock = ContinuousClock()
        var bundle: ReportBundle?
        let elapsed = try clock.measure {
            let comparison = try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: variants))
            bundle = ExperimentReport.make(comparison: comparison, runs: runs, context: ExperimentReportContext())
        }
        checkWellFormed(bundle!)
        let markdown = text(bundle!, "README.md")
        #expect(markdown.contains("19 sweep points, named by their parameters"))
        #expect(markdown.contains("| 3 · region | 1–10 (10) | 3 | region |"))
        #expect(markdown.contains("is in metrics.csv beside this report"))
        #expect(!markdown.contains("| metric | variant | seeds |"), "no table of every metric with 20 variants")
        let comparison = try VariantComparison(runs: runs, options: ComparisonOptions(variantOrder: variants))
        #expect(text(bundle!, "differences.csv").split(separator: "\n").count == 1 + comparison.differences.count,
                "differences.csv has every comparison")
        // A debug build on a shared machine: generous, but it catches a quadratic blow-up.
        #expect(elapsed < .seconds(60), "200 runs took \(elapsed)")
        print("report over 200 runs (debug build, comparison included): \(elapsed)")
    }
}
