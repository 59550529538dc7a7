import ExperimentAnalysis
import Foundation
import ModelFiles
import RunResults
import RunStore

/// "Add seeds until this metric's 95 % interval is this narrow": `--until-ci METRIC=HALFWIDTH`.
///
/// Seeds are added in fixed batches, in seed order, and the decision to go on reads only the
/// stored results of the planned runs, so the seeds a sweep ends with do not depend on how many
/// workers ran it (or on runs of other seeds already in the database).
public struct PrecisionTarget: Sendable, Equatable {
    public var metric: Metric
    /// The largest acceptable half-width of the mean's 95 % interval, in the metric's unit
    /// (seconds for times, a fraction for availability, a count for counts).
    public var halfWidth: Double
    /// Seeds added per round.
    public var batch: Int
    /// The most seeds per variant, target met or not.
    public var maximumSeeds: Int

    public init(metric: Metric, halfWidth: Double, batch: Int = 5, maximumSeeds: Int = 100) {
        precondition(halfWidth > 0 && batch >= 1 && maximumSeeds >= 1)
        self.metric = metric
        self.halfWidth = halfWidth
        self.batch = batch
        self.maximumSeeds = maximumSeeds
    }

    /// Reads `METRIC=HALFWIDTH` (e.g. `row1.recoveryTime=2`, `requestAvailability=0.0005`).
    public init?(parsing text: String, batch: Int = 5, maximumSeeds: Int = 100) {
        guard let equals = text.lastIndex(of: "="), let metric = Metric(name: String(text[..<equals])),
              let halfWidth = Double(text[text.index(after: equals)...]), halfWidth > 0, halfWidth.isFinite else { return nil }
        self.init(metric: metric, halfWidth: halfWidth, batch: batch, maximumSeeds: maximumSeeds)
    }

    /// Where one variant stands.
    public struct Standing: Sendable {
        public var variant: String
        public var seeds: Int
        /// The interval's half-width; nil when there is no interval (fewer than two numbers, or
        /// censored values, which are never averaged).
        public var halfWidth: Double?
        public var met: Bool
    }

    /// The outcome: the seeds run, each variant's standing, whether every variant met the target.
    public struct Outcome: Sendable {
        public var seeds: [UInt64]
        public var standings: [Standing]
        public var met: Bool { standings.allSatisfy(\.met) }
        public var rounds: Int
        public var ran: Int
    }
}

extension SweepRunner {
    /// Runs the plan's variants on `seeds`, then adds `target.batch` seeds at a time (the next
    /// integers after the largest so far) until every variant's interval for the metric is at
    /// most `target.halfWidth` wide on each side, or `target.maximumSeeds` is reached.
    public func run(untilPrecise target: PrecisionTarget, variants chosen: [Int]? = nil, seeds: [UInt64]? = nil,
                    jobs: Int, progress: ((Progress) -> Void)? = nil) throws -> PrecisionTarget.Outcome {
        var seedList = Array((seeds ?? plan.seeds).prefix(target.maximumSeeds))
        let variantIndices = plan.runningVariants(chosen)
        var ran = 0
        var rounds = 0
        while true {
            rounds += 1
            ran += try run(plan.runs(seeds: seedList, variants: variantIndices), jobs: jobs, progress: progress).ran
            let standings = try variantIndices.map { index in try standing(of: index, seeds: seedList, target: target) }
            if standings.allSatisfy(\.met) || seedList.count >= target.maximumSeeds {
                return PrecisionTarget.Outcome(seeds: seedList, standings: standings, rounds: rounds, ran: ran)
            }
            let next = (seedList.max() ?? 0) &+ 1
            let room = target.maximumSeeds - seedList.count
            seedList += (0..<UInt64(min(target.batch, room))).map { next &+ $0 }
        }
    }

    func standing(of variant: Int, seeds: [UInt64], target: PrecisionTarget) throws -> PrecisionTarget.Standing {
        var observations: [Observation] = []
        for seed in seeds {
            guard let stored = try store.latestRun(runKey: plan.runKey(variant: variant, seed: seed)) else { continue }
            if let observation = target.metric.observation(in: stored.result) { observations.append(observation) }
        }
        let summary = SeedSummary(observations, counts: target.metric.unit == .count)
        let halfWidth = summary.meanInterval.map { ($0.upperBound - $0.lowerBound) / 2 }
        return PrecisionTarget.Standing(variant: plan.variants[variant].name, seeds: seeds.count, halfWidth: halfWidth,
                                        met: halfWidth.map { $0 <= target.halfWidth } ?? false)
    }
}
