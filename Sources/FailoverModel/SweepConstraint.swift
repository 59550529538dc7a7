import Foundation
import RunResults
import SimulationCore

/// A sweep's constraint: comparisons joined by `and` and `or` (`and` binds tighter; no
/// parentheses), each between a swept parameter and a value or another swept parameter, e.g.
/// `breakers[0].resetTimeout >= 30s and breakers[0].failureThreshold < 20`, or
/// `breakers[0].policy == reference or breakers[0].failureThreshold == 5`.
///
/// Values compare as durations when both sides read as durations (`30s`, `1m`), else as numbers
/// when both read as numbers, else as text (only `==` and `!=`).
public struct SweepConstraint: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">"
    }
    public struct Clause: Sendable, Equatable {
        public var left: String
        public var comparison: Comparison
        public var right: String
    }
    /// Alternatives (joined by `or`), each a list of clauses that must all hold.
    public var alternatives: [[Clause]]
    /// Every clause, in order.
    public var clauses: [Clause] { alternatives.flatMap { $0 } }

    /// A constraint that cannot be read or applied, and why.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(parsing text: String) throws(Problem) {
        var alternatives: [[Clause]] = []
        for alternative in text.components(separatedBy: " or ") {
            alternatives.append(try Self.clauses(alternative, in: text))
        }
        self.alternatives = alternatives
    }

    static func clauses(_ conjunction: String, in text: String) throws(Problem) -> [Clause] {
        let parts = conjunction.components(separatedBy: " and ").map { $0.trimmingCharacters(in: .whitespaces) }
        var clauses: [Clause] = []
        for part in parts {
            guard !part.isEmpty else { throw Problem(description: "constraint '\(text)': an empty comparison around 'and' or 'or'") }
            // Two-character operators first, so that `<=` is not read as `<`.
            guard let comparison = Comparison.allCases.first(where: { part.contains($0.rawValue) }),
                  let range = part.range(of: comparison.rawValue) else {
                throw Problem(description: "constraint '\(text)': '\(part)' is not a comparison (expected one of <, <=, >, >=, ==, !=)")
            }
            // An operator character next to the operator (`===`, `=<`, `<>`) is a typo, not a
            // value starting with '=': refused with its place in the constraint.
            let operatorCharacters: Set<Character> = ["<", ">", "=", "!"]
            let before = part[..<range.lowerBound].last
            let after = part[range.upperBound...].first
            if let stray = [before, after].compactMap({ $0 }).first(where: operatorCharacters.contains) {
                let start = text.range(of: part).map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? 0
                let offset = start + part.distance(from: part.startIndex, to: range.lowerBound) + (before.map(operatorCharacters.contains) == true ? 0 : 2) + 1
                throw Problem(description: "constraint '\(text)': unexpected '\(stray)' at character \(offset) in '\(part)' "
                              + "(expected one of <, <=, >, >=, ==, !=)")
            }
            let left = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let right = part[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !left.isEmpty, !right.isEmpty else {
                throw Problem(description: "constraint '\(text)': '\(part)' needs a value on both sides of \(comparison.rawValue)")
            }
            clauses.append(Clause(left: left, comparison: comparison, right: right))
        }
        return clauses
    }

    /// The names in the constraint that are neither swept parameters nor literal values.
    public func unknownNames(swept: Set<String>) -> [String] {
        clauses.flatMap { [$0.left, $0.right] }.filter { !swept.contains($0) && !Self.isLiteral($0) }
    }

    /// Numbers, durations, quoted text and bare words are values; anything shaped like a
    /// parameter path (with `.` or `[`) must be a swept parameter.
    static func isLiteral(_ text: String) -> Bool {
        Double(text) != nil || (try? SimDuration(parsing: text)) != nil || text.hasPrefix("\"")
            || !(text.contains(".") || text.contains("["))
    }

    /// Whether a point (parameter → value) meets every clause of some alternative.
    public func holds(for point: [String: String]) throws(Problem) -> Bool {
        for alternative in alternatives where try Self.allHold(alternative, for: point) {
            return true
        }
        return false
    }

    static func allHold(_ clauses: [Clause], for point: [String: String]) throws(Problem) -> Bool {
        for clause in clauses {
            let left = Self.unquote(point[clause.left] ?? clause.left)
            let right = Self.unquote(point[clause.right] ?? clause.right)
            let order: Int
            if let l = try? SimDuration(parsing: left), let r = try? SimDuration(parsing: right), Double(left) == nil || Double(right) == nil {
                order = l < r ? -1 : (l == r ? 0 : 1)
            } else if let l = Double(left), let r = Double(right) {
                order = l < r ? -1 : (l == r ? 0 : 1)
            } else {
                switch clause.comparison {
                case .equal: if left != right { return false }
                case .notEqual: if left == right { return false }
                default:
                    throw Problem(description: "constraint: cannot order '\(left)' and '\(right)' (neither both numbers nor both durations)")
                }
                continue
            }
            let met: Bool
            switch clause.comparison {
            case .less: met = order < 0
            case .lessOrEqual: met = order <= 0
            case .greater: met = order > 0
            case .greaterOrEqual: met = order >= 0
            case .equal: met = order == 0
            case .notEqual: met = order != 0
            }
            if !met { return false }
        }
        return true
    }

    static func unquote(_ text: String) -> String {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }
}

extension SweepSpec {
    /// One point of the grid: its variant name and the overrides that make it.
    public struct Point: Sendable, Equatable {
        public var name: String
        public var overrides: [String: String]
    }

    /// Every point of the grid that meets the constraint, in order: the first parameter varies
    /// slowest. A point's name lists `name=value` for each parameter, with the parameter's last
    /// path component as its name unless two parameters share it.
    public func points() throws(SweepConstraint.Problem) -> [Point] {
        let constraint = try self.constraint.map { text throws(SweepConstraint.Problem) in try SweepConstraint(parsing: text) }
        if let constraint {
            let unknown = constraint.unknownNames(swept: Set(parameters.map(\.name)))
            if let first = unknown.first {
                throw SweepConstraint.Problem(description: "constraint names '\(first)', which is neither a swept parameter (\(parameters.map(\.name).joined(separator: ", "))) nor a value")
            }
        }
        let shortNames = parameters.map { Self.shortName($0.name) }
        let labels = parameters.indices.map { i in
            shortNames.filter { $0 == shortNames[i] }.count > 1 ? parameters[i].name : shortNames[i]
        }
        var result: [Point] = []
        var indices = Array(repeating: 0, count: parameters.count)
        while true {
            var overrides: [String: String] = [:]
            var name: [String] = []
            var point: [String: String] = [:]
            for (p, parameter) in parameters.enumerated() {
                let value = parameter.values[indices[p]]
                point[parameter.name] = value
                overrides[parameter.name] = value
                for linked in parameter.also ?? [] { overrides[linked] = value }
                name.append("\(labels[p])=\(value)")
            }
            if try constraint?.holds(for: point) ?? true {
                result.append(Point(name: name.joined(separator: " "), overrides: overrides))
            }
            // Odometer: the last parameter varies fastest.
            var position = parameters.count - 1
            while position >= 0 {
                indices[position] += 1
                if indices[position] < parameters[position].values.count { break }
                indices[position] = 0
                position -= 1
            }
            if position < 0 { break }
        }
        return result
    }

    static func shortName(_ path: String) -> String {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        return last
    }
}

extension ExperimentConfiguration {
    /// A variant to run: its name, the model file it uses (nil: the experiment's) and the
    /// overrides on top of the experiment's own.
    public struct ResolvedVariant: Sendable, Equatable {
        public var name: String
        public var model: String?
        public var overrides: [String: String]
    }

    /// Every variant the experiment runs, in order: `baseline`, the named variants, then the
    /// sweep's points. Overrides include the experiment's own (a variant's win).
    public func resolvedVariants() throws(SweepConstraint.Problem) -> [ResolvedVariant] {
        let base = overrides ?? [:]
        var result = [ResolvedVariant(name: "baseline", model: nil, overrides: base)]
        for variant in variants ?? [] where variant.name != "baseline" {
            result.append(ResolvedVariant(name: variant.name, model: variant.model, overrides: base.merging(variant.overrides) { $1 }))
        }
        if let baselineVariant = variants?.first(where: { $0.name == "baseline" }) {
            result[0] = ResolvedVariant(name: "baseline", model: baselineVariant.model, overrides: base.merging(baselineVariant.overrides) { $1 })
        }
        for point in try sweep?.points() ?? [] {
            result.append(ResolvedVariant(name: point.name, model: nil, overrides: base.merging(point.overrides) { $1 }))
        }
        let names = result.map(\.name)
        if let repeated = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) }) {
            throw SweepConstraint.Problem(description: "variant '\(repeated.element)' is declared twice")
        }
        return result
    }
}

extension Checks {
    /// The rules these checks declare; an absent key takes its default (trigger rows on,
    /// latency off, no availability or writes-lost bound).
    public var rules: RunChecks {
        RunChecks(triggers: triggers ?? true, latency: latency ?? false, availability: availability, writesLost: writesLost)
    }
}

extension ExperimentConfiguration {
    /// A run's checks: the experiment's `checks:`, or its trigger rows when it has none.
    public var runChecks: RunChecks { checks?.rules ?? .triggerRows }
}
