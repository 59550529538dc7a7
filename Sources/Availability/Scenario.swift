import FailoverModel
import SimulationCore

/// One fault of a scenario: a fault process's shared-fate group, started `offset` after the
/// scenario's onset and lasting `duration`.
public struct ScenarioFault: Codable, Sendable, Equatable {
    /// The fault process the fault comes from (its templates are the faults injected).
    public var process: String
    /// From the scenario's onset (its first fault's start) to this fault's start.
    public var offset: SimDuration
    /// How long the fault lasts (as the year has it, before any compression).
    public var duration: SimDuration

    /// Creates a scenario fault.
    public init(process: String, offset: SimDuration, duration: SimDuration) {
        self.process = process
        self.offset = offset
        self.duration = duration
    }
}

/// A stretch of simulated time that a scenario's request-level run leaves out, to be filled in
/// with the steady state the run reached just before it.
///
/// A region lost for six hours costs six hours of requests to simulate, though after promotion
/// and scale-up nothing changes until the region returns. So any gap longer than the library's
/// `compressAfter` between consecutive fault starts and ends is simulated at that length, and the
/// bins it lacks are added back at the gap's end, each with the mean failures of the bins just
/// before the cut.
public struct ScenarioCut: Codable, Sendable, Equatable {
    /// The bin of the compressed run before which the missing bins go.
    public var bin: Int
    /// How many bins are missing.
    public var bins: Int

    /// Creates a cut.
    public init(bin: Int, bins: Int) {
        self.bin = bin
        self.bins = bins
    }
}

/// A scenario: what one request-level library run simulates — one fault or several overlapping
/// ones, at one load level, from one seed.
///
/// The scenario's name identifies it in the store (the run's variant is `uptime:` plus the name)
/// and its seed is derived from that name, so a scenario is the same run in every process.
public struct Scenario: Codable, Sendable, Equatable {
    /// Unique within a study (e.g. `firestore-outage@1000rps/b2/1`, `overlap/y17/c3`).
    public var name: String
    /// Index into the study's load levels.
    public var level: Int
    /// The faults, in order of offset; the first has offset zero. Empty for normal operation.
    public var faults: [ScenarioFault]
    /// The run's seed.
    public var seed: UInt64
    /// Simulated length of normal operation when there are no faults.
    public var normalOperation: SimDuration?
    /// A long library entry: one fault simulated at the library's `compressAfter`, which a year
    /// stretches to any longer duration by repeating the steady state before the fault's end.
    public var stretchable: Bool

    /// Creates a scenario.
    public init(name: String, level: Int, faults: [ScenarioFault], seed: UInt64, normalOperation: SimDuration? = nil,
                stretchable: Bool = false) {
        self.name = name
        self.level = level
        self.faults = faults
        self.seed = seed
        self.normalOperation = normalOperation
        self.stretchable = stretchable
    }

    /// When the last fault ends, from the onset.
    public var span: SimDuration {
        faults.map { $0.offset + $0.duration }.max() ?? .zero
    }

    /// The scenario as it is simulated: each fault's compressed offset and duration, the cuts,
    /// and the simulated span. Gaps between consecutive fault starts and ends longer than
    /// `compressAfter` keep `compressAfter` plus less than one bin, so that the bins removed are a
    /// whole number and the expanded profile has exactly the scenario's length.
    public func compressed(after compressAfter: SimDuration, preBins: Int)
        -> (faults: [(offset: SimDuration, duration: SimDuration)], cuts: [ScenarioCut], span: SimDuration)
    {
        precondition(compressAfter.nanoseconds >= ScenarioEffect.binLength.nanoseconds * 4, "compress only gaps of several bins")
        var instants = Set<Int64>()
        for fault in faults {
            instants.insert(fault.offset.nanoseconds)
            instants.insert((fault.offset + fault.duration).nanoseconds)
        }
        let sorted = instants.sorted()
        let bin = ScenarioEffect.binLength.nanoseconds
        // Compressed instant of every original instant.
        var mapped: [Int64: Int64] = [:]
        var cuts: [ScenarioCut] = []
        var removed: Int64 = 0
        for (index, instant) in sorted.enumerated() {
            if index > 0 {
                let gap = instant - sorted[index - 1]
                if gap > compressAfter.nanoseconds {
                    let bins = (gap - compressAfter.nanoseconds) / bin
                    if bins > 0 {
                        removed += bins * bin
                        // One whole bin before the bin that holds the next instant, so that the
                        // bins copied are the steady state, not the change the instant brings.
                        let compressedInstant = instant - removed
                        let at = Int((Int64(preBins) * bin + compressedInstant) / bin) - 1
                        cuts.append(ScenarioCut(bin: at, bins: Int(bins)))
                    }
                }
            }
            mapped[instant] = instant - removed
        }
        let compressedFaults = faults.map { fault -> (offset: SimDuration, duration: SimDuration) in
            let start = mapped[fault.offset.nanoseconds]!
            let end = mapped[(fault.offset + fault.duration).nanoseconds]!
            return (SimDuration(nanoseconds: start), SimDuration(nanoseconds: end - start))
        }
        let span = SimDuration(nanoseconds: (sorted.last ?? 0) - removed)
        return (compressedFaults, cuts, span)
    }
}
