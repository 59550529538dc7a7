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
    /// Seeds to run: a count (`seeds: 20` means 1…20) or a list (the first is the default of
    /// `failsim run`).
    public var seeds: SeedSpec?
    public var faults: [FaultSpec]
    public var variants: [Variant]?
    /// Random fault processes: each generates a seeded schedule of faults over the run.
    public var faultProcesses: [FaultProcess]?
    /// A grid over model parameters; every point is a variant of its own.
    public var sweep: SweepSpec?
    /// What a run must meet to pass (`failsim run --check`, sweep pass rates).
    public var checks: Checks?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, description, model, overrides, duration, warmUp, seeds, faults, variants, faultProcesses, sweep, checks
    }

    /// A named set of overrides of model parameters.
    public struct Variant: Codable, Sendable, Equatable {
        public var name: String
        public var description: String?
        /// Another model file for this variant (relative to the experiment file), to compare
        /// architectures; absent means the experiment's model.
        public var model: String?
        public var overrides: [String: String]
        /// What a user should expect of this variant (documentation; reports show it).
        public var expectation: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, description, model, overrides, expectation }

        public init(name: String, description: String? = nil, model: String? = nil, overrides: [String: String], expectation: String? = nil) {
            self.name = name
            self.description = description
            self.model = model
            self.overrides = overrides
            self.expectation = expectation
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            description = try c.decodeIfPresent(String.self, forKey: .description)
            model = try c.decodeIfPresent(String.self, forKey: .model)
            overrides = try c.decodeIfPresent([String: String].self, forKey: .overrides) ?? [:]
            expectation = try c.decodeIfPresent(String.self, forKey: .expectation)
            if let problem = RunName.problem(name) {
                throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "a variant's name: \(problem)")
            }
            if name == "baseline" {
                throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription:
                    "'baseline' is the name of the experiment's own run (its model and overrides); name this variant otherwise")
            }
        }
    }

    /// The seeds an experiment runs, in order.
    public var seedList: [UInt64] { seeds?.values ?? [1] }
}

extension ExperimentConfiguration {
    /// Decodes every key, then refuses what no run could do: a zero duration, a warm-up and
    /// duration beyond the time type, and a fault, fault process or variant name used twice
    /// (each reported at its second use).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        model = try c.decode(String.self, forKey: .model)
        overrides = try c.decodeIfPresent([String: String].self, forKey: .overrides)
        duration = try c.decode(SimDuration.self, forKey: .duration)
        warmUp = try c.decodeIfPresent(SimDuration.self, forKey: .warmUp)
        seeds = try c.decodeIfPresent(SeedSpec.self, forKey: .seeds)
        faults = try c.decode([FaultSpec].self, forKey: .faults)
        variants = try c.decodeIfPresent([Variant].self, forKey: .variants)
        faultProcesses = try c.decodeIfPresent([FaultProcess].self, forKey: .faultProcesses)
        sweep = try c.decodeIfPresent(SweepSpec.self, forKey: .sweep)
        checks = try c.decodeIfPresent(Checks.self, forKey: .checks)
        if duration.nanoseconds <= 0 {
            throw DecodingError.dataCorruptedError(forKey: .duration, in: c, debugDescription: "duration must be longer than zero, found \(duration)")
        }
        if (warmUp ?? .zero).nanoseconds.addingReportingOverflow(duration.nanoseconds).overflow {
            throw DecodingError.dataCorruptedError(forKey: .duration, in: c, debugDescription: "warmUp + duration is longer than the time type holds (about 292 years)")
        }
        func refuseRepeated(_ names: [String], _ key: CodingKeys, _ what: String, nameKey: any CodingKey) throws {
            for (index, name) in names.enumerated() {
                guard let first = names[..<index].firstIndex(of: name) else { continue }
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath + [key, IndexKey(index), nameKey],
                    debugDescription: "\(what) '\(name)' is declared twice (first as \(key.rawValue)[\(first)])"))
            }
        }
        try refuseRepeated(faults.map(\.name), .faults, "fault", nameKey: FaultSpec.CodingKeys.name)
        try refuseRepeated((faultProcesses ?? []).map(\.name), .faultProcesses, "fault process", nameKey: FaultProcess.CodingKeys.name)
        try refuseRepeated((variants ?? []).map(\.name), .variants, "variant", nameKey: Variant.CodingKeys.name)
        if let problem = RunName.problem(name) {
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "an experiment's name: \(problem)")
        }
        // A fault that starts after the measured period would be judged on traffic it never met
        // ("noImpact", a pass): refused, at its `at`.
        let measuredEnd = (warmUp ?? .zero) + duration
        for (index, fault) in faults.enumerated() where fault.at >= measuredEnd {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [CodingKeys.faults, IndexKey(index), FaultSpec.CodingKeys.at],
                debugDescription: Self.lateFaultProblem(fault, measuredEnd: measuredEnd)))
        }
    }

    static func lateFaultProblem(_ fault: FaultSpec, measuredEnd: SimDuration) -> String {
        "fault '\(fault.name)' starts at \(fault.at), at or after the end of the measured period "
            + "(warmUp + duration = \(measuredEnd)): nothing of it would be measured"
    }

    /// A list element's key in an error's coding path (`[2]`).
    struct IndexKey: CodingKey {
        let intValue: Int?
        let stringValue: String
        init(_ index: Int) { intValue = index; stringValue = "Index \(index)" }
        init?(intValue: Int) { self.init(intValue) }
        init?(stringValue: String) { nil }
    }
}

/// Seeds as a count (`seeds: 20`, meaning 1…20) or an explicit list (`seeds: [7, 11]`).
public enum SeedSpec: Codable, Sendable, Equatable, ExpressibleByArrayLiteral {
    case count(Int)
    case list([UInt64])

    /// The seeds, in the order they run.
    public var values: [UInt64] {
        switch self {
        case .count(let n): n > 0 ? Array(1...UInt64(n)) : []
        case .list(let seeds): seeds
        }
    }

    public init(arrayLiteral elements: UInt64...) { self = .list(elements) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let count = try? container.decode(Int.self) {
            guard count >= 1 && count <= 1_000_000 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a seed count must be from 1 to 1,000,000, found \(count)")
            }
            self = .count(count)
            return
        }
        guard let list = try? container.decode([UInt64].self) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a seed count (e.g. 20) or a list of seeds (e.g. [1, 2, 3]), each a whole number from 0 to 2^64-1")
        }
        guard !list.isEmpty else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "the seed list is empty")
        }
        guard Set(list).count == list.count else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "the seed list repeats a seed")
        }
        self = .list(list)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let n): try container.encode(n)
        case .list(let seeds): try container.encode(seeds)
        }
    }
}

/// A grid over model parameters (`key.path` as in overrides). Every combination that meets the
/// constraint becomes a variant named after its values, e.g. `failureThreshold=5 resetTimeout=30s`.
public struct SweepSpec: Codable, Sendable, Equatable {
    public struct Parameter: Codable, Sendable, Equatable {
        /// The model parameter, written as in overrides (`breakers[0].failureThreshold`).
        public var name: String
        /// The values it takes, as they would be written in the model file.
        public var values: [String]
        /// Other model parameters set to the same value at every point (e.g. each policy's
        /// spelling of "how long to stay open"), so that one dimension of the grid moves them
        /// together.
        public var also: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, values, also }

        public init(name: String, values: [String], also: [String]? = nil) {
            self.name = name
            self.values = values
            self.also = also
        }
    }
    public var parameters: [Parameter]
    /// Only points where this holds: comparisons joined by `and`, e.g.
    /// `breakers[0].resetTimeout >= breakers[0].monitorWindow and breakers[0].failureThreshold < 20`.
    public var constraint: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case parameters, constraint }

    public init(parameters: [Parameter], constraint: String? = nil) {
        self.parameters = parameters
        self.constraint = constraint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parameters = try c.decode([Parameter].self, forKey: .parameters)
        constraint = try c.decodeIfPresent(String.self, forKey: .constraint)
        if parameters.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "a sweep needs at least one parameter")
        }
        if let empty = parameters.first(where: { $0.values.isEmpty }) {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "parameter '\(empty.name)' has no values")
        }
        let names = parameters.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "parameter '\(repeated)' is swept twice")
        }
        let gridSize = parameters.reduce(1) { $0.multipliedReportingOverflow(by: $1.values.count).partialValue }
        if gridSize > 100_000 {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "the grid has \(gridSize) points; at most 100,000 are allowed")
        }
        if let constraint {
            let parsed: SweepConstraint
            do { parsed = try SweepConstraint(parsing: constraint) } catch {
                throw DecodingError.dataCorruptedError(forKey: .constraint, in: c, debugDescription: "\(error)")
            }
            if let unknown = parsed.unknownNames(swept: Set(names)).first {
                throw DecodingError.dataCorruptedError(forKey: .constraint, in: c, debugDescription: "constraint names '\(unknown)', which is neither a swept parameter (\(names.joined(separator: ", "))) nor a value")
            }
            // A constraint no point meets leaves a sweep of the baseline alone: said, not run.
            let met: [Point]
            do { met = try points() } catch {
                throw DecodingError.dataCorruptedError(forKey: .constraint, in: c, debugDescription: "\(error)")
            }
            if met.isEmpty {
                throw DecodingError.dataCorruptedError(forKey: .constraint, in: c, debugDescription:
                    "constraint '\(constraint)' holds for none of the grid's \(gridSize) points: the sweep would add no variant")
            }
        }
    }
}

/// What a run must meet to pass.
public struct Checks: Codable, Sendable, Equatable {
    /// Every trigger-table row exercised passes (default true).
    public var triggers: Bool?
    /// Every latency class meets its SLA (default false: the reference's client-measured
    /// latencies miss it by design of the defaults — see the README's findings).
    public var latency: Bool?
    /// Request-based availability at least this (e.g. 0.999).
    public var availability: Double?
    /// At most this many acknowledged writes lost (the reference's goal is 0).
    public var writesLost: Int?
    enum CodingKeys: String, CodingKey, CaseIterable { case triggers, latency, availability, writesLost }

    public init(triggers: Bool? = nil, latency: Bool? = nil, availability: Double? = nil, writesLost: Int? = nil) {
        self.triggers = triggers
        self.latency = latency
        self.availability = availability
        self.writesLost = writesLost
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        triggers = try c.decodeIfPresent(Bool.self, forKey: .triggers)
        latency = try c.decodeIfPresent(Bool.self, forKey: .latency)
        availability = try c.decodeIfPresent(Double.self, forKey: .availability)
        writesLost = try c.decodeIfPresent(Int.self, forKey: .writesLost)
        if let availability, !(availability >= 0 && availability <= 1) {
            throw DecodingError.dataCorruptedError(forKey: .availability, in: c, debugDescription: "availability must be from 0 to 1, found \(availability)")
        }
        if let writesLost, writesLost < 0 {
            throw DecodingError.dataCorruptedError(forKey: .writesLost, in: c, debugDescription: "writesLost must be 0 or more, found \(writesLost)")
        }
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
    /// The target region's database cannot be reached (`blackhole`: calls hang; `refuse`: fail
    /// fast): the primary, or the replica in the failover region (its reads, and its writes once
    /// it is promoted).
    case databaseUnreachable
    /// Named links are cut. The region-region link is one link between the two regions: a
    /// partition cutting it, targeted at either region, cuts it both ways.
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
    /// `latency`: added to every call to the target; at most ``maximumAddedLatency``.
    public var added: SimDuration?
    /// Flapping: the fault is on for `dutyCycle × period` of every `period` (at most the fault's
    /// `duration`).
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
        if let problem = RunName.problem(name) {
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "a fault's name: \(problem)")
        }
        if let problem = Self.repeatedTenantProblem(tenants) {
            throw DecodingError.dataCorruptedError(forKey: .tenants, in: c, debugDescription: problem)
        }
        if duration.nanoseconds <= 0 {
            throw DecodingError.dataCorruptedError(forKey: .duration, in: c, debugDescription: "a fault's duration must be longer than zero")
        }
        if at.nanoseconds.addingReportingOverflow(duration.nanoseconds).overflow {
            throw DecodingError.dataCorruptedError(forKey: .at, in: c, debugDescription: "the fault (at \(at) for \(duration)) ends later than the time type holds (about 292 years)")
        }
        if let problem = Self.shapeProblem(kind: kind, fraction: fraction, added: added) {
            throw DecodingError.dataCorruptedError(forKey: problem.key, in: c, debugDescription: problem.message)
        }
        if let problem = Self.kindKeyProblem(kind: kind, mode: mode, fraction: fraction, links: links, added: added) {
            throw DecodingError.dataCorruptedError(forKey: problem.key, in: c, debugDescription: problem.message)
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
        if let period, period > duration {
            throw DecodingError.dataCorruptedError(forKey: .period, in: c, debugDescription: Self.periodProblem(period: period, duration: duration))
        }
        if let period, let dutyCycle, let problem = Self.flapPhaseProblem(period: period, dutyCycle: dutyCycle) {
            throw DecodingError.dataCorruptedError(forKey: .period, in: c, debugDescription: problem)
        }
    }

    /// A tenant listed twice (the scope is a set; a repeat is a slip of the pen, not an emphasis).
    static func repeatedTenantProblem(_ tenants: [Int]?) -> String? {
        guard let tenants else { return nil }
        for (index, tenant) in tenants.enumerated() where tenants[..<index].contains(tenant) {
            return "tenant \(tenant) is listed twice"
        }
        return nil
    }

    /// The shortest an on or off phase of a flapping fault may last. Each phase is two events;
    /// a period of 1ns would deliver two events per nanosecond of fault and never finish, and
    /// phases shorter than a millisecond are below every timescale the model measures.
    public static let shortestFlapPhase = SimDuration.milliseconds(1)

    /// Why a flap of `period` and `dutyCycle` has a phase shorter than ``shortestFlapPhase``.
    static func flapPhaseProblem(period: SimDuration, dutyCycle: Double) -> String? {
        guard dutyCycle < 1 else { return nil }
        let on = SimDuration(seconds: period.seconds * dutyCycle)
        let off = period - on
        guard on < shortestFlapPhase || off < shortestFlapPhase else { return nil }
        return "a flapping fault's on and off phases must each last at least \(shortestFlapPhase) "
            + "(period \(period) × dutyCycle \(dutyCycle): on \(on), off \(off))"
    }

    /// The keys only one kind of fault reads, with that kind.
    static let kindKeys: [(key: CodingKeys, kind: FaultKind)] = [
        (.mode, .databaseUnreachable), (.fraction, .api5xx), (.links, .partition), (.added, .latency),
    ]

    /// A key of another kind of fault given to one of `kind` (a `fraction` on a
    /// databaseUnreachable fault would otherwise be ignored: a total outage instead of a partial one).
    static func kindKeyProblem(kind: FaultKind, mode: Mode?, fraction: Double?, links: [LinkName]?,
                               added: SimDuration?) -> (key: CodingKeys, message: String)? {
        let given: [CodingKeys: Bool] = [.mode: mode != nil, .fraction: fraction != nil, .links: links != nil, .added: added != nil]
        for (key, owner) in kindKeys where owner != kind && given[key] == true {
            let own = kindKeys.filter { $0.kind == kind }.map(\.key.rawValue)
            let accepts = own.isEmpty ? "no key of its own" : own.joined(separator: ", ")
            return (key, "'\(key.rawValue)' is a key of \(owner.rawValue) faults; a \(kind.rawValue) fault takes \(accepts) "
                         + "(besides name, kind, target, at, duration, period, dutyCycle, tenants, row)")
        }
        if let links {
            for (index, link) in links.enumerated() where links[..<index].contains(link) {
                return (.links, "link '\(link.rawValue)' is listed twice")
            }
        }
        return nil
    }

    /// The longest `added` latency a fault may have: one day. Longer is no different for any
    /// request (deadlines end it first), and added latencies are summed onto simulated times,
    /// which must not overflow.
    public static let maximumAddedLatency = SimDuration.days(1)

    static func periodProblem(period: SimDuration, duration: SimDuration) -> String {
        "period \(period) is longer than the fault's duration \(duration): the fault would never come back on (write a shorter fault instead)"
    }

    /// What a fault of `kind` is missing or has out of range, if anything.
    static func shapeProblem(kind: FaultKind, fraction: Double?, added: SimDuration?) -> (key: CodingKeys, message: String)? {
        if let fraction, !(fraction >= 0 && fraction <= 1) {
            return (.fraction, "fraction must be from 0 to 1, found \(fraction)")
        }
        if kind == .api5xx && fraction == nil {
            return (.kind, "an api5xx fault needs a fraction (0 to 1)")
        }
        if kind == .latency && added == nil {
            return (.kind, "a latency fault needs 'added' (a duration)")
        }
        if let added, added.nanoseconds < 0 {
            return (.added, "added latency cannot be negative")
        }
        if let added, added > maximumAddedLatency {
            return (.added, "added latency \(added) is more than one day (at most \(maximumAddedLatency))")
        }
        return nil
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

/// A random fault process: faults of one shape (or several at once: a shared-fate group, such as
/// everything in a region) whose gaps and durations are drawn from distributions. The schedule
/// comes from the run's seed and the process's name alone, so every variant of a seed sees the
/// same faults.
public struct FaultProcess: Codable, Sendable, Equatable {
    public var name: String
    /// Time from the start (or from the end of the previous fault) to the next fault.
    public var every: DurationSpec
    /// How long each fault lasts.
    public var duration: DurationSpec
    /// No fault starts before this (default: the end of the warm-up).
    public var after: SimDuration?
    /// The faults that start and end together each time.
    public var faults: [FaultTemplate]
    enum CodingKeys: String, CodingKey, CaseIterable { case name, every, duration, after, faults }

    public init(name: String, every: DurationSpec, duration: DurationSpec, after: SimDuration? = nil, faults: [FaultTemplate]) {
        self.name = name
        self.every = every
        self.duration = duration
        self.after = after
        self.faults = faults
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        every = try c.decode(DurationSpec.self, forKey: .every)
        duration = try c.decode(DurationSpec.self, forKey: .duration)
        after = try c.decodeIfPresent(SimDuration.self, forKey: .after)
        faults = try c.decode([FaultTemplate].self, forKey: .faults)
        if let problem = RunName.problem(name) {
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "a fault process's name: \(problem)")
        }
        if faults.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .faults, in: c, debugDescription: "a fault process needs at least one fault")
        }
    }

    /// The process's faults between `start` and `end`, drawn from `source` (the process's own
    /// stream). Gaps are measured from the end of the previous fault, so a process's faults never
    /// overlap one another. Faults are named `<process>-<n>` (1-based) plus the member's kind
    /// when the group has several members.
    public func schedule<Source: RandomSource>(from start: SimDuration, to end: SimDuration, _ source: inout Source, limit: Int = 100_000) -> [FaultSpec] {
        var generated: [FaultSpec] = []
        var clock = after ?? start
        var occurrence = 0
        while generated.count < limit {
            // Draws can be as long as the time type holds: a sum beyond it is past any end.
            let (next, overflow) = clock.nanoseconds.addingReportingOverflow(every.sample(&source).nanoseconds)
            guard !overflow else { break }
            clock = SimDuration(nanoseconds: next)
            guard clock < end else { break }
            // At least a millisecond, so that a draw of zero still makes a fault; and ending
            // within the time type.
            let length = min(max(duration.sample(&source), .milliseconds(1)), SimDuration(nanoseconds: .max - clock.nanoseconds))
            occurrence += 1
            for template in faults {
                let suffix = faults.count > 1 ? "-\(template.kind.rawValue)" : ""
                generated.append(template.fault(name: "\(name)-\(occurrence)\(suffix)", at: clock, duration: length))
            }
            clock = clock + length
        }
        return generated
    }
}

/// A fault's shape without its timing, as a fault process uses it.
public struct FaultTemplate: Codable, Sendable, Equatable {
    public var kind: FaultKind
    public var target: String?
    public var mode: FaultSpec.Mode?
    public var fraction: Double?
    public var links: [LinkName]?
    public var added: SimDuration?
    public var tenants: [Int]?
    public var row: Int?
    enum CodingKeys: String, CodingKey, CaseIterable { case kind, target, mode, fraction, links, added, tenants, row }

    public init(kind: FaultKind, target: String? = nil, mode: FaultSpec.Mode? = nil, fraction: Double? = nil,
                links: [LinkName]? = nil, added: SimDuration? = nil, tenants: [Int]? = nil, row: Int? = nil) {
        self.kind = kind
        self.target = target
        self.mode = mode
        self.fraction = fraction
        self.links = links
        self.added = added
        self.tenants = tenants
        self.row = row
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(FaultKind.self, forKey: .kind)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        mode = try c.decodeIfPresent(FaultSpec.Mode.self, forKey: .mode)
        fraction = try c.decodeIfPresent(Double.self, forKey: .fraction)
        links = try c.decodeIfPresent([LinkName].self, forKey: .links)
        added = try c.decodeIfPresent(SimDuration.self, forKey: .added)
        tenants = try c.decodeIfPresent([Int].self, forKey: .tenants)
        row = try c.decodeIfPresent(Int.self, forKey: .row)
        if let problem = FaultSpec.repeatedTenantProblem(tenants) {
            throw DecodingError.dataCorruptedError(forKey: .tenants, in: c, debugDescription: problem)
        }
        if let problem = FaultSpec.shapeProblem(kind: kind, fraction: fraction, added: added)
            ?? FaultSpec.kindKeyProblem(kind: kind, mode: mode, fraction: fraction, links: links, added: added),
           let key = CodingKeys(rawValue: problem.key.rawValue) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: problem.message)
        }
    }

    /// The fault this template describes, named, placed and timed.
    public func fault(name: String, at: SimDuration, duration: SimDuration) -> FaultSpec {
        var fault = FaultSpec(name: name, kind: kind, target: target, at: at, duration: duration, mode: mode,
                              fraction: fraction, links: links, added: added, row: row)
        fault.tenants = tenants
        return fault
    }
}
