import Testing
@testable import SimulationCore

@Suite("Durations: parsing, printing, rounding")
struct DurationTests {
    static let second: Int64 = 1_000_000_000

    @Test("written forms parse to the exact number of nanoseconds", arguments: [
        ("250ms", 250_000_000),
        ("30s", 30 * second),
        ("15m", 15 * 60 * second),
        ("2h", 2 * 3_600 * second),
        ("365d", 365 * 86_400 * second),
        ("1.5s", 1_500_000_000),
        ("1m30s", 90 * second),
        ("0", 0),
        ("500us", 500_000),
        ("500µs", 500_000),
        ("7ns", 7),
        ("0.25ms", 250_000),
        ("1h0m1s", 3_601 * second),
        ("  30s ", 30 * second),
        ("0.000000001s", 1),
        // Digits beyond the nanosecond round half to even: 0.5 ns → 0, 1.5 ns → 2, 2.5 ns → 2.
        ("0.0000000005s", 0),
        ("0.0000000015s", 2),
        ("0.0000000025s", 2),
        ("0.00000000251s", 3),
    ] as [(String, Int64)])
    func parses(text: String, nanoseconds: Int64) throws {
        let duration = try SimDuration(parsing: text)
        #expect(duration.nanoseconds == nanoseconds, "parsing '\(text)'")
    }

    @Test("the canonical spelling uses the largest exact unit", arguments: [
        (250_000_000, "250ms"),
        (30 * second, "30s"),
        (15 * 60 * second, "15m"),
        (2 * 3_600 * second, "2h"),
        (365 * 86_400 * second, "365d"),
        (1_500_000_000, "1.5s"),
        (90 * second, "90s"),
        (0, "0s"),
        (500_000, "500us"),
        (1_500_000, "1.5ms"),
        (1_234, "1234ns"),
        (-5 * second, "-5s"),
    ] as [(Int64, String)])
    func prints(nanoseconds: Int64, text: String) {
        #expect(SimDuration(nanoseconds: nanoseconds).description == text)
    }

    @Test("malformed text is a typed error that says what was expected",
          arguments: ["30x", "s", "1..5s", "", "   ", "5", "1.5", "ms5", "1 s", "300y", "1.s.", "+", "3s-", "1e3s", "NaNs"])
    func malformed(text: String) {
        #expect(throws: DurationParseError.malformed(text)) { try SimDuration(parsing: text) }
        let message = DurationParseError.malformed(text).description
        #expect(message.contains("expected a duration such as 250ms, 30s"))
        #expect(message.contains("'\(text)'"))
    }

    @Test("a negative duration is its own error")
    func negative() {
        #expect(throws: DurationParseError.negative("-5s")) { try SimDuration(parsing: "-5s") }
        #expect(DurationParseError.negative("-5s").description.contains("must be zero or more"))
    }

    @Test("a duration longer than the time type is an overflow error",
          arguments: ["107000d", "9223372036854775808ns", "2562048h", "99999999999999999999s", "106751d106751d"])
    func overflow(text: String) {
        #expect(throws: DurationParseError.overflow(text)) { try SimDuration(parsing: text) }
        #expect(DurationParseError.overflow(text).description.contains("292 years"))
    }

    @Test("the largest durations that fit still parse")
    func limits() throws {
        // Int64.max ns = 9_223_372_036_854_775_807 ns ≈ 106751.99 days.
        #expect(try SimDuration(parsing: "9223372036854775807ns").nanoseconds == .max)
        #expect(try SimDuration(parsing: "106751d").nanoseconds == 106_751 * 86_400 * DurationTests.second)
    }

    @Test("seconds are rounded to the nearest nanosecond, ties to even")
    func roundingHalfToEven() {
        // Each of these products with 1e9 is exactly k + 0.5 in binary floating point (checked
        // with Python: (k + 0.5)/1e9 * 1e9 == k + 0.5), so the rounding rule alone decides.
        #expect(SimDuration(seconds: 0.5e-9).nanoseconds == 0)
        #expect(SimDuration(seconds: 1.5e-9).nanoseconds == 2)
        #expect(SimDuration(seconds: 2.5e-9).nanoseconds == 2)
        #expect(SimDuration(seconds: 3.5e-9).nanoseconds == 4)
        #expect(SimDuration(seconds: -2.5e-9).nanoseconds == -2)
        #expect(SimDuration(seconds: 1.0000000025).nanoseconds == 1_000_000_002)
        #expect(SimDuration(seconds: 1.0005e-06).nanoseconds == 1_000)
        #expect(SimDuration(seconds: 123.4567890125).nanoseconds == 123_456_789_012)
        // Not ties: ordinary rounding.
        #expect(SimDuration(seconds: 0.7e-9).nanoseconds == 1)
        #expect(SimDuration(seconds: 1.25).nanoseconds == 1_250_000_000)
        // Saturation and NaN, as documented.
        #expect(SimDuration(seconds: 1e300).nanoseconds == .max)
        #expect(SimDuration(seconds: -1e300).nanoseconds == .min)
        #expect(SimDuration(seconds: .nan).nanoseconds == 0)
    }

    @Test("description → parse is the identity for random durations")
    func roundTrip() throws {
        var generator = Xoshiro256StarStar(seed: 0xD0_0D)
        for trial in 0..<5_000 {
            // Mix magnitudes: whole units, milliseconds, nanoseconds up to ~3 years.
            let scale: [Int64] = [1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000, 86_400_000_000_000]
            let unit = scale[Int(generator.nextIndex(below: UInt64(scale.count)))]
            let limit = UInt64(Int64.max / unit / 100_000)
            let count = Int64(generator.nextIndex(below: Swift.min(limit, 10_000_000)))
            let value = count * unit + (trial % 3 == 0 ? Int64(generator.nextIndex(below: 1_000)) : 0)
            let duration = SimDuration(nanoseconds: value)
            let parsed = try SimDuration(parsing: duration.description)
            #expect(parsed == duration, "'\(duration.description)' parsed as \(parsed.nanoseconds) ns, expected \(value) ns")
        }
    }

    @Test("unit constructors agree with parsing")
    func unitConstructors() throws {
        #expect(try SimDuration(parsing: "1.5s").description == "1.5s")
        #expect(SimDuration.milliseconds(250) == SimDuration(nanoseconds: 250_000_000))
        #expect(SimDuration.days(365) == (try SimDuration(parsing: "365d")))
    }

    @Test("time arithmetic and overflow-checked addition")
    func timeArithmetic() {
        let t = SimTime(nanoseconds: 5) + .seconds(2)
        #expect(t.nanoseconds == 2_000_000_005)
        #expect((t - SimTime(nanoseconds: 5)) == .seconds(2))
        #expect(SimTime(nanoseconds: .max - 1).adding(.nanoseconds(2)) == nil)
        #expect(SimTime(nanoseconds: 1).adding(.nanoseconds(2)) == SimTime(nanoseconds: 3))
    }
}
