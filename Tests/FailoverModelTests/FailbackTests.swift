import Foundation
import Testing
@testable import FailoverModel
import RunResults
import SimulationCore

@Suite("Failback")
struct FailbackTests {
    @Test("The DB rule's failback ends only when the primary database's breakers have closed")
    func failbackWaitsForBreakers() throws {
        let outage = TriggerRowTests.databaseOutage
        let short = try run(try referenceModel(), experiment([outage], duration: .minutes(12)))
        let long = try run(try referenceModel(overrides: ["breakers[0].resetTimeout": "5m"]), experiment([outage], duration: .minutes(12)))
        let shortIncident = try #require(short.incidents.first)
        let longIncident = try #require(long.incidents.first)
        let shortEnd = try #require(shortIncident.failbackEndedAtSeconds)
        let longEnd = try #require(longIncident.failbackEndedAtSeconds)
        // Breakers open within seconds of the outage's onset (60 s after the warm-up); with a 5 min
        // reset they cannot close before onset + 5 min.
        #expect(longEnd >= outage.at.seconds + 300)
        #expect(longEnd > shortEnd)
        // The same recovery: the controller's switch, not the breakers, restores reads.
        #expect(shortIncident.recoverySeconds == longIncident.recoverySeconds)
        // Every opened breaker guarding the primary has closed by the failback's end.
        let breakerLog = long.events.filter { $0.kind == "breakerTransition" && $0.subject.contains("→db-us-central1") }
        let lastClose = try #require(breakerLog.last { $0.detail.hasPrefix("HALF_OPEN → CLOSED") })
        #expect(abs(lastClose.timeSeconds - longEnd) < 1e-6)
        // While they stay open, reads back on the primary fail fast: failback impact.
        #expect(longIncident.failbackRequestsFailed > shortIncident.failbackRequestsFailed)
    }
}
