/// The index of an entity registered with a ``Simulation``.
@frozen
public struct EntityID: Hashable, Sendable, CustomStringConvertible {
    public let index: UInt32
    @inlinable public init(index: UInt32) { self.index = index }
    public var description: String { "entity#\(index)" }
}

/// A message or timer delivered to an entity: what it is (``code``, the entity's own number) and one
/// word of data (``payload``, for example the index of a request in the model's request table).
///
/// Events are 24-byte plain values so that the future event set holds them inline, without
/// allocation, and a heap node's four children share few cache lines. To fit, the insertion
/// sequence shares a word with the target (2⁴⁰ events per run, 2²⁴ entities) and the kind shares
/// one with the payload (2¹⁵ kinds, 48-bit payloads); the engine checks each bound.
@frozen
public struct Event: Sendable {
    /// When the event is delivered.
    public var time: SimTime
    /// Insertion sequence (high 40 bits, the FIFO tie-break) and target entity (low 24 bits).
    @usableFromInline var order: UInt64
    /// Kind (high 16 bits, the top one marking a timer) and payload (low 48 bits).
    @usableFromInline var word: UInt64

    @usableFromInline static let payloadMask: UInt64 = (1 << 48) - 1
    @usableFromInline static let timerFlag: UInt64 = 1 << 63
    /// The largest payload an event can carry.
    public static let maxPayload: UInt64 = (1 << 48) - 1
    /// The largest entity-defined kind.
    public static let maxCode: UInt32 = (1 << 15) - 1
    /// The most entities a simulation can hold.
    public static let maxEntities = 1 << 24

    @inlinable
    init(time: SimTime, sequence: UInt64, target: EntityID, code: UInt32, payload: UInt64, isTimer: Bool) {
        self.time = time
        self.order = sequence << 24 | UInt64(target.index)
        self.word = UInt64(code) << 48 | payload | (isTimer ? Event.timerFlag : 0)
    }

    /// The receiving entity.
    @inlinable public var target: EntityID { EntityID(index: UInt32(truncatingIfNeeded: order & 0xFF_FFFF)) }
    /// Whether this is the firing of a cancellable timer (as opposed to a message).
    @inlinable public var isTimer: Bool { word & Event.timerFlag != 0 }
    /// The entity-defined kind of the event.
    @inlinable public var code: UInt32 { UInt32(truncatingIfNeeded: (word >> 48) & 0x7FFF) }
    /// One word of entity-defined data (48 bits).
    @inlinable public var payload: UInt64 {
        get { word & Event.payloadMask }
        set { word = (word & ~Event.payloadMask) | (newValue & Event.payloadMask) }
    }

    @inlinable
    func precedes(_ other: Event) -> Bool {
        time.nanoseconds < other.time.nanoseconds
            || (time.nanoseconds == other.time.nanoseconds && order < other.order)
    }
}

/// A pending cancellable timer. Cancelling is O(1): the event stays in the queue and is skipped
/// when it reaches the front.
///
/// Each timer owns a slot (its payload and a state word) from when it is started until its event
/// leaves the queue, fired or skipped; only then is the slot reused. So a cancelled event can never
/// be mistaken for a later timer in the same slot. The state word counts up by two per use; its low
/// bit marks "cancelled"; a handle matches only the use it was made for.
@frozen
public struct TimerHandle: Hashable, Sendable {
    @usableFromInline let slot: UInt32
    @usableFromInline let generation: UInt64
    @inlinable init(slot: UInt32, generation: UInt64) {
        self.slot = slot
        self.generation = generation
    }
}

/// A timer's slot: its state word (generation, low bit "cancelled") and its payload, or while the
/// slot is free, the next free slot.
@frozen
@usableFromInline
struct TimerSlot {
    @usableFromInline var state: UInt64
    @usableFromInline var payload: UInt64
    @usableFromInline static let none = UInt32.max
    @inlinable init(state: UInt64, payload: UInt64) {
        self.state = state
        self.payload = payload
    }
}

/// Something that reacts to events: a client, a cache, a breaker, a database, a controller.
///
/// Entities are simulation actors, not Swift concurrency actors: the ``Simulation`` delivers their
/// events one at a time on the thread that runs it. Subclass and override ``receive(_:in:)``.
/// (A class rather than a protocol: the run loop calls it through an unretained reference, which
/// measured about a third faster per event than a protocol existential.)
open class Entity {
    public init() {}

    /// Handles one event at `simulation.now`. May schedule further events, start or cancel timers.
    open func receive(_ event: Event, in simulation: Simulation) {
        preconditionFailure("\(type(of: self)) must override receive(_:in:)")
    }
}

/// Bounds on one run. Hitting one stops the run with a reported ``RunOutcome``, never a hang or an
/// out-of-memory kill.
public struct SimulationLimits: Sendable, Equatable {
    /// The most events a run may deliver.
    public var maxEvents: Int64
    /// The most events that may be pending at once.
    public var maxPendingEvents: Int

    public init(maxEvents: Int64 = 2_000_000_000, maxPendingEvents: Int = 50_000_000) {
        precondition(maxEvents > 0 && maxPendingEvents > 0, "limits must be positive")
        self.maxEvents = maxEvents
        self.maxPendingEvents = maxPendingEvents
    }
}

/// How a call to ``Simulation/run(until:)`` ended.
public enum RunOutcome: Equatable, Sendable, CustomStringConvertible {
    /// Every event up to the bound was delivered; the clock stands at the bound.
    case reachedTimeLimit(SimTime)
    /// No events were left before the bound.
    case exhausted(SimTime)
    /// The event limit was reached; later events remain pending.
    case eventLimit(Int64)
    /// An entity tried to schedule beyond the pending-event limit.
    case pendingEventLimit(Int)
    /// An entity called ``Simulation/stop()``.
    case stopped(SimTime)

    public var description: String {
        switch self {
        case .reachedTimeLimit(let t): return "reached the time limit at \(t)"
        case .exhausted(let t): return "ran out of events at \(t)"
        case .eventLimit(let n): return "stopped at the event limit of \(n) events"
        case .pendingEventLimit(let n): return "stopped at the limit of \(n) pending events"
        case .stopped(let t): return "stopped by the model at \(t)"
        }
    }
}

/// The discrete-event engine: virtual clock, future event set and run loop.
///
/// Events are delivered in order of (time, insertion sequence): among events at the same instant,
/// first scheduled, first delivered, whatever the heap does internally. The future event set is a
/// 4-ary min-heap of inline ``Event`` values; when an entity schedules an event while handling
/// one, the new event replaces the delivered one at the root (replace-min), which saves a sift.
///
/// All state is in the instance: many simulations may run side by side on different threads.
public final class Simulation {
    /// The current virtual time.
    public private(set) var now: SimTime = .zero
    /// Events delivered so far (messages and fired timers; cancelled timers are not counted).
    public private(set) var deliveredEvents: Int64 = 0
    public let limits: SimulationLimits

    /// The heap's storage, managed by hand: events are trivial values, and a plain buffer avoids
    /// copy-on-write checks on every access.
    @usableFromInline var heap: UnsafeMutablePointer<Event>
    @usableFromInline var heapCount = 0
    @usableFromInline var heapCapacity = 1024
    /// While an event is being delivered its copy stays at the root; the first event scheduled by
    /// the handler overwrites it (replace-min), otherwise it is removed after the handler returns.
    @usableFromInline var rootIsVacant = false
    @usableFromInline var nextSequence: UInt64 = 0
    /// Owns the entities; `receivers` holds the same references unretained for the run loop.
    var entities: [Entity] = []
    @usableFromInline var receivers: ContiguousArray<Unmanaged<Entity>> = []

    /// Timer slots (state word and payload side by side), managed by hand like the heap: every
    /// timer touches its slot twice, and a plain buffer avoids uniqueness and bounds checks. Free
    /// slots form a LIFO list threaded through their payload words, headed by `freeTimerSlot`.
    @usableFromInline var timerSlots: UnsafeMutablePointer<TimerSlot>
    @usableFromInline var timerSlotCount = 0
    @usableFromInline var timerSlotCapacity = 256
    @usableFromInline var freeTimerSlot: UInt32 = TimerSlot.none

    @usableFromInline var isRunning = false
    @usableFromInline var stopRequested = false
    @usableFromInline var pendingLimitHit = false
    /// A fork runs only once its entities are back (see ``fork()``).
    var requiredEntities = 0
    /// Sequences below this are placed by hand (see ``reserveSequences(_:)``).
    var reservedSequences: UInt64 = 0

    public init(limits: SimulationLimits = SimulationLimits()) {
        self.limits = limits
        heap = .allocate(capacity: heapCapacity)
        timerSlots = .allocate(capacity: timerSlotCapacity)
    }

    deinit {
        heap.deallocate()
        timerSlots.deallocate()
    }

    /// Registers an entity and returns its id.
    public func add(_ entity: Entity) -> EntityID {
        precondition(entities.count < Event.maxEntities, "too many entities (at most \(Event.maxEntities))")
        entities.append(entity)
        receivers.append(Unmanaged.passUnretained(entity))
        return EntityID(index: UInt32(entities.count - 1))
    }

    /// The number of registered entities.
    public var entityCount: Int { entities.count }

    /// Events waiting to be delivered, including cancelled timers not yet skipped.
    @inlinable
    public var pendingEvents: Int { heapCount - (rootIsVacant ? 1 : 0) }

    // MARK: Scheduling

    /// Delivers `kind`/`payload` to `target` after `delay` (zero: later in this same instant, after
    /// everything already scheduled for it).
    @inlinable
    public func send(to target: EntityID, kind: UInt32, payload: UInt64 = 0, after delay: SimDuration = .zero) {
        precondition(delay.nanoseconds >= 0, "scheduling in the past")
        send(to: target, kind: kind, payload: payload, at: now + delay)
    }

    /// Delivers `kind`/`payload` to `target` at `time`, which must not be in the past.
    @inlinable
    public func send(to target: EntityID, kind: UInt32, payload: UInt64 = 0, at time: SimTime) {
        precondition(time >= now, "scheduling in the past")
        precondition(kind <= Event.maxCode && payload <= Event.maxPayload, "event kind or payload out of range")
        insert(time: time, target: target, code: kind, payload: payload, isTimer: false)
    }

    /// Sets aside the insertion sequences below `count` (if not yet used), for events placed with
    /// ``send(to:kind:payload:at:sequence:)``: whatever is scheduled later is ordered after them
    /// among events of equal time, however many of the reserved places are filled, and when.
    public func reserveSequences(_ count: UInt64) {
        precondition(deliveredEvents == 0 && heapCount == 0 && nextSequence == 0, "sequences are reserved before anything is scheduled")
        precondition(count < 1 << 39, "too many reserved sequences")
        nextSequence = count
        reservedSequences = count
    }

    /// Delivers `kind`/`payload` to `target` at `time` in a reserved place (see
    /// ``reserveSequences(_:)``): among events of equal time, it comes after those of lower
    /// reserved places and before every event scheduled without one.
    public func send(to target: EntityID, kind: UInt32, payload: UInt64 = 0, at time: SimTime, sequence: UInt64) {
        precondition(time >= now, "scheduling in the past")
        precondition(sequence < reservedSequences, "a reserved sequence must lie below the reservation")
        precondition(kind <= Event.maxCode && payload <= Event.maxPayload, "event kind or payload out of range")
        let next = nextSequence
        nextSequence = sequence
        insert(time: time, target: target, code: kind, payload: payload, isTimer: false)
        nextSequence = next
    }

    /// Starts a cancellable timer that delivers `kind`/`payload` to `target` after `delay`.
    @inlinable
    public func startTimer(for target: EntityID, kind: UInt32, payload: UInt64 = 0, after delay: SimDuration) -> TimerHandle {
        precondition(delay.nanoseconds >= 0, "scheduling in the past")
        precondition(kind <= Event.maxCode && payload <= Event.maxPayload, "event kind or payload out of range")
        let slot: UInt32
        if freeTimerSlot != TimerSlot.none {
            slot = freeTimerSlot
            freeTimerSlot = UInt32(truncatingIfNeeded: timerSlots[Int(slot)].payload)
            timerSlots[Int(slot)].payload = payload
        } else {
            precondition(timerSlotCount < Int(TimerSlot.none), "too many pending timers")
            if timerSlotCount == timerSlotCapacity { growTimerSlots() }
            slot = UInt32(truncatingIfNeeded: timerSlotCount)
            (timerSlots + timerSlotCount).initialize(to: TimerSlot(state: 0, payload: payload))
            timerSlotCount += 1
        }
        let generation = timerSlots[Int(slot)].state
        // The event carries the slot; the slot carries the payload and the generation that
        // cancelling bumps.
        insert(time: now + delay, target: target, code: kind, payload: UInt64(slot), isTimer: true)
        return TimerHandle(slot: slot, generation: generation)
    }

    /// Cancels a pending timer: it will never fire. Returns whether it was still pending.
    @inlinable
    @discardableResult
    public func cancel(_ timer: TimerHandle) -> Bool {
        let slot = Int(timer.slot)
        precondition(slot < timerSlotCount, "a timer handle from another simulation")
        guard timerSlots[slot].state == timer.generation else { return false }
        timerSlots[slot].state |= 1
        return true
    }

    /// Whether the timer is still pending (neither fired nor cancelled).
    @inlinable
    public func isPending(_ timer: TimerHandle) -> Bool {
        precondition(Int(timer.slot) < timerSlotCount, "a timer handle from another simulation")
        return timerSlots[Int(timer.slot)].state == timer.generation
    }

    /// Asks the run loop to stop after the current event.
    public func stop() { stopRequested = true }

    @inlinable
    func insert(time: SimTime, target: EntityID, code: UInt32, payload: UInt64, isTimer: Bool) {
        precondition(nextSequence < 1 << 40, "more than 2^40 events scheduled in one run")
        let event = Event(time: time, sequence: nextSequence, target: target, code: code, payload: payload, isTimer: isTimer)
        nextSequence &+= 1
        if rootIsVacant {
            rootIsVacant = false
            heap[0] = event
            siftDown(from: 0)
            return
        }
        if heapCount >= limits.maxPendingEvents {
            pendingLimitHit = true
            return
        }
        if heapCount == heapCapacity { grow() }
        heap[heapCount] = event
        heapCount += 1
        siftUp(from: heapCount - 1)
    }

    @usableFromInline
    func growTimerSlots() {
        let larger = UnsafeMutablePointer<TimerSlot>.allocate(capacity: timerSlotCapacity * 2)
        larger.moveInitialize(from: timerSlots, count: timerSlotCount)
        timerSlots.deallocate()
        timerSlots = larger
        timerSlotCapacity *= 2
    }

    @usableFromInline
    func grow() {
        let larger = UnsafeMutablePointer<Event>.allocate(capacity: heapCapacity * 2)
        larger.moveInitialize(from: heap, count: heapCount)
        heap.deallocate()
        heap = larger
        heapCapacity *= 2
    }

    // MARK: Branching

    /// A copy of this simulation as it stands between two events: the same clock, pending events
    /// (with their insertion order), timers and counters — but no entities. Before it runs, the
    /// caller ``add(_:)``s the counterparts of this simulation's entities in the same order, bound
    /// to its copy of their state.
    ///
    /// Runs that agree on every event up to some instant can share that prefix: simulate it once,
    /// fork, and let the copy go its own way. Nothing the copy does touches this simulation.
    public func fork() -> Simulation {
        precondition(!isRunning, "a simulation can only be forked between runs")
        let copy = Simulation(limits: limits)
        copy.requiredEntities = entities.count
        copy.now = now
        copy.deliveredEvents = deliveredEvents
        copy.nextSequence = nextSequence
        copy.reservedSequences = reservedSequences
        copy.pendingLimitHit = pendingLimitHit
        if heapCapacity > copy.heapCapacity {
            copy.heap.deallocate()
            copy.heap = .allocate(capacity: heapCapacity)
            copy.heapCapacity = heapCapacity
        }
        copy.heap.initialize(from: heap, count: heapCount)
        copy.heapCount = heapCount
        if timerSlotCapacity > copy.timerSlotCapacity {
            copy.timerSlots.deallocate()
            copy.timerSlots = .allocate(capacity: timerSlotCapacity)
            copy.timerSlotCapacity = timerSlotCapacity
        }
        copy.timerSlots.initialize(from: timerSlots, count: timerSlotCount)
        copy.timerSlotCount = timerSlotCount
        copy.freeTimerSlot = freeTimerSlot
        return copy
    }

    /// Moves the pending message (not timer) to `target` of `kind` with `payload` to `time`,
    /// keeping its insertion sequence, so that among events of equal time it is delivered where it
    /// would have been had it been scheduled for `time` in the first place. Returns whether such a
    /// message was pending. O(pending events).
    @discardableResult
    public func reschedule(to target: EntityID, kind: UInt32, payload: UInt64, at time: SimTime) -> Bool {
        precondition(!isRunning, "rescheduling happens between runs")
        precondition(time >= now, "scheduling in the past")
        var found = false
        for index in 0..<heapCount {
            let event = heap[index]
            if !event.isTimer && event.target == target && event.code == kind && event.payload == payload {
                heap[index].time = time
                found = true
                break
            }
        }
        guard found else { return false }
        // Floyd's heap construction: the moved event may now belong anywhere.
        if heapCount > 1 {
            var parent = (heapCount - 2) >> 2
            while parent >= 0 {
                siftDown(from: parent)
                parent -= 1
            }
        }
        return true
    }

    // MARK: Running

    /// Delivers every event whose time is at or before `end`, in order, then sets the clock to
    /// `end`. Events after `end` stay pending, so a run can be continued by calling again.
    /// Stops early at an event limit, the pending limit or ``stop()``, and says which.
    public func run(until end: SimTime) -> RunOutcome {
        precondition(!isRunning, "run(until:) is not reentrant")
        precondition(end >= now, "cannot run backwards")
        precondition(entities.count >= requiredEntities, "a forked simulation runs only once its entities are added")
        isRunning = true
        stopRequested = false
        defer { isRunning = false }
        while heapCount > 0 {
            let front = heap[0]
            if front.time > end { break }
            if deliveredEvents >= limits.maxEvents { return .eventLimit(deliveredEvents) }
            if pendingLimitHit { return .pendingEventLimit(limits.maxPendingEvents) }
            var event = front
            if event.isTimer {
                let slot = Int(truncatingIfNeeded: event.payload)
                let state = timerSlots[slot].state
                let payload = timerSlots[slot].payload
                timerSlots[slot] = TimerSlot(state: (state | 1) &+ 1, payload: UInt64(freeTimerSlot))
                freeTimerSlot = UInt32(truncatingIfNeeded: slot)
                if state & 1 != 0 {
                    removeRoot()
                    continue
                }
                event.payload = payload
            }
            rootIsVacant = true
            now = event.time
            deliveredEvents += 1
            receivers[Int(event.target.index)]._withUnsafeGuaranteedRef { $0.receive(event, in: self) }
            if rootIsVacant {
                rootIsVacant = false
                removeRoot()
            }
            if stopRequested { return .stopped(now) }
        }
        if pendingLimitHit { return .pendingEventLimit(limits.maxPendingEvents) }
        let outcome: RunOutcome = heapCount == 0 ? .exhausted(end) : .reachedTimeLimit(end)
        now = end
        return outcome
    }

    // MARK: 4-ary heap

    @inlinable
    func removeRoot() {
        heapCount -= 1
        if heapCount > 0 {
            heap[0] = heap[heapCount]
            siftDown(from: 0)
        }
    }

    @inlinable
    func siftUp(from start: Int) {
        let buffer = heap
        var child = start
        let moving = buffer[child]
        while child > 0 {
            let parent = (child &- 1) >> 2
            if !moving.precedes(buffer[parent]) { break }
            buffer[child] = buffer[parent]
            child = parent
        }
        buffer[child] = moving
    }

    @inlinable
    func siftDown(from start: Int) {
        let buffer = heap
        let count = heapCount
        var parent = start
        let moving = buffer[parent]
        while true {
            let first = 4 &* parent &+ 1
            if first >= count { break }
            var best = first
            let end = Swift.min(first &+ 4, count)
            var candidate = first &+ 1
            while candidate < end {
                if buffer[candidate].precedes(buffer[best]) { best = candidate }
                candidate &+= 1
            }
            if !buffer[best].precedes(moving) { break }
            buffer[parent] = buffer[best]
            parent = best
        }
        buffer[parent] = moving
    }
}
