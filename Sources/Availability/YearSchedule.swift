import FailoverModel
import SimulationCore

/// Which library run a year's incident takes when it is alone: the process, the load level, the
/// band (`nil` for the long entries) and the entry's position. A library resampling maps
/// positions to others.
struct LibrarySlot: Hashable, Sendable {
    var process: Int
    var level: Int
    var band: Int?
    var position: Int
}

/// One fault of one year, before overlaps are grouped.
struct YearIncident: Sendable {
    var process: Int
    var onset: SimDuration
    var duration: SimDuration
    var level: Int
    /// The library slot, or `nil` when the library has no run for this duration.
    var slot: LibrarySlot?
}

/// A scenario placed in a year: a library run (one fault) or a scenario simulated for this year
/// alone (an overlap, or a duration the library lacks).
struct PlacedScenario: Sendable {
    enum Source: Sendable {
        /// A library run adjusted to the incident's own duration.
        case library(slot: LibrarySlot, duration: SimDuration)
        /// A run of the pair library, chosen by `choice` (uniform in [0, 1)) in proportion to
        /// the runs' weights.
        case pair(group: SlotGroup, choice: Double)
        /// Index into the study's list of on-demand scenarios.
        case exact(Int)
    }
    var onset: SimDuration
    var source: Source
    var level: Int
    /// The processes of its faults (several for an overlap).
    var processes: [Int]
    var isOverlap: Bool { processes.count > 1 }
}

/// The fault schedule of each replicated year, drawn from the experiment's fault processes.
///
/// Year `n` draws from streams named after `n` and each process, derived from the study seed
/// alone, so year `n` is the same whatever the number of years, and one process's draws never
/// shift another's. As in the model, a gap (`every`) runs from the end of the previous fault of
/// the same process, and a shared-fate group's faults start and end together.
struct YearSchedule {
    let processes: [FaultProcess]
    let library: IncidentLibrary
    let levels: [LoadLevel]
    let settings: UptimeSettings

    /// The year's incidents, by onset.
    func incidents(year: Int) -> [YearIncident] {
        let streams = RandomStreams(seed: settings.seed)
        let cap = settings.library.compressAfter
        var incidents: [YearIncident] = []
        for (p, process) in processes.enumerated() {
            var stream = streams.stream(named: "uptime/year/\(year)/\(process.name)")
            let entries = library.processes[p]
            var clock = process.after ?? .zero
            while incidents.count < 10_000_000 {
                clock = clock + process.every.sample(&stream)
                guard clock < settings.yearLength else { break }
                let drawn = max(process.duration.sample(&stream), .milliseconds(1))
                let level = Self.level(levels, &stream)
                var incident = YearIncident(process: p, onset: clock, duration: drawn, level: level, slot: nil)
                // The schedule keeps the drawn duration (so overlaps, simulated as they are, come
                // from the true distribution); only a lone incident's effect is a library run's.
                if drawn >= cap, !entries.long[level].isEmpty {
                    let position = Int(stream.nextIndex(below: UInt64(entries.long[level].count)))
                    incident.slot = LibrarySlot(process: p, level: level, band: nil, position: position)
                } else if drawn < cap, let band = entries.band(of: drawn), !entries.bands[band].entries[level].isEmpty {
                    let runs = entries.bands[band].entries[level]
                    let position = Int(stream.nextIndex(below: UInt64(runs.count)))
                    incident.slot = LibrarySlot(process: p, level: level, band: band, position: position)
                }
                incidents.append(incident)
                clock = clock + drawn
            }
        }
        incidents.sort { ($0.onset, $0.process) < ($1.onset, $1.process) }
        return incidents
    }

    static func level(_ levels: [LoadLevel], _ stream: inout Xoshiro256StarStar) -> Int {
        guard levels.count > 1 else { return 0 }
        let u = stream.nextUniform()
        var cumulative = 0.0
        for (index, level) in levels.enumerated() {
            cumulative += level.share
            if u < cumulative { return index }
        }
        return levels.count - 1
    }

    /// Groups incidents whose windows (`preBins` before the onset, `post` after the end) meet into
    /// one scenario: a library run when alone and covered, else a scenario of its own, appended to
    /// `exact` (named after the year and its position, seeded from the study seed and that name).
    func place(_ incidents: [YearIncident], year: Int, exact: inout [Scenario]) -> [PlacedScenario] {
        let pre = ScenarioEffect.binLength * Int64(settings.library.preBins)
        let post = settings.library.post
        var groups: [[YearIncident]] = []
        var groupEnd = SimDuration.zero
        for incident in incidents {
            let start = incident.onset - pre
            let end = incident.onset + incident.duration + post
            if let last = groups.indices.last, start < groupEnd {
                groups[last].append(incident)
                groupEnd = max(groupEnd, end)
            } else {
                groups.append([incident])
                groupEnd = end
            }
        }
        var placed: [PlacedScenario] = []
        for (position, group) in groups.enumerated() {
            let onset = group[0].onset
            if group.count == 1, let slot = group[0].slot {
                placed.append(PlacedScenario(onset: onset, source: .library(slot: slot, duration: group[0].duration),
                                             level: group[0].level, processes: [group[0].process]))
                continue
            }
            if group.count == 2, group[0].process != group[1].process {
                let first = min(group[0].process, group[1].process), second = max(group[0].process, group[1].process)
                if let pair = library.pairs.first(where: { $0.first == first && $0.second == second }), !pair.entries[group[0].level].isEmpty {
                    var stream = RandomStreams(seed: settings.seed).stream(named: "uptime/year/\(year)/pair/\(position)")
                    placed.append(PlacedScenario(onset: onset,
                                                 source: .pair(group: SlotGroup(process: first, level: group[0].level, band: nil, partner: second),
                                                               choice: stream.nextUniform()),
                                                 level: group[0].level, processes: [first, second]))
                    continue
                }
            }
            let kind = group.count == 1 ? "single" : "overlap"
            let name = "\(kind)/s\(settings.seed)/y\(year + 1)/\(position + 1)"
            let faults = group.map { ScenarioFault(process: processes[$0.process].name, offset: $0.onset - onset, duration: $0.duration) }
            let seed = SplitMix64.mix(settings.seed ^ stableNameHash("uptime/" + name))
            exact.append(Scenario(name: name, level: group[0].level, faults: faults, seed: seed))
            placed.append(PlacedScenario(onset: onset, source: .exact(exact.count - 1), level: group[0].level,
                                         processes: group.map(\.process)))
        }
        return placed
    }
}
