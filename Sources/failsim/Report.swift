import Foundation
import RunResults
import RunStore

/// `nil` as JSON `null`, so optional numbers always appear as keys.
private func orNull(_ value: Any?) -> Any { value ?? NSNull() }

/// The JSON document `failsim run --json` and `failsim show --json` print.
///
/// Key names are stable (issue 4): `run`, `triggers`, `availability`, `latency`, `writes`, plus
/// `incidents` and `breakers`, and `checks` when the experiment's checks are known (`run`; a
/// stored run does not record them). Optional numbers are explicit `null`.
func runJSON(id: Int64, result: RunResult, checks: RunChecks? = nil, storedIn path: String? = nil, storedAt: String? = nil) -> [String: Any] {
    let identity = result.identity
    var run: [String: Any] = [
        "id": id,
        "runKey": identity.runKey,
        "model": identity.model,
        "modelHash": identity.modelHash,
        "experiment": identity.experiment,
        "experimentHash": identity.experimentHash,
        "variant": identity.variant,
        "overrides": identity.overrides,
        "seed": NSNumber(value: identity.seed),
        "engineVersion": identity.engineVersion,
        "digest": identity.digest,
        "events": identity.events,
        "simulatedSeconds": identity.simulatedSeconds,
        "wallSeconds": identity.wallSeconds,
        "status": result.status.rawValue,
        "statusDetail": orNull(result.statusDetail),
    ]
    run["timeOrigin"] = "simulation start (the clock faults' at: are written on)"
    run["measuredFromSeconds"] = result.measuredFromSeconds
    if let path { run["database"] = path }
    if let storedAt { run["storedAt"] = storedAt }
    let triggers: [[String: Any]] = result.triggers.map { t in
        [
            "row": t.row, "condition": t.condition, "action": t.action, "fault": t.fault,
            "targetSeconds": t.targetSeconds, "detectionSeconds": orNull(t.detectionSeconds),
            "recoverySeconds": orNull(t.recoverySeconds), "outcome": t.outcome.rawValue,
            "passed": t.passed, "rule": orNull(t.rule),
        ]
    }
    let a = result.availability
    let availability: [String: Any] = [
        "requestBased": a.requestBased, "timeBased": a.timeBased, "errorBudgetUsed": a.errorBudgetUsed,
        "requests": a.requests, "served": a.served, "goodMinutes": a.goodMinutes, "badMinutes": a.badMinutes,
        "noDataMinutes": a.noDataMinutes,
    ]
    let latency: [[String: Any]] = result.latency.map { l in
        [
            "operation": l.operation, "count": l.count, "p50Ms": l.p50Ms, "p95Ms": l.p95Ms, "p99Ms": l.p99Ms,
            "meanMs": l.meanMs, "maxMs": l.maxMs, "targetP50Ms": orNull(l.targetP50Ms),
            "targetP95Ms": orNull(l.targetP95Ms), "targetP99Ms": orNull(l.targetP99Ms), "passed": orNull(l.passed),
        ]
    }
    let w = result.writes
    let writes: [String: Any] = [
        "acknowledged": w.acknowledged, "queued": w.queued, "rejected": w.rejected, "replayed": w.replayed,
        "lost": w.lost, "duplicatesSuppressed": w.duplicatesSuppressed, "applied": orNull(w.applied),
        "pending": orNull(w.pending),
    ]
    let queueing: [[String: Any]] = result.queueing.map { q in
        [
            "scope": q.scope, "utilisation": q.utilisation, "meanQueueLength": q.meanQueueLength,
            "meanWaitSeconds": q.meanWaitSeconds, "waitProbability": q.waitProbability, "started": q.started,
            "waited": q.waited,
        ]
    }
    let incidents: [[String: Any]] = result.incidents.map { i in
        [
            "fault": i.fault, "faultKind": i.faultKind, "target": i.target, "onsetSeconds": i.onsetSeconds,
            "endSeconds": i.endSeconds, "detectedAtSeconds": orNull(i.detectedAtSeconds),
            "mitigatedAtSeconds": orNull(i.mitigatedAtSeconds), "recoveredAtSeconds": orNull(i.recoveredAtSeconds),
            "failbackEndedAtSeconds": orNull(i.failbackEndedAtSeconds), "detectionSeconds": orNull(i.detectionSeconds),
            "recoverySeconds": orNull(i.recoverySeconds), "readRecoverySeconds": orNull(i.readRecoverySeconds),
            "writeRecoverySeconds": orNull(i.writeRecoverySeconds), "outcome": i.outcome.rawValue,
            "censoredAtSeconds": orNull(i.censoredAtSeconds), "rule": orNull(i.rule), "requests": i.requests,
            "requestsFailed": i.requestsFailed, "failbackRequestsFailed": i.failbackRequestsFailed,
            "staleReads": i.staleReads, "writesQueued": i.writesQueued, "writesRejected": i.writesRejected,
            "writesReplayed": i.writesReplayed, "writesLost": i.writesLost, "rtoSeconds": orNull(i.rtoSeconds),
            "rpoWrites": orNull(i.rpoWrites),
        ]
    }
    let breakers: [String: Any] = [
        "opens": result.breakers.reduce(0) { $0 + $1.opens },
        "falseOpens": result.breakers.reduce(0) { $0 + $1.falseOpens },
        "instances": result.breakers.map { b -> [String: Any] in
            ["breaker": b.breaker, "opens": b.opens, "falseOpens": b.falseOpens, "secondsOpen": b.secondsOpen,
             "callsRejected": b.callsRejected]
        },
    ]
    var document: [String: Any] = [
        "run": run, "triggers": triggers, "availability": availability, "latency": latency, "writes": writes,
        "incidents": incidents, "breakers": breakers, "queueing": queueing,
    ]
    if let checks {
        let evaluated = checks.evaluate(result)
        document["checks"] = [
            "checked": checks.summary,
            "passed": evaluated.allSatisfy(\.passed),
            "results": evaluated.map { ["name": $0.name, "passed": $0.passed, "value": $0.value] as [String: Any] },
        ] as [String: Any]
    }
    return document
}

func summaryJSON(_ s: StoredRunSummary) -> [String: Any] {
    [
        "id": s.id, "runKey": s.runKey, "model": s.model, "experiment": s.experiment, "variant": s.variant,
        "seed": NSNumber(value: s.seed), "digest": s.digest, "status": s.status.rawValue, "events": s.events,
        "simulatedSeconds": s.simulatedSeconds, "wallSeconds": s.wallSeconds, "storedAt": s.storedAt,
    ]
}

/// `1 run`, `2 runs`: a count with its noun in the right number (`plural` when the noun does
/// not just add an s).
func counted(_ count: some BinaryInteger, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
}

enum Report {
    /// Pretty-printed JSON with sorted keys.
    static func json(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The human summary of a run; with `checks`, its checks (every failing one named).
    static func summary(_ result: RunResult, id: Int64, storedIn path: String, storedAt: String? = nil, checks: RunChecks? = nil) -> String {
        let identity = result.identity
        var out: [String] = []
        out.append("failsim \(identity.experiment) on \(identity.model) — variant \(identity.variant), seed \(identity.seed)")
        if !identity.overrides.isEmpty {
            out.append("overrides: " + identity.overrides.keys.sorted().map { "\($0)=\(identity.overrides[$0]!)" }.joined(separator: ", "))
        }
        var status = "\(result.status.rawValue): \(identity.events) events, \(duration(identity.simulatedSeconds)) simulated in "
            + String(format: "%.2f s", identity.wallSeconds)
        if let detail = result.statusDetail { status += " (\(detail))" }
        out.append(status)
        out.append("times: the experiment's clock (t = 0 at the start of the simulation, as faults' at: are written); "
                   + "measured from \(duration(result.measuredFromSeconds)), the end of the warm-up")

        out.append("")
        out.append("Trigger table")
        if result.triggers.isEmpty {
            out.append("  (no trigger rows judged)")
        } else {
            var rows = [["#", "condition", "action", "target", "detection", "recovery", "outcome", "verdict", "rule that acted"]]
            for t in result.triggers {
                rows.append([
                    "\(t.row)", t.condition, t.action, seconds(t.targetSeconds), t.detectionSeconds.map(seconds) ?? "—",
                    t.recoverySeconds.map(seconds) ?? "—", t.outcome.rawValue, t.passed ? "PASS" : "FAIL", t.rule ?? "—",
                ])
            }
            out.append(contentsOf: table(rows))
            let failed = result.triggers.filter { !$0.passed }.count
            out.append("  \(result.triggers.count - failed) of \(result.triggers.count) rows passed")
        }

        out.append("")
        out.append("Latency SLA (ms, successful requests)")
        var latencyRows = [["operation", "count", "p50", "p95", "p99", "target p50", "target p95", "target p99", "verdict"]]
        for l in result.latency {
            latencyRows.append([
                l.operation, "\(l.count)", ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms),
                l.targetP50Ms.map(ms) ?? "—", l.targetP95Ms.map(ms) ?? "—", l.targetP99Ms.map(ms) ?? "—",
                l.passed.map { $0 ? "PASS" : "FAIL" } ?? "—",
            ])
        }
        out.append(contentsOf: table(latencyRows))

        let a = result.availability
        out.append("")
        out.append("Availability")
        out.append("  request-based  \(percent(a.requestBased))  (\(a.served) of \(a.requests) requests served)")
        out.append("  time-based     \(percent(a.timeBased))  (\(a.goodMinutes) good, \(a.badMinutes) bad, \(a.noDataMinutes) no-data minutes)")
        out.append("  error budget   \(percent(a.errorBudgetUsed)) of the annual budget used")

        let w = result.writes
        out.append("")
        out.append("Writes")
        out.append("  acknowledged \(w.acknowledged)  queued \(w.queued)  rejected \(w.rejected)  replayed \(w.replayed)  lost \(w.lost)  duplicates suppressed \(w.duplicatesSuppressed)")
        if let applied = w.applied, let pending = w.pending {
            out.append("  of the acknowledged: applied \(applied)  pending \(pending)  lost \(w.lost)")
        }
        out.append("  " + writesVerdict(w))

        if !result.queueing.isEmpty {
            out.append("")
            out.append("Service queueing (measured period)")
            var rows = [["region", "utilisation", "mean wait", "P(wait > 0)", "mean queue", "started"]]
            for q in result.queueing {
                rows.append([q.scope, percent(q.utilisation), String(format: "%.2f ms", q.meanWaitSeconds * 1000),
                             percent(q.waitProbability), String(format: "%.3f", q.meanQueueLength), "\(q.started)"])
            }
            out.append(contentsOf: table(rows))
        }

        out.append("")
        let opens = result.breakers.reduce(0) { $0 + $1.opens }
        let falseOpens = result.breakers.reduce(0) { $0 + $1.falseOpens }
        out.append("Circuit breakers: \(opens) opens, \(falseOpens) false opens (\(result.breakers.count) instances)")

        if let checks {
            out.append("")
            out.append(contentsOf: checkLines(checks.evaluate(result), checked: checks))
        }

        out.append("")
        out.append("Run \(id) stored in \(path)" + (storedAt.map { " at \($0)" } ?? ""))
        out.append("  runKey \(identity.runKey)")
        out.append("  digest \(identity.digest)")
        return out.joined(separator: "\n")
    }

    /// `Checks (…): N of M passed`, then each failing check with the value it found.
    static func checkLines(_ evaluated: [CheckResult], checked: RunChecks) -> [String] {
        let failing = evaluated.filter { !$0.passed }
        var lines = ["Checks (\(checked.summary)): \(evaluated.count - failing.count) of \(evaluated.count) passed"
                     + (failing.isEmpty ? "" : "; failing:")]
        lines += failing.map { "  FAIL \($0.line)" }
        return lines
    }

    /// What became of the acknowledged writes, in a sentence (writes still queued at the end are
    /// not lost, but not safe either: they are named, never summed into "no write lost").
    static func writesVerdict(_ w: WriteOutcomes) -> String {
        let pending = w.pending ?? 0
        if pending > 0 {
            return "\(pending) acknowledged writes were still queued when the run ended (pending: neither applied nor lost); "
                + (w.lost > 0 ? "\(w.lost) were lost (the goal is zero)." : "none was lost before the end.")
        }
        return w.lost == 0 ? "No acknowledged write was lost." : "\(w.lost) acknowledged writes were lost (the goal is zero)."
    }

    /// Columns padded to their widest cell, two spaces apart, indented by two.
    static func table(_ rows: [[String]]) -> [String] {
        guard let header = rows.first else { return [] }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            return "  " + cells.joined(separator: "  ")
        }
    }

    static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
    static func ms(_ value: Double) -> String { String(format: "%.1f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.3f %%", value * 100) }
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? String(format: "%dm%02ds", whole / 60, whole % 60) : String(format: "%.1f s", seconds)
    }
}
