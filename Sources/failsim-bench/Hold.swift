import ArgumentParser
import SimulationCore

/// The classic hold model: P pending events; each delivered event schedules one more at now + Exp(1).
struct HoldBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "Hold model: P pending events, N timed events (after a warm-up of P).")

    @Option(help: "Pending events (P).") var pending = 1_000
    @Option(help: "Timed events (N).") var events = 10_000_000
    @Flag(help: "Run the same model on an inline 4-ary heap with replace-min and no engine (the ceiling).") var bare = false
    @Flag(help: "Schedule with plain messages instead of cancellable timers.") var messages = false
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Seed.") var seed: UInt64 = 12345

    func run() throws {
        let result: (events: Int64, seconds: Double)
        if bare {
            result = BareHold(pending: pending, seed: seed).run(events: Int64(events))
        } else {
            result = EngineHold(pending: pending, seed: seed, useTimers: !messages).run(events: Int64(events))
        }
        let note = bare
            ? "bare 4-ary heap; swift-notes.md measured 19.7 M/s (P=1,000) and 9.7 M/s (P=100,000) on this machine"
            : "engine: entity receive + \(messages ? "messages" : "cancellable timers") (cancellation compiled in)"
        emit(BenchmarkReport(benchmark: bare ? "hold-bare" : "hold", pending: pending, events: result.events,
                             seconds: result.seconds, eventsPerSecond: Double(result.events) / result.seconds, note: note),
             json: json)
    }
}

final class Holder: Entity {
    var generator: Xoshiro256StarStar
    let useTimers: Bool
    var id = EntityID(index: 0)
    var remaining: Int64 = 0
    init(seed: UInt64, useTimers: Bool) {
        generator = RandomStreams(seed: seed).stream(named: "hold")
        self.useTimers = useTimers
        super.init()
    }
    /// Draws on a local copy of the generator: a mutating call on a class property is a dynamic
    /// exclusivity check in this target (built without `-enforce-exclusivity=unchecked`, unlike the
    /// engine and the failover model), which cost about 8 % of an event and is model overhead, not
    /// engine overhead.
    @inline(__always) func delay() -> SimDuration {
        var local = generator
        let u = local.nextUniform()
        generator = local
        return SimDuration(seconds: -Double.log(u))
    }
    override func receive(_ event: Event, in simulation: Simulation) {
        remaining -= 1
        if remaining == 0 { simulation.stop() }
        if useTimers {
            _ = simulation.startTimer(for: id, kind: 1, payload: event.payload, after: delay())
        } else {
            simulation.send(to: id, kind: 1, payload: event.payload, after: delay())
        }
    }
}

struct EngineHold {
    let pending: Int
    let seed: UInt64
    let useTimers: Bool
    func run(events: Int64) -> (events: Int64, seconds: Double) {
        let warmUp = Int64(pending)
        let simulation = Simulation(limits: SimulationLimits(maxEvents: warmUp + events, maxPendingEvents: pending + 2))
        let holder = Holder(seed: seed, useTimers: useTimers)
        holder.id = simulation.add(holder)
        for process in 0..<pending {
            if useTimers {
                _ = simulation.startTimer(for: holder.id, kind: 1, payload: UInt64(process), after: holder.delay())
            } else {
                simulation.send(to: holder.id, kind: 1, payload: UInt64(process), after: holder.delay())
            }
        }
        // Warm-up: every process fires about once.
        holder.remaining = warmUp
        _ = simulation.run(until: .distantFuture)
        holder.remaining = events
        let result = measure {
            let before = simulation.deliveredEvents
            let outcome = simulation.run(until: .distantFuture)
            precondition(outcome == .stopped(simulation.now), "unexpected outcome \(outcome)")
            return simulation.deliveredEvents - before
        }
        return (result.events, result.seconds)
    }
}

/// The ceiling: the same hold model on an inline 4-ary heap of (time, sequence) with replace-min.
struct BareHold {
    let pending: Int
    let seed: UInt64
    func run(events: Int64) -> (events: Int64, seconds: Double) {
        var generator = RandomStreams(seed: seed).stream(named: "hold")
        var heap = [(Int64, UInt64)]()
        heap.reserveCapacity(pending)
        var sequence: UInt64 = 0
        for _ in 0..<pending {
            let t = SimDuration(seconds: -Double.log(generator.nextUniform())).nanoseconds
            heap.append((t, sequence)); sequence += 1
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 4
                if heap[child] < heap[parent] { heap.swapAt(child, parent); child = parent } else { break }
            }
        }
        func cycle(_ count: Int64) {
            heap.withUnsafeMutableBufferPointer { buffer in
                let n = buffer.count
                for _ in 0..<count {
                    let now = buffer[0].0
                    let moving = (now + SimDuration(seconds: -Double.log(generator.nextUniform())).nanoseconds, sequence)
                    sequence &+= 1
                    var parent = 0
                    while true {
                        let first = 4 * parent + 1
                        if first >= n { break }
                        var best = first
                        var c = first + 1
                        let end = min(first + 4, n)
                        while c < end { if buffer[c] < buffer[best] { best = c }; c += 1 }
                        if !(buffer[best] < moving) { break }
                        buffer[parent] = buffer[best]
                        parent = best
                    }
                    buffer[parent] = moving
                }
            }
        }
        cycle(Int64(pending))
        let result = measure { cycle(events); return events }
        return result
    }
}
