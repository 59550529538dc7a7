/// A count of occurrences: requests served, writes rejected, breaker openings.
///
/// Trivial on purpose: a named type says what a number is and gives every counter the same
/// mergeable shape, so per-seed or per-shard counts add up the same way everywhere.
@frozen
public struct Counter: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline var storedCount: Int

    /// The number of occurrences counted so far.
    @inlinable
    public var count: Int { storedCount }

    /// A counter at `count` (default zero).
    @inlinable
    public init(count: Int = 0) {
        precondition(count >= 0, "a counter cannot be negative")
        self.storedCount = count
    }

    /// Counts one occurrence. O(1).
    @inlinable
    public mutating func increment() { storedCount += 1 }

    /// Counts `amount` occurrences (zero or more). O(1).
    @inlinable
    public mutating func increment(by amount: Int) {
        precondition(amount >= 0, "a counter only counts up")
        storedCount += amount
    }

    /// Adds the occurrences counted by `other`. O(1).
    @inlinable
    public mutating func merge(_ other: Counter) { storedCount += other.storedCount }

    public var description: String { String(count) }
}
