import ModelFiles
import Testing

/// SplitMix64: a small repeatable generator, so that a failure names the seed that reproduces it.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Robustness")
struct RobustnessTests {
    /// Random edits of the sample (bytes changed, inserted, removed; YAML punctuation favoured)
    /// must each decode or give a located error for the right file — never crash.
    @Test(arguments: [1, 2, 3, 4])
    func randomEditsNeverCrash(seed: UInt64) {
        var generator = SplitMix64(state: seed)
        let original = Array(sampleModelText.utf8)
        let interesting: [UInt8] = Array(":-[]{},&*!|>'\"#%@`<\t\n ~?0a.".utf8) + [0x00, 0xFF, 0xC3, 0x80]
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)!
                    : UInt8.random(in: 0...255, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: if bytes.count > 1 { bytes.remove(at: position) }
                }
            }
            do {
                _ = try LocatedYAMLDecoder().decode(SampleModel.self, from: bytes, file: "fuzz.yaml")
            } catch {
                #expect(error.file == "fuzz.yaml", "seed \(seed)")
                #expect(!error.message.isEmpty, "seed \(seed)")
                if let line = error.line { #expect(line >= 1, "seed \(seed): \(error)") }
            }
            _ = try? FileKind.read(from: bytes, file: "fuzz.yaml")
        }
    }

    @Test func mergesOfMergesAreBounded() {
        // Each anchor merges the previous one twice: without a bound, exponential work.
        var text = "m0: &m0 {a: 1}\n"
        for level in 1...40 {
            text += "m\(level): &m\(level) {<<: [*m\(level - 1), *m\(level - 1)], k\(level): 1}\n"
        }
        #expect(throws: FileError.self) {
            _ = try LocatedYAMLDecoder().decode([String: [String: Int]].self, from: text, file: "merge.yaml")
        }
    }
}
