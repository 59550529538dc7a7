import Foundation
import RunStore
import Testing

/// `failsim compare` on runs stored by `failsim run` (the three-minute experiment of
/// ``Failsim/shortExperiment``: two variants × three seeds, and seed 7 of the baseline twice).
@Suite("failsim compare", .serialized)
struct CompareCommandTests {
    /// One database with stored runs, shared by the tests that only read it.
    final class StoredRuns: Sendable {
        let failsim: Failsim
        let ids: [Int]

        init() throws {
            failsim = try Failsim()
            var ids: [Int] = []
            for (variant, seed) in [("baseline", 7), ("baseline", 8), ("baseline", 9), ("slow-dns-checks", 7),
                                    ("slow-dns-checks", 8), ("slow-dns-checks", 9), ("baseline", 7)] {
                let invocation = try failsim.runShort(["--variant", variant, "--seed", "\(seed)", "--json"])
                guard invocation.status == 0 else { throw StoreFailure(message: invocation.stderr) }
                let run = (try invocation.json() as? [String: Any])?["run"] as? [String: Any]
                ids.append((run?["id"] as? NSNumber)?.intValue ?? -1)
            }
            self.ids = ids
        }

        struct StoreFailure: Error { var message: String }

        static let shared = Result { try StoredRuns() }
    }

    func stored() throws -> StoredRuns {
        try StoredRuns.shared.get()
    }

    @Test("help names the options and the exit codes; failsim --help lists compare")
    func help() throws {
        let failsim = try Failsim()
        let help = try failsim.run(["compare", "--help"])
        #expect(help.status == 0)
        for word in ["--db", "--baseline", "--json", "--runs", "--metric", "--rank-by", "Exit codes", "Holm", "Wilson", "censored"] {
            #expect(help.stdout.contains(word), "compare help lacks \(word)")
        }
        for line in help.stdout.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "help line too wide: \(line)")
        }
        #expect(try failsim.run(["--help"]).stdout.contains("compare"))
    }

    @Test("tables: pass rates, per-metric summaries, paired differences with Holm, ranking, notes")
    func tables() throws {
        let stored = try stored()
        let invocation = try stored.failsim.run(["compare", stored.failsim.experiment, "--db", stored.failsim.db])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let out = invocation.stdout
        for part in ["failsim compare: short-test", "baseline baseline", "Pass rates (Wilson 95 % intervals)",
                     "row1.recoveryTime (seconds; lower is better)", "mean [95 % CI]", "availability.requestBased",
                     "latency.db.p99", "Latency pooled over seeds", "Paired differences against baseline", "Family:",
                     "Holm-corrected", "Ranking (trigger pass rate, then mean recovery time)", "slow-dns-checks",
                     "baseline seed 7: 1 earlier run ignored"] {
            #expect(out.contains(part), "compare output lacks \(part)")
        }
        #expect(out.range(of: #"\d/3 \[\d+\.\d, \d+\.\d\] %"#, options: .regularExpression) != nil, "a pass rate of 3 seeds")
        #expect(out.contains("Runs: " + stored.ids.map(String.init).joined(separator: " ")))
        #expect(invocation.stderr.isEmpty)
    }

    @Test("--json: the documented keys, variants in the file's order, explicit nulls, the same bytes every time")
    func json() throws {
        let stored = try stored()
        let arguments = ["compare", stored.failsim.experiment, "--db", stored.failsim.db, "--json"]
        let invocation = try stored.failsim.run(arguments)
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let document = try #require(try invocation.json() as? [String: Any])
        for key in ["comparison", "variants", "differences", "ranking", "pareto", "notes"] {
            #expect(document.keys.contains(key), "missing \(key)")
        }
        let header = try #require(document["comparison"] as? [String: Any])
        #expect(header["baseline"] as? String == "baseline")
        #expect(header["variants"] as? [String] == ["baseline", "slow-dns-checks"])
        #expect(header["experiments"] as? [String] == ["short-test"])
        #expect((header["runs"] as? NSNumber)?.intValue == 6)
        #expect((header["level"] as? NSNumber)?.doubleValue == 0.95)
        #expect((header["runIds"] as? [NSNumber])?.map(\.intValue) == stored.ids)

        let variants = try #require(document["variants"] as? [[String: Any]])
        #expect(variants.map { $0["variant"] as? String } == ["baseline", "slow-dns-checks"])
        #expect((variants[0]["seeds"] as? [NSNumber])?.map(\.intValue) == [7, 8, 9])
        let metrics = try #require(variants[0]["metrics"] as? [[String: Any]])
        let recovery = try #require(metrics.first { $0["metric"] as? String == "row1.recoveryTime" })
        for key in ["n", "values", "censored", "namedOutcomes", "mean", "standardDeviation", "ciLower", "ciUpper",
                    "meanLowerBound", "median", "medianIsLowerBound", "unit", "direction"] {
            #expect(recovery.keys.contains(key), "metric lacks \(key)")
        }
        #expect((recovery["n"] as? NSNumber)?.intValue == 3)
        let passRates = try #require(variants[0]["passRates"] as? [[String: Any]])
        #expect(passRates.last?["row"] is NSNull)  // every row together
        #expect(passRates.allSatisfy { ($0["trials"] as? NSNumber)?.intValue == 3 })
        let pooled = try #require(variants[0]["pooledLatency"] as? [[String: Any]])
        #expect(!pooled.isEmpty && pooled.allSatisfy { ($0["runs"] as? NSNumber)?.intValue == 3 })

        let differences = try #require(document["differences"] as? [[String: Any]])
        #expect(!differences.isEmpty)
        for difference in differences {
            for key in ["variant", "baseline", "metric", "pairs", "meanDifference", "ciLower", "ciUpper", "test", "pValue",
                        "holmPValue", "significant", "verdict"] {
                #expect(difference.keys.contains(key), "difference lacks \(key)")
            }
            #expect(difference["variant"] as? String == "slow-dns-checks")
            #expect((difference["pairs"] as? NSNumber)?.intValue == 3)
            if let p = difference["pValue"] as? NSNumber, let holm = difference["holmPValue"] as? NSNumber {
                #expect(holm.doubleValue >= p.doubleValue)
            }
        }
        let tested = differences.filter { !($0["pValue"] is NSNull) }.count
        #expect((header["familySize"] as? NSNumber)?.intValue == tested)
        let ranking = try #require(document["ranking"] as? [[String: Any]])
        #expect(Set(ranking.compactMap { $0["variant"] as? String }) == ["baseline", "slow-dns-checks"])
        let notes = try #require(document["notes"] as? [String])
        #expect(notes.contains { $0.contains("baseline seed 7") })

        #expect(try stored.failsim.run(arguments).stdout == invocation.stdout, "compare is deterministic")
    }

    @Test("--baseline picks the reference; --metric narrows the family; --runs compares given runs")
    func options() throws {
        let stored = try stored()
        let failsim = stored.failsim
        let reversed = try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--baseline", "slow-dns-checks", "--json"])
        #expect(reversed.status == 0, "\(reversed.stderr)")
        let reversedDocument = try #require(try reversed.json() as? [String: Any])
        #expect((reversedDocument["comparison"] as? [String: Any])?["baseline"] as? String == "slow-dns-checks")
        let reversedDifferences = try #require(reversedDocument["differences"] as? [[String: Any]])
        #expect(reversedDifferences.allSatisfy { $0["variant"] as? String == "baseline" })

        let narrow = try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--json",
                                      "--metric", "row1.recoveryTime", "--metric", "availability.requestBased"])
        #expect(narrow.status == 0, "\(narrow.stderr)")
        let narrowDocument = try #require(try narrow.json() as? [String: Any])
        let narrowDifferences = try #require(narrowDocument["differences"] as? [[String: Any]])
        #expect(narrowDifferences.compactMap { $0["metric"] as? String } == ["row1.recoveryTime", "availability.requestBased"])
        #expect(((narrowDocument["comparison"] as? [String: Any])?["familySize"] as? NSNumber)?.intValue ?? 0 <= 2)

        let ranked = try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--rank-by", "writes.rejected"])
        #expect(ranked.status == 0, "\(ranked.stderr)")
        #expect(ranked.stdout.contains("Ranking (writes.rejected)"))
        #expect(try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--rank-by", "row2.passed"]).status == 64)
        #expect(try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--rank-by", "nonsense"]).status == 64)

        // The three baseline runs and one other: variants alphabetically, the first run of seed 7 ignored.
        let chosen = [stored.ids[0], stored.ids[1], stored.ids[2], stored.ids[3], stored.ids[6]].map(String.init)
        let byID = try failsim.run(["compare", "--runs"] + chosen + ["--db", failsim.db, "--json"])
        #expect(byID.status == 0, "\(byID.stderr)")
        let byIDDocument = try #require(try byID.json() as? [String: Any])
        let header = try #require(byIDDocument["comparison"] as? [String: Any])
        #expect(header["variants"] as? [String] == ["baseline", "slow-dns-checks"])
        #expect((header["runs"] as? NSNumber)?.intValue == 4)
        #expect(header["experimentFile"] is NSNull)
    }

    @Test("a sweep's points follow the experiment's order, not the alphabet")
    func sweepOrder() throws {
        let failsim = try Failsim()
        let experiment = try failsim.write("grid.yaml", """
            kind: experiment
            name: grid-test
            model: esta-tracker.yaml
            warmUp: 10s
            duration: 2m
            seeds: 2
            overrides: {traffic.requestsPerSecond: "100"}
            faults:
              - {name: db, kind: databaseUnreachable, mode: blackhole, target: us-central1, at: 30s, duration: 40s, row: 1}
            sweep:
              parameters:
                - {name: "breakers[0].failureThreshold", values: ["3", "20"]}

            """)
        // (Not 5: that is the model's own threshold, a point the sweep does not run again.)
        let sweep = try failsim.run(["sweep", experiment, "--db", failsim.db, "--jobs", "1"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let invocation = try failsim.run(["compare", experiment, "--db", failsim.db, "--json"])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let header = try #require((try invocation.json() as? [String: Any])?["comparison"] as? [String: Any])
        let variants = try #require(header["variants"] as? [String])
        #expect(variants.count == 3)
        #expect(variants.first == "baseline")
        #expect(variants.dropFirst().first?.hasSuffix("=3") == true && variants.last?.hasSuffix("=20") == true, "\(variants)")
        #expect((header["runs"] as? NSNumber)?.intValue == 6)
    }

    @Test("usage errors exit 64 and say which database and experiment")
    func usageErrors() throws {
        let stored = try stored()
        let failsim = stored.failsim
        let unknownBaseline = try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--baseline", "nonesuch"])
        #expect(unknownBaseline.status == 64)
        #expect(unknownBaseline.stderr.contains(failsim.db) && unknownBaseline.stderr.contains("short-test"), "\(unknownBaseline.stderr)")
        #expect(unknownBaseline.stderr.contains("nonesuch") && unknownBaseline.stderr.contains("slow-dns-checks"))
        #expect(unknownBaseline.stdout.isEmpty)

        let empty = try Failsim()
        _ = try RunStore(path: empty.db)  // a database without runs (compare itself creates none)
        let noRuns = try empty.run(["compare", empty.experiment, "--db", empty.db])
        #expect(noRuns.status == 64)
        #expect(noRuns.stderr.contains(empty.db) && noRuns.stderr.contains("no runs of experiment 'short-test'"), "\(noRuns.stderr)")

        let unknownID = try failsim.run(["compare", "--runs", "999999", "--db", failsim.db])
        #expect(unknownID.status == 64)
        #expect(unknownID.stderr.contains("999999"))
        #expect(try failsim.run(["compare", "--db", failsim.db]).status == 64)
        #expect(try failsim.run(["compare", failsim.experiment, "--runs", "1", "--db", failsim.db]).status == 64)
        let badMetric = try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--metric", "row1.speed"])
        #expect(badMetric.status == 64)
        #expect(badMetric.stderr.contains("row1.speed"))
        let unmeasured = try failsim.run(["compare", failsim.experiment, "--db", failsim.db, "--metric", "row3.recoveryTime"])
        #expect(unmeasured.status == 64)
        #expect(unmeasured.stderr.contains("row3.recoveryTime"))
    }

    @Test("a bad experiment file exits 65, a bad database 74")
    func fileErrors() throws {
        let failsim = try Failsim()
        let bad = try failsim.write("bad.yaml", Failsim.shortExperiment.replacingOccurrences(of: "duration: 3m", with: "duration: 3 parsecs"))
        let badFile = try failsim.run(["compare", bad, "--db", failsim.db])
        #expect(badFile.status == 65)
        #expect(badFile.stderr.range(of: #"bad\.yaml:\d+"#, options: .regularExpression) != nil, "\(badFile.stderr)")
        let missing = try failsim.run(["compare", failsim.folder.appendingPathComponent("nope.yaml").path, "--db", failsim.db])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("nope.yaml"))
        let notSQLite = try failsim.write("not.sqlite", "this is not a database, just some text to fill the header\n")
        let badDatabase = try failsim.run(["compare", failsim.experiment, "--db", notSQLite])
        #expect(badDatabase.status == 74)
        #expect(badDatabase.stderr.contains("not.sqlite"))
    }
}
