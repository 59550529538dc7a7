import SimulationCore

/// The time average of a piecewise-constant quantity: queue length, busy instances, pool
/// utilisation, open breakers.
///
/// The quantity holds its value from one ``update(_:at:)`` to the next, so its average over
/// `[start, now]` is ∫ value dt / (now − start). The integral is accumulated as value × whole
/// nanoseconds with Neumaier's compensated summation (A. Neumaier, 1974), so a long run of small
/// steps does not lose precision; memory is constant.
///
/// Updates must come in non-decreasing time (a step back in time is a programming error and traps).
public struct TimeWeightedAverage: Equatable, Sendable {
    /// The instant the average starts from.
    public let start: SimTime
    /// The instant of the last update.
    public var lastUpdate: SimTime { lastUpdateTime }
    /// The value held since ``lastUpdate``.
    public var currentValue: Double { value }
    /// The smallest value held so far (including the initial one).
    public var min: Double { smallest }
    /// The largest value held so far (including the initial one).
    public var max: Double { largest }

    @usableFromInline var lastUpdateTime: SimTime
    @usableFromInline var value: Double
    @usableFromInline var smallest: Double
    @usableFromInline var largest: Double

    @usableFromInline var integral: Double = 0
    @usableFromInline var compensation: Double = 0

    /// Starts tracking a quantity that holds `initialValue` from `start` on.
    public init(initialValue: Double = 0, start: SimTime) {
        precondition(initialValue.isFinite, "a tracked quantity must be finite")
        self.start = start
        self.lastUpdateTime = start
        self.value = initialValue
        self.smallest = initialValue
        self.largest = initialValue
    }

    /// The quantity takes `value` at `time` (and holds it until the next update). O(1).
    ///
    /// - Precondition: `time` is not before the previous update; `value` is finite.
    @inlinable
    public mutating func update(_ newValue: Double, at time: SimTime) {
        precondition(time >= lastUpdateTime, "time-weighted average updated back in time")
        precondition(newValue.isFinite, "a tracked quantity must be finite")
        accumulate(until: time)
        value = newValue
        if newValue < smallest { smallest = newValue }
        if newValue > largest { largest = newValue }
    }

    @inlinable
    mutating func accumulate(until time: SimTime) {
        let elapsed = time.nanoseconds - lastUpdateTime.nanoseconds
        if elapsed > 0 && value != 0 {
            let term = value * Double(elapsed)
            let sum = integral + term
            if abs(integral) >= abs(term) {
                compensation += (integral - sum) + term
            } else {
                compensation += (term - sum) + integral
            }
            integral = sum
        }
        lastUpdateTime = time
    }

    /// ∫ value dt over `[start, time]`, in value × seconds.
    ///
    /// - Precondition: `time` is not before the last update.
    public func integral(until time: SimTime) -> Double {
        precondition(time >= lastUpdate, "time-weighted average read before its last update")
        var copy = self
        copy.accumulate(until: time)
        return (copy.integral + copy.compensation) / 1e9
    }

    /// The time average over `[start, time]`; at `start` itself (an empty span) it is the current
    /// value.
    ///
    /// - Precondition: `time` is not before the last update.
    public func average(until time: SimTime) -> Double {
        let span = time.nanoseconds - start.nanoseconds
        if span == 0 { return currentValue }
        return integral(until: time) / (Double(span) / 1e9)
    }
}
