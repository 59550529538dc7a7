import SimulationCore

/// Reads a policy's parameters from text (`--set key=value`, model files), one type per method.
/// It parses types only; ranges are checked by each policy's validating initialiser, so the typed
/// initialisers and the text form reject the same values with the same messages.
struct ParameterReader {
    let policy: BreakerPolicyKind
    let values: [String: String]

    /// Rejects unknown names first, in sorted order so the error is the same on every run.
    init(policy: BreakerPolicyKind, values: [String: String]) throws(BreakerConfigurationError) {
        self.policy = policy
        self.values = values
        let valid = policy.parameterNames
        for name in values.keys.sorted() where !valid.contains(name) {
            throw .unknownParameter(name: name, policy: policy, suggestion: suggestion(for: name, among: valid))
        }
    }

    private func text(_ name: String) -> String? {
        values[name].map { $0.trimmingBreakerWhitespace() }
    }

    func integer(_ name: String, default value: Int) throws(BreakerConfigurationError) -> Int {
        guard let text = text(name) else { return value }
        guard let parsed = Int(text) else {
            throw .malformedValue(parameter: name, value: text, expected: "a whole number")
        }
        return parsed
    }

    func number(_ name: String, default value: Double) throws(BreakerConfigurationError) -> Double {
        guard let text = text(name) else { return value }
        guard let parsed = Double(text), parsed.isFinite else {
            throw .malformedValue(parameter: name, value: text, expected: "a number")
        }
        return parsed
    }

    func duration(_ name: String, default value: SimDuration) throws(BreakerConfigurationError) -> SimDuration {
        guard let text = text(name) else { return value }
        do {
            return try SimDuration(parsingStated: text)
        } catch .beyondLongest {
            throw .outOfRange(parameter: name, value: text, expected: "at most \(SimDuration.longestStated), the longest duration an input may state")
        } catch {
            throw .malformedValue(parameter: name, value: text,
                                  expected: "a duration such as 250ms, 5s, 1.5s or 1m30s")
        }
    }

    /// Hystrix's `…InMilliseconds` keys: a bare number is milliseconds, as in Hystrix's own
    /// properties; a duration with a unit (`5s`) is accepted too. The result must be whole
    /// milliseconds, the library's resolution.
    func milliseconds(_ name: String, default value: Int64) throws(BreakerConfigurationError) -> Int64 {
        guard let text = text(name) else { return value }
        if let parsed = Int64(text) { return parsed }
        let duration: SimDuration
        do {
            duration = try SimDuration(parsing: text)
        } catch {
            throw .malformedValue(parameter: name, value: text,
                                  expected: "milliseconds (5000) or a duration (5s)")
        }
        guard duration.nanoseconds % 1_000_000 == 0 else {
            throw .malformedValue(parameter: name, value: text, expected: "a whole number of milliseconds")
        }
        return duration.nanoseconds / 1_000_000
    }

    func boolean(_ name: String, default value: Bool) throws(BreakerConfigurationError) -> Bool {
        guard let text = text(name) else { return value }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .malformedValue(parameter: name, value: text, expected: "true or false")
        }
    }

    func word<Word: RawRepresentable & CaseIterable>(_ name: String, default value: Word) throws(BreakerConfigurationError) -> Word
    where Word.RawValue == String {
        guard let text = text(name) else { return value }
        if let parsed = Word(rawValue: text) { return parsed }
        if let parsed = Word.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) { return parsed }
        let words = Word.allCases.map(\.rawValue).joined(separator: " or ")
        throw .malformedValue(parameter: name, value: text, expected: words)
    }
}

/// Canonical text of a parameter value, as `--set` would take it back.
func parameterText(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}

func parameterText(_ value: Float) -> String {
    if value == value.rounded(), abs(value) < 1e7 { return String(Int64(value)) }
    return String(value)
}

extension String {
    func trimmingBreakerWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let c = scalars.first, c.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let c = scalars.last, c.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
