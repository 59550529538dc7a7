import RunResults

/// One quantity that is compared across seeds and variants.
///
/// Every metric has a stable ``name`` (what `failsim compare --json` writes and `--metric` reads),
/// a ``unit`` and a ``direction``, and reads one ``Observation`` from a run with
/// ``observation(in:)``. Trigger-table metrics are per row (1-based, as the trigger table prints
/// them).
public enum Metric: Hashable, Sendable, CustomStringConvertible {
    /// Recovery time of the traffic the row's action restores, seconds from onset.
    case recoveryTime(row: Int)
    /// Detection time (the acting rule fired), seconds from onset.
    case detectionTime(row: Int)
    /// Recovery time of read traffic alone during the row's incident, seconds from onset.
    case readRecoveryTime(row: Int)
    /// Recovery time of write traffic alone during the row's incident, seconds from onset.
    case writeRecoveryTime(row: Int)
    /// Whether the row passed (1) or failed (0).
    case rowPassed(row: Int)
    /// Whether every judged row of the run passed (1) or not (0).
    case allRowsPassed
    /// Served ÷ requests over the run.
    case requestAvailability
    /// Good minutes ÷ judged minutes.
    case timeAvailability
    /// Share of the annual error budget the run consumed.
    case errorBudgetUsed
    /// One run's latency percentile of one operation class, milliseconds.
    case latency(operation: String, percentile: LatencyPercentile)
    /// Acknowledged writes lost.
    case writesLost
    /// Writes rejected (503).
    case writesRejected
    /// Breaker opens, summed over every breaker instance.
    case breakerOpens
    /// Breaker opens while no fault affected the guarded path, summed over every instance.
    case falseBreakerOpens
    /// Seconds from a fault's onset to the first breaker instance opening during the fault,
    /// averaged over the run's incidents (see ``observation(in:)`` for censoring).
    case breakerDetectionTime
    /// Alerts fired (`alertFired` events).
    case alertsFired

    /// Whether smaller or larger values are better, which orders rankings and frontiers and says
    /// whether a difference is an improvement.
    public enum Direction: String, Sendable {
        case lowerIsBetter
        case higherIsBetter
        /// Neither is better in itself (breaker opens protect during a fault and hurt without
        /// one); ranked ascending.
        case neutral
    }

    /// What a metric's numbers count.
    public enum Unit: String, Sendable {
        case seconds
        case milliseconds
        /// A fraction in [0, 1].
        case fraction
        case count
        /// 1 for pass, 0 for fail: means are pass rates, and paired tests are exact McNemar tests.
        case passFail
    }

    /// The stable name: `row1.recoveryTime`, `row1.detectionTime`, `row1.readRecoveryTime`,
    /// `row1.writeRecoveryTime`, `row1.passed`, `triggers.passed`, `availability.requestBased`,
    /// `availability.timeBased`, `availability.errorBudgetUsed`, `latency.cached.p99`,
    /// `writes.lost`, `writes.rejected`, `breakers.opens`, `breakers.falseOpens`,
    /// `breakers.detectionTime`, `alerts.fired`.
    public var name: String {
        switch self {
        case .recoveryTime(let row): "row\(row).recoveryTime"
        case .detectionTime(let row): "row\(row).detectionTime"
        case .readRecoveryTime(let row): "row\(row).readRecoveryTime"
        case .writeRecoveryTime(let row): "row\(row).writeRecoveryTime"
        case .rowPassed(let row): "row\(row).passed"
        case .allRowsPassed: "triggers.passed"
        case .requestAvailability: "availability.requestBased"
        case .timeAvailability: "availability.timeBased"
        case .errorBudgetUsed: "availability.errorBudgetUsed"
        case .latency(let operation, let percentile): "latency.\(operation).\(percentile.name)"
        case .writesLost: "writes.lost"
        case .writesRejected: "writes.rejected"
        case .breakerOpens: "breakers.opens"
        case .falseBreakerOpens: "breakers.falseOpens"
        case .breakerDetectionTime: "breakers.detectionTime"
        case .alertsFired: "alerts.fired"
        }
    }

    public var description: String { name }

    /// The metric called `name` (see ``name``), or `nil` when no metric has that name.
    public init?(name: String) {
        let fixed: [Metric] = [
            .allRowsPassed, .requestAvailability, .timeAvailability, .errorBudgetUsed, .writesLost,
            .writesRejected, .breakerOpens, .falseBreakerOpens, .breakerDetectionTime, .alertsFired,
        ]
        if let match = fixed.first(where: { $0.name == name }) {
            self = match
            return
        }
        if name.hasPrefix("latency.") {
            let rest = name.dropFirst("latency.".count)
            guard let dot = rest.lastIndex(of: ".") else { return nil }
            let operation = String(rest[..<dot])
            guard !operation.isEmpty,
                  let percentile = LatencyPercentile.allCases.first(where: { $0.name == rest[rest.index(after: dot)...] })
            else { return nil }
            self = .latency(operation: operation, percentile: percentile)
            return
        }
        guard name.hasPrefix("row"), let dot = name.firstIndex(of: ".") else { return nil }
        let digits = name[name.index(name.startIndex, offsetBy: 3)..<dot]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let row = Int(digits), row >= 1 else { return nil }
        let perRow: [Metric] = [
            .recoveryTime(row: row), .detectionTime(row: row), .readRecoveryTime(row: row),
            .writeRecoveryTime(row: row), .rowPassed(row: row),
        ]
        guard let match = perRow.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The trigger-table row this metric is about, if any.
    public var row: Int? {
        switch self {
        case .recoveryTime(let row), .detectionTime(let row), .readRecoveryTime(let row),
             .writeRecoveryTime(let row), .rowPassed(let row):
            row
        default:
            nil
        }
    }

    /// The metric's unit.
    public var unit: Unit {
        switch self {
        case .recoveryTime, .detectionTime, .readRecoveryTime, .writeRecoveryTime, .breakerDetectionTime:
            .seconds
        case .rowPassed, .allRowsPassed:
            .passFail
        case .requestAvailability, .timeAvailability, .errorBudgetUsed:
            .fraction
        case .latency:
            .milliseconds
        case .writesLost, .writesRejected, .breakerOpens, .falseBreakerOpens, .alertsFired:
            .count
        }
    }

    /// Whether smaller or larger values are better.
    public var direction: Direction {
        switch self {
        case .rowPassed, .allRowsPassed, .requestAvailability, .timeAvailability:
            .higherIsBetter
        case .breakerOpens:
            .neutral
        default:
            .lowerIsBetter
        }
    }

    /// Whether the metric is pass/fail (summarised as pass rates with Wilson intervals, not means).
    public var isPassFail: Bool { unit == .passFail }
}

/// The latency percentiles compared: those of the SLA table.
public enum LatencyPercentile: Int, Sendable, CaseIterable, Comparable {
    case p50 = 50
    case p95 = 95
    case p99 = 99

    /// `p50`, `p95`, `p99`.
    public var name: String { "p\(rawValue)" }

    /// The percentile as a number in 0 … 100.
    public var value: Double { Double(rawValue) }

    public static func < (lhs: LatencyPercentile, rhs: LatencyPercentile) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Why an observation is not a number. Each is counted, never averaged.
public enum NamedOutcome: String, Sendable, CaseIterable, Comparable {
    /// Error rates never breached the recovery SLO.
    case noImpact
    /// Error rates breached, but no controller rule acted (so nothing was detected).
    case notTriggered
    /// The run reports no number and does not say why. Today's runs leave a read or write recovery
    /// time empty both when that traffic never breached and when it did not recover, so these are
    /// named, not guessed.
    case unreported

    public static func < (lhs: NamedOutcome, rhs: NamedOutcome) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What one run says about one metric.
public enum Observation: Equatable, Sendable {
    /// A number.
    case value(Double)
    /// Right-censored: the run ended (or the fault's window closed) first; the true value is at
    /// least this.
    case censored(atLeast: Double)
    /// Not a number, for a named reason.
    case named(NamedOutcome)
}

extension Metric {
    /// What `run` says about this metric, or `nil` when the run does not measure it (a row its
    /// experiment does not judge, an operation class without successful requests, a breaker
    /// detection time in a run without incidents).
    ///
    /// - Trigger rows: a `recovered` outcome is its recovery time; `notRecovered` is censored at
    ///   `censoredAtSeconds − onsetSeconds` of the row's incident (the contract's formula; a
    ///   `censoredAtSeconds` below the onset cannot be an instant and is read as the duration
    ///   from onset that engine 0.2.0 stores), or at 0 when the incident is missing; `noImpact` and `notTriggered` are
    ///   named. A missing detection time is `noImpact` when the row had no impact, else
    ///   `notTriggered`. A missing read or write recovery time is `noImpact` when the incident had
    ///   none, else ``NamedOutcome/unreported``.
    /// - ``breakerDetectionTime``: for each incident, the delay from onset to the first breaker
    ///   transition to `OPEN` (a `breakerTransition` event whose detail reads `… → OPEN…`) at or
    ///   after onset and at or before the fault's end; an incident without one is censored at its
    ///   fault's duration. The run's value is the mean over its incidents, censored (at the mean
    ///   of values and bounds) when any incident is.
    /// - Non-finite numbers (which a valid run never holds) are ``NamedOutcome/unreported``.
    ///
    /// - Complexity: O(triggers + incidents + latency classes + breakers + events).
    public func observation(in run: RunResult) -> Observation? {
        switch self {
        case .recoveryTime(let row):
            guard let verdict = run.triggers.first(where: { $0.row == row }) else { return nil }
            let incident = run.incidents.first { $0.fault == verdict.fault }
            switch verdict.outcome {
            case .recovered:
                return number(verdict.recoverySeconds ?? incident?.recoverySeconds)
            case .notRecovered:
                guard let incident, let censoredAt = incident.censoredAtSeconds else { return .censored(atLeast: 0) }
                return .censored(atLeast: Metric.censoringBound(censoredAt: censoredAt, onset: incident.onsetSeconds))
            case .noImpact:
                return .named(.noImpact)
            case .notTriggered:
                return .named(.notTriggered)
            }
        case .detectionTime(let row):
            guard let verdict = run.triggers.first(where: { $0.row == row }) else { return nil }
            if let detection = verdict.detectionSeconds { return number(detection) }
            return .named(verdict.outcome == .noImpact ? .noImpact : .notTriggered)
        case .readRecoveryTime(let row), .writeRecoveryTime(let row):
            guard let verdict = run.triggers.first(where: { $0.row == row }),
                  let incident = run.incidents.first(where: { $0.fault == verdict.fault })
            else { return nil }
            let seconds = if case .readRecoveryTime = self { incident.readRecoverySeconds } else { incident.writeRecoverySeconds }
            if let seconds { return number(seconds) }
            return .named(incident.outcome == .noImpact ? .noImpact : .unreported)
        case .rowPassed(let row):
            guard let verdict = run.triggers.first(where: { $0.row == row }) else { return nil }
            return .value(verdict.passed ? 1 : 0)
        case .allRowsPassed:
            guard !run.triggers.isEmpty else { return nil }
            return .value(run.triggers.allSatisfy(\.passed) ? 1 : 0)
        case .requestAvailability:
            return number(run.availability.requestBased)
        case .timeAvailability:
            return number(run.availability.timeBased)
        case .errorBudgetUsed:
            return number(run.availability.errorBudgetUsed)
        case .latency(let operation, let percentile):
            guard let latency = run.latency.first(where: { $0.operation == operation && $0.count > 0 }) else { return nil }
            switch percentile {
            case .p50: return number(latency.p50Ms)
            case .p95: return number(latency.p95Ms)
            case .p99: return number(latency.p99Ms)
            }
        case .writesLost:
            return .value(Double(run.writes.lost))
        case .writesRejected:
            return .value(Double(run.writes.rejected))
        case .breakerOpens:
            return .value(Double(run.breakers.reduce(0) { $0 + $1.opens }))
        case .falseBreakerOpens:
            return .value(Double(run.breakers.reduce(0) { $0 + $1.falseOpens }))
        case .breakerDetectionTime:
            return Metric.breakerDetection(in: run)
        case .alertsFired:
            return .value(Double(run.events.reduce(0) { $0 + ($1.kind == Metric.alertFiredKind ? 1 : 0) }))
        }
    }

    /// The `LoggedEvent` kind the monitor writes when an alert fires (`Monitor.swift`).
    public static let alertFiredKind = "alertFired"

    /// The `LoggedEvent` kind of a breaker's state change; its detail starts `FROM → TO`.
    public static let breakerTransitionKind = "breakerTransition"

    /// The least recovery time a `notRecovered` incident can have.
    ///
    /// The contract (`IncidentResult.censoredAtSeconds`) makes `censoredAtSeconds` the instant
    /// the observation ended, so the bound is `censoredAtSeconds − onsetSeconds`. Engine 0.2.0
    /// writes the duration from onset instead; an instant before the onset is impossible, so such
    /// a value is read as that duration. Otherwise the contract's reading is used, which is a
    /// valid (if loose) bound under either reading. Never below zero.
    static func censoringBound(censoredAt: Double, onset: Double) -> Double {
        guard censoredAt.isFinite, onset.isFinite else { return 0 }
        let bound = censoredAt < onset ? censoredAt : censoredAt - onset
        return Swift.max(0, bound)
    }

    private func number(_ value: Double?) -> Observation {
        guard let value, value.isFinite else { return .named(.unreported) }
        return .value(value)
    }

    private static func breakerDetection(in run: RunResult) -> Observation? {
        guard !run.incidents.isEmpty else { return nil }
        let opens = run.events
            .filter { $0.kind == breakerTransitionKind && opensBreaker($0.detail) }
            .map(\.timeSeconds)
        var total = 0.0
        var isCensored = false
        for incident in run.incidents {
            let window = incident.onsetSeconds ... Swift.max(incident.onsetSeconds, incident.endSeconds)
            if let first = opens.filter({ window.contains($0) }).min() {
                total += first - incident.onsetSeconds
            } else {
                total += window.upperBound - window.lowerBound
                isCensored = true
            }
        }
        let mean = total / Double(run.incidents.count)
        guard mean.isFinite else { return .named(.unreported) }
        return isCensored ? .censored(atLeast: mean) : .value(mean)
    }

    /// Whether a transition's detail (`CLOSED → OPEN: 5 failures in 60 s`) names OPEN as the state
    /// entered.
    static func opensBreaker(_ detail: String) -> Bool {
        guard let arrow = detail.range(of: "→ ") else { return false }
        let entered = detail[arrow.upperBound...].prefix { $0.isLetter || $0 == "_" }
        return entered == "OPEN"
    }
}

extension Metric {
    /// Every metric `runs` measure, in report order: per trigger row (ascending) recovery,
    /// detection, read and write recovery times and pass/fail; all rows passed; availability
    /// (request-based, time-based, error budget); latency per operation class (classes in the
    /// order they first appear in `runs`) at p50, p95, p99; writes lost and rejected; breaker
    /// opens, false opens and detection time; alerts fired.
    ///
    /// A metric is listed when at least one run measures it; the order depends on `runs` only
    /// through the order of first appearance of operation classes.
    public static func measured(in runs: [RunResult]) -> [Metric] {
        var rows: [Int] = []
        var operations: [String] = []
        var hasIncidents = false
        for run in runs {
            for verdict in run.triggers where !rows.contains(verdict.row) { rows.append(verdict.row) }
            for latency in run.latency where latency.count > 0 && !operations.contains(latency.operation) {
                operations.append(latency.operation)
            }
            if !run.incidents.isEmpty { hasIncidents = true }
        }
        var metrics: [Metric] = []
        for row in rows.sorted() {
            metrics += [.recoveryTime(row: row), .detectionTime(row: row), .readRecoveryTime(row: row),
                        .writeRecoveryTime(row: row), .rowPassed(row: row)]
        }
        if !rows.isEmpty { metrics.append(.allRowsPassed) }
        metrics += [.requestAvailability, .timeAvailability, .errorBudgetUsed]
        for operation in operations {
            metrics += LatencyPercentile.allCases.map { .latency(operation: operation, percentile: $0) }
        }
        metrics += [.writesLost, .writesRejected, .breakerOpens, .falseBreakerOpens]
        if hasIncidents { metrics.append(.breakerDetectionTime) }
        metrics.append(.alertsFired)
        return metrics
    }
}
