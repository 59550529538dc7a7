import Foundation
import RunResults
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reports

func text(_ bundle: ReportBundle, _ path: String) -> String {
    bundle.file(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
}

/// Checks every report should pass: self-contained HTML, well-formed SVG, Markdown pointing at
/// files that exist, sources that list every file.
func checkWellFormed(_ bundle: ReportBundle, sourceLocation: SourceLocation = #_sourceLocation) {
    let paths = bundle.files.map(\.path)
    #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, sourceLocation: sourceLocation)
    #expect(bundle.sources.files == paths, sourceLocation: sourceLocation)
    for required in ["README.md", "report.html", "sources.json"] {
        #expect(paths.contains(required), "\(required) is written", sourceLocation: sourceLocation)
    }
    let html = text(bundle, "report.html")
    for remote in ["src=", "http://", "https://", "@import", "url("] {
        let mentions = html.components(separatedBy: remote).count - 1
        // The only URL allowed is the SVG namespace, once per inline figure.
        let allowed = remote == "http://" ? html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1 : 0
        #expect(mentions == allowed, "report.html fetches nothing (\(remote))", sourceLocation: sourceLocation)
    }
    #expect(html.contains("@media print"), sourceLocation: sourceLocation)
    #expect(html.contains("<script type=\"application/json\" id=\"failsim-sources\">"), sourceLocation: sourceLocation)
    let markdown = text(bundle, "README.md")
    for svg in paths where svg.hasSuffix(".svg") {
        #expect(markdown.contains("](\(svg))"), "README.md shows \(svg)", sourceLocation: sourceLocation)
        #expect(html.contains("id=\"figure-\(svg.dropLast(4))\""), "report.html inlines \(svg)", sourceLocation: sourceLocation)
        let parser = XMLParser(data: bundle.file(svg)!)
        #expect(parser.parse(), "\(svg) is well-formed", sourceLocation: sourceLocation)
    }
    for csv in paths where csv.hasSuffix(".csv") {
        #expect(markdown.contains(csv), "README.md names \(csv)", sourceLocation: sourceLocation)
        let lines = text(bundle, csv).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "\(csv) ends with a newline", sourceLocation: sourceLocation)
    }
    for file in bundle.files {
        let content = String(decoding: file.contents, as: UTF8.self)
        #expect(!content.contains("NaN") && !content.contains("nan,"), "\(file.path) has no NaN", sourceLocation: sourceLocation)
    }
    #expect((try? ReportSources.decode(bundle.file("sources.json")!)) == bundle.sources, sourceLocation: sourceLocation)
}

@Suite("Run report")
struct RunReportTests {
    @Test func aRunWithoutFaultsHasATimelineAndSaysNothingWasJudged() {
        let bundle = RunReport.make(run: Fixtures.quietRun(), experimentFile: "experiments/quiet.yaml")
        checkWellFormed(bundle)
        #expect(bundle.folderName == "run-quiet-baseline-seed1")
        #expect(bundle.files.map(\.path) == ["README.md", "events.csv", "report.html", "sources.json", "timeline.csv", "timeline.svg"])
        let markdown = text(bundle, "README.md")
        #expect(markdown.contains("The run injected no fault, so no trigger-table row is judged."))
        #expect(markdown.contains("No health check, controller action, DNS answer, breaker or alert changed state during the run."))
        #expect(markdown.contains("No fault was injected."))
        #expect(markdown.contains("| cached | 900 000 | 52.1 | 61.3 | 70.2 | 10.0 | 50.0 | 100.0 | FAIL |".replacingOccurrences(of: " 000", with: "\u{2009}000")))
        let timeline = text(bundle, "timeline.csv").split(separator: "\n")
        #expect(timeline.first == "startSeconds,endSeconds,requestsPerSecond,errorRate,p95LatencyMs,readsToReplica,routedToFailover,dnsPrimaryShare,writeQueueLength")
        #expect(timeline.count == 181)
        #expect(timeline[1] == "0,10,982.5,0.001,99,0,0,1,0")
        #expect(bundle.sources.kind == .run)
        #expect(bundle.sources.experimentFile == "experiments/quiet.yaml")
        #expect(bundle.sources.runs == [ReportSources.Run(Fixtures.quietRun().identity)])
    }

    @Test func aRunOfTheThreeRowsShowsVerdictsStatesAndInstants() {
        let run = Fixtures.threeRowRun(recovery: [35, 8, nil])
        let bundle = RunReport.make(run: run)
        checkWellFormed(bundle)
        #expect(bundle.files.map(\.path) == ["README.md", "events.csv", "report.html", "sources.json", "states.csv", "states.svg",
                                             "timeline.csv", "timeline.svg"])
        let markdown = text(bundle, "README.md")
        #expect(markdown.contains("2 of 3 trigger-table rows passed."))
        #expect(markdown.contains("| 1 | Primary DB unreachable >30s | Switch to read replica | primary-db-outage | 60.0 s | 34.0 s | 35.0 s | recovered | PASS | databaseUnreachable |"))
        #expect(markdown.contains("| 3 | Primary region network partition | DNS failover | primary-region-partition | 120.0 s | 24.0 s | ≥ 500.0 s | notRecovered | FAIL | regionPartition |"))
        let html = text(bundle, "report.html")
        #expect(html.contains("<td class=\"fail\">FAIL</td>"))
        #expect(html.contains("<td class=\"pass\">PASS</td>"))

        let timeline = text(bundle, "timeline.svg")
        for label in ["request rate", "error rate", "p95 latency", "fault window", "detected (D)", "mitigated (M)", "recovered (R)"] {
            #expect(timeline.contains(">\(label)</text>"), "the timeline's legend names \(label)")
        }
        let states = text(bundle, "states.svg")
        for lane in ["Faults", "Health /api/health/db", "Health /api/health/compute", "Reads on the replica", "Traffic routed to failover",
                     "DNS record on failover", "Edge on failover DNS answer", "firestore→db-us-central1@us-central1 ×8", "Alert errorRate"] {
            #expect(states.contains(">\(lane)</text>"), "the state chart has a lane \(lane)")
        }
        #expect(states.contains(">answers us-east1</text>"))

        // Breakers: all 8 instances are open from 132 s (the last opened at 125 + 7) until the
        // first returns to HALF_OPEN at 240 s; every one is closed at 257 s.
        let rows = text(bundle, "states.csv").split(separator: "\n").map(String.init)
        let breakerRows = rows.filter { $0.hasPrefix("firestore→") }
        #expect(breakerRows.contains("firestore→db-us-central1@us-central1 ×8,132,240,OPEN,8"))
        #expect(breakerRows.first == "firestore→db-us-central1@us-central1 ×8,125,126,OPEN,1")
        #expect(breakerRows.last == "firestore→db-us-central1@us-central1 ×8,256,257,HALF_OPEN,1")
        #expect(rows.contains("Alert errorRate,140,200,critical,1"))
        #expect(rows.contains("Alert errorRate,140,140,fired,1"))
        #expect(rows.contains("Alert errorRate,630,630,resolved,1"))
        #expect(rows.contains("Health /api/health/compute,1224,1510,unhealthy,1"))
        #expect(rows.contains("DNS record on failover,1225,1600,answers us-east1,1"))
        #expect(rows.contains("Edge on failover DNS answer,1300,1310,share,1"))
        #expect(markdown.contains("The 40 breaker transitions are drawn above, not listed"))
    }

    @Test func fewBreakersGetOneLaneEach() {
        var run = Fixtures.threeRowRun()
        run.events = run.events.filter { $0.kind != "breakerTransition" || $0.subject.hasSuffix("api-0") || $0.subject.hasSuffix("api-1") }
        let lanes = RunTimeline(run).lanes().map(\.name)
        #expect(lanes.contains("firestore→db-us-central1@us-central1/api-0"))
        #expect(lanes.contains("firestore→db-us-central1@us-central1/api-1"))
    }

    @Test func transitionDetailsAreRead() {
        #expect(RunTimeline.transition("CLOSED → OPEN: 5 failures in 60 s")! == ("CLOSED", "OPEN"))
        #expect(RunTimeline.transition("HALF_OPEN → CLOSED: 3 successes")! == ("HALF_OPEN", "CLOSED"))
        #expect(RunTimeline.transition("opened") == nil)
        #expect(RunTimeline.breakerGroup("firestore→db-us-east1@us-central1/api-12", grouped: true) == "firestore→db-us-east1@us-central1")
        #expect(RunTimeline.breakerGroup("firestore→db-us-east1@global", grouped: true) == "firestore→db-us-east1@global")
    }

    @Test func theSameRunGivesTheSameBytes() {
        let first = RunReport.make(run: Fixtures.threeRowRun(), experimentFile: "x.yaml")
        let second = RunReport.make(run: Fixtures.threeRowRun(), experimentFile: "x.yaml")
        #expect(first == second)
        // Wall time is not a result: it must not change a byte.
        var slower = Fixtures.threeRowRun()
        slower.identity.wallSeconds = 99
        #expect(RunReport.make(run: slower, experimentFile: "x.yaml").files == first.files)
    }

    @Test func folderNamesAreSafe() {
        var identity = Fixtures.identity(experiment: "breaker thresholds", variant: "failureThreshold=3 resetTimeout=30s", seed: 4)
        #expect(RunReport.folderName(for: identity) == "run-breaker-thresholds-failureThreshold-3-resetTimeout-30s-seed4")
        identity.experiment = "../etc"
        #expect(!RunReport.folderName(for: identity).contains("/"))
        #expect(ExperimentReport.folderName(experiment: "trigger-table") == "trigger-table")
    }
}
