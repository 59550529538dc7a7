import Foundation
import Testing

/// One definition of a run's checks (the experiment's `checks:`), named wherever runs are judged.
@Suite("failsim checks: run, sweep, compare, report and --json agree", .serialized)
struct ChecksCommandTests {
    /// The short experiment with checks no run of it can pass (availability above what a
    /// minute-long database outage allows) besides its trigger rows.
    static func experiment(in failsim: Failsim) throws -> String {
        let text = Failsim.shortExperiment
            .replacingOccurrences(of: "seeds: [7]", with: "seeds: [7, 8]\nchecks: {triggers: true, availability: 0.99999, writesLost: 1000000}")
        return try failsim.write("checked.yaml", text)
    }

    // Before: `run --check` exited 1 while its summary said "1 of 1 rows passed", and the JSON had
    // no `checks`; the sweep counted these checks while compare counted trigger rows only.
    @Test("run names each failing check, --json lists every check, --check exits 1")
    func runNamesFailingChecks() throws {
        let failsim = try Failsim()
        let experiment = try Self.experiment(in: failsim)
        let human = try failsim.run(["run", experiment, "--db", failsim.db, "--check"])
        #expect(human.status == 1, "\(human.stderr)")
        #expect(human.stdout.contains("Checks (run completed, trigger rows, availability ≥ 0.99999, writes lost ≤ 1000000): 3 of 4 passed; failing:"),
                "\(human.stdout)")
        #expect(human.stdout.contains("FAIL availability ≥ 0.99999: 0.9"), "\(human.stdout)")
        let json = try failsim.run(["run", experiment, "--db", failsim.db, "--json"])
        #expect(json.status == 0)
        let document = try #require(try json.json() as? [String: Any])
        let checks = try #require(document["checks"] as? [String: Any], "--json has no checks")
        #expect(checks["passed"] as? Bool == false)
        let results = try #require(checks["results"] as? [[String: Any]])
        #expect(results.map { $0["name"] as? String } == ["run completed", "row 1 (Primary DB unreachable >30s)",
                                                          "availability ≥ 0.99999", "writes lost ≤ 1000000"])
        #expect(results.map { $0["passed"] as? Bool } == [true, true, false, true])
        #expect(results.allSatisfy { $0["value"] is String })
    }

    @Test("sweep, compare and report count the same checks and name the failing one")
    func sweepCompareAndReportAgree() throws {
        let failsim = try Failsim()
        let experiment = try Self.experiment(in: failsim)
        let sweep = try failsim.run(["sweep", experiment, "--db", failsim.db, "--variant", "baseline", "--variant", "impossible", "--jobs", "2"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let lines = sweep.stdout.split(separator: "\n").map(String.init)
        let baseline = try #require(lines.first { $0.hasPrefix("baseline ") })
        #expect(baseline.contains("0/2") && baseline.contains("availability ≥ 0.99999: 2 runs"), "\(sweep.stdout)")
        let impossible = try #require(lines.first { $0.hasPrefix("impossible ") })
        #expect(impossible.contains("0/2") && impossible.contains("row 1 (Primary DB unreachable >30s): 2 runs"), "\(sweep.stdout)")

        let compare = try failsim.run(["compare", experiment, "--db", failsim.db])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("Checks (run completed, trigger rows, availability ≥ 0.99999, writes lost ≤ 1000000)"))
        let compared = compare.stdout.split(separator: "\n").map(String.init)
        let baselineRow = try #require(compared.first { $0.hasPrefix("  baseline ") && $0.contains("passed") == false && $0.contains("availability ≥") })
        #expect(baselineRow.contains("0/2"), "\(compare.stdout)")
        let json = try #require(try failsim.run(["compare", experiment, "--db", failsim.db, "--json"]).json() as? [String: Any])
        let variants = try #require(json["variants"] as? [[String: Any]])
        let tally = try #require(variants.first { $0["variant"] as? String == "baseline" }?["checks"] as? [String: Any])
        #expect(tally["passed"] as? Int == 0 && tally["runs"] as? Int == 2)

        let out = failsim.folder.appendingPathComponent("report").path
        let report = try failsim.run(["report", "--experiment", experiment, "--db", failsim.db, "--out", out])
        #expect(report.status == 0, "\(report.stderr)")
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("## Checks"))
        #expect(readme.contains("availability ≥ 0.99999: 2 runs"), "\(readme)")
    }
}
