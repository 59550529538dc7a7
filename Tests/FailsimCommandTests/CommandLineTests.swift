import Foundation
import Testing

/// The command line's own manners (issue 15, items 10 and 15): version, unknown commands, every
/// error of a file, progress, help texts, plurals, one error style.
@Suite("failsim command line: version, did you mean, help texts, plurals, one error style", .serialized)
struct CommandLineTests {
    @Test("--version prints failsim's version and the engine's")
    func version() throws {
        let invocation = try Failsim().run(["--version"])
        #expect(invocation.status == 0)
        let line = invocation.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.wholeMatch(of: /failsim \d+\.\d+\.\d+ \(engine \d+\.\d+\.\d+\)/) != nil, "\(line)")
    }

    // Before: "Error: 2 unexpected arguments: 'swep', 'x.yaml'".
    @Test("An unknown subcommand gets a did-you-mean and exit 64")
    func unknownSubcommand() throws {
        let failsim = try Failsim()
        let typo = try failsim.run(["swep", "x.yaml"])
        #expect(typo.status == 64)
        #expect(typo.stderr.hasPrefix("error: unknown command 'swep'; did you mean 'sweep'?"), "\(typo.stderr)")
        #expect(!typo.stderr.contains("unexpected argument"))
        let help = try failsim.run(["help", "sweep"])
        #expect(help.status == 0 && help.stdout.contains("failsim sweep"), "\(help.stderr)")
        let unrelated = try failsim.run(["frobnicate"])
        #expect(unrelated.status == 64)
        #expect(unrelated.stderr.contains("unknown command 'frobnicate'") && !unrelated.stderr.contains("did you mean"))
    }

    // Before: ArgumentParser's "Error: …" next to failsim's "error: …" and a few "Error: …".
    @Test("Every error starts with 'error: '")
    func oneErrorStyle() throws {
        let failsim = try Failsim()
        for arguments in [["run", "--nope"], ["run", failsim.experiment, "--variant", "nope", "--db", failsim.db],
                          ["sweep", failsim.experiment, "--variant", "nope", "--db", failsim.db],
                          ["sweep", failsim.experiment, "--shard", "1", "--db", failsim.db], ["compare"]] {
            let invocation = try failsim.run(arguments)
            #expect(invocation.status == 64, "\(arguments)")
            #expect(invocation.stderr.hasPrefix("error: "), "\(arguments): \(invocation.stderr)")
            #expect(!invocation.stderr.contains("Error:"), "\(arguments): \(invocation.stderr)")
        }
    }

    // Before: validate stopped at the experiment's first bad variant.
    @Test("validate reports every variant's error, not the first only")
    func validateReportsEveryError() throws {
        let failsim = try Failsim()
        let text = Failsim.shortExperiment.replacingOccurrences(of: """
              - name: impossible
                overrides: {"triggers[0].target": 1s}
            """, with: """
              - name: bad-key
                overrides: {healthChecks.intervall: 30s}
              - name: bad-value
                overrides: {traffic.requestsPerSecond: "-5"}
            """)
        #expect(text != Failsim.shortExperiment)
        let file = try failsim.write("two-errors.yaml", text)
        let invocation = try failsim.run(["validate", file])
        #expect(invocation.status == 65)
        let errors = invocation.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 2, "\(invocation.stderr)")
        #expect(errors.contains { $0.contains("intervall") } && errors.contains { $0.contains("requestsPerSecond") }, "\(invocation.stderr)")
        #expect(invocation.stderr.contains("2 problems"))
    }

    // Before: "(default: every core). (default: 2)".
    @Test("--jobs help says its default once; each command's exit codes are its own")
    func helpTexts() throws {
        let failsim = try Failsim()
        for command in ["sweep", "uptime"] {
            let help = try failsim.run([command, "--help"]).stdout
            let jobs = try #require(help.split(separator: "\n").first { $0.contains("--jobs <n>") })
            #expect(jobs.components(separatedBy: "default").count == 2, "\(jobs)")
        }
        func exitCodes(_ command: String) throws -> String {
            let help = try failsim.run([command, "--help"]).stdout
            let start = try #require(help.range(of: "Exit codes:"))
            return String(help[start.lowerBound...]).components(separatedBy: "\n\n")[0]
        }
        let run = try exitCodes("run")
        #expect(run.contains("1   the run failed the experiment's checks"))
        let validate = try exitCodes("validate")
        #expect(!validate.contains("  1 ") && !validate.contains("74"), "\(validate)")
        #expect(validate.contains("65"))
        let show = try exitCodes("show")
        #expect(!show.contains("  1 ") && !show.contains("65") && show.contains("74"), "\(show)")
        let sweep = try exitCodes("sweep")
        #expect(sweep.contains("--until-ci") && !sweep.contains("--check"), "\(sweep)")
        let merge = try exitCodes("merge")
        #expect(merge.contains("missing"), "\(merge)")
    }

    // Before: "1 runs planned (1 variants × 1 seeds) … on 1 workers"; "recorded 1 successes".
    @Test("Counts of one are singular")
    func plurals() throws {
        let failsim = try Failsim()
        let sweep = try failsim.run(["sweep", failsim.experiment, "--variant", "baseline", "--jobs", "1", "--db", failsim.db])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("1 run planned (1 variant × 1 seed)"), "\(sweep.stdout)")
        #expect(sweep.stdout.contains("on 1 worker ("), "\(sweep.stdout)")
        let trace = try failsim.write("one.csv", "time,outcome\n0,success\n1,failure\n")
        let replay = try failsim.run(["breaker", "replay", "--policy", "reference", trace])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("recorded 1 success, 1 failure, 0 ignored; 0 attempts held a permit"), "\(replay.stdout)")
    }

    // Item 10. Before, the point equal to the baseline was planned and run as a run of its own.
    @Test("A sweep point with the baseline's model is named in the plan and the sweep, and not run")
    func duplicatePointIsNamed() throws {
        let failsim = try Failsim()
        let text = Failsim.shortExperiment + """
            sweep:
              parameters:
                - {name: "breakers[0].failureThreshold", values: ["5", "8"]}

            """
        let file = try failsim.write("dup.yaml", text)
        let plan = try failsim.run(["sweep", file, "--plan", "--db", failsim.db])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Variant 'failureThreshold=5' has the same model as 'baseline'"), "\(plan.stdout)")
        #expect(plan.stdout.hasPrefix("4 runs of short-test"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("  failureThreshold=5  seed"))
        let json = try #require(try failsim.run(["sweep", file, "--plan", "--json", "--db", failsim.db]).json() as? [String: Any])
        let same = try #require(json["sameModelAs"] as? [[String: String]])
        #expect(same == [["variant": "failureThreshold=5", "sameAs": "baseline"]])
    }

    // Progress goes to a terminal only; `script` gives the command one.
    @Test("uptime's progress shows an ETA on a terminal")
    func uptimeShowsAnETA() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let failsim = try Failsim()
        try failsim.write("single-model.yaml", UptimeCommandTests.model)
        let experiment = try failsim.write("small-uptime.yaml", UptimeCommandTests.experiment)
        let executable = try #require(Failsim.executable).path
        let command = ([executable, "uptime", experiment, "--years", "2", "--db", failsim.db] + UptimeCommandTests.small)
            .map { "'\($0)'" }.joined(separator: " ")
        let invocation = try failsim.run([], replacing: ["/usr/bin/script", "-qefc", command, "/dev/null"])
        #expect(invocation.status == 0, "\(invocation.stdout)")
        #expect(invocation.stdout.contains("library and overlap runs "), "\(invocation.stdout.prefix(2000))")
        #expect(invocation.stdout.range(of: #"ETA \d+:\d\d"#, options: .regularExpression) != nil, "\(invocation.stdout.prefix(2000))")
    }

    // Item 9. Before, the short experiment's fault `at: 30s` (warm-up 10 s) was at 20 s in the
    // JSON and the event log, and 0:20 in the report.
    @Test("One clock: a fault's onset is its `at:` in the JSON, the event log, the summary and the report")
    func oneClock() throws {
        let failsim = try Failsim()
        let invocation = try failsim.runShort(["--json"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let document = try #require(try invocation.json() as? [String: Any])
        let run = try #require(document["run"] as? [String: Any])
        #expect(run["measuredFromSeconds"] as? Double == 10)
        #expect((run["timeOrigin"] as? String)?.contains("simulation start") == true)
        let incident = try #require((document["incidents"] as? [[String: Any]])?.first)
        #expect(incident["onsetSeconds"] as? Double == 30)
        #expect(incident["endSeconds"] as? Double == 90)
        let id = try #require((run["id"] as? NSNumber)?.stringValue)
        let shown = try failsim.run(["show", id, "--db", failsim.db])
        #expect(shown.stdout.contains("times: the experiment's clock (t = 0 at the start of the simulation"), "\(shown.stdout)")
        #expect(shown.stdout.contains("measured from 10.0 s"))
        let out = failsim.folder.appendingPathComponent("clock-report").path
        #expect(try failsim.run(["report", id, "--db", failsim.db, "--out", out]).status == 0)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("measured from 0:10"), "\(readme.prefix(1500))")
        let events = try String(contentsOfFile: out + "/events.csv", encoding: .utf8)
        let faultStart = try #require(events.split(separator: "\n").first { $0.contains("faultStart") })
        #expect(faultStart.hasPrefix("30"), "\(faultStart)")
    }
}
