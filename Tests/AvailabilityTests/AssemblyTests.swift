import Foundation
import Testing
@testable import Availability
import FailoverModel
import SimulationCore

/// The pieces of the year assembly, on numbers worked out by hand.
@Suite("Year assembly")
struct AssemblyTests {
    static func assembler(yearLength: SimDuration = .hours(2), threshold: Double = 0.05) -> YearAssembler {
        var settings = UptimeSettings()
        settings.yearLength = yearLength
        return YearAssembler(settings: settings, levels: [LoadLevel(requestsPerSecond: 10, share: 1)], processNames: ["p"],
                             triggerRows: 1, processRows: [0], tenantShares: [], tenantRanks: [], threshold: threshold)
    }

    /// A scenario failing every request for `minutes` whole minutes from `startMinute`.
    static func outage(startMinute: Int, minutes: Int, rule: String? = "api5xx") -> (PlacedScenario, ScenarioEffect) {
        let effect = ScenarioEffect(scenario: "x", level: 0, preBins: 0, failed: Array(repeating: 100, count: minutes * 6), arrivalRate: 10,
                                    incidents: [ScenarioEffect.Incident(process: "p", faultKind: "api5xx", rule: rule)])
        let placed = PlacedScenario(onset: .minutes(Int64(startMinute)), source: .exact(0), level: 0, processes: [0])
        return (placed, effect)
    }

    static func year(_ scenarios: [(PlacedScenario, ScenarioEffect)], assembler: YearAssembler = assembler()) -> YearResult {
        var placed: [PlacedScenario] = []
        var effects: [ScenarioEffect] = []
        for (index, scenario) in scenarios.enumerated() {
            var copy = scenario.0
            copy.source = .exact(index)
            placed.append(copy)
            effects.append(scenario.1)
        }
        let inputs = AssemblyInputs(library: [], exact: effects, entryForSlot: { _ in 0 }, backgroundPerBin: [0], backgroundShare: [0])
        return assembler.assemble(year: 0, incidents: placed.count, placed: placed, inputs: inputs)
    }

    @Test func minutesBlocksAndDowntimePeriods() {
        // Minutes 10–16 down: blocks 10–14 (all down) and 15–19 (2 of 5 minutes: 40 % errors) are down.
        let seven = Self.year([Self.outage(startMinute: 10, minutes: 7)])
        #expect(seven.downMinutes == 7)
        #expect(seven.downBlocks == 2)
        #expect(seven.downtimePeriodMinutes == 7)
        #expect(seven.failed == 7 * 600)
        #expect(seven.requests == 2 * 3600 * 10)
        #expect(seven.downMinutesByRow == [7, 0, 0, 0])
        // Three minutes are no downtime period; two outages a minute apart are two runs.
        let split = Self.year([Self.outage(startMinute: 10, minutes: 3), Self.outage(startMinute: 14, minutes: 4)])
        #expect(split.downMinutes == 7)
        #expect(split.downtimePeriodMinutes == 0)
        let joined = Self.year([Self.outage(startMinute: 10, minutes: 3), Self.outage(startMinute: 13, minutes: 4)])
        #expect(joined.downtimePeriodMinutes == 7, "consecutive minutes of two scenarios make one period")
    }

    // Before, the row was the one whose rule acted: this outage of row 1's process, acted on by
    // row 2's rule, counted for row 2 and left row 1 at 0 %.
    @Test("Downtime counts for the fault process's own trigger row, whichever rule acted")
    func downtimeGoesToTheFaultsRow() {
        var settings = UptimeSettings()
        settings.yearLength = .hours(2)
        let assembler = YearAssembler(settings: settings, levels: [LoadLevel(requestsPerSecond: 10, share: 1)],
                                      processNames: ["db-outage", "unrowed"], triggerRows: 2, processRows: [0, nil],
                                      tenantShares: [], tenantRanks: [], threshold: 0.05)
        let actedOnByAnotherRule = Self.outage(startMinute: 10, minutes: 7, rule: "api5xx")
        let year = Self.year([actedOnByAnotherRule], assembler: assembler)
        #expect(year.downMinutesByRow == [7, 0, 0, 0, 0])     // row 1, row 2, no trigger row, overlap, background
        #expect(year.failedByRow[0] == 7 * 600)
        var unrowed = Self.outage(startMinute: 30, minutes: 2, rule: "api5xx")
        unrowed.0.processes = [1]
        #expect(Self.year([unrowed], assembler: assembler).downMinutesByRow == [0, 0, 2, 0, 0])
    }

    @Test func aMinuteIsDownOnlyStrictlyAboveTheLine() {
        // 3 failures in 60 requests is exactly 5 %: not down. 4 is.
        let at = ScenarioEffect(scenario: "x", level: 0, preBins: 0, failed: [3, 0, 0, 0, 0, 0], arrivalRate: 1)
        let above = ScenarioEffect(scenario: "x", level: 0, preBins: 0, failed: [4, 0, 0, 0, 0, 0], arrivalRate: 1)
        let placed = PlacedScenario(onset: .minutes(5), source: .exact(0), level: 0, processes: [0])
        let assembler = YearAssembler(settings: { var s = UptimeSettings(); s.yearLength = .hours(1); return s }(),
                                      levels: [LoadLevel(requestsPerSecond: 1, share: 1)], processNames: ["p"], triggerRows: 0, processRows: [nil],
                                      tenantShares: [], tenantRanks: [], threshold: 0.05)
        #expect(Self.year([(placed, at)], assembler: assembler).downMinutes == 0)
        #expect(Self.year([(placed, above)], assembler: assembler).downMinutes == 1)
    }

    @Test func aFaultRunningOverTheYearsEndCountsOnlyInside() {
        // Two hours; an outage of 10 minutes from minute 115: 5 minutes inside.
        let year = Self.year([Self.outage(startMinute: 115, minutes: 10)])
        #expect(year.downMinutes == 5)
        #expect(year.failed == 5 * 600)
    }

    @Test func aLibraryRunIsAdjustedToTheIncidentsDuration() {
        // A library run of a 60 s fault after 2 bins, steady at 50 failures per bin, then quiet.
        let effect = ScenarioEffect(scenario: "lib", level: 0, preBins: 2, failed: [0, 0, 50, 50, 50, 50, 50, 50, 0, 0], arrivalRate: 10,
                                    faultEndBin: 7, faultSeconds: 60)
        let slot = LibrarySlot(process: 0, level: 0, band: 0, position: 0)
        func year(duration: SimDuration) -> YearResult {
            let placed = PlacedScenario(onset: .minutes(10), source: .library(slot: slot, duration: duration), level: 0, processes: [0])
            let inputs = AssemblyInputs(library: [effect], exact: [], entryForSlot: { _ in 0 }, backgroundPerBin: [0], backgroundShare: [0])
            return Self.assembler().assemble(year: 0, incidents: 1, placed: [placed], inputs: inputs)
        }
        #expect(year(duration: .seconds(60)).failed == 300)
        #expect(year(duration: .seconds(100)).failed == 500, "four more bins of the steady state")
        #expect(year(duration: .seconds(30)).failed == 150, "three bins before the end removed")
        #expect(year(duration: .seconds(1)).failed == 50, "never fewer than the bin that holds the end")
    }

    @Test func compressionKeepsEveryInstantAndWholeBins() {
        // A 50-minute fault with a 5-minute fault inside it from minute 45: the first 45 minutes
        // compress to 10 minutes plus less than a bin; the rest is kept.
        let scenario = Scenario(name: "s", level: 0, faults: [ScenarioFault(process: "a", offset: .zero, duration: .minutes(50)),
                                                              ScenarioFault(process: "b", offset: .minutes(45), duration: .seconds(305))],
                                seed: 1)
        let compressed = scenario.compressed(after: .minutes(10), preBins: 2)
        #expect(compressed.cuts == [ScenarioCut(bin: 2 + 60 - 1, bins: 210)])
        #expect(compressed.faults[0].offset == .zero && compressed.faults[0].duration == .minutes(15))
        #expect(compressed.faults[1].offset == .minutes(10) && compressed.faults[1].duration == .seconds(305))
        #expect(compressed.span == .seconds(15 * 60 + 5))
        // Expanded length = simulated length + removed bins = the scenario's own length.
        #expect(compressed.span.nanoseconds + 210 * ScenarioEffect.binLength.nanoseconds == scenario.span.nanoseconds)
    }

    @Test func backgroundAloneRarelyMakesADownMinute() {
        // Poisson(1.8) above 50 of 1,000: as good as never; Poisson(3) above 2 of 40: P(X ≥ 3).
        #expect(YearAssembler.chanceAbove(mean: 1.8, total: 1000, threshold: 0.05) < 1e-40)
        let direct = 1 - Foundation.exp(-3) * (1 + 3 + 4.5)
        #expect(abs(YearAssembler.chanceAbove(mean: 3, total: 40, threshold: 0.05) - direct) < 1e-12)
    }

    @Test func loadLevelsParseAndValidate() throws {
        #expect(try LoadLevel.parseList("1000:0.75,2000:0.25") == [LoadLevel(requestsPerSecond: 1000, share: 0.75),
                                                                  LoadLevel(requestsPerSecond: 2000, share: 0.25)])
        #expect(try LoadLevel.parseList("500") == [LoadLevel(requestsPerSecond: 500, share: 1)])
        #expect(throws: ModelError.self) { try LoadLevel.parseList("1000:0.5") }
        #expect(throws: ModelError.self) { try LoadLevel.parseList("1000:0.5,1000:0.5") }
        #expect(throws: ModelError.self) { try LoadLevel.parseList("fast") }
    }
}
