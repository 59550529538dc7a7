import SimulationCore
import Testing
@testable import SimulationStatistics

@Suite("Counter, RunningStatistics, TimeWeightedAverage")
struct RunningStatisticsTests {
    @Test func counterCountsAndMerges() {
        var requests = Counter()
        requests.increment()
        requests.increment(by: 4)
        var other = Counter(count: 10)
        other.merge(requests)
        #expect(requests.count == 5)
        #expect(other.count == 15)
    }

    /// Two-pass mean and sample variance, the reference the one-pass algorithm must match.
    func twoPass(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, squares / Double(values.count - 1))
    }

    @Test func welfordMatchesTwoPassEvenWithALargeOffset() throws {
        var random = TestRandom(seed: 3)
        // A large offset makes the naive sum-of-squares formula lose every digit; Welford keeps them.
        let values = (0 ..< 100_000).map { _ in 1e9 + random.nextUnit() * 10 }
        let statistics = RunningStatistics(values)
        let reference = twoPass(values)
        #expect(statistics.count == values.count)
        #expect(abs(statistics.mean - reference.mean) <= 1e-12 * reference.mean)
        let variance = try #require(statistics.variance)
        #expect(abs(variance - reference.variance) <= 1e-6 * reference.variance)
        #expect(abs(variance - 100.0 / 12) < 0.2) // uniform over a width of 10
        #expect(statistics.min == values.min())
        #expect(statistics.max == values.max())
    }

    @Test func smallKnownSample() throws {
        let statistics = RunningStatistics([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(statistics.mean == 5)
        #expect(statistics.populationVariance == 4)
        #expect(abs(try #require(statistics.variance) - 32.0 / 7) < 1e-14)
        #expect(statistics.sum == 40)
        #expect(RunningStatistics([1]).variance == nil)
        #expect(RunningStatistics().populationVariance == nil)
    }

    @Test func mergeMatchesRecordingEverything() throws {
        var random = TestRandom(seed: 8)
        let values = (0 ..< 10_000).map { _ in random.nextUnit() * 100 - 30 }
        let whole = RunningStatistics(values)
        var merged = RunningStatistics(values[..<3_333])
        merged.merge(RunningStatistics(values[3_333...]))
        var fromEmpty = RunningStatistics()
        fromEmpty.merge(whole)
        #expect(fromEmpty == whole)
        #expect(merged.count == whole.count)
        #expect(abs(merged.mean - whole.mean) < 1e-12 * abs(whole.mean))
        #expect(abs(try #require(merged.variance) - (try #require(whole.variance))) < 1e-10 * (try #require(whole.variance)))
        #expect(merged.min == whole.min)
        #expect(merged.max == whole.max)
    }

    @Test func timeWeightedAverageOfAStepFunction() {
        // 0 on [0, 1 s), 2 on [1 s, 3 s), 5 on [3 s, 4 s), 0 after.
        var queueLength = TimeWeightedAverage(initialValue: 0, start: .zero)
        queueLength.update(2, at: SimTime.zero + .seconds(1))
        queueLength.update(5, at: SimTime.zero + .seconds(3))
        queueLength.update(0, at: SimTime.zero + .seconds(4))
        #expect(queueLength.average(until: SimTime.zero + .seconds(4)) == 9.0 / 4)
        #expect(queueLength.average(until: SimTime.zero + .seconds(10)) == 0.9)
        #expect(queueLength.integral(until: SimTime.zero + .seconds(10)) == 9)
        #expect(queueLength.min == 0)
        #expect(queueLength.max == 5)
        #expect(queueLength.currentValue == 0)
    }

    @Test func timeWeightedAverageFromALaterStartAndAtTheStart() {
        let start = SimTime.zero + .seconds(100)
        var utilisation = TimeWeightedAverage(initialValue: 0.5, start: start)
        #expect(utilisation.average(until: start) == 0.5)
        utilisation.update(1, at: start + .milliseconds(250))
        utilisation.update(1, at: start + .milliseconds(250)) // a repeated instant is fine
        // 0.5 for 250 ms, 1 for 750 ms.
        #expect(abs(utilisation.average(until: start + .seconds(1)) - 0.875) < 1e-15)
    }

    @Test func timeWeightedAverageKeepsPrecisionOverManySmallSteps() {
        // An hour of 1 µs steps alternating 1 and 3: the average is exactly 2.
        var average = TimeWeightedAverage(initialValue: 1, start: .zero)
        var time = SimTime.zero
        for step in 1 ... 1_000_000 {
            time += .microseconds(3_600)
            average.update(step % 2 == 0 ? 1 : 3, at: time)
        }
        #expect(abs(average.average(until: time) - 2) < 1e-12)
    }
}
