import FailoverModel
import SimulationCore

/// The incident library: request-level runs of the model for each fault process × duration band ×
/// load level, plus one normal-operation run per load level, which simulated years reuse by
/// resampling.
///
/// For each fault process, `durationDraws` draws of its duration distribution place the edges of
/// `bands` equal-probability bands below `compressAfter`, and `entriesPerBand` of those draws in
/// each band become library runs. Faults of `compressAfter` or longer share `longEntries` runs of
/// exactly `compressAfter`, stretched to each year's duration (``ScenarioCut``). A year draws a
/// fault's duration from the process itself (its schedule and its overlaps keep that duration);
/// a lone fault below `compressAfter` takes the effect of one of its band's runs at random: within
/// a band, the library's durations stand for the distribution, an error the resamplings measure.
/// The k-th run of every band and the k-th long run share a seed: the same incident ending at
/// different times, so the shorter ones are branches of the longest and cost only what follows
/// their fault's end. A pair's k-th run joins the chain of the process that starts first, as a
/// branch from the second fault's start (or the first one's end). Runs that share a chain share
/// their luck up to where they part; within a band, and within a pair, runs are independent. Everything here follows from the settings and the names, never the study
/// seed.
public struct IncidentLibrary: Sendable {
    /// One duration band of a process: durations in [lower, upper).
    public struct Band: Sendable, Equatable {
        public var lower: SimDuration
        public var upper: SimDuration
        /// Per load level: indices into ``scenarios``.
        public var entries: [[Int]]
    }

    /// A fault process's part of the library.
    public struct ProcessEntries: Sendable, Equatable {
        public var process: String
        public var bands: [Band]
        /// Per load level: indices into ``scenarios`` of the stretchable long entries (may be empty).
        public var long: [[Int]]
        /// Share of the duration draws at or above `compressAfter`.
        public var longShare: Double

        /// The band holding `duration`, if the library has one.
        public func band(of duration: SimDuration) -> Int? {
            bands.firstIndex { duration >= $0.lower && duration < $0.upper }
        }
    }

    /// Runs of two processes overlapping (a likely pair).
    ///
    /// Two independent processes overlap at a rate λ_p·λ_q·(L_p + L_q), where L is a fault's
    /// window (`preBins` before, the duration, `post` after): given an overlap, the durations are
    /// length-biased and the offset uniform over the L_p + L_q that make the windows meet. So the
    /// pair's runs draw both durations from the processes and the offset uniformly, and a year
    /// picks one with probability proportional to its L_p + L_q (``weights``).
    public struct PairEntries: Sendable, Equatable {
        public var first: Int
        public var second: Int
        /// Expected overlaps per 365 days.
        public var perYear: Double
        /// Per load level: indices into ``scenarios``.
        public var entries: [[Int]]
    }

    /// Every library run, normal operation included.
    public var scenarios: [Scenario]
    /// Likely pairs of processes with runs of their overlaps.
    public var pairs: [PairEntries]
    /// The selection weight of each pair run (by scenario index): its L_p + L_q, seconds.
    public var weights: [Int: Double]
    /// Per load level: index into ``scenarios`` of its normal-operation run.
    public var normal: [Int]
    /// In the experiment's order of fault processes.
    public var processes: [ProcessEntries]

    /// Plans the library for `processes` at `levels`.
    public static func plan(processes: [FaultProcess], levels: [LoadLevel], settings: LibrarySettings) -> IncidentLibrary {
        precondition(settings.bands >= 1 && settings.entriesPerBand >= 1 && settings.longEntries >= 1 && settings.durationDraws >= 16
                     && settings.pairEntries >= 0,
                     "a library needs at least one band, one entry per band, one long entry and some draws")
        let streams = RandomStreams(seed: settings.seed)
        let cap = settings.compressAfter
        var scenarios: [Scenario] = []
        func add(_ name: String, level: Int, faults: [ScenarioFault], normal: SimDuration? = nil, stretchable: Bool = false,
                 seedName: String? = nil) -> Int {
            scenarios.append(Scenario(name: name, level: level, faults: faults, seed: scenarioSeed(seedName ?? name, settings: settings),
                                      normalOperation: normal, stretchable: stretchable))
            return scenarios.count - 1
        }
        // The k-th entry of every band and the k-th long entry of a process share a seed (a
        // chain): they differ only in when the fault ends, so the evaluator simulates the longest
        // once and branches the others off it (``ModelScenarioEvaluator``). Entries of one band
        // keep distinct seeds, so that resampling within a band sees independent runs.
        func chain(_ process: String, level: Int, _ k: Int) -> String {
            "\(process)@\(LoadLevel.format(levels[level].requestsPerSecond))rps/chain/\(k + 1)"
        }
        let normal = levels.indices.map { level in
            add("normal@\(LoadLevel.format(levels[level].requestsPerSecond))rps", level: level, faults: [], normal: settings.normalOperation)
        }
        var entries: [ProcessEntries] = []
        var samples: [[SimDuration]] = []
        var rates: [Double] = []
        for process in processes {
            var draws = streams.stream(named: "uptime-library/durations/" + process.name)
            let sample = (0..<settings.durationDraws).map { _ in max(process.duration.sample(&draws), .milliseconds(1)) }
            var gaps = streams.stream(named: "uptime-library/every/" + process.name)
            let meanGap = (0..<settings.durationDraws).reduce(0.0) { sum, _ in sum + process.every.sample(&gaps).seconds } / Double(settings.durationDraws)
            let meanDuration = sample.reduce(0.0) { $0 + $1.seconds } / Double(sample.count)
            samples.append(sample)
            rates.append(1 / max(meanGap + meanDuration, 1e-9))
            let short = sample.filter { $0 < cap }.sorted()
            let longShare = Double(sample.count - short.count) / Double(sample.count)
            var picks = streams.stream(named: "uptime-library/picks/" + process.name)
            var bands: [Band] = []
            let bandCount = min(settings.bands, short.count)
            for band in 0..<bandCount {
                let from = band * short.count / bandCount
                let to = (band + 1) * short.count / bandCount
                let lower = band == 0 ? SimDuration.zero : short[from]
                let upper = band == bandCount - 1 ? cap : short[to]
                // Distinct draws of the band (all of them when it has few), in the order picked.
                var pool = Array(short[from..<to])
                var chosen: [SimDuration] = []
                while chosen.count < settings.entriesPerBand && !pool.isEmpty {
                    let index = Int(picks.nextIndex(below: UInt64(pool.count)))
                    chosen.append(pool.remove(at: index))
                }
                let perLevel = levels.indices.map { level in
                    chosen.enumerated().map { k, duration in
                        add("\(process.name)@\(LoadLevel.format(levels[level].requestsPerSecond))rps/b\(band + 1)/\(k + 1)", level: level,
                            faults: [ScenarioFault(process: process.name, offset: .zero, duration: duration)],
                            seedName: chain(process.name, level: level, k))
                    }
                }
                bands.append(Band(lower: lower, upper: upper, entries: perLevel))
            }
            var long: [[Int]] = levels.map { _ in [] }
            if longShare > 0 {
                long = levels.indices.map { level in
                    (0..<settings.longEntries).map { k in
                        add("\(process.name)@\(LoadLevel.format(levels[level].requestsPerSecond))rps/long/\(k + 1)", level: level,
                            faults: [ScenarioFault(process: process.name, offset: .zero, duration: cap)], stretchable: true,
                            seedName: chain(process.name, level: level, k))
                    }
                }
            }
            entries.append(ProcessEntries(process: process.name, bands: bands, long: long, longShare: longShare))
        }
        // Likely pairs: expected overlaps of two processes' windows per 365 days.
        let margin = (ScenarioEffect.binLength * Int64(settings.preBins) + settings.post).seconds
        let meanWindow = samples.map { sample in sample.reduce(0.0) { $0 + $1.seconds } / Double(sample.count) + margin }
        var pairs: [PairEntries] = []
        var weights: [Int: Double] = [:]
        let totalRate = rates.reduce(0, +)
        for first in processes.indices {
            for second in processes.indices where second > first {
                let perYear = rates[first] * rates[second] * (meanWindow[first] + meanWindow[second]) * 365 * 86_400
                guard settings.pairEntries > 0, perYear >= settings.pairsPerYear,
                      totalRate * (meanWindow[first] + meanWindow[second]) <= settings.pairCrowding else { continue }
                let a = processes[first].name, b = processes[second].name
                var stream = streams.stream(named: "uptime-library/pairs/\(a)+\(b)")
                var layouts: [(faults: [ScenarioFault], weight: Double)] = []
                for _ in 0..<settings.pairEntries {
                    let da = samples[first][Int(stream.nextIndex(below: UInt64(samples[first].count)))]
                    let db = samples[second][Int(stream.nextIndex(below: UInt64(samples[second].count)))]
                    let windowA = da.seconds + margin, windowB = db.seconds + margin
                    // Onset of b minus onset of a, uniform over the offsets whose windows meet.
                    let offset = SimDuration(seconds: -windowB + stream.nextUniform() * (windowA + windowB))
                    let faults = offset >= .zero
                        ? [ScenarioFault(process: a, offset: .zero, duration: da), ScenarioFault(process: b, offset: offset, duration: db)]
                        : [ScenarioFault(process: b, offset: .zero, duration: db), ScenarioFault(process: a, offset: .zero - offset, duration: da)]
                    layouts.append((faults, windowA + windowB))
                }
                let perLevel = levels.indices.map { level in
                    layouts.enumerated().map { k, layout -> Int in
                        // On the chain of the process that starts first: the pair is then a
                        // branch of that chain's longest run until the second fault starts. Runs
                        // beyond the chains keep seeds of their own, so a pair's runs stay
                        // independent of one another.
                        let index = add("pair/\(a)+\(b)@\(LoadLevel.format(levels[level].requestsPerSecond))rps/\(k + 1)", level: level,
                                        faults: layout.faults,
                                        seedName: k < settings.longEntries ? chain(layout.faults[0].process, level: level, k) : nil)
                        weights[index] = layout.weight
                        return index
                    }
                }
                pairs.append(PairEntries(first: first, second: second, perYear: perYear, entries: perLevel))
            }
        }
        return IncidentLibrary(scenarios: scenarios, pairs: pairs, weights: weights, normal: normal, processes: entries)
    }

    /// A scenario's seed: from the library seed and its name alone.
    static func scenarioSeed(_ name: String, settings: LibrarySettings) -> UInt64 {
        SplitMix64.mix(settings.seed ^ stableNameHash("uptime/" + name))
    }
}
