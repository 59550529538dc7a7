import RunResults

/// How a variant's runs fared against the experiment's checks (``RunChecks``): how many passed
/// every check, and how many failed each failing check, named.
public struct CheckTally: Equatable, Sendable {
    /// One check that failed in at least one run.
    public struct Failing: Equatable, Sendable {
        /// The check's name (``CheckResult/name``).
        public var name: String
        /// Runs that failed it.
        public var runs: Int
    }

    /// Runs counted.
    public var runs = 0
    /// Runs that passed every check.
    public var passed = 0
    /// The failing checks, in order of first failure.
    public var failing: [Failing] = []

    public init() {}

    /// Counts one run's evaluated checks.
    public mutating func add(_ checks: [CheckResult]) {
        runs += 1
        if checks.allSatisfy(\.passed) { passed += 1 }
        for check in checks where !check.passed {
            if let position = failing.firstIndex(where: { $0.name == check.name }) {
                failing[position].runs += 1
            } else {
                failing.append(Failing(name: check.name, runs: 1))
            }
        }
    }

    /// The tally of `runs` against `checks`.
    public init(_ runs: [RunResult], checks: RunChecks) {
        for run in runs { add(checks.evaluate(run)) }
    }
}
