import Foundation
import Testing
@testable import FailoverModel
import ModelFiles
import RunResults
import SimulationCore

@Suite("Experiment plans: sweeps, seeds, fault processes, common random numbers")
struct ExperimentPlanTests {
    func sweep(_ parameters: [(String, [String])], constraint: String? = nil) -> SweepSpec {
        SweepSpec(parameters: parameters.map { SweepSpec.Parameter(name: $0.0, values: $0.1) }, constraint: constraint)
    }

    @Test("A grid's points come in odometer order, named by the parameters' last components")
    func gridPoints() throws {
        let points = try sweep([("breakers[0].failureThreshold", ["3", "5"]), ("breakers[0].resetTimeout", ["15s", "30s", "60s"])]).points()
        #expect(points.count == 6)
        #expect(points.map(\.name).prefix(4) == ["failureThreshold=3 resetTimeout=15s", "failureThreshold=3 resetTimeout=30s",
                                                 "failureThreshold=3 resetTimeout=60s", "failureThreshold=5 resetTimeout=15s"])
        #expect(points[4].overrides == ["breakers[0].failureThreshold": "5", "breakers[0].resetTimeout": "30s"])
        // Two parameters with the same last component keep their full paths.
        let twin = try sweep([("breakers[0].resetTimeout", ["1s"]), ("breakers[2].resetTimeout", ["2s"])]).points()
        #expect(twin.map(\.name) == ["breakers[0].resetTimeout=1s breakers[2].resetTimeout=2s"])
    }

    @Test("Constraints compare durations as durations and numbers as numbers")
    func constraints() throws {
        let grid = sweep([("a.resetTimeout", ["500ms", "30s", "2m"]), ("a.monitorWindow", ["60s"]), ("a.failureThreshold", ["2", "10"])],
                         constraint: "a.resetTimeout <= a.monitorWindow and a.failureThreshold > 3")
        let names = try grid.points().map(\.name)
        #expect(names == ["resetTimeout=500ms monitorWindow=60s failureThreshold=10", "resetTimeout=30s monitorWindow=60s failureThreshold=10"])
        #expect(throws: SweepConstraint.Problem.self) { try sweep([("a.x", ["1"])], constraint: "a.y < 3").points() }
        #expect(throws: SweepConstraint.Problem.self) { try SweepConstraint(parsing: "a.x ~ 3") }
        #expect(throws: SweepConstraint.Problem.self) { try sweep([("a.x", ["fast", "slow"])], constraint: "a.x < 3s").points() }
        // `and` binds tighter than `or`.
        let either = sweep([("b.policy", ["reference", "polly"]), ("b.failureThreshold", ["3", "5"])],
                           constraint: "b.policy == reference or b.failureThreshold == 5 and b.policy != reference")
        #expect(try either.points().map(\.name) == ["policy=reference failureThreshold=3", "policy=reference failureThreshold=5",
                                                    "policy=polly failureThreshold=5"])
    }

    @Test("A parameter's `also` paths take the same value at every point")
    func linkedParameters() throws {
        let grid = SweepSpec(parameters: [SweepSpec.Parameter(name: "b.resetTimeout", values: ["15s", "30s"],
                                                              also: ["b.polly.BreakDuration", "b.hystrix.circuitBreakerSleepWindowInMilliseconds"])])
        let points = try grid.points()
        #expect(points.map(\.name) == ["resetTimeout=15s", "resetTimeout=30s"])
        #expect(points[1].overrides == ["b.resetTimeout": "30s", "b.polly.BreakDuration": "30s",
                                        "b.hystrix.circuitBreakerSleepWindowInMilliseconds": "30s"])
    }

    @Test("Variants resolve in order: baseline, named variants, sweep points; the experiment's overrides underneath")
    func resolvedVariants() throws {
        var experiment = ExperimentConfiguration(kind: "experiment", name: "e", description: nil, model: "m.yaml",
                                                 overrides: ["x": "1", "y": "1"], duration: .minutes(1), warmUp: nil, seeds: .count(3),
                                                 faults: [], variants: [ExperimentConfiguration.Variant(name: "v", overrides: ["y": "2"])])
        experiment.sweep = sweep([("z", ["a", "b"])])
        let variants = try experiment.resolvedVariants()
        #expect(variants.map(\.name) == ["baseline", "v", "z=a", "z=b"])
        #expect(variants[1].overrides == ["x": "1", "y": "2"])
        #expect(variants[3].overrides == ["x": "1", "y": "1", "z": "b"])
        #expect(experiment.seedList == [1, 2, 3])
        experiment.variants = [ExperimentConfiguration.Variant(name: "z=a", overrides: [:])]
        #expect(throws: SweepConstraint.Problem.self) { try experiment.resolvedVariants() }
    }

    @Test("A fault process's count of faults follows renewal theory: T / (mean gap + mean duration)")
    func renewalCount() throws {
        let process = FaultProcess(name: "db", every: try DurationSpec(.exponential(mean: .minutes(10))),
                                   duration: .constant(.minutes(1)), faults: [FaultTemplate(kind: .databaseUnreachable)])
        let horizon = SimDuration.hours(2000)
        var counts: [Double] = []
        for seed: UInt64 in 1...5 {
            var stream = RandomStreams(seed: seed).stream(named: "faultProcess/db")
            let faults = process.schedule(from: .zero, to: horizon, &stream)
            counts.append(Double(faults.count))
            // Never overlapping: each starts after the previous one ends.
            for (a, b) in zip(faults, faults.dropFirst()) { #expect(b.at >= a.at + a.duration) }
        }
        let expected = horizon.seconds / (11 * 60)
        let mean = counts.reduce(0, +) / Double(counts.count)
        // Gaps are exponential, so the count is nearly Poisson: sd ≈ √(expected × (10/11)²) per run.
        let standardError = (expected * 100 / 121).squareRoot() / Double(counts.count).squareRoot()
        #expect(abs(mean - expected) < 4 * standardError, "mean \(mean) faults against \(expected)")
    }

    @Test("A shared-fate group starts and ends its members together")
    func sharedFate() throws {
        let process = FaultProcess(name: "zone", every: try DurationSpec(.exponential(mean: .minutes(30))), duration: .constant(.minutes(2)),
                                   faults: [FaultTemplate(kind: .cacheOutage), FaultTemplate(kind: .databaseUnreachable, mode: .refuse)])
        var stream = RandomStreams(seed: 4).stream(named: "faultProcess/zone")
        let faults = process.schedule(from: .zero, to: .hours(24), &stream)
        #expect(faults.count % 2 == 0 && faults.count > 10)
        for pair in stride(from: 0, to: faults.count, by: 2) {
            #expect(faults[pair].at == faults[pair + 1].at && faults[pair].duration == faults[pair + 1].duration)
            #expect(faults[pair].kind == .cacheOutage && faults[pair + 1].kind == .databaseUnreachable)
        }
    }

    @Test("Two variants differing in a breaker threshold see the same arrivals and the same fault schedule")
    func commonRandomNumbers() throws {
        var plan = experiment([], duration: .minutes(6))
        plan.faultProcesses = [FaultProcess(name: "db", every: try DurationSpec(.exponential(mean: .minutes(2))),
                                            duration: try DurationSpec(.uniform(low: .seconds(20), high: .seconds(90))),
                                            faults: [FaultTemplate(kind: .databaseUnreachable, mode: .blackhole)])]
        let base = try FailoverSimulation.simulate(model: try referenceModel(), experiment: plan, seed: 11, traceArrivals: true)
        let variant = try FailoverSimulation.simulate(model: try referenceModel(overrides: ["breakers[0].failureThreshold": "20"]),
                                                      experiment: plan, variant: "v", seed: 11, traceArrivals: true)
        #expect(base.world.arrivalDigest == variant.world.arrivalDigest)
        #expect(base.world.nextRequestID == variant.world.nextRequestID)
        #expect(base.world.experiment.faults == variant.world.experiment.faults)
        #expect(!base.world.experiment.faults.isEmpty)
        // The variant did change what happened, so the sameness above is not for want of a difference.
        #expect(base.result.breakers != variant.result.breakers)
        // Another seed is other traffic.
        let other = try FailoverSimulation.simulate(model: try referenceModel(), experiment: plan, seed: 12, traceArrivals: true)
        #expect(other.world.arrivalDigest != base.world.arrivalDigest)
        #expect(other.world.experiment.faults != base.world.experiment.faults)
        // The run key names the declared experiment, not the generated schedule.
        #expect(base.result.identity.runKey == FailoverSimulation.runKey(model: try referenceModel(), experiment: plan,
                                                                         variant: "baseline", overrides: [:], seed: 11))
    }

    @Test("Seeds read as a count or a list; a bad seed entry is named")
    func seedSpecs() throws {
        func decode(_ seeds: String) throws -> ExperimentConfiguration {
            let text = "kind: experiment\nname: e\nmodel: m.yaml\nduration: 1m\nseeds: \(seeds)\nfaults: []\n"
            return try LocatedYAMLDecoder().decode(ExperimentConfiguration.self, from: text, file: "e.yaml")
        }
        #expect(try decode("4").seedList == [1, 2, 3, 4])
        #expect(try decode("[9, 2]").seedList == [9, 2])
        #expect(throws: FileError.self) { try decode("0") }
        #expect(throws: FileError.self) { try decode("[1, 1]") }
        #expect(throws: FileError.self) { try decode("many") }
    }
}
