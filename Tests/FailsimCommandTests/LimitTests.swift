import Foundation
import Testing

@Suite("Limits")
struct LimitTests {
    @Test("Absurd sizes are clear errors (65) before anything runs: 10⁹ tenants, a thousand-year run, a million instances")
    func absurdSizes() throws {
        let failsim = try Failsim()
        for (override, expected) in [("traffic.tenants: \"1000000000\"", "--max-tenants"),
                                     ("service.maxInstances: \"1000000\"", "--max-instances")] {
            let text = Failsim.shortExperiment.replacingOccurrences(of: "overrides: {traffic.requestsPerSecond: \"200\"}",
                                                                    with: "overrides: {traffic.requestsPerSecond: \"200\", \(override)}")
            let file = try failsim.write("absurd.yaml", text)
            let invocation = try failsim.run(["run", file, "--db", failsim.db])
            #expect(invocation.status == 65, "\(override): \(invocation.stderr)")
            #expect(invocation.stderr.contains(expected), "\(invocation.stderr)")
        }
        let long = try failsim.write("long.yaml", Failsim.shortExperiment.replacingOccurrences(of: "duration: 3m", with: "duration: 1000d"))
        let invocation = try failsim.run(["run", long, "--db", failsim.db])
        #expect(invocation.status == 65)
        #expect(invocation.stderr.contains("--max-simulated"), "\(invocation.stderr)")
        // Beyond what the time type holds, the file itself is refused, with its line.
        let beyond = try failsim.write("beyond.yaml", Failsim.shortExperiment.replacingOccurrences(of: "duration: 3m", with: "duration: 365000d"))
        let refused = try failsim.run(["run", beyond, "--db", failsim.db])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("beyond.yaml:") && refused.stderr.contains("292 years"), "\(refused.stderr)")
        #expect(try failsim.storedRuns().isEmpty)
        // Raised, the same size is allowed as far as the limit goes (the run itself is not started here).
        let tooBig = try failsim.run(["sweep", failsim.experiment, "--db", failsim.db, "--seeds", "2000000"])
        #expect(tooBig.status == 64)
        let many = try failsim.run(["sweep", failsim.experiment, "--db", failsim.db, "--seeds", "400", "--max-runs", "100", "--plan"])
        #expect(many.status == 64 && many.stderr.contains("--max-runs"))
    }

    @Test("The event limit stops a run with a clear, stored outcome")
    func eventLimit() throws {
        let failsim = try Failsim()
        let invocation = try failsim.runShort(["--max-events", "50000", "--json"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let document = try #require(try invocation.json() as? [String: Any])
        let run = try #require(document["run"] as? [String: Any])
        #expect(run["status"] as? String == "stoppedAtEventLimit")
        #expect((run["statusDetail"] as? String)?.contains("event limit of 50000") == true, "\(String(describing: run["statusDetail"]))")
        #expect((run["events"] as? Int) == 50000)
        #expect(try failsim.run(["run", failsim.experiment, "--db", failsim.db, "--max-events", "0"]).status == 64)
    }
}
