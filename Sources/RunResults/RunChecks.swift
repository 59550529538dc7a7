import Foundation

/// What a run is checked against: an experiment's `checks:` section, read by
/// ``evaluate(_:)`` — the one definition of a run's checks that `failsim run`, `sweep`,
/// `compare`, `report` and `--json` all use.
///
/// Without a `checks:` section an experiment checks its trigger rows only (``triggers`` true,
/// everything else off), and every run is also checked for having completed: a run stopped at
/// an engine limit measured less than it was asked to.
public struct RunChecks: Sendable, Equatable, Codable {
    /// Every judged trigger-table row passes.
    public var triggers: Bool
    /// Every latency class with targets meets them.
    public var latency: Bool
    /// Request-based availability at least this.
    public var availability: Double?
    /// At most this many acknowledged writes lost.
    public var writesLost: Int?

    /// The checks of an experiment without a `checks:` section: its trigger rows.
    public static let triggerRows = RunChecks()

    public init(triggers: Bool = true, latency: Bool = false, availability: Double? = nil, writesLost: Int? = nil) {
        self.triggers = triggers
        self.latency = latency
        self.availability = availability
        self.writesLost = writesLost
    }

    /// Every check of `result`, in a fixed order: the run completed; each trigger row (in row
    /// order); each latency class with a verdict; availability; writes lost.
    public func evaluate(_ result: RunResult) -> [CheckResult] {
        var checks: [CheckResult] = []
        let completed = result.status == .completed
        checks.append(CheckResult(
            name: "run completed", passed: completed,
            value: completed ? "completed" : (result.statusDetail ?? result.status.rawValue)))
        if triggers {
            for verdict in result.triggers {
                var value = verdict.outcome.rawValue
                if let recovery = verdict.recoverySeconds { value += String(format: " in %.1f s", recovery) }
                value += String(format: " (target %.1f s)", verdict.targetSeconds)
                if let rule = verdict.rule { value += ", rule \(rule)" }
                checks.append(CheckResult(name: "row \(verdict.row) (\(verdict.condition))", passed: verdict.passed, value: value))
            }
        }
        if latency {
            for line in result.latency {
                guard let passed = line.passed else { continue }
                checks.append(CheckResult(name: "latency SLA of \(line.operation)", passed: passed,
                                          value: String(format: "p99 %.1f ms", line.p99Ms)))
            }
        }
        if let availability {
            checks.append(CheckResult(name: String(format: "availability ≥ %.5f", availability),
                                      passed: result.availability.requestBased >= availability,
                                      value: String(format: "%.5f", result.availability.requestBased)))
        }
        if let writesLost {
            checks.append(CheckResult(name: "writes lost ≤ \(writesLost)", passed: result.writes.lost <= Int64(writesLost),
                                      value: "\(result.writes.lost)"))
        }
        return checks
    }

    /// The failing checks of `result` (empty when it passes them all).
    public func failures(of result: RunResult) -> [CheckResult] {
        evaluate(result).filter { !$0.passed }
    }

    /// What is checked, in a line, e.g. `run completed, trigger rows, writes lost ≤ 0`.
    public var summary: String {
        var parts = ["run completed"]
        if triggers { parts.append("trigger rows") }
        if latency { parts.append("latency SLA") }
        if let availability { parts.append(String(format: "availability ≥ %.5f", availability)) }
        if let writesLost { parts.append("writes lost ≤ \(writesLost)") }
        return parts.joined(separator: ", ")
    }
}

/// One check of one run: what was checked, whether it passed, and the value it found.
public struct CheckResult: Sendable, Equatable, Codable {
    /// The check, e.g. `row 1 (Primary DB unreachable >30s)`, `writes lost ≤ 0`.
    public var name: String
    public var passed: Bool
    /// What the run had, e.g. `recovered`, `3`, `0.99912`.
    public var value: String

    public init(name: String, passed: Bool, value: String) {
        self.name = name
        self.passed = passed
        self.value = value
    }

    /// `name: value`, as failing checks are listed.
    public var line: String { "\(name): \(value)" }
}
