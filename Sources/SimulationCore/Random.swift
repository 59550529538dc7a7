/// A source of uniformly distributed 64-bit words, the only thing a distribution needs.
///
/// Every draw in a simulation goes through a project-owned generator, so a run is reproducible from
/// its seed on any Swift release (the standard library's `random(in:using:)` makes no such promise).
public protocol RandomSource {
    /// The next 64 uniformly distributed bits.
    mutating func nextBits() -> UInt64
}

extension RandomSource {
    /// A uniform `Double` in the open interval (0, 1): never exactly 0 or 1, so `log` of it (and of
    /// 1 − u) is finite. Uses the top 52 bits, centred in their cell: (2k + 1)·2⁻⁵³ for k < 2⁵²,
    /// which is exact in a `Double` (53 significant bits), so the largest value is 1 − 2⁻⁵³.
    /// (Centring 53 bits instead would need 54 significant bits: the upper half of the cells
    /// would round, ties to even, and the last one to exactly 1.)
    @inlinable
    public mutating func nextUniform() -> Double {
        (Double(nextBits() >> 12) + 0.5) * 0x1.0p-52
    }

    /// A uniform integer in `0..<bound` by Lemire's multiply-and-reject method (unbiased).
    @inlinable
    public mutating func nextIndex(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = nextBits().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = nextBits().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit counter passed through a strong mixing
/// function. Used to expand seeds and to derive stream seeds, as the xoshiro authors recommend.
@frozen
public struct SplitMix64: RandomSource {
    public var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func nextBits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche mix of 64 bits.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman and Vigna, 2018): the generator behind every named stream. Its
/// 256-bit state is filled from SplitMix64, so no seed gives the all-zero state.
@frozen
public struct Xoshiro256StarStar: RandomSource {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    @inlinable
    public init(seed: UInt64) {
        var expander = SplitMix64(seed: seed)
        s0 = expander.nextBits()
        s1 = expander.nextBits()
        s2 = expander.nextBits()
        s3 = expander.nextBits()
    }

    @inlinable
    public mutating func nextBits() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    @inlinable
    func rotatedLeft(by amount: UInt64) -> UInt64 { (self << amount) | (self >> (64 - amount)) }
}

/// A stable 64-bit hash of a name (FNV-1a over its UTF-8 bytes). Unlike Swift's `Hasher`, it is the
/// same in every process, so a stream's name always derives the same stream.
public func stableNameHash(_ name: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}

/// The run's random streams: independent xoshiro256** generators derived from (run seed, stream
/// name). Adding a stream, or drawing more from one, leaves every other stream's draws unchanged.
public struct RandomStreams: Sendable {
    /// The run seed every stream derives from.
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The stream with this stable name (for example `"faults/db-outage"` or `"tenants"`).
    public func stream(named name: String) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: RandomStreams.derive(seed: seed, key: stableNameHash(name)))
    }

    /// A per-entity stream: the name plus an index (for example one stream per API instance).
    public func stream(named name: String, index: Int) -> Xoshiro256StarStar {
        let key = SplitMix64.mix(stableNameHash(name) ^ SplitMix64.mix(UInt64(truncatingIfNeeded: index) &+ 0x6A09_E667_F3BC_C909))
        return Xoshiro256StarStar(seed: RandomStreams.derive(seed: seed, key: key))
    }

    static func derive(seed: UInt64, key: UInt64) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(seed ^ 0xA076_1D64_78BD_642F) ^ key)
    }
}

/// Counter-based draws for per-request randomness: Philox4x32-10 (Salmon, Moraes, Dror and Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3", SC 2011) keyed by the run seed.
///
/// The value drawn for (request, hop, attempt, draw) is a pure function of those numbers and the
/// seed: it does not depend on how many other draws happened before, so two variants of a model
/// that route a request differently still give it the same luck at every hop (common random
/// numbers). Hops and attempts are the model's own small integers.
@frozen
public struct RequestDraws: Sendable {
    @usableFromInline let key0: UInt32
    @usableFromInline let key1: UInt32

    public init(seed: UInt64, purpose: String = "requests") {
        let key = RandomStreams.derive(seed: seed, key: stableNameHash(purpose))
        key0 = UInt32(truncatingIfNeeded: key)
        key1 = UInt32(truncatingIfNeeded: key >> 32)
    }

    /// Draws under a raw 64-bit Philox key (low word first), for known-answer tests.
    public init(rawKey: UInt64) {
        key0 = UInt32(truncatingIfNeeded: rawKey)
        key1 = UInt32(truncatingIfNeeded: rawKey >> 32)
    }

    /// A generator positioned at (request, hop, attempt): its successive draws are numbered 0, 1, 2, …
    @inlinable
    public func stream(request: UInt64, hop: UInt16, attempt: UInt16 = 0) -> CounterStream {
        CounterStream(draws: self, request: request, lane: UInt32(hop) << 16 | UInt32(attempt))
    }

    /// Philox4x32 with 10 rounds on the 128-bit counter (c0, c1, c2, c3); returns two 64-bit words.
    @inlinable
    public func block(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32) -> (UInt64, UInt64) {
        var x0 = c0, x1 = c1, x2 = c2, x3 = c3
        var k0 = key0, k1 = key1
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(x0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(x2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            x0 = hi1 ^ x1 ^ k0
            x1 = lo1
            x2 = hi0 ^ x3 ^ k1
            x3 = lo0
        }
        return (UInt64(x0) << 32 | UInt64(x1), UInt64(x2) << 32 | UInt64(x3))
    }
}

/// The draws of one (request, hop, attempt), in order. A value type holding nothing but counters.
@frozen
public struct CounterStream: RandomSource {
    @usableFromInline let draws: RequestDraws
    @usableFromInline let request: UInt64
    @usableFromInline let lane: UInt32
    @usableFromInline var index: UInt32 = 0
    @usableFromInline var spare: UInt64 = 0
    @usableFromInline var hasSpare = false

    @inlinable
    init(draws: RequestDraws, request: UInt64, lane: UInt32) {
        self.draws = draws
        self.request = request
        self.lane = lane
    }

    @inlinable
    public mutating func nextBits() -> UInt64 {
        if hasSpare {
            hasSpare = false
            return spare
        }
        let (a, b) = draws.block(
            UInt32(truncatingIfNeeded: request), UInt32(truncatingIfNeeded: request >> 32), lane, index)
        index &+= 1
        spare = b
        hasSpare = true
        return a
    }
}
