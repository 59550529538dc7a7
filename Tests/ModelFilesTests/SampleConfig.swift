import ModelFiles
import SimulationCore

// Small configuration types shaped like the real ones, used by the decoder's tests.

enum Policy: String, Decodable, CaseIterable, Equatable {
    case roundRobin, leastLoaded
}

struct Replica: Decodable, Equatable {
    var name: String
    var weight: Double
    var lag: SimDuration?

    enum CodingKeys: String, CodingKey, CaseIterable { case name, weight, lag }
}

struct Service: Decodable, Equatable {
    var name: String
    var policy: Policy
    var enabled: Bool
    var replicas: [Replica]

    enum CodingKeys: String, CodingKey, CaseIterable { case name, policy, enabled, replicas }
}

struct Breaker: Decodable, Equatable {
    var failureThreshold: Int
    var resetTimeout: SimDuration
    var halfOpenProbes: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case failureThreshold, resetTimeout, halfOpenProbes }

    init(failureThreshold: Int, resetTimeout: SimDuration, halfOpenProbes: Int? = nil) {
        self.failureThreshold = failureThreshold
        self.resetTimeout = resetTimeout
        self.halfOpenProbes = halfOpenProbes
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        failureThreshold = try container.decode(Int.self, forKey: .failureThreshold)
        resetTimeout = try container.decode(SimDuration.self, forKey: .resetTimeout)
        halfOpenProbes = try container.decodeIfPresent(Int.self, forKey: .halfOpenProbes)
        guard failureThreshold >= 1 else {
            throw container.validationError(
                forKey: .failureThreshold, "failureThreshold must be at least 1, found \(failureThreshold)")
        }
    }
}

struct SampleModel: Decodable, Equatable {
    var kind: FileKind
    var name: String
    var seed: UInt64
    var services: [Service]
    var breakers: OrderedMapping<Breaker>
    var tags: [String: String]?
    var eventLimit: Int64

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, seed, services, breakers, tags, eventLimit
    }
}

/// A type whose keys cannot be listed: unknown keys are reported without a suggestion.
struct Opaque: Decodable {
    var size: Int
    enum CodingKeys: String, CodingKey { case size }
}

/// Nests as deep as the file does.
struct Tree: Decodable {
    var child: [Tree]?
    enum CodingKeys: String, CodingKey, CaseIterable { case child }
}

/// The sample model file; tests change one line at a time (lines are numbered from 1).
let sampleModelText = """
    kind: model
    name: esta
    seed: 42
    services:
      - name: api
        policy: roundRobin
        enabled: true
        replicas:
          - name: a
            weight: 1.5
            lag: 250ms
          - name: b
            weight: 2
    breakers:
      firestore:
        failureThreshold: 5
        resetTimeout: 30s
      auth:
        failureThreshold: 3
        resetTimeout: 1m30s
        halfOpenProbes: 2
    tags:
      team: sre
    eventLimit: 1_000_000

    """

/// The sample with line `number` (from 1) replaced by `replacement` (or removed when `nil`).
func sample(line number: Int, _ replacement: String?) -> String {
    var lines = sampleModelText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let replacement {
        lines[number - 1] = replacement
    } else {
        lines.remove(at: number - 1)
    }
    return lines.joined(separator: "\n")
}

/// The sample with `text` inserted after line `number`.
func sample(insertingAfterLine number: Int, _ text: String) -> String {
    var lines = sampleModelText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines.insert(text, at: number)
    return lines.joined(separator: "\n")
}
