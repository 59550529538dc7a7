import Testing
@testable import SimulationCore

/// A busy entity whose whole state is a value, so that a fork can copy it: every event schedules
/// more (often at the same instant, to exercise FIFO ties), starts timers and cancels some.
final class Chatter: Entity {
    struct State {
        var random: Xoshiro256StarStar
        var log: [Delivery] = []
        var timers: [TimerHandle] = []
    }
    var state: State
    init(state: State) { self.state = state }

    override func receive(_ event: Event, in simulation: Simulation) {
        state.log.append(Delivery(time: simulation.now.nanoseconds, target: event.target.index, code: event.code,
                                  payload: event.payload, isTimer: event.isTimer))
        let me = event.target
        if event.code == 99 {
            // The marker: a burst at this very instant and a cancellation.
            for k in 0..<3 { simulation.send(to: me, kind: 5, payload: 1_000 + UInt64(k)) }
            if let timer = state.timers.popLast() { simulation.cancel(timer) }
            return
        }
        guard simulation.now.nanoseconds < 150_000 else { return }
        let children = 1 + Int(state.random.nextIndex(below: 2))
        for _ in 0..<children where simulation.pendingEvents < 40 {
            // Coarse delays: many events share an instant.
            let delay = SimDuration.nanoseconds(Int64(state.random.nextIndex(below: 4)) * 500)
            if state.random.nextUniform() < 0.3 {
                state.timers.append(simulation.startTimer(for: me, kind: 6, payload: state.random.nextBits() & 0xFFFF, after: delay))
            } else {
                simulation.send(to: me, kind: 5, payload: state.random.nextBits() & 0xFFFF, after: delay)
            }
        }
        if state.random.nextUniform() < 0.2, !state.timers.isEmpty {
            let index = Int(state.random.nextIndex(below: UInt64(state.timers.count)))
            simulation.cancel(state.timers.remove(at: index))
        }
    }
}

@Suite("Engine: forks")
struct ForkTests {
    /// A run with the marker message scheduled first, for `markerAt`.
    static func start(markerAt: Int64) -> (Simulation, Chatter) {
        let simulation = Simulation()
        let chatter = Chatter(state: .init(random: RandomStreams(seed: 7).stream(named: "chatter")))
        let id = simulation.add(chatter)
        simulation.send(to: id, kind: 99, payload: 0, at: SimTime(nanoseconds: markerAt))
        for k in 0..<4 { simulation.send(to: id, kind: 5, payload: UInt64(k), at: SimTime(nanoseconds: Int64(k) * 500)) }
        return (simulation, chatter)
    }

    @Test("A fork moved to an earlier marker delivers exactly what a run scheduled that way from the start does; the original goes on untouched")
    func forkEqualsFromScratch() {
        let end = SimTime(nanoseconds: 200_000)
        for (short, long): (Int64, Int64) in [(50_000, 90_000), (20_500, 120_000), (1_000, 2_000)] {
            let (reference, referenceChatter) = Self.start(markerAt: short)
            _ = reference.run(until: end)
            let (untouched, untouchedChatter) = Self.start(markerAt: long)
            _ = untouched.run(until: end)

            let (trunk, trunkChatter) = Self.start(markerAt: long)
            _ = trunk.run(until: SimTime(nanoseconds: short - 1))
            let copy = trunk.fork()
            let copyChatter = Chatter(state: trunkChatter.state)
            let id = copy.add(copyChatter)
            #expect(copy.pendingEvents == trunk.pendingEvents)
            #expect(copy.reschedule(to: id, kind: 99, payload: 0, at: SimTime(nanoseconds: short)))
            #expect(!copy.reschedule(to: id, kind: 98, payload: 0, at: SimTime(nanoseconds: short)), "nothing of kind 98 is pending")
            _ = copy.run(until: end)
            _ = trunk.run(until: end)

            #expect(copyChatter.state.log.count > 100)
            #expect(copyChatter.state.log.contains { $0.time == short && $0.code == 99 })
            #expect(copyChatter.state.log == referenceChatter.state.log, "marker at \(short) (trunk \(long))")
            #expect(copy.deliveredEvents == reference.deliveredEvents)
            #expect(trunkChatter.state.log == untouchedChatter.state.log, "the trunk is not disturbed by its fork")
            #expect(trunkChatter.state.log != copyChatter.state.log)
        }
    }

    @Test("A fork runs only once it has its entities back; forks copy timers (a cancelled timer stays cancelled)")
    func forkCopiesTimers() {
        let simulation = Simulation()
        let trunk = Chatter(state: .init(random: RandomStreams(seed: 1).stream(named: "x")))
        let id = simulation.add(trunk)
        let kept = simulation.startTimer(for: id, kind: 6, payload: 11, after: .nanoseconds(100))
        let cancelled = simulation.startTimer(for: id, kind: 6, payload: 12, after: .nanoseconds(100))
        simulation.cancel(cancelled)
        let copy = simulation.fork()
        let copyChatter = Chatter(state: .init(random: RandomStreams(seed: 1).stream(named: "x")))
        _ = copy.add(copyChatter)
        #expect(copy.isPending(kept) && !copy.isPending(cancelled))
        _ = copy.run(until: SimTime(nanoseconds: 100))
        #expect(copyChatter.state.log.first?.payload == 11)
        #expect(!copyChatter.state.log.contains { $0.isTimer && $0.payload == 12 })
        // The original still holds both, one cancelled.
        #expect(simulation.isPending(kept) && simulation.pendingEvents == 2)
    }
}
