import SimulationCore

/// An experiment file (`kind: experiment`): which model, how long, which faults, which variants.
public struct ExperimentConfiguration: Codable, Sendable, Equatable {
    public var kind: String
    public var name: String
    public var description: String?
    /// The model file, relative to the experiment file.
    public var model: String
    /// Overrides applied to the model for every variant (`key.path: value`).
    public var overrides: [String: String]?
    /// Simulated time measured (after `warmUp`).
    public var duration: SimDuration
    /// Simulated time run first and excluded from every measurement.
    public var warmUp: SimDuration?
    /// Seeds to run (the first is the default of `failsim run`).
    public var seeds: [UInt64]?
    public var faults: [FaultSpec]
    public var variants: [Variant]?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, description, model, overrides, duration, warmUp, seeds, faults, variants
    }

    /// A named set of overrides of model parameters.
    public struct Variant: Codable, Sendable, Equatable {
        public var name: String
        public var description: String?
        public var overrides: [String: String]
        /// What a user should expect of this variant (documentation; reports show it).
        public var expectation: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, description, overrides, expectation }
    }
}

/// The kinds of fault, ordered roughly from least to most destructive.
public enum FaultKind: String, Codable, Sendable, CaseIterable {
    /// Added latency on the target's calls.
    case latency
    /// The API returns 5xx for a fraction of requests.
    case api5xx
    /// The region's cache is unreachable.
    case cacheOutage
    /// Replication to the replica stalls (lag grows).
    case replicationStall
    /// The primary database cannot be reached (`blackhole`: calls hang; `refuse`: fail fast).
    case databaseUnreachable
    /// Named links are cut.
    case partition
    /// The whole region is gone: compute, cache, database and whatever was queued there.
    case regionLoss
}

/// Links a partition can cut.
public enum LinkName: String, Codable, Sendable, CaseIterable {
    /// Clients (and external health checkers) ↔ the region.
    case clientsRegion = "clients-region"
    /// Edge ↔ the region.
    case edgeRegion = "edge-region"
    /// The region ↔ the other region (stalls replication).
    case regionRegion = "region-region"
}

/// One fault in an experiment: a kind, a target, when, for how long.
public struct FaultSpec: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable { case blackhole, refuse }
    public var name: String
    public var kind: FaultKind
    /// The region it hits (default: the primary).
    public var target: String?
    public var at: SimDuration
    public var duration: SimDuration
    /// `databaseUnreachable`: how calls fail.
    public var mode: Mode?
    /// `api5xx`: the share of requests that fail.
    public var fraction: Double?
    /// `partition`: which links are cut (default: all three).
    public var links: [LinkName]?
    /// `latency`: added to every call to the target.
    public var added: SimDuration?
    /// Flapping: the fault is on for `dutyCycle × period` of every `period`.
    public var period: SimDuration?
    public var dutyCycle: Double?
    /// Only these tenants (ranks 1…tenants) are affected; absent means all.
    public var tenants: [Int]?
    /// The trigger-table row this fault exercises (1-based), if any.
    public var row: Int?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, target, at, duration, mode, fraction, links, added, period, dutyCycle, tenants, row
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decode(FaultKind.self, forKey: .kind)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        at = try c.decode(SimDuration.self, forKey: .at)
        duration = try c.decode(SimDuration.self, forKey: .duration)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode)
        fraction = try c.decodeIfPresent(Double.self, forKey: .fraction)
        links = try c.decodeIfPresent([LinkName].self, forKey: .links)
        added = try c.decodeIfPresent(SimDuration.self, forKey: .added)
        period = try c.decodeIfPresent(SimDuration.self, forKey: .period)
        dutyCycle = try c.decodeIfPresent(Double.self, forKey: .dutyCycle)
        tenants = try c.decodeIfPresent([Int].self, forKey: .tenants)
        row = try c.decodeIfPresent(Int.self, forKey: .row)
        if duration.nanoseconds <= 0 {
            throw DecodingError.dataCorruptedError(forKey: .duration, in: c, debugDescription: "a fault's duration must be longer than zero")
        }
        if let fraction, !(fraction >= 0 && fraction <= 1) {
            throw DecodingError.dataCorruptedError(forKey: .fraction, in: c, debugDescription: "fraction must be from 0 to 1, found \(fraction)")
        }
        if kind == .api5xx && fraction == nil {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "an api5xx fault needs a fraction (0 to 1)")
        }
        if kind == .latency && added == nil {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "a latency fault needs 'added' (a duration)")
        }
        if let dutyCycle, !(dutyCycle > 0 && dutyCycle <= 1) {
            throw DecodingError.dataCorruptedError(forKey: .dutyCycle, in: c, debugDescription: "dutyCycle must be above 0 and at most 1, found \(dutyCycle)")
        }
        if (period == nil) != (dutyCycle == nil) {
            throw DecodingError.dataCorruptedError(forKey: period == nil ? .dutyCycle : .period, in: c, debugDescription: "a flapping fault needs both period and dutyCycle")
        }
        if let period, period.nanoseconds <= 0 {
            throw DecodingError.dataCorruptedError(forKey: .period, in: c, debugDescription: "period must be longer than zero")
        }
    }

    public init(name: String, kind: FaultKind, target: String? = nil, at: SimDuration, duration: SimDuration,
                mode: Mode? = nil, fraction: Double? = nil, links: [LinkName]? = nil, added: SimDuration? = nil,
                row: Int? = nil) {
        self.name = name
        self.kind = kind
        self.target = target
        self.at = at
        self.duration = duration
        self.mode = mode
        self.fraction = fraction
        self.links = links
        self.added = added
        self.row = row
    }
}
