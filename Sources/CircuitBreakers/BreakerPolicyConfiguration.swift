import SimulationCore

/// The policies, by the name a command line or a model file uses.
public enum BreakerPolicyKind: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case reference
    case consecutive
    case resilience4j
    case hystrix
    case polly

    public var description: String { rawValue }

    /// The policy's parameter names: the library's own spelling.
    public var parameterNames: [String] {
        switch self {
        case .reference: return ReferencePolicy.parameterNames
        case .consecutive: return ConsecutiveFailuresPolicy.parameterNames
        case .resilience4j: return Resilience4jPolicy.parameterNames
        case .hystrix: return HystrixPolicy.parameterNames
        case .polly: return PollyPolicy.parameterNames
        }
    }

    /// The kind with this name; an unknown name is an error with a suggestion.
    public init(named name: String) throws(BreakerConfigurationError) {
        let trimmed = name.trimmingBreakerWhitespace()
        if let kind = BreakerPolicyKind(rawValue: trimmed) ?? BreakerPolicyKind(rawValue: trimmed.lowercased()) {
            self = kind
            return
        }
        throw .unknownPolicy(name: name, suggestion: suggestion(for: trimmed, among: BreakerPolicyKind.allCases.map(\.rawValue)))
    }
}

/// A breaker policy with its parameters: what a breaker is built from.
///
/// Text form (command line, model files): a policy name and `[String: String]` parameters with
/// the library's names (``init(kind:parameters:)``). Codable form: the same, flattened — a
/// `policy` key next to the parameters — so a model file reads
/// `{policy: resilience4j, failureRateThreshold: 20, waitDurationInOpenState: 30s}`.
public enum BreakerPolicyConfiguration: Sendable, Equatable {
    case reference(ReferencePolicy)
    case consecutive(ConsecutiveFailuresPolicy)
    case resilience4j(Resilience4jPolicy)
    case hystrix(HystrixPolicy)
    case polly(PollyPolicy)

    /// Builds a policy from text parameters; missing parameters take the library's defaults.
    public init(kind: BreakerPolicyKind, parameters: [String: String] = [:]) throws(BreakerConfigurationError) {
        switch kind {
        case .reference: self = .reference(try ReferencePolicy(parameters: parameters))
        case .consecutive: self = .consecutive(try ConsecutiveFailuresPolicy(parameters: parameters))
        case .resilience4j: self = .resilience4j(try Resilience4jPolicy(parameters: parameters))
        case .hystrix: self = .hystrix(try HystrixPolicy(parameters: parameters))
        case .polly: self = .polly(try PollyPolicy(parameters: parameters))
        }
    }

    /// Builds a policy from its name and text parameters.
    public init(policy name: String, parameters: [String: String] = [:]) throws(BreakerConfigurationError) {
        try self.init(kind: BreakerPolicyKind(named: name), parameters: parameters)
    }

    public var kind: BreakerPolicyKind {
        switch self {
        case .reference: return .reference
        case .consecutive: return .consecutive
        case .resilience4j: return .resilience4j
        case .hystrix: return .hystrix
        case .polly: return .polly
        }
    }

    /// Every parameter with its value in force (defaults included), in the policy's order.
    public var parameterValues: [(name: String, value: String)] {
        switch self {
        case .reference(let policy): return policy.parameterValues
        case .consecutive(let policy): return policy.parameterValues
        case .resilience4j(let policy): return policy.parameterValues
        case .hystrix(let policy): return policy.parameterValues
        case .polly(let policy): return policy.parameterValues
        }
    }
}

extension BreakerPolicyConfiguration: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads `policy` and the parameters beside it. Values may be strings, numbers or Booleans;
    /// they go through the same text validation as `--set`, so a bad value fails with the same
    /// message, as a `DecodingError.dataCorrupted` naming the key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let name = try container.decode(String.self, forKey: Key("policy"))
        var parameters: [String: String] = [:]
        for key in container.allKeys where key.stringValue != "policy" {
            if let text = try? container.decode(String.self, forKey: key) {
                parameters[key.stringValue] = text
            } else if let integer = try? container.decode(Int64.self, forKey: key) {
                parameters[key.stringValue] = String(integer)
            } else if let number = try? container.decode(Double.self, forKey: key) {
                parameters[key.stringValue] = String(number)
            } else if let flag = try? container.decode(Bool.self, forKey: key) {
                parameters[key.stringValue] = String(flag)
            } else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                       debugDescription: "\(key.stringValue): expected a string, a number or true/false")
            }
        }
        do {
            self = try BreakerPolicyConfiguration(policy: name, parameters: parameters)
        } catch {
            let key: Key
            switch error {
            case .unknownParameter(let parameter, _, _): key = Key(parameter)
            case .malformedValue(let parameter, _, _), .outOfRange(let parameter, _, _): key = Key(parameter)
            case .inconsistent(let parameters, _): key = Key(parameters.first ?? "policy")
            case .unknownPolicy: key = Key("policy")
            }
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath + [key],
                                                                    debugDescription: error.description))
        }
    }

    /// Writes `policy` and every parameter in force as text, which decodes back to an equal value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(kind.rawValue, forKey: Key("policy"))
        for (name, value) in parameterValues {
            try container.encode(value, forKey: Key(name))
        }
    }
}
