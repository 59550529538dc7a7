/// Why a breaker policy could not be built from its parameters. Every case names the parameter
/// (with the library's own spelling) and says what was expected, so a `--set` typo or a bad model
/// file value can be fixed from the message alone.
public enum BreakerConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No policy of that name.
    case unknownPolicy(name: String, suggestion: String?)
    /// The policy has no parameter of that name.
    case unknownParameter(name: String, policy: BreakerPolicyKind, suggestion: String?)
    /// The value is not of the parameter's type (not a number, not a duration, not one of the
    /// allowed words).
    case malformedValue(parameter: String, value: String, expected: String)
    /// The value has the right type but is outside what the library accepts.
    case outOfRange(parameter: String, value: String, expected: String)
    /// Two parameters that are fine alone contradict each other.
    case inconsistent(parameters: [String], message: String)

    public var description: String {
        switch self {
        case .unknownPolicy(let name, let suggestion):
            let valid = BreakerPolicyKind.allCases.map(\.rawValue).joined(separator: ", ")
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            return "unknown breaker policy '\(name)'\(hint) (policies: \(valid))"
        case .unknownParameter(let name, let policy, let suggestion):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            let valid = policy.parameterNames.joined(separator: ", ")
            return "unknown parameter '\(name)' for policy \(policy.rawValue)\(hint) (parameters: \(valid))"
        case .malformedValue(let parameter, let value, let expected):
            return "\(parameter): '\(value)' is not valid: expected \(expected)"
        case .outOfRange(let parameter, let value, let expected):
            return "\(parameter): \(value) is out of range: expected \(expected)"
        case .inconsistent(let parameters, let message):
            return "\(parameters.joined(separator: ", ")): \(message)"
        }
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be the likely intent:
/// case-insensitive edit distance at most a third of the name's length (at least 2), or a
/// candidate that contains the name or is contained in it.
func suggestion(for name: String, among candidates: [String]) -> String? {
    let lowered = name.lowercased()
    guard !lowered.isEmpty else { return nil }
    var best: (candidate: String, distance: Int)? = nil
    for candidate in candidates {
        let other = candidate.lowercased()
        var distance = editDistance(Array(lowered.utf8), Array(other.utf8))
        if other.contains(lowered) || lowered.contains(other) { distance = min(distance, 1) }
        if best == nil || distance < best!.distance { best = (candidate, distance) }
    }
    guard let best else { return nil }
    return best.distance <= max(2, lowered.count / 3) ? best.candidate : nil
}

/// Levenshtein distance over bytes (names here are ASCII).
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
