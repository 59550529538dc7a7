import Foundation
import RunStore
import Testing

/// `failsim uptime` end to end on a small single-region model and short years.
@Suite("failsim uptime", .serialized)
struct UptimeCommandTests {
    static let model = """
        kind: model
        name: single-region
        regions: {primary: only}
        traffic: {requestsPerSecond: 2, tenants: 20, tenantSkew: 1, employeesPerTenant: 1,
                  mix: {read: 1, write: 0, batch: 0, report: 0}, deadline: 10s}
        service: {instances: 2, concurrency: 20, queueLimit: 1000,
                  processing: {lognormal: {median: 3ms, p99: 15ms}}, backgroundErrorRate: 0.001}
        slo: {latency: [], uptime: 0.999, recoveryErrorRate: 0.01, stabilityWindow: 10s}
        """

    static let experiment = """
        kind: experiment
        name: small-uptime
        model: single-model.yaml
        duration: 1h
        faults: []
        faultProcesses:
          - name: api-down
            every: {exponential: {mean: 90m}}
            duration: {exponential: {mean: 10m}}
            faults: [{kind: api5xx, fraction: 1}]
        """

    static let small = ["--year-length", "8h", "--resamples", "2", "--bands", "2", "--entries-per-band", "2",
                        "--long-entries", "1", "--compress-after", "5m", "--post", "1m", "--jobs", "2"]

    func prepare() throws -> (Failsim, String) {
        let failsim = try Failsim()
        try failsim.write("single-model.yaml", Self.model)
        return (failsim, try failsim.write("small-uptime.yaml", Self.experiment))
    }

    @Test("--json stores the study, its years and its runs; a second study reuses every run; more years only add years")
    func storesAndReuses() throws {
        let (failsim, experiment) = try prepare()
        let first = try failsim.run(["uptime", experiment, "--years", "4", "--json", "--db", failsim.db] + Self.small)
        #expect(first.status == 0, "\(first.stderr)")
        let document = try #require(try first.json() as? [String: Any])
        let study = try #require(document["study"] as? [String: Any])
        let report = try #require(document["report"] as? [String: Any])
        for key in ["id", "studyKey", "digest", "wallSeconds", "scenarios", "scenariosFromStore", "scenariosSimulated"] {
            #expect(study[key] != nil, "study lacks \(key)")
        }
        for key in ["measures", "faultTypeShares", "rowShares", "regionLoss", "tenants", "library", "years", "target", "budgetMinutes"] {
            #expect(report[key] != nil, "report lacks \(key)")
        }
        let measures = try #require(report["measures"] as? [[String: Any]])
        #expect(measures.compactMap { $0["measure"] as? String } == ["requests", "minutes", "fiveMinuteBlocks", "downtimePeriods"])
        let meets = try #require(measures[0]["meetsTarget"] as? [String: Any])
        for key in ["proportion", "lower", "upper", "librarySD", "successes", "trials"] { #expect(meets[key] != nil, "meetsTarget lacks \(key)") }
        let years = try #require(report["years"] as? [[String: Any]])
        #expect(years.count == 4)
        let tenants = try #require(report["tenants"] as? [[String: Any]])
        #expect(tenants.compactMap { $0["rank"] as? Int } == [1, 10, 20], "largest, rank 10 and the smallest of 20 tenants")
        let simulated = try #require(study["scenariosSimulated"] as? Int)
        #expect(simulated > 0 && study["scenariosFromStore"] as? Int == 0)

        let store = try RunStore(path: failsim.db)
        #expect(try store.uptimeStudies().count == 1)
        #expect(try store.uptimeYears(studyID: try #require(study["id"] as? Int).int64).count == 4)
        let runs = try store.runs()
        #expect(runs.count == simulated, "every simulated scenario is a stored run")
        #expect(runs.allSatisfy { $0.variant.hasPrefix("uptime:") && $0.experiment == "small-uptime" })

        // Again: every run comes from the store, and the report is the same.
        let second = try failsim.run(["uptime", experiment, "--years", "4", "--json", "--db", failsim.db] + Self.small)
        #expect(second.status == 0, "\(second.stderr)")
        let again = try #require(try second.json() as? [String: Any])
        let againStudy = try #require(again["study"] as? [String: Any])
        #expect(againStudy["scenariosSimulated"] as? Int == 0)
        #expect(againStudy["digest"] as? String == study["digest"] as? String)
        #expect(try store.runs().count == runs.count)

        // More years: the first four are the same years.
        let longer = try failsim.run(["uptime", experiment, "--years", "6", "--json", "--db", failsim.db] + Self.small)
        #expect(longer.status == 0, "\(longer.stderr)")
        let longerDocument = try #require(try longer.json() as? [String: Any])
        let longerReport = try #require(longerDocument["report"] as? [String: Any])
        let longerYears = try #require(longerReport["years"] as? [[String: Any]])
        #expect(longerYears.count == 6)
        let prefix = try JSONSerialization.data(withJSONObject: Array(longerYears.prefix(4)), options: [.sortedKeys])
        #expect(prefix == (try JSONSerialization.data(withJSONObject: years, options: [.sortedKeys])))
    }

    @Test("the human summary has the distribution, the budget shares and where it was stored")
    func summary() throws {
        let (failsim, experiment) = try prepare()
        let invocation = try failsim.run(["uptime", experiment, "--years", "3", "--db", failsim.db, "--tenant", "2"] + Self.small)
        #expect(invocation.status == 0, "\(invocation.stderr)")
        for text in ["Downtime per year", "request-based", "down minutes", "5-minute blocks", "downtime periods", "P(meet)",
                     "Share of the downtime budget", "api-down", "background", "rank 2", "Stored as uptime study 1"] {
            #expect(invocation.stdout.contains(text), "summary lacks \(text)")
        }
    }

    @Test("bad usage exits 64, a bad or unsuitable experiment 65")
    func errors() throws {
        let (failsim, experiment) = try prepare()
        #expect(try failsim.run(["uptime", experiment, "--years", "0", "--db", failsim.db]).status == 64)
        #expect(try failsim.run(["uptime", experiment, "--load", "2:0.5", "--db", failsim.db]).status == 64)
        #expect(try failsim.run(["uptime", experiment, "--year-length", "soon", "--db", failsim.db]).status == 64)
        let scripted = try failsim.run(["uptime", failsim.experiment, "--db", failsim.db])
        #expect(scripted.status == 65, "an experiment without fault processes: \(scripted.stderr)")
        #expect(scripted.stderr.contains("faultProcesses"))
        #expect(try failsim.run(["uptime", "missing.yaml", "--db", failsim.db]).status == 65)
        let help = try failsim.run(["uptime", "--help"])
        for word in ["--years", "--seed", "--jobs", "--json", "--db", "--load", "--tenant", "Exit codes"] {
            #expect(help.stdout.contains(word), "uptime help lacks \(word)")
        }
    }
}

private extension Int {
    var int64: Int64 { Int64(self) }
}
