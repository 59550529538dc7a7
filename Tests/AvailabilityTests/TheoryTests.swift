import Foundation
import Testing
@testable import Availability
import FailoverModel
import SimulationCore

/// The study against availability theory. Components fail and are repaired after exponential
/// times (an alternating renewal process starting up), so a component is down at time t with
/// probability u(1 − e^(−(λ+μ)t)), u = MTTR/(MTBF+MTTR), and independent components combine as
/// ΠAᵢ in series and 1 − Π(1 − Aᵢ) in parallel. The expected availability of a year of length T
/// is the mean of that over [0, T] (a year starts with every component up; for long years it is
/// MTBF/(MTBF+MTTR) itself). Each test asserts that value lies in the study's combined interval
/// (the years' Student-t interval widened by the library's resampling error), and that the
/// interval is narrow enough for that to mean something.
@Suite("Uptime against availability theory")
struct TheoryTests {
    /// One component, no failover, at request level: the API fails every request while down.
    @Test func oneComponentMatchesMTBFOverMTBFPlusMTTR() throws {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("api", "{kind: api5xx, fraction: 1}", 120, 15)])
        let day = SimDuration.days(1)
        let study = UptimeStudy(model: model, experiment: experiment, settings: Support.settings(years: 60, yearLength: day))
        let (report, _) = try study.run(evaluator: ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study.loadLevels), jobs: 2)
        let expected = 1 - Support.meanProduct([.init(upMinutes: 120, downMinutes: 15)], minutes: day.seconds / 60)
        let availability = try #require(report.measure("requests")).availability.mean
        #expect(availability.contains(expected), "expected \(expected), study \(availability)")
        #expect(availability.combinedUpper - availability.combinedLower < 0.03, "interval too wide to test anything: \(availability)")
        // The stationary value MTBF/(MTBF+MTTR) for reference: a one-day year starts up, so it is a bit lower.
        #expect(abs(expected - 120.0 / 135.0) < 0.002)
    }

    /// Two components in series at request level: an API outage and a database outage each fail
    /// every request; where they overlap, the overlap is simulated as one scenario.
    @Test func twoInSeriesMatchProductOfAvailabilities() throws {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("api", "{kind: api5xx, fraction: 1}", 120, 15),
                                                 ("database", "{kind: databaseUnreachable, mode: refuse}", 180, 10)])
        let day = SimDuration.days(1)
        let study = UptimeStudy(model: model, experiment: experiment, settings: Support.settings(years: 60, yearLength: day))
        let (report, _) = try study.run(evaluator: ModelScenarioEvaluator(model: model, experiment: experiment, loadLevels: study.loadLevels), jobs: 2)
        let minutes = day.seconds / 60
        let a1 = 1 - Support.meanProduct([.init(upMinutes: 120, downMinutes: 15)], minutes: minutes)
        let a2 = 1 - Support.meanProduct([.init(upMinutes: 180, downMinutes: 10)], minutes: minutes)
        // E[up₁·up₂] = E[(1−d₁)(1−d₂)] = 1 − E[d₁] − E[d₂] + E[d₁d₂] for independent components.
        let both = Support.meanProduct([.init(upMinutes: 120, downMinutes: 15), .init(upMinutes: 180, downMinutes: 10)], minutes: minutes)
        let expected = a1 + a2 - 1 + both
        let availability = try #require(report.measure("requests")).availability.mean
        #expect(availability.contains(expected), "expected \(expected) (ΠAᵢ), study \(availability)")
        #expect(availability.combinedUpper - availability.combinedLower < 0.03, "interval too wide: \(availability)")
        #expect(report.overlapsPerYear.mean > 0.3, "the test needs overlaps to exercise them")
    }

    /// Two components in parallel. The model's failover is not parallel redundancy: moving
    /// traffic to the other region costs detection time on every failure, and failback waits
    /// for hysteresis, so the system is down briefly even when one region is up. Parallel
    /// redundancy is therefore tested on the year assembly with components whose scenarios
    /// fail requests exactly while both are down (``IntervalEvaluator``): scheduling, grouping of
    /// overlaps, compression and stretching, bins and minutes are the study's own.
    @Test func twoInParallelMatchOneMinusProductOfUnavailabilities() throws {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("left", "{kind: api5xx, fraction: 1}", 36, 6),
                                                 ("right", "{kind: databaseUnreachable, mode: refuse}", 48, 8)])
        let week = SimDuration.days(7)
        var settings = Support.settings(years: 60, yearLength: week)
        settings.bootstrapReplicates = 5
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let evaluator = IntervalEvaluator(components: ["left", "right"], structure: .parallel, rate: 2)
        let (report, _) = try study.run(evaluator: evaluator, jobs: 2)
        let expected = 1 - Support.meanProduct([.init(upMinutes: 36, downMinutes: 6), .init(upMinutes: 48, downMinutes: 8)],
                                               minutes: week.seconds / 60)
        let availability = try #require(report.measure("requests")).availability.mean
        #expect(availability.contains(expected), "expected \(expected) (1 − Π(1 − Aᵢ)), study \(availability)")
        #expect(availability.combinedUpper - availability.combinedLower < 0.004, "interval too wide: \(availability)")
        // A component alone never fails anything: every failure comes from overlaps.
        let overlap = try #require(report.faultTypeShares.first { $0.name == "overlap" })
        let left = try #require(report.faultTypeShares.first { $0.name == "left" })
        #expect(overlap.requestBased.mean > 0)
        #expect(left.requestBased.mean == 0)
    }

    /// The same assembly in series, where long outages are stretched from `compressAfter`: the
    /// exact answer needs every stretched bin.
    @Test func twoInSeriesOnTheAssemblyMatchProduct() throws {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("left", "{kind: api5xx, fraction: 1}", 36, 6),
                                                 ("right", "{kind: databaseUnreachable, mode: refuse}", 48, 8)])
        let week = SimDuration.days(7)
        var settings = Support.settings(years: 60, yearLength: week)
        settings.bootstrapReplicates = 5
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let evaluator = IntervalEvaluator(components: ["left", "right"], structure: .series, rate: 2)
        let (report, _) = try study.run(evaluator: evaluator, jobs: 2)
        let minutes = week.seconds / 60
        let left = Support.Unavailability(upMinutes: 36, downMinutes: 6)
        let right = Support.Unavailability(upMinutes: 48, downMinutes: 8)
        let expected = 1 - Support.meanProduct([left], minutes: minutes) - Support.meanProduct([right], minutes: minutes)
            + Support.meanProduct([left, right], minutes: minutes)
        let availability = try #require(report.measure("requests")).availability.mean
        #expect(availability.contains(expected), "expected \(expected) (ΠAᵢ), study \(availability)")
        #expect(availability.combinedUpper - availability.combinedLower < 0.01, "interval too wide: \(availability)")
        // Adding the components' outages up would count their overlaps twice: that value must
        // lie outside the interval, or the test could not tell the two apart.
        let added = 1 - Support.meanProduct([left], minutes: minutes) - Support.meanProduct([right], minutes: minutes)
        #expect(!availability.contains(added), "the interval cannot tell ΠAᵢ from adding outages up: \(added)")
    }

    /// Overlaps taken from the pair library (runs of two faults drawn with length-biased
    /// durations and a uniform offset, picked in proportion to their windows) instead of
    /// simulated: still 1 − Π(1 − Aᵢ) for sparse components, where a third fault seldom joins.
    @Test func pairLibraryMatchesParallelTheory() throws {
        let model = try Support.model(Support.singleRegionModel)
        let experiment = try Support.components([("left", "{kind: api5xx, fraction: 1}", 600, 30),
                                                 ("right", "{kind: databaseUnreachable, mode: refuse}", 800, 40)])
        let week = SimDuration.days(7)
        var settings = Support.settings(years: 300, yearLength: week)
        settings.bootstrapReplicates = 10
        settings.library.pairEntries = 40
        settings.library.pairCrowding = 1
        let study = UptimeStudy(model: model, experiment: experiment, settings: settings)
        let evaluator = IntervalEvaluator(components: ["left", "right"], structure: .parallel, rate: 2)
        let (report, _) = try study.run(evaluator: evaluator, jobs: 2)
        #expect(report.library.pairs.count == 1, "the pair must be in the library")
        #expect(report.library.exactScenarios < report.years.reduce(0) { $0 + $1.overlaps } / 5,
                "most overlaps must come from the pair library: \(report.library.exactScenarios) simulated")
        let expected = 1 - Support.meanProduct([.init(upMinutes: 600, downMinutes: 30), .init(upMinutes: 800, downMinutes: 40)],
                                               minutes: week.seconds / 60)
        let availability = try #require(report.measure("requests")).availability.mean
        #expect(availability.contains(expected), "expected \(expected) (1 − Π(1 − Aᵢ)), study \(availability)")
        #expect((1 - availability.combinedLower) / (1 - expected) < 1.5, "interval too wide: \(availability)")
        // The same years with every overlap simulated: the pair library's answer must be that
        // one within the library's error.
        settings.library.pairCrowding = 0
        let exact = try UptimeStudy(model: model, experiment: experiment, settings: settings).run(evaluator: evaluator, jobs: 2).report
        let simulated = try #require(exact.measure("requests")).availability.mean
        #expect(exact.library.pairs.isEmpty)
        #expect(abs(simulated.mean - availability.mean) <= 1.96 * availability.librarySD,
                "pairs \(availability.mean) ± \(availability.librarySD), simulated \(simulated.mean)")
    }
}
