import Foundation
import Testing

/// One malformed input and what failsim must say about it: a case of `Tests/Corpus/cases.json`.
///
/// `args` run with the working folder holding a copy of the corpus (`models/`, `experiments/`,
/// `traces/`, `good/`) and the reference model as `esta-tracker.yaml`; `runs.sqlite` there holds
/// one stored run that no case may change.
struct CorpusCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var category: String
    var args: [String]
    /// 64 bad usage, 65 bad input; 0 for the legal inputs kept next to the illegal ones.
    var exit: Int32
    /// Every one must appear in what failsim prints (stderr, or stdout for a success): the file
    /// with its line and column, the key, the "did you mean" suggestion, what was expected.
    var contains: [String]

    var testDescription: String { name }
}

@Suite("Malformed inputs corpus", .serialized)
struct CorpusTests {
    static let corpus = Failsim.repository.appendingPathComponent("Tests/Corpus")

    static func cases() throws -> [CorpusCase] {
        let data = try Data(contentsOf: corpus.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode([CorpusCase].self, from: data)
    }

    @Test("The corpus has at least 60 malformed inputs, every file in it is used, names are unique")
    func corpusIsComplete() throws {
        let cases = try Self.cases()
        #expect(cases.filter { $0.exit == 64 || $0.exit == 65 }.count >= 60)
        #expect(cases.allSatisfy { [0, 64, 65].contains($0.exit) })
        #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")
        #expect(cases.allSatisfy { !$0.contains.isEmpty || $0.exit == 0 }, "every error case says what the message must contain")
        let used = Set(cases.flatMap(\.args))
        for folder in ["models", "experiments", "traces"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent(folder).path)
            for name in names {
                #expect(used.contains("\(folder)/\(name)"), "\(folder)/\(name) is in no case of cases.json")
            }
        }
        // Every file a case names exists.
        for argument in used where ["models/", "experiments/", "traces/", "good/"].contains(where: argument.hasPrefix) {
            #expect(FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent(argument).path)
                    || argument.contains("missing"), "\(argument) is missing from the corpus")
        }
    }

    @Test("Every malformed input gives its exit code and a message naming file, line, column and key; the database is unchanged")
    func everyCase() throws {
        let failsim = try Failsim()
        let fm = FileManager.default
        for folder in ["models", "experiments", "traces", "good"] {
            try fm.copyItem(at: Self.corpus.appendingPathComponent(folder), to: failsim.folder.appendingPathComponent(folder))
        }
        // A database with one run in it, which no case may change.
        let setup = try failsim.run(["run", "good/experiment.yaml", "--db", "runs.sqlite", "--json"])
        try #require(setup.status == 0, "the corpus's good experiment runs: \(setup.stderr)")
        let database = failsim.folder.appendingPathComponent("runs.sqlite")
        var before = try Data(contentsOf: database)
        let defaultDatabase = failsim.folder.appendingPathComponent("failsim.sqlite")

        var checked = 0
        for corpusCase in try Self.cases() {
            let invocation = try failsim.run(corpusCase.args)
            let said = invocation.stderr + invocation.stdout
            let command = "failsim " + corpusCase.args.joined(separator: " ")
            #expect(invocation.status == corpusCase.exit,
                    "\(corpusCase.name): `\(command)` exited \(invocation.status), expected \(corpusCase.exit): \(said)")
            for part in corpusCase.contains {
                #expect(said.contains(part), "\(corpusCase.name): `\(command)` does not say '\(part)': \(said)")
            }
            if corpusCase.exit != 0 {
                #expect(!invocation.stdout.contains("stored in"), "\(corpusCase.name): nothing is stored")
                #expect(!said.contains("Fatal error") && !said.contains("Precondition failed"), "\(corpusCase.name): \(said)")
            }
            if corpusCase.exit == 0 {
                // A legal command may open the database (opening a GRDB pool creates and drops a
                // table, which touches the file's header) but stores nothing: the count of runs
                // is checked at the end.
                before = try Data(contentsOf: database)
            } else {
                #expect(try Data(contentsOf: database) == before, "\(corpusCase.name): `\(command)` changed the database")
            }
            #expect(!fm.fileExists(atPath: defaultDatabase.path), "\(corpusCase.name): `\(command)` created failsim.sqlite")
            checked += 1
        }
        #expect(checked >= 60)
        let runs = try failsim.run(["runs", "--db", "runs.sqlite", "--json"])
        #expect((try runs.json() as? [[String: Any]])?.count == 1, "only the setup run is stored")
    }
}
