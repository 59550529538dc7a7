import Foundation
import Testing
@testable import Availability
import FailoverModel
import SimulationCore

/// A study is a pure function of its inputs: the same seed gives the same report, whatever the
/// number of workers, and more years only add years.
@Suite("Uptime determinism")
struct DeterminismTests {
    static func assemblyStudy(years: Int, seed: UInt64 = 5) throws -> UptimeStudy {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("left", "{kind: api5xx, fraction: 1}", 36, 6),
                                                 ("right", "{kind: databaseUnreachable, mode: refuse}", 48, 8)])
        var settings = Support.settings(years: years, yearLength: .days(1), seed: seed)
        settings.bootstrapReplicates = 4
        return UptimeStudy(model: model, experiment: experiment, settings: settings)
    }

    static let evaluator = IntervalEvaluator(components: ["left", "right"], structure: .series, rate: 2)

    @Test func sameSeedSameReportForAnyNumberOfWorkers() throws {
        let study = try Self.assemblyStudy(years: 12)
        let one = try study.run(evaluator: Self.evaluator, jobs: 1).report
        let two = try study.run(evaluator: Self.evaluator, jobs: 2).report
        let again = try study.run(evaluator: Self.evaluator, jobs: 3).report
        #expect(one == two)
        #expect(try one.digest() == two.digest())
        #expect(try one.digest() == again.digest(), "reproduce: UptimeStudy seed 5, 12 one-day years, jobs 1 vs 3")
        let other = try Self.assemblyStudy(years: 12, seed: 6).run(evaluator: Self.evaluator, jobs: 2).report
        #expect(other.years != one.years, "another seed draws other years")
    }

    @Test func moreYearsOnlyAddYears() throws {
        let short = try Self.assemblyStudy(years: 7).run(evaluator: Self.evaluator, jobs: 2).report
        let long = try Self.assemblyStudy(years: 19).run(evaluator: Self.evaluator, jobs: 2).report
        #expect(long.years.count == 19)
        #expect(Array(long.years.prefix(7)) == short.years)
        #expect(long.library.processes == short.library.processes, "the library does not depend on the number of years")
        #expect(long.library.runs == short.library.runs)
    }

    /// At request level, overlaps included: the first years of a longer study are the same
    /// years, simulated from the same runs.
    @Test func moreYearsOnlyAddYearsAtRequestLevel() throws {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("api", "{kind: api5xx, fraction: 1}", 120, 15),
                                                 ("database", "{kind: databaseUnreachable, mode: refuse}", 180, 10)])
        func study(_ years: Int) -> UptimeStudy {
            var settings = Support.settings(years: years, yearLength: .hours(8))
            settings.bootstrapReplicates = 2
            settings.library.bands = 2
            settings.library.entriesPerBand = 2
            settings.library.longEntries = 1
            return UptimeStudy(model: model, experiment: experiment, settings: settings)
        }
        let evaluator = ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study(1).loadLevels)
        let short = try study(3).run(evaluator: evaluator, jobs: 2).report
        let long = try study(5).run(evaluator: evaluator, jobs: 1).report
        #expect(Array(long.years.prefix(3)) == short.years)
        #expect(long.years.contains { $0.failed > 0 }, "the years must have failures for the comparison to mean anything")
    }
}
