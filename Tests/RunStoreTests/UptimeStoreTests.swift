import Foundation
@testable import RunStore
import Testing

@Suite("Uptime studies in the run store")
struct UptimeStoreTests {
    static func study(seed: UInt64 = 7, key: String = "key-1") -> StoredUptimeStudy {
        StoredUptimeStudy(studyKey: key, model: "m", modelHash: "mh", experiment: "annual", experimentHash: "eh", seed: seed,
                          years: 3, engineVersion: "0.2.0", digest: "d", report: Data(#"{"years":[]}"#.utf8), wallSeconds: 1.5)
    }

    static let years = (1...3).map {
        StoredUptimeYear(year: $0, incidents: 20 + $0, overlaps: $0 - 1, requestAvailability: 0.9995 - Double($0) * 1e-5,
                         downMinutes: Double($0) * 3.5, downBlocks: Double($0), downtimePeriodMinutes: 5 * $0)
    }

    @Test func aStudyAndItsYearsRoundTrip() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("uptime.sqlite"))
        let seed = UInt64.max - 3  // above Int64.max: stored by bit pattern, as run seeds are
        let id = try store.insertUptimeStudy(Self.study(seed: seed), years: Self.years)
        let loaded = try #require(try store.uptimeStudy(id: id))
        #expect(loaded.seed == seed)
        #expect(loaded.report == Self.study().report)
        #expect(loaded.studyKey == "key-1" && loaded.years == 3 && loaded.wallSeconds == 1.5)
        #expect(!loaded.storedAt.isEmpty)
        #expect(try store.uptimeYears(studyID: id) == Self.years)
        #expect(try store.uptimeStudies().map(\.id) == [id])
        let second = try store.insertUptimeStudy(Self.study(key: "key-1"), years: Self.years)
        #expect(try store.latestUptimeStudy(studyKey: "key-1")?.id == second)
        #expect(try store.latestUptimeStudy(studyKey: "other") == nil)
        #expect(try store.rowCounts()["run"] == 0, "studies do not touch the run table")
    }

    @Test func aYearThatIsNotANumberStoresNothing() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("uptime.sqlite"))
        var years = Self.years
        years[1].downMinutes = .nan
        #expect(throws: StoreError.self) { try store.insertUptimeStudy(Self.study(), years: years) }
        #expect(try store.uptimeStudies().isEmpty)
    }

    @Test func aRepeatedYearRollsTheStudyBack() throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(path: folder.path("uptime.sqlite"))
        #expect(throws: StoreError.self) { try store.insertUptimeStudy(Self.study(), years: Self.years + [Self.years[0]]) }
        #expect(try store.uptimeStudies().isEmpty, "the study row went with its years")
    }
}
