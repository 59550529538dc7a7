import Foundation
import Testing
@testable import FailoverModel
import RunResults
import SimulationCore

/// Branches: runs that differ only in faults ending earlier share the simulation up to the first
/// moved end. A branch must be indistinguishable from the same run simulated from scratch.
@Suite("Branches of a run")
struct BranchTests {
    /// One fault of every kind the reference model can take, on the primary unless said.
    static let faults: [FaultSpec] = [
        FaultSpec(name: "db-blackhole", kind: .databaseUnreachable, target: "us-central1", at: .seconds(40), duration: .minutes(4), mode: .blackhole, row: 1),
        FaultSpec(name: "db-refuse", kind: .databaseUnreachable, target: "us-central1", at: .seconds(40), duration: .minutes(4), mode: .refuse, row: 1),
        FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(40), duration: .minutes(4), fraction: 0.4, row: 2),
        FaultSpec(name: "cache", kind: .cacheOutage, target: "us-central1", at: .seconds(40), duration: .minutes(4)),
        FaultSpec(name: "slow", kind: .latency, target: "us-central1", at: .seconds(40), duration: .minutes(4), added: .milliseconds(900)),
        FaultSpec(name: "stall", kind: .replicationStall, target: "us-central1", at: .seconds(40), duration: .minutes(4)),
        FaultSpec(name: "partition", kind: .partition, target: "us-central1", at: .seconds(40), duration: .minutes(4), row: 3),
        FaultSpec(name: "lost", kind: .regionLoss, target: "us-central1", at: .seconds(40), duration: .minutes(4)),
        FaultSpec(name: "lost-failover", kind: .regionLoss, target: "us-east1", at: .seconds(40), duration: .minutes(4)),
    ]

    static func shortened(_ experiment: ExperimentConfiguration, fault index: Int, to duration: SimDuration) -> ExperimentConfiguration {
        var copy = experiment
        copy.faults[index].duration = duration
        // As the uptime library does: the measured period follows the fault's end.
        copy.duration = experiment.duration - (experiment.faults[index].duration - duration)
        return copy
    }

    static func model() throws -> ModelConfiguration {
        try referenceModel(overrides: ["traffic.requestsPerSecond": "100"])
    }

    @Test("Every branch equals its run from scratch, digest for digest, for every fault kind", arguments: BranchTests.faults)
    func branchesEqualRunsFromScratch(fault: FaultSpec) throws {
        let model = try Self.model()
        let trunk = experiment([fault], duration: .minutes(7), warmUp: .seconds(20))
        // 90 s ends on a monitor tick (measured time starts at 20 s, ticks every 10 s): a tie with
        // an event scheduled during the run, which the moved end must precede.
        let durations: [SimDuration] = [.seconds(5), .milliseconds(90_000), .seconds(151)]
        let branches = durations.map { Self.shortened(trunk, fault: 0, to: $0) }
        var results: [Int: RunResult] = [:]
        try FailoverSimulation.runBranches(model: model, trunk: (trunk, "trunk"), branches: branches.enumerated().map { ($1, "b\($0)") },
                                           seed: 3) { index, result in results[index] = result }
        #expect(results.count == branches.count + 1)
        for (index, branch) in branches.enumerated() {
            let alone = try FailoverSimulation.run(model: model, experiment: branch, variant: "b\(index)", seed: 3)
            let forked = try #require(results[index])
            #expect(forked.identity.digest == alone.identity.digest, "\(fault.name) ended after \(durations[index])")
            #expect(forked.identity.runKey == alone.identity.runKey)
            #expect(forked.identity.events == alone.identity.events)
        }
        let trunkAlone = try FailoverSimulation.run(model: model, experiment: trunk, variant: "trunk", seed: 3)
        #expect(try #require(results[branches.count]).identity.digest == trunkAlone.identity.digest, "the trunk itself")
        // The branches are not all the same run.
        #expect(Set(results.values.map(\.identity.digest)).count == branches.count + 1)
    }

    @Test("A branch of a run with two faults: only the moved one ends early; the other keeps its schedule")
    func twoFaults() throws {
        let model = try Self.model()
        let trunk = experiment([Self.faults[0], FaultSpec(name: "slow-later", kind: .latency, target: "us-central1", at: .minutes(2),
                                                          duration: .minutes(3), added: .milliseconds(300))],
                               duration: .minutes(7), warmUp: .seconds(20))
        var branch = trunk
        branch.faults[0].duration = .seconds(100)
        var both = branch
        both.faults[1].duration = .minutes(1)
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: branch) == .zero + .seconds(140))
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: both) == .zero + .seconds(140))
        var results: [Int: RunResult] = [:]
        try FailoverSimulation.runBranches(model: model, trunk: (trunk, "t"), branches: [(both, "both"), (branch, "one")], seed: 5,
                                           includeTrunk: false) { results[$0] = $1 }
        #expect(results.count == 2)
        #expect(try #require(results[0]).identity.digest == FailoverSimulation.run(model: model, experiment: both, variant: "both", seed: 5).identity.digest)
        #expect(try #require(results[1]).identity.digest == FailoverSimulation.run(model: model, experiment: branch, variant: "one", seed: 5).identity.digest)
    }

    @Test("A branch may add faults from its instant on: at the moved end, on a monitor tick, before the end")
    func addedFaults() throws {
        let model = try Self.model()
        let trunk = experiment([Self.faults[0]], duration: .minutes(7), warmUp: .seconds(20))
        func adding(_ fault: FaultSpec, endingAfter duration: SimDuration? = nil) -> ExperimentConfiguration {
            var branch = duration.map { Self.shortened(trunk, fault: 0, to: $0) } ?? trunk
            branch.faults.append(fault)
            return branch
        }
        let branches = [
            // Starts exactly when the moved end comes: the end (listed first) goes first.
            adding(FaultSpec(name: "slow", kind: .latency, target: "us-central1", at: .seconds(100), duration: .minutes(1),
                             added: .milliseconds(700)), endingAfter: .seconds(60)),
            // Starts on a monitor tick (measured time from 20 s, every 10 s), the outage untouched.
            adding(FaultSpec(name: "5xx", kind: .api5xx, target: "us-central1", at: .seconds(90), duration: .minutes(2), fraction: 0.3, row: 2)),
            // Starts before the moved end.
            adding(FaultSpec(name: "partition", kind: .partition, target: "us-central1", at: .seconds(70), duration: .minutes(2), row: 3),
                   endingAfter: .seconds(150)),
        ]
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: branches[0]) == .zero + .seconds(100))
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: branches[1]) == .zero + .seconds(90))
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: branches[2]) == .zero + .seconds(70))
        var results: [Int: RunResult] = [:]
        try FailoverSimulation.runBranches(model: model, trunk: (trunk, "t"), branches: branches.enumerated().map { ($1, "a\($0)") }, seed: 4,
                                           includeTrunk: false) { results[$0] = $1 }
        for (index, branch) in branches.enumerated() {
            let alone = try FailoverSimulation.run(model: model, experiment: branch, variant: "a\(index)", seed: 4)
            #expect(try #require(results[index]).identity.digest == alone.identity.digest, "branch \(index)")
            #expect(alone.incidents.count == 2)
        }
        // A fault added before the trunk's own faults, or listed before them, is not a branch.
        var early = trunk
        early.faults.append(FaultSpec(name: "early", kind: .cacheOutage, target: "us-central1", at: .seconds(10), duration: .seconds(5)))
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: early) == .zero + .seconds(10), "an added fault may start before the trunk's first fault")
        var earlyResult: RunResult? = nil
        try FailoverSimulation.runBranches(model: model, trunk: (trunk, "t"), branches: [(early, "early")], seed: 4, includeTrunk: false) { earlyResult = $1 }
        #expect(try #require(earlyResult).identity.digest == FailoverSimulation.run(model: model, experiment: early, variant: "early", seed: 4).identity.digest)
        var reordered = trunk
        reordered.faults.insert(FaultSpec(name: "first", kind: .cacheOutage, target: "us-central1", at: .minutes(3), duration: .seconds(5)), at: 0)
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: reordered) == nil)
    }

    @Test("What is not a branch: another kind, a longer fault, a flapping fault, fault processes, an end after the measured period")
    func notBranches() {
        let trunk = experiment([Self.faults[0]], duration: .minutes(7), warmUp: .seconds(20))
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: trunk) == nil, "nothing moved")
        var other = Self.shortened(trunk, fault: 0, to: .minutes(1))
        other.faults[0].kind = .api5xx
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: other) == nil)
        var longer = trunk
        longer.faults[0].duration = .minutes(5)
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: longer) == nil)
        var flapping = trunk
        flapping.faults[0].period = .seconds(20)
        flapping.faults[0].dutyCycle = 0.5
        #expect(FailoverSimulation.branchInstant(trunk: flapping, branch: Self.shortened(flapping, fault: 0, to: .minutes(1))) == nil)
        var processes = trunk
        processes.faultProcesses = [FaultProcess(name: "p", every: .constant(.minutes(1)), duration: .constant(.seconds(5)),
                                                 faults: [FaultTemplate(kind: .latency, target: "us-central1", added: .milliseconds(10))])]
        #expect(FailoverSimulation.branchInstant(trunk: processes, branch: Self.shortened(processes, fault: 0, to: .minutes(1))) == nil)
        var tooShort = Self.shortened(trunk, fault: 0, to: .minutes(1))
        tooShort.duration = .seconds(30)
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: tooShort) == nil, "the end lies after the branch's measured period")
        var warm = Self.shortened(trunk, fault: 0, to: .minutes(1))
        warm.warmUp = .seconds(30)
        #expect(FailoverSimulation.branchInstant(trunk: trunk, branch: warm) == nil)
    }

    @Test("A fork leaves no stored property behind: the copy's state equals the trunk's, property by property")
    func forkCopiesEveryProperty() throws {
        let model = try Self.model()
        let trunk = experiment([Self.faults[0], Self.faults[4]], duration: .minutes(7), warmUp: .seconds(20))
        let world = try FailoverSimulation.start(model: model, experiment: trunk, declared: trunk, seed: 2, limits: SimulationLimits())
        // Mid-fault: breakers open, requests queued and in flight, writes queued, log written.
        _ = world.simulation.run(until: .zero + .seconds(100))
        let branch = Self.shortened(trunk, fault: 0, to: .seconds(90))
        let copy = FailoverWorld(forking: world, experiment: branch, simulation: world.simulation.fork())
        let own: Set<String> = ["experiment", "declaredExperiment", "simulation", "measureEnd", "arrivals"]
        let trunkProperties = Mirror(reflecting: world).children
        let copyProperties = Dictionary(uniqueKeysWithValues: Mirror(reflecting: copy).children.compactMap { child in child.label.map { ($0, child.value) } })
        #expect(trunkProperties.count == copyProperties.count)
        #expect(trunkProperties.count > 70)
        var compared = 0
        for child in trunkProperties {
            let label = try #require(child.label)
            guard !own.contains(label) else { continue }
            let value = try #require(copyProperties[label])
            #expect(String(reflecting: value) == String(reflecting: child.value), "property \(label)")
            compared += 1
        }
        #expect(compared == trunkProperties.count - own.count)
        // Not trivially equal: the state is busy.
        #expect(world.log.count > 3 && world.requests.count > 10 && world.writeQueue.count > 0)
        #expect(copy.arrivals.count < world.arrivals.count)
        #expect(copy.arrivals.folded == world.arrivals.folded && copy.arrivals.open == world.arrivals.open)
        #expect(copy.arrivals.windows.map(\.to) != world.arrivals.windows.map(\.to), "the branch's windows end at its own end")
    }
}
