/// A small repeatable generator for test data (SplitMix64, Steele, Lea & Flood 2014), so tests
/// never depend on system randomness.
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in 0 ..< bound (slightly biased, fine for test data).
    mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
