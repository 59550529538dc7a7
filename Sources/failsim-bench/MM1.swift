import ArgumentParser
import DequeModule
import SimulationCore

/// M/M/1 through the entity API the failover model uses: a source entity whose arrival timer sends
/// a message to a server entity, which queues customers and completes them with a departure timer.
struct MM1Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mm1", abstract: "M/M/1 queue (λ = 0.9, μ = 1) through entities, messages and timers.")

    @Option(help: "Customers.") var customers = 10_000_000
    @Option(help: "Arrival rate λ.") var arrivalRate = 0.9
    @Option(help: "Service rate μ.") var serviceRate = 1.0
    @Option(help: "Seed.") var seed: UInt64 = 2024
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let model = try MM1Model(arrivalRate: arrivalRate, serviceRate: serviceRate, seed: seed, customers: customers)
        let result = measure { model.run() }
        let rho = arrivalRate / serviceRate
        var report = BenchmarkReport(
            benchmark: "mm1", pending: nil, events: result.events, seconds: result.seconds,
            eventsPerSecond: Double(result.events) / result.seconds,
            note: "events = what the engine delivered: arrival timers, arrival messages, departure timers (3 per customer)")
        report.extra = [
            "customers": Double(customers),
            "customersPerSecond": Double(customers) / result.seconds,
            "meanWaitInQueue": model.server.waitSum / Double(model.server.served),
            "theoreticalMeanWaitInQueue": rho / (serviceRate - arrivalRate),
        ]
        emit(report, json: json)
        if !json, let extra = report.extra {
            print("  Wq simulated \(extra["meanWaitInQueue"]!) vs ρ/(μ−λ) = \(extra["theoreticalMeanWaitInQueue"]!)")
        }
    }
}

final class MM1Model {
    let simulation = Simulation()
    let source: ArrivalSource
    let server: SingleServer

    init(arrivalRate: Double, serviceRate: Double, seed: UInt64, customers: Int) throws {
        let streams = RandomStreams(seed: seed)
        server = SingleServer(service: try .exponential(rate: serviceRate), generator: streams.stream(named: "service"))
        source = ArrivalSource(interarrival: try .exponential(rate: arrivalRate), generator: streams.stream(named: "arrivals"), customers: customers)
        server.id = simulation.add(server)
        source.id = simulation.add(source)
        source.server = server.id
        source.start(simulation)
    }

    func run() -> Int64 {
        _ = simulation.run(until: .distantFuture)
        return simulation.deliveredEvents
    }
}

final class ArrivalSource: Entity {
    let interarrival: Distribution
    var generator: Xoshiro256StarStar
    var remaining: Int
    var id = EntityID(index: 0)
    var server = EntityID(index: 0)

    init(interarrival: Distribution, generator: Xoshiro256StarStar, customers: Int) {
        self.interarrival = interarrival
        self.generator = generator
        self.remaining = customers
        super.init()
    }

    func start(_ simulation: Simulation) {
        // A local copy of the generator: no dynamic exclusivity check (see Holder.delay()).
        var local = generator
        let gap = interarrival.sample(&local)
        generator = local
        _ = simulation.startTimer(for: id, kind: 0, after: SimDuration(seconds: gap))
    }

    override func receive(_ event: Event, in simulation: Simulation) {
        simulation.send(to: server, kind: SingleServer.arrival)
        remaining -= 1
        if remaining > 0 { start(simulation) }
    }
}

final class SingleServer: Entity {
    static let arrival: UInt32 = 0
    static let departure: UInt32 = 1
    let service: Distribution
    var generator: Xoshiro256StarStar
    var id = EntityID(index: 0)
    var waiting = Deque<SimTime>()
    var busy = false
    var served = 0
    var waitSum = 0.0

    init(service: Distribution, generator: Xoshiro256StarStar) {
        self.service = service
        self.generator = generator
    }

    override func receive(_ event: Event, in simulation: Simulation) {
        switch event.code {
        case SingleServer.arrival:
            if busy { waiting.append(simulation.now) } else { begin(arrivedAt: simulation.now, simulation) }
        default:
            busy = false
            if let next = waiting.popFirst() { begin(arrivedAt: next, simulation) }
        }
    }

    func begin(arrivedAt: SimTime, _ simulation: Simulation) {
        busy = true
        served += 1
        waitSum += (simulation.now - arrivedAt).seconds
        var local = generator
        let duration = service.sample(&local)
        generator = local
        _ = simulation.startTimer(for: id, kind: SingleServer.departure, after: SimDuration(seconds: duration))
    }
}
