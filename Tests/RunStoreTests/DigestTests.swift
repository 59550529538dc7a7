import Foundation
import RunResults
import Testing

@Suite("Canonical encoding, digest and run key")
struct DigestTests {
    @Test func sha256MatchesTheStandardTestVector() {
        #expect(ContentHash.sha256Hex(Data("abc".utf8))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func canonicalFormIsPinned() throws {
        let sample = MetricSample(metric: "errorRate", scope: "all", startSeconds: 0, widthSeconds: 10, value: 0.1)
        #expect(String(decoding: try CanonicalJSON.encode(sample), as: UTF8.self)
            == #"{"metric":"errorRate","scope":"all","startSeconds":0.0,"value":0.1,"widthSeconds":10.0}"#)
        let verdict = TriggerVerdict(
            row: 2, condition: "5xx > 10 %", action: "route\t\"edge\"", targetSeconds: 30, fault: "f/1",
            detectionSeconds: -0.0, outcome: .notTriggered, passed: false)
        #expect(String(decoding: try CanonicalJSON.encode(verdict), as: UTF8.self)
            == #"{"action":"route\t\"edge\"","condition":"5xx > 10 %","detectionSeconds":0.0,"fault":"f/1","#
            + #""outcome":"notTriggered","passed":false,"recoverySeconds":null,"row":2,"rule":null,"targetSeconds":30.0}"#)
        let odd = [1e-5, 5e20, Double.infinity, -Double.infinity, 123_456_789.125]
        #expect(String(decoding: try CanonicalJSON.encode(odd), as: UTF8.self)
            == #"[1e-05,5e+20,"Infinity","-Infinity",123456789.125]"#)
        #expect(String(decoding: try CanonicalJSON.encode(["b": Data([1, 2, 3]), "a": Data()]), as: UTF8.self)
            == #"{"a":"","b":"AQID"}"#)
        #expect(String(decoding: try CanonicalJSON.encode("\u{01}é"), as: UTF8.self) == "\"\\u0001é\"")
    }

    @Test func canonicalJSONDecodesBackToTheSameValue() throws {
        let run = SampleRun.make()
        let decoded = try JSONDecoder().decode(RunResult.self, from: run.canonicalJSON())
        #expect(decoded == run)
        #expect(decoded.canonicalJSON() == run.canonicalJSON())
    }

    @Test func digestIsStableAndIgnoresWallTimeAndItself() {
        let run = SampleRun.make()
        #expect(run.identity.digest.count == 64)
        #expect(run.hasValidDigest)
        #expect(SampleRun.make().identity.digest == run.identity.digest)
        var other = run
        other.identity.wallSeconds = 99
        other.identity.digest = "something else"
        #expect(other.computeDigest() == run.identity.digest)
        #expect(other.canonicalJSON() != run.canonicalJSON())
    }

    @Test func overridesEncodeInSortedOrderWhateverTheirInsertionOrder() {
        var a = SampleRun.minimal()
        var b = SampleRun.minimal()
        let keys = (0..<50).map { "key.\($0)" }
        for key in keys { a.identity.overrides[key] = key.uppercased() }
        for key in keys.reversed() { b.identity.overrides[key] = key.uppercased() }
        #expect(a.canonicalJSON() == b.canonicalJSON())
        let text = String(decoding: a.canonicalJSON(), as: UTF8.self)
        #expect(text.contains(#""overrides":{"key.0":"KEY.0","key.1":"KEY.1","key.10":"#))
    }

    @Test func digestChangesWhenAnyResultChanges() {
        let run = SampleRun.make()
        var changes: [(String, RunResult)] = []
        func change(_ name: String, _ edit: (inout RunResult) -> Void) {
            var copy = run
            edit(&copy)
            changes.append((name, copy))
        }
        change("one sample's value") { $0.series[57].value += 1e-12 }
        change("a nil becomes 0") { $0.triggers[1].recoverySeconds = 0 }
        change("seed") { $0.identity.seed &+= 1 }
        change("run key") { $0.identity.runKey = "x" }
        change("events") { $0.identity.events += 1 }
        change("status") { $0.status = .completed }
        change("status detail") { $0.statusDetail = nil }
        change("order of samples") { $0.series.swapAt(0, 1) }
        change("histogram byte") { $0.latency[1].histogram[4] = 254 }
        change("tenant moved to regions") { $0.availability.regions.append($0.availability.tenants.removeLast()) }
        change("writes lost") { $0.writes.lost = 1 }
        change("event detail") { $0.events[0].detail += " " }
        change("override") { $0.identity.overrides["traffic.rate"] = "1001/s" }
        var digests = Set([run.identity.digest])
        for (name, changed) in changes {
            let digest = changed.computeDigest()
            #expect(digest != run.identity.digest, "changing \(name) must change the digest")
            digests.insert(digest)
        }
        #expect(digests.count == changes.count + 1)
    }

    @Test func runKeyChangesWithEachInput() {
        func key(
            model: String = "m", experiment: String = "e", variant: String = "v",
            overrides: [String: String] = ["a": "1"], seed: UInt64 = 7, engine: String = "1"
        ) -> String {
            RunKey.make(
                modelCanonical: Data(model.utf8), experimentCanonical: Data(experiment.utf8), variant: variant,
                overrides: overrides, seed: seed, engineVersion: engine)
        }
        let base = key()
        #expect(base.count == 64)
        #expect(key() == base)
        let others = [
            key(model: "m2"), key(experiment: "e2"), key(variant: "v2"), key(overrides: [:]),
            key(overrides: ["a": "2"]), key(overrides: ["b": "1"]), key(overrides: ["a": "1", "b": ""]),
            key(seed: 8), key(engine: "2"),
            // Boundaries between fields are unambiguous.
            key(model: "me", experiment: ""), key(variant: "v1", engine: ""),
            key(overrides: ["a1": ""]), key(model: "e", experiment: "m"),
        ]
        #expect(Set(others).count == others.count)
        #expect(!others.contains(base))
        var forwards: [String: String] = [:]
        var backwards: [String: String] = [:]
        for index in 0..<40 { forwards["k\(index)"] = "\(index)" }
        for index in (0..<40).reversed() { backwards["k\(index)"] = "\(index)" }
        #expect(key(overrides: forwards) == key(overrides: backwards))
    }
}

/// A value whose own encoding fails, as a hand-written `encode(to:)` could.
private struct RefusesToEncode: Encodable {
    struct Refused: Error {}
    func encode(to encoder: any Encoder) throws { throw Refused() }
}

@Suite("Canonical JSON for hashing")
struct CheckedEncodingTests {
    @Test("A value that encodes gives its canonical form")
    func encodesLikeEncode() throws {
        #expect(CanonicalJSON.encodeChecked(["b": 1, "a": 2], "a mapping") == (try CanonicalJSON.encode(["b": 1, "a": 2])))
    }

    // Before, `(try? CanonicalJSON.encode(model)) ?? Data()` hashed an empty buffer here, so any
    // two such values shared a run key; now the process stops and says why.
    @Test("A value whose encoding fails stops the process instead of hashing nothing")
    func failureIsLoud() async {
        await #expect(processExitsWith: .failure) {
            _ = CanonicalJSON.encodeChecked(RefusesToEncode(), "a value that refuses")
        }
    }
}
