import Foundation

/// The identity of a run: what was run, with which inputs, and a few whole-run counts.
///
/// ``runKey`` identifies the *inputs* (see ``RunKey/make(modelCanonical:experimentCanonical:variant:overrides:seed:engineVersion:)``):
/// rerunning the same model, experiment, variant, overrides, seed and engine version repeats it.
/// ``digest`` identifies the *results* (see ``RunResult/computeDigest()``).
public struct RunIdentity: Codable, Sendable, Equatable {
    /// Hex SHA-256 identifying the run's inputs (model, experiment, variant, overrides, seed,
    /// engine version). Equal run keys mean "the same run"; used to resume sweeps and merge shards.
    public var runKey: String
    /// The model's name, as declared in the model file.
    public var model: String
    /// Hex SHA-256 of the model's canonical form (see ``ContentHash/sha256Hex(_:)``).
    public var modelHash: String
    /// The experiment's name, as declared in the experiment file.
    public var experiment: String
    /// Hex SHA-256 of the experiment's canonical form.
    public var experimentHash: String
    /// The name of the experiment variant that was run (e.g. `baseline`).
    public var variant: String
    /// Parameter overrides applied on top of the model and variant, as written (path → value).
    /// Encoded with keys in sorted order.
    public var overrides: [String: String]
    /// The run's seed; every random stream of the run is derived from it.
    public var seed: UInt64
    /// The simulation engine's version; results are only reproducible within one engine version.
    public var engineVersion: String
    /// Hex SHA-256 of the run's results (see ``RunResult/computeDigest()``); empty until computed.
    public var digest: String
    /// Number of events the engine processed.
    public var events: Int64
    /// Simulated time the run covered, in seconds.
    public var simulatedSeconds: Double
    /// Wall-clock time the run took, in seconds. Informative only: excluded from the digest.
    public var wallSeconds: Double

    /// Creates a run identity.
    public init(
        runKey: String,
        model: String,
        modelHash: String,
        experiment: String,
        experimentHash: String,
        variant: String,
        overrides: [String: String] = [:],
        seed: UInt64,
        engineVersion: String,
        digest: String = "",
        events: Int64,
        simulatedSeconds: Double,
        wallSeconds: Double
    ) {
        self.runKey = runKey
        self.model = model
        self.modelHash = modelHash
        self.experiment = experiment
        self.experimentHash = experimentHash
        self.variant = variant
        self.overrides = overrides
        self.seed = seed
        self.engineVersion = engineVersion
        self.digest = digest
        self.events = events
        self.simulatedSeconds = simulatedSeconds
        self.wallSeconds = wallSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case runKey, model, modelHash, experiment, experimentHash, variant, overrides, seed
        case engineVersion, digest, events, simulatedSeconds, wallSeconds
    }

    private struct OverrideKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes the identity; ``overrides`` are written in sorted key order (UTF-8 byte order), so
    /// that encoders which keep insertion order produce the same bytes every time.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runKey, forKey: .runKey)
        try container.encode(model, forKey: .model)
        try container.encode(modelHash, forKey: .modelHash)
        try container.encode(experiment, forKey: .experiment)
        try container.encode(experimentHash, forKey: .experimentHash)
        try container.encode(variant, forKey: .variant)
        var overridesContainer = container.nestedContainer(keyedBy: OverrideKey.self, forKey: .overrides)
        for key in overrides.keys.sorted(by: utf8Precedes) {
            try overridesContainer.encode(overrides[key]!, forKey: OverrideKey(stringValue: key))
        }
        try container.encode(seed, forKey: .seed)
        try container.encode(engineVersion, forKey: .engineVersion)
        try container.encode(digest, forKey: .digest)
        try container.encode(events, forKey: .events)
        try container.encode(simulatedSeconds, forKey: .simulatedSeconds)
        try container.encode(wallSeconds, forKey: .wallSeconds)
    }

    /// Decodes an identity written by ``encode(to:)`` (or any encoder of the same shape).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runKey = try container.decode(String.self, forKey: .runKey)
        model = try container.decode(String.self, forKey: .model)
        modelHash = try container.decode(String.self, forKey: .modelHash)
        experiment = try container.decode(String.self, forKey: .experiment)
        experimentHash = try container.decode(String.self, forKey: .experimentHash)
        variant = try container.decode(String.self, forKey: .variant)
        overrides = try container.decodeIfPresent([String: String].self, forKey: .overrides) ?? [:]
        seed = try container.decode(UInt64.self, forKey: .seed)
        engineVersion = try container.decode(String.self, forKey: .engineVersion)
        digest = try container.decode(String.self, forKey: .digest)
        events = try container.decode(Int64.self, forKey: .events)
        simulatedSeconds = try container.decode(Double.self, forKey: .simulatedSeconds)
        wallSeconds = try container.decode(Double.self, forKey: .wallSeconds)
    }
}

/// Total order on strings by their UTF-8 bytes: independent of locale, Unicode normalisation and
/// hash seeds.
@inline(__always)
func utf8Precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
