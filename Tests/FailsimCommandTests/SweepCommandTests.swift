import Foundation
import RunStore
import Testing

@Suite("failsim sweep")
struct SweepCommandTests {
    /// Twelve tiny runs (4 variants × 3 seeds, a minute at 50 req/s): a fraction of a second each.
    static let tinySweep = """
        kind: experiment
        name: tiny-sweep
        model: esta-tracker.yaml
        warmUp: 5s
        duration: 1m
        seeds: 3
        overrides: {traffic.requestsPerSecond: "50"}
        faults:
          - {name: db, kind: databaseUnreachable, at: 15s, duration: 20s, mode: refuse, row: 1}
        variants:
          - {name: slow-checks, overrides: {healthChecks.interval: 30s}}
        sweep:
          parameters:
            - {name: "breakers[0].failureThreshold", values: ["3", "20"]}

        """

    @Test("A sweep stores every variant × seed once; a second sweep runs nothing; --plan shows what is stored")
    func sweepAndResume() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("tiny.yaml", Self.tinySweep)
        let first = try failsim.run(["sweep", experiment, "--db", failsim.db, "--jobs", "2", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(try first.json() as? [String: Any])
        #expect(summary["planned"] as? Int == 12)
        #expect(summary["ran"] as? Int == 12)
        let again = try failsim.run(["sweep", experiment, "--db", failsim.db, "--json"])
        let second = try #require(try again.json() as? [String: Any])
        #expect(second["ran"] as? Int == 0)
        #expect(second["skipped"] as? Int == 12)
        let plan = try failsim.run(["sweep", experiment, "--db", failsim.db, "--plan", "--json", "--seeds", "4"])
        let runs = try #require((try plan.json() as? [String: Any])?["runs"] as? [[String: Any]])
        #expect(runs.count == 16)
        #expect(runs.filter { $0["stored"] as? Bool == true }.count == 12)
        #expect(try failsim.storedRuns().count == 12)
    }

    @Test("--plan and --missing only read: no database is created, an existing one is left byte for byte")
    func planOnlyReads() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("tiny.yaml", Self.tinySweep)
        let fresh = try failsim.run(["sweep", experiment, "--db", failsim.db, "--missing"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(fresh.stdout.contains("12 runs of tiny-sweep not stored"))
        #expect(!FileManager.default.fileExists(atPath: failsim.db), "a look at the plan creates no database")
        let sweep = try failsim.run(["sweep", experiment, "--db", failsim.db, "--seeds", "1"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: failsim.db))
        let missing = try failsim.run(["sweep", experiment, "--db", failsim.db, "--missing"])
        #expect(missing.status == 0, "\(missing.stderr)")
        #expect(missing.stdout.contains("8 runs of tiny-sweep not stored"))
        let plan = try failsim.run(["sweep", experiment, "--db", failsim.db, "--plan"])
        #expect(plan.status == 0 && plan.stdout.contains("4 stored already"), "\(plan.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: failsim.db)) == before)
    }

    @Test("Bad usage and bad input: unknown variant 64, malformed --seeds 64, a bad grid 65")
    func errors() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("tiny.yaml", Self.tinySweep)
        #expect(try failsim.run(["sweep", experiment, "--db", failsim.db, "--variant", "nope"]).status == 64)
        #expect(try failsim.run(["sweep", experiment, "--db", failsim.db, "--seeds", "1,x"]).status == 64)
        let bad = try failsim.write("bad.yaml", Self.tinySweep.replacingOccurrences(of: "breakers[0].failureThreshold", with: "breakers[0].failureTreshold"))
        let invocation = try failsim.run(["sweep", bad, "--db", failsim.db])
        #expect(invocation.status == 65)
        #expect(invocation.stderr.contains("failureTreshold"))
        #expect(try failsim.storedRuns().isEmpty)
    }

    @Test("A sweep killed with SIGKILL at random moments, 20 times, ends with every run stored once and a sound database")
    func killedSweeps() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("tiny.yaml", Self.tinySweep.replacingOccurrences(of: "seeds: 3", with: "seeds: 6"))
        let executable = try #require(Failsim.executable)
        // Kill moments from a fixed generator, so that a failure can be replayed.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func nextDelay() -> Double {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return 0.05 + Double(z >> 11) / Double(1 << 53) * 0.6
        }
        var killed = 0
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["sweep", experiment, "--db", failsim.db, "--jobs", "2"]
            process.currentDirectoryURL = failsim.folder
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: nextDelay())
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
        }
        #expect(killed >= 10, "most attempts were killed mid-sweep (\(killed) of 20)")
        let finish = try failsim.run(["sweep", experiment, "--db", failsim.db, "--json"])
        #expect(finish.status == 0, "\(finish.stderr)")
        let runs = try failsim.storedRuns()
        #expect(runs.count == 24)
        #expect(Set(runs.compactMap { $0["runKey"] as? String }).count == 24)
        let store = try RunStore(path: failsim.db)
        #expect(try store.integrityCheck() == ["ok"])
        for summary in try store.runs() {
            let run = try #require(try store.run(id: summary.id))
            #expect(run.hasValidDigest, "run \(summary.id) is whole")
        }
    }
}
