import Foundation
import Testing

@Suite("failsim report", .serialized)
struct ReportCommandTests {
    /// Every file of a report folder, by name.
    static func files(in folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return files
    }

    @Test("help names the options, the outputs and the exit codes; failsim --help lists report")
    func help() throws {
        let failsim = try Failsim()
        let help = try failsim.run(["report", "--help"])
        #expect(help.status == 0)
        for word in ["--experiment", "--variant", "--seed", "--baseline", "--db", "--out", "report.html", "README.md", "sources.json",
                     "notebooks-output/<experiment name>/", "Exit codes", "64", "65", "74"] {
            #expect(help.stdout.contains(word), "report help lacks \(word)")
        }
        #expect(try failsim.run(["--help"]).stdout.contains("report"))
    }

    @Test("a run's report: the default folder names experiment, variant and seed, never the row id")
    func runReport() throws {
        let failsim = try Failsim()
        #expect(try failsim.runShort().status == 0)
        let invocation = try failsim.run(["report", "1", "--db", failsim.db])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let folder = failsim.folder.appendingPathComponent("notebooks-output/run-short-test-baseline-seed7")
        let files = try Self.files(in: folder)
        for name in ["report.html", "README.md", "sources.json", "timeline.svg", "timeline.csv", "states.svg", "states.csv", "events.csv"] {
            #expect(files[name] != nil, "the run report has \(name)")
        }
        let sources = try #require(try JSONSerialization.jsonObject(with: files["sources.json"]!) as? [String: Any])
        #expect(sources["kind"] as? String == "run")
        #expect(sources["experimentFile"] == nil || sources["experimentFile"] is NSNull)
        let runs = try #require(sources["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        #expect(runs[0]["id"] == nil, "no row id in the sources")
        #expect((runs[0]["runKey"] as? String)?.count == 64)
        let markdown = String(decoding: files["README.md"]!, as: UTF8.self)
        #expect(markdown.contains("# Run report: short-test — baseline, seed 7"))
        #expect(!markdown.contains("Run 1") && !markdown.contains("run 1 "), "no row id in the report")

        // The same run found through the experiment: the same bytes, and the file recorded.
        let byVariant = try failsim.run(["report", "--experiment", failsim.experiment, "--variant", "baseline", "--db", failsim.db,
                                         "--out", "by-variant"])
        #expect(byVariant.status == 0, "\(byVariant.stderr)")
        let again = try Self.files(in: failsim.folder.appendingPathComponent("by-variant"))
        #expect(again["timeline.svg"] == files["timeline.svg"])
        #expect(String(decoding: again["sources.json"]!, as: UTF8.self).contains("\"experimentFile\" : \"\(failsim.experiment)\""))
    }

    @Test("an experiment's report: every chart, byte-identical on repeat, stale files removed, older runs left out")
    func experimentReport() throws {
        let failsim = try Failsim()
        let sweep = try failsim.run(["sweep", failsim.experiment, "--db", failsim.db, "--jobs", "2"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let first = try failsim.run(["report", "--experiment", failsim.experiment, "--db", failsim.db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("from 3 runs of short-test"))
        let folder = failsim.folder.appendingPathComponent("notebooks-output/short-test")
        let files = try Self.files(in: folder)
        for name in ["report.html", "README.md", "sources.json", "pass-rates.svg", "pass-rates.csv", "recovery-row1.svg",
                     "recovery-row1.csv", "latency-pooled.csv"] {
            #expect(files[name] != nil, "the experiment report has \(name)")
        }
        let markdown = String(decoding: files["README.md"]!, as: UTF8.self)
        #expect(markdown.contains("triggers[0].target = 1s"), "the variants table shows each variant's overrides")

        // A previous report's file that this one no longer writes goes; a file of the user's stays.
        let sourcesURL = folder.appendingPathComponent("sources.json")
        var sources = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sourcesURL)) as? [String: Any])
        sources["files"] = (sources["files"] as! [String]) + ["old-chart.svg"]
        try JSONSerialization.data(withJSONObject: sources).write(to: sourcesURL)
        try Data("old".utf8).write(to: folder.appendingPathComponent("old-chart.svg"))
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let second = try failsim.run(["report", "--experiment", failsim.experiment, "--db", failsim.db])
        #expect(second.status == 0, "\(second.stderr)")
        var after = try Self.files(in: folder)
        #expect(after["old-chart.svg"] == nil)
        #expect(after.removeValue(forKey: "notes.txt") != nil)
        #expect(after == files, "the same runs give the same bytes")

        // Runs of an earlier version of the experiment are left out and counted.
        let edited = try String(contentsOfFile: failsim.experiment, encoding: .utf8).replacingOccurrences(of: "duration: 60s", with: "duration: 45s")
        try failsim.write("short.yaml", edited)
        #expect(try failsim.run(["run", failsim.experiment, "--db", failsim.db]).status == 0)
        let third = try failsim.run(["report", "--experiment", failsim.experiment, "--db", failsim.db, "--out", "edited"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("from 1 run of short-test"))
        let notes = try String(contentsOf: failsim.folder.appendingPathComponent("edited/README.md"), encoding: .utf8)
        #expect(notes.contains("3 stored runs of this experiment from other inputs"))
    }

    @Test("usage errors exit 64, a bad experiment file 65, a missing or bad database 74")
    func errors() throws {
        let failsim = try Failsim()
        #expect(try failsim.run(["report"]).status == 64)
        #expect(try failsim.run(["report", "1", "--experiment", failsim.experiment]).status == 64)
        #expect(try failsim.run(["report", "--experiment", failsim.experiment, "--seed", "3"]).status == 64)
        #expect(try failsim.run(["report", "1", "--variant", "baseline"]).status == 64)

        let missing = try failsim.run(["report", "1", "--db", "nowhere.sqlite"])
        #expect(missing.status == 74)
        #expect(missing.stderr.contains("nowhere.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: failsim.folder.appendingPathComponent("nowhere.sqlite").path),
                "a report never creates a database")

        #expect(try failsim.runShort().status == 0)
        let unknownRun = try failsim.run(["report", "99", "--db", failsim.db])
        #expect(unknownRun.status == 64)
        #expect(unknownRun.stderr.contains("no run with id 99"))
        let unknownVariant = try failsim.run(["report", "--experiment", failsim.experiment, "--variant", "nope", "--db", failsim.db])
        #expect(unknownVariant.status == 64)
        #expect(unknownVariant.stderr.contains("slow-dns-checks"))
        let notStored = try failsim.run(["report", "--experiment", failsim.experiment, "--variant", "impossible", "--db", failsim.db])
        #expect(notStored.status == 64)
        #expect(notStored.stderr.contains("failsim run"))

        let bad = try failsim.write("bad.yaml", "kind: experiment\nname: bad\nmodel: esta-tracker.yaml\nduration: soon\nfaults: []\n")
        let badFile = try failsim.run(["report", "--experiment", bad, "--db", failsim.db])
        #expect(badFile.status == 65)
        #expect(badFile.stderr.contains("bad.yaml"))
        let other = try failsim.write("other.yaml", try String(contentsOfFile: failsim.experiment, encoding: .utf8)
            .replacingOccurrences(of: "name: short-test", with: "name: never-run"))
        let noRuns = try failsim.run(["report", "--experiment", other, "--db", failsim.db])
        #expect(noRuns.status == 64)
        #expect(noRuns.stderr.contains("failsim sweep"))

        let garbage = try failsim.write("garbage.sqlite", String(repeating: "not a database ", count: 100))
        #expect(try failsim.run(["report", "1", "--db", garbage]).status == 74)

        try Data().write(to: failsim.folder.appendingPathComponent("blocked"))
        let unwritable = try failsim.run(["report", "1", "--db", failsim.db, "--out", "blocked/report"])
        #expect(unwritable.status == 74)
    }
}
