import Testing
@testable import SimulationCore

/// Issue 15, item 17: no stated or sampled duration reaches past the longest simulated time.
@Suite("The longest stated duration")
struct StatedBoundsTests {
    @Test("parsingStated accepts up to 3650d and refuses longer, naming the bound")
    func statedBound() throws {
        #expect(try SimDuration(parsingStated: "3650d") == .longestStated)
        #expect(throws: DurationParseError.beyondLongest("3650d1ns")) { try SimDuration(parsingStated: "3650d1ns") }
        #expect(throws: DurationParseError.beyondLongest("9223372036854775807ns")) { try SimDuration(parsingStated: "9223372036854775807ns") }
        #expect(DurationParseError.beyondLongest("1000y").description.contains("longer than 3650d"))
        // Plain parsing still reads the whole type (limits, traces).
        #expect(try SimDuration(parsing: "9223372036854775807ns").nanoseconds == .max)
    }

    @Test("Duration distributions are truncated at the longest stated duration, so a sum of draws never overflows")
    func truncatedSupport() throws {
        // A Pareto of shape 0.05 has a tail far past the time type: before the bound, draws
        // saturated at Int64.max and `SimTime +` trapped.
        let heavy = try DurationDistribution(seconds: .pareto(scale: 1, shape: 0.05))
        var stream = RandomStreams(seed: 3).stream(named: "heavy")
        var clock = SimTime.zero
        var atBound = 0
        for _ in 0..<10 {
            let draw = heavy.sample(&stream)
            #expect(draw >= .zero && draw <= .longestStated)
            if draw == .longestStated { atBound += 1 }
            clock = clock + draw
        }
        #expect(atBound > 0, "the tail reaches the bound")
        #expect(clock <= SimTime.zero + .longestStated * 10)
        // Within the bound, draws are unchanged.
        let light = try DurationDistribution(seconds: .exponential(mean: 0.01))
        var a = RandomStreams(seed: 4).stream(named: "light")
        var b = RandomStreams(seed: 4).stream(named: "light")
        for _ in 0..<1000 { #expect(light.sample(&a) == SimDuration(seconds: light.seconds.sample(&b))) }
    }

    @Test("lognormal(mean:sigma:) has the given mean; its median is exp(mu)")
    func lognormalByMean() throws {
        let distribution = try Distribution.lognormal(mean: 0.02, sigma: 0.8)
        #expect(abs(distribution.mean! - 0.02) < 1e-15)
        guard case .lognormal(let mu, let sigma) = distribution.shape else { Issue.record("not a lognormal"); return }
        #expect(abs(mu - (Double.log(0.02) - 0.32)) < 1e-15 && sigma == 0.8)
        #expect(throws: DistributionError.self) { try Distribution.lognormal(mean: 0, sigma: 1) }
        #expect(throws: DistributionError.self) { try Distribution.lognormal(mean: 1, sigma: -1) }
    }
}
