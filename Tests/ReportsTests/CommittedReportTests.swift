// Whether the reports committed under notebooks-output/ still describe the current engine,
// models and experiments. Cheap: run keys are recomputed from the files, nothing is simulated.
#if canImport(FailoverModel) && canImport(ModelFiles)
import FailoverModel
import Foundation
import ModelFiles
import RunResults
import Testing
@testable import Reports

/// What no longer matches between a report's sources and the files it names.
func stalenessProblems(of sources: ReportSources, folder: URL, root: URL) -> [String] {
    guard let file = sources.experimentFile else {
        return ["records no experiment file, so its inputs cannot be checked (made from a run id?)"]
    }
    let plan: ExperimentPlan
    do {
        plan = try ExperimentPlan(ExperimentLoader.load(experimentPath: root.appendingPathComponent(file).path))
    } catch {
        return ["\(file) no longer loads: \(error)"]
    }
    var problems: [String] = []
    if sources.format != ReportSources.currentFormat { problems.append("sources format \(sources.format), expected \(ReportSources.currentFormat)") }
    if sources.experiment != plan.experiment.name { problems.append("experiment '\(sources.experiment)' is now named '\(plan.experiment.name)'") }
    let engine = FailoverSimulation.engineVersion
    if sources.engineVersions != [engine] {
        problems.append("drawn from engine \(sources.engineVersions.joined(separator: ", ")); the engine is now \(engine)")
    }
    if sources.kind == .experiment && sources.variants != plan.variants.map(\.name) {
        let missing = plan.variants.map(\.name).filter { !sources.variants.contains($0) }
        let extra = sources.variants.filter { plan.variant(named: $0) == nil }
        problems.append("variants differ from the experiment's (missing: \(missing.prefix(5).joined(separator: ", ")); "
                        + "no longer declared: \(extra.prefix(5).joined(separator: ", ")))")
    }
    let experimentHash = ContentHash.sha256Hex(CanonicalJSON.encodeChecked(plan.experiment, "experiment"))
    var modelHashes: [Int: String] = [:]
    var reported = Set<String>()
    for run in sources.runs {
        guard let index = plan.variant(named: run.variant) else {
            if reported.insert("variant \(run.variant)").inserted { problems.append("variant '\(run.variant)' is no longer declared") }
            continue
        }
        if modelHashes[index] == nil {
            modelHashes[index] = ContentHash.sha256Hex(CanonicalJSON.encodeChecked(plan.variants[index].model, "model"))
        }
        if run.experimentHash != experimentHash && reported.insert("experiment").inserted {
            problems.append("the experiment file changed since the report (experiment hash)")
        }
        if run.modelHash != modelHashes[index]! && reported.insert("model \(run.variant)").inserted {
            problems.append("the model of variant '\(run.variant)' changed since the report (model hash)")
        }
        if run.runKey != plan.runKey(variant: index, seed: run.seed) && reported.insert("key").inserted {
            problems.append("run keys no longer match (first: \(run.variant) seed \(run.seed))")
        }
    }
    let present = Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    let absent = sources.files.filter { !present.contains($0) }
    if !absent.isEmpty { problems.append("files listed but missing: \(absent.prefix(5).joined(separator: ", "))") }
    return problems
}

@Suite("Committed reports")
struct CommittedReportTests {
    static let folder = repositoryRoot.appendingPathComponent("notebooks-output")

    /// The reports under `folder`: every subfolder, with its `sources.json` (`nil` when it cannot
    /// be read). A missing or unreadable folder, or one without a single report, is an error, so
    /// that a checkout without the reports fails these tests instead of passing them vacuously.
    static func reports(in folder: URL) throws -> [(name: String, sources: ReportSources?)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let reports = names.compactMap { name -> (name: String, sources: ReportSources?)? in
            var isFolder: ObjCBool = false
            let path = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder), isFolder.boolValue else { return nil }
            let data = FileManager.default.contents(atPath: path.appendingPathComponent(ReportSources.fileName).path)
            return (name, data.flatMap { try? ReportSources.decode($0) })
        }
        guard !reports.isEmpty else { throw NoReports(folder: folder.path) }
        return reports
    }

    struct NoReports: Error, CustomStringConvertible {
        var folder: String
        var description: String { "\(folder) holds no report; run notebooks-output/regenerate.sh" }
    }

    static func reports() throws -> [(name: String, sources: ReportSources?)] { try reports(in: folder) }

    @Test("Every committed report was drawn from the current engine, models and experiments")
    func committedReportsAreCurrent() throws {
        for report in try Self.reports() {
            guard let sources = report.sources else {
                Issue.record("notebooks-output/\(report.name)/sources.json cannot be read")
                continue
            }
            let problems = stalenessProblems(of: sources, folder: Self.folder.appendingPathComponent(report.name), root: repositoryRoot)
            #expect(problems.isEmpty, """
                notebooks-output/\(report.name) is stale: \(problems.joined(separator: "; ")).
                Regenerate the reports with notebooks-output/regenerate.sh (and commit them).
                """)
        }
    }

    @Test("Every shipped experiment has a committed report")
    func everyShippedExperimentIsReported() throws {
        let experiments = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("experiments").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        let reported = Set(try Self.reports().compactMap { $0.sources?.kind == .experiment ? $0.sources?.experimentFile : nil })
        for file in experiments {
            #expect(reported.contains("experiments/\(file)"),
                    "experiments/\(file) has no report in notebooks-output/; run notebooks-output/regenerate.sh")
        }
    }

    @Test("A missing or empty reports folder fails, not passes")
    func missingReportsFail() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("failsim-no-reports-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        #expect(throws: (any Error).self) { try Self.reports(in: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Data("notes".utf8).write(to: scratch.appendingPathComponent("README.md"))
        #expect(throws: NoReports.self) { try Self.reports(in: scratch) }
        // A report folder whose sources cannot be read is listed (and then fails the staleness test).
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("broken"), withIntermediateDirectories: true)
        let found = try Self.reports(in: scratch)
        #expect(found.count == 1 && found[0].name == "broken" && found[0].sources == nil)
    }

    @Test("A changed input is flagged")
    func aChangedInputIsFlagged() throws {
        // The trigger-table experiment at this engine, as a report of it would record it…
        let file = "experiments/trigger-table.yaml"
        let plan = try ExperimentPlan(ExperimentLoader.load(experimentPath: repositoryRoot.appendingPathComponent(file).path))
        let experimentHash = ContentHash.sha256Hex(try CanonicalJSON.encode(plan.experiment))
        let runs = plan.runs(seeds: [1, 2]).map { run in
            ReportSources.Run(variant: plan.variants[run.variant].name, seed: run.seed, runKey: run.runKey, digest: "d",
                              engineVersion: FailoverSimulation.engineVersion,
                              modelHash: ContentHash.sha256Hex(try! CanonicalJSON.encode(plan.variants[run.variant].model)),
                              experimentHash: experimentHash)
        }
        let current = ReportSources(kind: .experiment, experiment: plan.experiment.name, experimentFile: file,
                                    variants: plan.variants.map(\.name), runs: runs)
        let emptyFolder = FileManager.default.temporaryDirectory
        #expect(stalenessProblems(of: current, folder: emptyFolder, root: repositoryRoot).isEmpty)
        // …is flagged once the engine moves on, a run key differs, or a variant disappears.
        var older = current
        older.engineVersions = ["0.0.1"]
        older.runs = older.runs.map { var run = $0; run.engineVersion = "0.0.1"; run.runKey = "old"; return run }
        let problems = stalenessProblems(of: older, folder: emptyFolder, root: repositoryRoot)
        #expect(problems.contains { $0.contains("engine 0.0.1") })
        #expect(problems.contains { $0.contains("run keys no longer match") })
        var renamed = current
        renamed.variants[1] = "gone"
        renamed.runs[2].variant = "gone"
        #expect(stalenessProblems(of: renamed, folder: emptyFolder, root: repositoryRoot).contains { $0.contains("'gone' is no longer declared") })
        var edited = current
        edited.runs[0].modelHash = "other"
        #expect(stalenessProblems(of: edited, folder: emptyFolder, root: repositoryRoot).contains { $0.contains("model of variant 'baseline' changed") })
    }
}
#endif
