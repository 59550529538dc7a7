import Testing
import SimulationStatistics
@testable import SimulationCore

// MARK: - M/M/c through the entity API

/// Sends customers to a server entity: an arrival timer (a cancellable timer, as a model's
/// generators use) fires, a message goes to the server, and the next arrival timer starts.
final class CustomerSource: Entity {
    var generator: Xoshiro256StarStar
    let interarrival: Distribution
    let customers: Int
    var next = 0
    var id = EntityID(index: 0)
    var server = EntityID(index: 0)

    init(streams: RandomStreams, arrivalRate: Double, customers: Int) throws {
        generator = streams.stream(named: "arrivals")
        interarrival = try .exponential(rate: arrivalRate)
        self.customers = customers
    }

    func start(_ simulation: Simulation) {
        _ = simulation.startTimer(for: id, kind: 0, after: SimDuration(seconds: interarrival.sample(&generator)))
    }

    override func receive(_ event: Event, in simulation: Simulation) {
        simulation.send(to: server, kind: ServerPool.arrival, payload: UInt64(next))
        next += 1
        if next < customers { start(simulation) }
    }
}

/// c identical servers with one FIFO queue; service completions are timers.
final class ServerPool: Entity {
    static let arrival: UInt32 = 1
    static let departure: UInt32 = 2

    let servers: Int
    let service: Distribution
    var generator: Xoshiro256StarStar
    var id = EntityID(index: 0)
    /// Arrival time of every customer (indexed by customer number; tests are small).
    var arrivals: [Int64]
    var queue: [Int] = []
    var queueHead = 0
    var busy = 0
    let warmUp: Int

    /// Waits in queue and sojourn times of customers numbered `warmUp` and later.
    var waits = RunningStatistics()
    var sojournSum: Int64 = 0
    var departed = 0
    /// Number in system, time-weighted, from time zero.
    var inSystem: TimeWeightedAverage
    var count = 0

    init(servers: Int, streams: RandomStreams, serviceRate: Double, customers: Int, warmUp: Int) throws {
        self.servers = servers
        generator = streams.stream(named: "service")
        service = try .exponential(rate: serviceRate)
        arrivals = [Int64](repeating: 0, count: customers)
        self.warmUp = warmUp
        inSystem = TimeWeightedAverage(initialValue: 0, start: .zero)
    }

    override func receive(_ event: Event, in simulation: Simulation) {
        let customer = Int(event.payload)
        switch event.code {
        case ServerPool.arrival:
            arrivals[customer] = simulation.now.nanoseconds
            count += 1
            inSystem.update(Double(count), at: simulation.now)
            if busy < servers { begin(customer, simulation) } else { queue.append(customer) }
        default:
            count -= 1
            inSystem.update(Double(count), at: simulation.now)
            sojournSum += simulation.now.nanoseconds - arrivals[customer]
            departed += 1
            busy -= 1
            if queueHead < queue.count {
                let nextCustomer = queue[queueHead]
                queueHead += 1
                if queueHead > 4_096 && queueHead * 2 > queue.count {
                    queue.removeFirst(queueHead)
                    queueHead = 0
                }
                begin(nextCustomer, simulation)
            }
        }
    }

    func begin(_ customer: Int, _ simulation: Simulation) {
        busy += 1
        if customer >= warmUp {
            waits.record(Double(simulation.now.nanoseconds - arrivals[customer]) / 1e9)
        }
        _ = simulation.startTimer(for: id, kind: ServerPool.departure, payload: UInt64(customer),
                                  after: SimDuration(seconds: service.sample(&generator)))
    }
}

struct QueueRun {
    var meanWait: Double
    var waits: RunningStatistics
    var averageInSystem: Double
    var sojournSeconds: Double
    var customers: Int
    var endSeconds: Double
    var integralNanoseconds: Double
    var sojournNanoseconds: Int64
}

/// One replication: `warmUp + customers` arrivals from an empty system, run until it drains.
func runQueue(servers: Int, arrivalRate: Double, serviceRate: Double, customers: Int, warmUp: Int, seed: UInt64) throws -> QueueRun {
    let streams = RandomStreams(seed: seed)
    let simulation = Simulation()
    let total = warmUp + customers
    let pool = try ServerPool(servers: servers, streams: streams, serviceRate: serviceRate, customers: total, warmUp: warmUp)
    let source = try CustomerSource(streams: streams, arrivalRate: arrivalRate, customers: total)
    pool.id = simulation.add(pool)
    source.id = simulation.add(source)
    source.server = pool.id
    source.start(simulation)
    let outcome = simulation.run(until: .distantFuture)
    precondition(outcome == .exhausted(.distantFuture), "seed \(seed): \(outcome)")
    precondition(pool.departed == total && pool.count == 0)
    // 3 events per customer: arrival timer, arrival message, departure timer.
    precondition(simulation.deliveredEvents == Int64(3 * total))
    // After exhaustion the clock stands at the bound; the run's length is the last departure.
    let last = pool.inSystem.lastUpdate
    return QueueRun(
        meanWait: pool.waits.mean, waits: pool.waits,
        averageInSystem: pool.inSystem.average(until: last),
        sojournSeconds: Double(pool.sojournSum) / 1e9 / Double(total),
        customers: total, endSeconds: last.seconds,
        integralNanoseconds: pool.inSystem.integral(until: last) * 1e9,
        sojournNanoseconds: pool.sojournSum)
}

/// Erlang C: the probability that an arrival waits in M/M/c with offered load a = λ/μ, and the
/// mean wait Wq = C/(cμ − λ). (Closed form: C = (aᶜ/c!)·c/(c − a) / (Σ_{k<c} aᵏ/k! + (aᶜ/c!)·c/(c − a)).)
func erlangCWait(servers c: Int, arrivalRate lambda: Double, serviceRate mu: Double) -> Double {
    let a = lambda / mu
    var term = 1.0 // a^k / k!
    var sum = 0.0
    for k in 0..<c {
        sum += term
        term *= a / Double(k + 1)
    }
    let top = term * Double(c) / (Double(c) - a)
    let probabilityOfWaiting = top / (sum + top)
    return probabilityOfWaiting / (Double(c) * mu - lambda)
}

@Suite("Queueing theory: M/M/1, M/M/c, Little's law")
struct QueueingTests {
    @Test("the Erlang C helper reproduces published values")
    func erlangC() {
        #expect(abs(erlangCWait(servers: 1, arrivalRate: 0.9, serviceRate: 1) - 9.0) < 1e-12)   // ρ/(μ − λ)
        #expect(abs(erlangCWait(servers: 4, arrivalRate: 3.5, serviceRate: 1) - 1.475722) < 1e-6) // bench README
        // c = 2, a = 1.6: C = 6.4/9 (hand computation), Wq = C/0.4 = 16/9.
        #expect(abs(erlangCWait(servers: 2, arrivalRate: 1.6, serviceRate: 1) - 16.0 / 9) < 1e-12)
    }

    /// Independent replications (distinct seeds), warm-up deleted, a Student-t 99 % interval over
    /// the replication means; passes when the analytic Wq lies inside.
    ///
    /// Sizing (debug build, a few hundred thousand events per case): at ρ = 0.9 the relaxation time
    /// is about 1/(μ(1 − √ρ)²) ≈ 380 time units ≈ 340 customers, so deleting 2,000 customers
    /// removes the empty-start bias (it decays like e^(−t/380)). The asymptotic variance of the mean
    /// wait over n customers at ρ = 0.9 is about ρ(2 + 5ρ − 4ρ² + ρ³)/((1 − ρ)⁴μ²)/n ≈ 35,900/n, so
    /// a replication of 20,000 customers has sd ≈ 1.3 and 16 replications give a 99 % half-width
    /// near 2.95 × 1.3/4 ≈ 1.0 (11 % of Wq): an error in the queue discipline, the rates or the
    /// clock (e.g. λ and μ swapped, LIFO, a lost customer) moves the estimate far more.
    @Test("M/M/c mean wait in queue against Erlang C (99 % CI over replications)", arguments: [
        // (c, λ, μ, customers per replication, warm-up, replications)
        (1, 0.9, 1.0, 20_000, 2_000, 16),  // ρ = 0.9, Wq = 9.0
        (1, 0.5, 1.0, 10_000, 500, 10),    // ρ = 0.5, Wq = 1.0 (converges fast: half-width ~3 %)
        (2, 1.6, 1.0, 10_000, 1_000, 10),  // ρ = 0.8, Wq = 16/9
        (4, 3.5, 1.0, 15_000, 2_000, 12),  // ρ = 0.875, Wq = 1.475722
    ] as [(Int, Double, Double, Int, Int, Int)])
    func mmcAgainstErlangC(servers: Int, lambda: Double, mu: Double, customers: Int, warmUp: Int, replications: Int) throws {
        let theory = erlangCWait(servers: servers, arrivalRate: lambda, serviceRate: mu)
        var means: [Double] = []
        let baseSeed = UInt64(servers) * 1_000 + UInt64(lambda * 100)
        for r in 0..<replications {
            let run = try runQueue(servers: servers, arrivalRate: lambda, serviceRate: mu, customers: customers,
                                   warmUp: warmUp, seed: baseSeed + UInt64(r))
            #expect(run.waits.count == customers)
            means.append(run.meanWait)
        }
        let interval = try #require(ConfidenceInterval.mean(of: means, level: 0.99))
        // The t quantile used is t(0.995, n − 1): for 15 degrees of freedom, 2.946713 (tables).
        if replications == 16 {
            #expect(abs(StudentTDistribution(degreesOfFreedom: 15).quantile(0.995) - 2.946713) < 1e-5)
        }
        #expect(interval.contains(theory),
                "M/M/\(servers) λ=\(lambda) μ=\(mu): mean Wq \(interval) does not contain \(theory); seeds \(baseSeed)..<\(baseSeed + UInt64(replications)), reproduce with `swift test --filter mmcAgainstErlangC`")
        // The interval must also be informative: narrower than a quarter of the value.
        #expect(interval.halfWidth < 0.25 * theory, "interval too wide to mean anything: \(interval)")
    }

    /// Over a run that starts and ends empty, ∫N(t)dt equals the sum of sojourn times exactly (each
    /// customer contributes its sojourn to the area), so L = λW holds with λ = n/T, W = mean
    /// sojourn, L = the time-weighted number in system over [0, T]. In integer nanoseconds both sides
    /// are exact (the area stays below 2⁵³ ns, where doubles are exact integers), so any lost,
    /// duplicated or misordered event shows.
    @Test("Little's law: the time-weighted number in system equals λ × mean sojourn")
    func littlesLaw() throws {
        var averages: [Double] = []
        var sojourns: [Double] = []
        for seed in UInt64(500)..<UInt64(510) {
            let run = try runQueue(servers: 1, arrivalRate: 0.5, serviceRate: 1, customers: 10_000, warmUp: 0, seed: seed)
            #expect(run.integralNanoseconds == Double(run.sojournNanoseconds), "seed \(seed): area ≠ Σ sojourn")
            let lambda = Double(run.customers) / run.endSeconds
            #expect(abs(run.averageInSystem - lambda * run.sojournSeconds) <= 1e-9 * run.averageInSystem,
                    "seed \(seed): L = \(run.averageInSystem), λW = \(lambda * run.sojournSeconds)")
            averages.append(run.averageInSystem)
            sojourns.append(run.sojournSeconds)
        }
        // And against M/M/1 theory at ρ = 0.5: L = ρ/(1 − ρ) = 1, W = 1/(μ − λ) = 2. Each run starts
        // empty (bias of order relaxation time / run length ≈ 12/20,000) — negligible next to the
        // 99 % interval of 10 replications (half-width ≈ 3 %).
        let l = try #require(ConfidenceInterval.mean(of: averages, level: 0.99))
        let w = try #require(ConfidenceInterval.mean(of: sojourns, level: 0.99))
        #expect(l.contains(1.0), "L \(l)")
        #expect(w.contains(2.0), "W \(w)")
    }

    @Test("the queue model's trace is a function of the seed")
    func queueDeterminism() throws {
        let a = try runQueue(servers: 2, arrivalRate: 1.6, serviceRate: 1, customers: 2_000, warmUp: 0, seed: 9)
        let b = try runQueue(servers: 2, arrivalRate: 1.6, serviceRate: 1, customers: 2_000, warmUp: 0, seed: 9)
        let c = try runQueue(servers: 2, arrivalRate: 1.6, serviceRate: 1, customers: 2_000, warmUp: 0, seed: 10)
        #expect(a.sojournNanoseconds == b.sojournNanoseconds && a.endSeconds == b.endSeconds,
                "seed 9 gave two different runs; reproduce with `swift test --filter queueDeterminism`")
        #expect(a.sojournNanoseconds != c.sojournNanoseconds)
    }
}
