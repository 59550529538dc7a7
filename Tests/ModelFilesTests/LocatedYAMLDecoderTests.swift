import Foundation
import ModelFiles
import SimulationCore
import Testing

private let file = "models/esta.yaml"

/// The error decoding `text` as `type` produces, or `nil` (recorded as an issue) when it decodes.
private func failure<T: Decodable>(
    _ type: T.Type, _ text: String, decoder: LocatedYAMLDecoder = LocatedYAMLDecoder(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> FileError? {
    do {
        _ = try decoder.decode(type, from: text, file: file)
        Issue.record("decoded without an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func failure<T: Decodable>(
    _ type: T.Type, bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) -> FileError? {
    do {
        _ = try LocatedYAMLDecoder().decode(type, from: bytes, file: file)
        Issue.record("decoded without an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func located(_ line: Int?, _ column: Int?, _ keyPath: String, _ message: String) -> FileError {
    FileError(file: file, line: line, column: column, keyPath: keyPath, message: message)
}

@Suite("Decoding a whole file")
struct SuccessfulDecodingTests {
    @Test func decodesTheFullSample() throws {
        let model = try LocatedYAMLDecoder().decode(SampleModel.self, from: sampleModelText, file: file)
        #expect(model.kind == .model)
        #expect(model.name == "esta")
        #expect(model.seed == 42)
        #expect(model.eventLimit == 1_000_000)
        #expect(model.tags == ["team": "sre"])
        #expect(model.services == [
            Service(name: "api", policy: .roundRobin, enabled: true, replicas: [
                Replica(name: "a", weight: 1.5, lag: .milliseconds(250)),
                Replica(name: "b", weight: 2, lag: nil),
            ])
        ])
        #expect(model.breakers.keys == ["firestore", "auth"])
        #expect(model.breakers["firestore"] == Breaker(failureThreshold: 5, resetTimeout: .seconds(30)))
        #expect(model.breakers["auth"] == Breaker(failureThreshold: 3, resetTimeout: .seconds(90), halfOpenProbes: 2))
    }

    @Test func orderedMappingKeepsFileOrderWhateverTheKeys() throws {
        let text = "z: 1\na: 2\nm: 3\nb: 4\n"
        let mapping = try LocatedYAMLDecoder().decode(OrderedMapping<Int>.self, from: text, file: file)
        #expect(mapping.keys == ["z", "a", "m", "b"])
        #expect(mapping.values == [1, 2, 3, 4])
        #expect(mapping.map(\.key) == ["z", "a", "m", "b"])
    }

    @Test func dictionariesDecodeAnyKeys() throws {
        let text = "first: 1\n\"with space\": 2\n3: 3\n"
        let dictionary = try LocatedYAMLDecoder().decode([String: Int].self, from: text, file: file)
        #expect(dictionary == ["first": 1, "with space": 2, "3": 3])
    }

    @Test func nullAndMissingOptionalsAreNil() throws {
        let text = "name: a\nweight: 1\nlag: ~\n"
        #expect(try LocatedYAMLDecoder().decode(Replica.self, from: text, file: file).lag == nil)
        let empty = "name: a\nweight: 1\nlag:\n"
        #expect(try LocatedYAMLDecoder().decode(Replica.self, from: empty, file: file).lag == nil)
        let list = try LocatedYAMLDecoder().decode([Int?].self, from: "[1, null, ~, 4]", file: file)
        #expect(list == [1, nil, nil, 4])
    }

    @Test func scalarsFollowTheDocumentedRules() throws {
        let decoder = LocatedYAMLDecoder()
        #expect(try decoder.decode([Bool].self, from: "[true, True, FALSE, false]", file: file) == [true, true, false, false])
        #expect(try decoder.decode([Int].self, from: "[0, -7, +3, 1_000, 0x1F]", file: file) == [0, -7, 3, 1000, 31])
        #expect(try decoder.decode([Double].self, from: "[1, 2.5, .5, -1e-3, 6.02e23]", file: file) == [1, 2.5, 0.5, -0.001, 6.02e23])
        #expect(try decoder.decode([String].self, from: "[no, 123, '007', \"x y\"]", file: file) == ["no", "123", "007", "x y"])
        #expect(try decoder.decode(Int64.self, from: "-9223372036854775808", file: file) == .min)
        #expect(try decoder.decode(UInt64.self, from: "18446744073709551615", file: file) == .max)
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let text = """
            defaults: &defaults
              failureThreshold: 5
              resetTimeout: 30s
            firestore:
              <<: *defaults
              resetTimeout: 10s
            auth: *defaults
            """
        let breakers = try LocatedYAMLDecoder().decode([String: OrderedMapping<String>].self, from: text, file: file)
        #expect(breakers["firestore"]?.keys == ["failureThreshold", "resetTimeout"])
        #expect(breakers["firestore"]?["resetTimeout"] == "10s")
        #expect(breakers["auth"]?["resetTimeout"] == "30s")
        let typed = try LocatedYAMLDecoder().decode([String: Breaker].self, from: text, file: file)
        #expect(typed["firestore"] == Breaker(failureThreshold: 5, resetTimeout: .seconds(10)))
    }

    @Test func readsFromBytesWithAByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("name: a\nweight: 1\n".utf8)
        #expect(try LocatedYAMLDecoder().decode(Replica.self, from: bytes, file: file).name == "a")
    }

    @Test func readsAFileFromDisk() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("failsim-\(UUID()).yaml").path
        try Data(sampleModelText.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try LocatedYAMLDecoder().decode(SampleModel.self, contentsOfFile: path, displayName: "m.yaml")
        #expect(model.name == "esta")
        #expect(throws: FileError.self) {
            _ = try LocatedYAMLDecoder().decode(SampleModel.self, contentsOfFile: path + ".missing")
        }
    }
}

@Suite("Located errors")
struct LocatedErrorTests {
    @Test func wrongTypeDeepInANestedArrayElement() {
        let error = failure(SampleModel.self, sample(line: 13, "        weight: heavy"))
        #expect(error == located(13, 17, "services[0].replicas[1].weight", "expected a number, found 'heavy'"))
        #expect(error?.description
            == "models/esta.yaml:13:17: services[0].replicas[1].weight: expected a number, found 'heavy'")
    }

    @Test func misspelledKeyGetsASuggestion() {
        let error = failure(SampleModel.self, sample(line: 17, "    resetTimout: 30s"))
        #expect(error == located(17, 5, "breakers.firestore.resetTimout",
                                 "unknown key 'resetTimout'; did you mean 'resetTimeout'?"))
    }

    @Test func unknownKeyFarFromAnyListsTheKnownKeys() {
        let error = failure(SampleModel.self, sample(line: 17, "    colour: red"))
        #expect(error == located(17, 5, "breakers.firestore.colour",
                                 "unknown key 'colour'; expected one of: failureThreshold, resetTimeout, halfOpenProbes"))
    }

    @Test func unknownKeyOfATypeWhoseKeysCannotBeListed() {
        let error = failure(Opaque.self, "size: 3\nsise: 4\n")
        #expect(error == located(2, 1, "sise", "unknown key 'sise'"))
    }

    @Test func missingKeyPointsAtTheMapping() {
        let error = failure(SampleModel.self, sample(line: 17, nil))
        #expect(error == located(16, 5, "breakers.firestore", "missing required key 'resetTimeout'"))
    }

    @Test func missingKeyOfASynthesizedInit() {
        let error = failure(SampleModel.self, sample(line: 10, nil))
        #expect(error == located(9, 9, "services[0].replicas[0]", "missing required key 'weight'"))
    }

    @Test func duplicateKeyInABlockMapping() {
        let error = failure(SampleModel.self, sample(insertingAfterLine: 17, "    failureThreshold: 6"))
        #expect(error == located(18, 5, "breakers.firestore.failureThreshold",
                                 "duplicate key 'failureThreshold' (first at line 16, column 5)"))
    }

    @Test func duplicateKeyInAFlowMapping() {
        let error = failure([String: Int].self, "{a: 1, b: 2, a: 3}")
        #expect(error == located(1, 14, "a", "duplicate key 'a' (first at line 1, column 2)"))
    }

    @Test func duplicateKeyThatYAMLTellsApartByType() {
        // `true` and "true" differ to YAML (a boolean and a string) but name the same key.
        let error = failure([String: Int].self, "true: 1\n\"true\": 2\n")
        #expect(error == located(2, 1, "true", "duplicate key 'true' (first at line 1, column 1)"))
    }

    @Test func malformedDuration() {
        let error = failure(SampleModel.self, sample(line: 17, "    resetTimeout: 30x"))
        #expect(error == located(17, 19, "breakers.firestore.resetTimeout",
                                 DurationParseError.malformed("30x").description))
        #expect(error?.message.hasPrefix("'30x' is not a duration: expected a duration such as 250ms, 30s") == true)
    }

    @Test func negativeDuration() {
        let error = failure(SampleModel.self, sample(line: 11, "        lag: -5s"))
        #expect(error == located(11, 14, "services[0].replicas[0].lag",
                                 "'-5s' is negative: a duration must be zero or more"))
    }

    @Test func integerOverflowInInt64() {
        let error = failure(SampleModel.self, sample(line: 24, "eventLimit: 10000000000000000000000"))
        #expect(error == located(24, 13, "eventLimit",
                                 "10000000000000000000000 does not fit in Int64 (-9223372036854775808...9223372036854775807)"))
    }

    @Test func negativeNumberForAnUnsignedField() {
        let error = failure(SampleModel.self, sample(line: 3, "seed: -1"))
        #expect(error == located(3, 7, "seed", "-1 does not fit in UInt64 (0...18446744073709551615)"))
    }

    @Test func fractionForAnInteger() {
        let error = failure(SampleModel.self, sample(line: 16, "    failureThreshold: 2.5"))
        #expect(error == located(16, 23, "breakers.firestore.failureThreshold", "expected an integer, found '2.5'"))
    }

    @Test func quotedNumberIsAString() {
        let error = failure(SampleModel.self, sample(line: 3, "seed: \"42\""))
        #expect(error == located(3, 7, "seed", "expected an integer, found the quoted string '42'"))
    }

    @Test func infinityAndNaNAreRefused() {
        let nan = failure(SampleModel.self, sample(line: 10, "        weight: .nan"))
        #expect(nan == located(10, 17, "services[0].replicas[0].weight",
                               "'.nan' is not a finite number: infinities and NaN are not allowed"))
        let huge = failure(SampleModel.self, sample(line: 10, "        weight: 1e999"))
        #expect(huge == located(10, 17, "services[0].replicas[0].weight", "1e999 does not fit in Double"))
    }

    @Test func yamlOneOneBooleanIsRefusedWithAHint() {
        let error = failure(SampleModel.self, sample(line: 7, "    enabled: yes"))
        #expect(error == located(7, 14, "services[0].enabled", "'yes' is not a boolean here: write true or false"))
    }

    @Test func nullForARequiredString() {
        let error = failure(SampleModel.self, sample(line: 2, "name:"))
        #expect(error == located(2, 6, "name", "expected a string, found null"))
    }

    @Test func mappingWhereAListIsExpected() {
        let text = "name: api\npolicy: leastLoaded\nenabled: false\nreplicas: {a: 1}\n"
        let error = failure(Service.self, text)
        #expect(error == located(4, 11, "replicas", "expected a list, found a mapping"))
    }

    @Test func misspelledEnumCase() {
        let error = failure(SampleModel.self, sample(line: 6, "    policy: roundRobbin"))
        #expect(error == located(6, 13, "services[0].policy",
                                 "'roundRobbin' is not one of: roundRobin, leastLoaded; did you mean 'roundRobin'?"))
    }

    @Test func validationErrorFromATypesInit() {
        let error = failure(SampleModel.self, sample(line: 16, "    failureThreshold: 0"))
        #expect(error == located(16, 23, "breakers.firestore.failureThreshold",
                                 "failureThreshold must be at least 1, found 0"))
    }

    @Test func customErrorFromATypesInitIsLocatedAtItsNode() {
        let error = failure([String: Port].self, "web: 80\nadmin: 70000\n")
        #expect(error == located(2, 8, "admin", "port 70000 is outside 1...65535"))
    }

    @Test func validationOfAWholeMapping() {
        let error = failure(Window.self, "outer:\n  from: 10s\n  to: 5s\n")
        #expect(error == located(2, 3, "outer", "'from' (10s) must come before 'to' (5s)"))
    }

    @Test func errorInsideAnAliasIsReportedAtTheAnchor() {
        let text = "defaults: &d\n  failureThreshold: 5\n  resetTimeout: soon\nfirestore: *d\n"
        let error = failure([String: Breaker].self, text)
        #expect(error?.line == 3)
        #expect(error?.column == 17)
        #expect(error?.message.hasPrefix("'soon' is not a duration") == true)
    }

    @Test func wrongRootType() {
        let error = failure(SampleModel.self, "- a\n- b\n")
        #expect(error == located(1, 1, "", "expected a mapping, found a list"))
        #expect(error?.description == "models/esta.yaml:1:1: expected a mapping, found a list")
    }
}

@Suite("Bad input")
struct BadInputTests {
    @Test func yamlSyntaxError() {
        let error = failure(SampleModel.self, sample(line: 2, "name: esta: x"))
        #expect(error?.line == 2)
        #expect(error?.column == 11)
        #expect(error?.keyPath == "")
        #expect(error?.message == "invalid YAML: mapping values are not allowed in this context")
    }

    @Test func unclosedFlowSequence() {
        let error = failure(SampleModel.self, "kind: model\nname: [a, b\nseed: 1\n")
        #expect(error?.file == file)
        #expect(error?.line == 3)
        #expect(error?.message.hasPrefix("invalid YAML: did not find expected ',' or ']'") == true)
        #expect(error?.message.contains("line 2, column 7") == true)
    }

    @Test func tabIndentation() {
        let error = failure(SampleModel.self, "kind: model\nservices:\n\t- name: a\n")
        #expect(error?.line == 3)
        #expect(error?.column == 1)
        #expect(error?.message.hasPrefix("invalid YAML: found character that cannot start any token") == true)
    }

    @Test func emptyFile() {
        #expect(failure(SampleModel.self, "") == located(1, 1, "", "the file is empty: expected a mapping such as 'kind: model'"))
        #expect(failure(SampleModel.self, "# nothing yet\n\n---\n")?.message.hasPrefix("the file is empty") == true)
        #expect(failure(SampleModel.self, bytes: [])?.message.hasPrefix("the file is empty") == true)
    }

    @Test func invalidUTF8() {
        let bytes = Array("kind: model\nname: ab".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        #expect(failure(SampleModel.self, bytes: bytes)
            == located(2, 9, "", "invalid UTF-8: the file must be UTF-8 text"))
    }

    @Test func binaryGarbage() {
        var generator = SystemRandomNumberGenerator()
        let garbage: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00] + (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(failure(SampleModel.self, bytes: garbage)
            == located(1, 7, "", "the file contains a NUL byte: it is binary data, not YAML text"))
        // Control characters that are valid UTF-8 are YAML's to refuse.
        let control = failure(SampleModel.self, "kind: model\nname: a\u{1}b\n")
        #expect(control?.line == 2)
        #expect(control?.column == 8)
        #expect(control?.message == "invalid YAML: control characters are not allowed")
    }

    @Test func everyPrefixOfTheSampleFailsCleanlyOrDecodes() {
        // Truncating a file anywhere must give a located error or a value, never a crash.
        let bytes = Array(sampleModelText.utf8)
        for length in stride(from: 0, through: bytes.count, by: 7) {
            do {
                _ = try LocatedYAMLDecoder().decode(SampleModel.self, from: bytes.prefix(length), file: file)
            } catch {
                #expect(error.file == file)
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func moreThanOneDocument() {
        let error = failure(SampleModel.self, "kind: model\n---\nkind: model\n")
        #expect(error?.line == 2)
        #expect(error?.message.contains("but found another document") == true)
    }

    @Test func inputSizeLimit() {
        let decoder = LocatedYAMLDecoder(limits: .init(inputBytesMax: 100))
        let error = failure(SampleModel.self, sampleModelText, decoder: decoder)
        #expect(error == located(nil, nil, "",
                                 "the file is \(sampleModelText.utf8.count) bytes, more than the limit of 100 bytes"))
        #expect(error?.description.hasPrefix("models/esta.yaml: the file is") == true)
        #expect(LocatedYAMLDecoder.Limits().inputBytesMax == 16 * 1024 * 1024)
    }

    @Test func nestingDepthLimit() {
        let depth = 30
        let text = String(repeating: "{child: [", count: depth) + String(repeating: "]}", count: depth)
        let decoder = LocatedYAMLDecoder(limits: .init(nestingDepthMax: 20))
        let error = failure(Tree.self, text, decoder: decoder)
        #expect(error?.message == "nested more than 20 levels deep")
        #expect(error?.line == 1)
        #expect(error?.keyPath.hasPrefix("child[0].child[0].child[0]") == true)
        #expect(throws: Never.self) { _ = try LocatedYAMLDecoder().decode(Tree.self, from: text, file: file) }
    }

    @Test func aliasExpansionLimit() {
        // Each level repeats the previous one ten times: 10^6 strings from a few lines.
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        let decoder = LocatedYAMLDecoder(limits: .init(decodedNodesMax: 10_000))
        let error = failure([String: AnyNested].self, text, decoder: decoder)
        #expect(error?.message == "the document expands to more than 10000 values (aliases repeated too often?)")
    }
}

/// Any list-of-lists-of-strings shape, for the alias test.
indirect enum AnyNested: Decodable {
    case text(String)
    case list([AnyNested])

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [AnyNested] = []
            while !list.isAtEnd { items.append(try list.decode(AnyNested.self)) }
            self = .list(items)
        } else {
            self = .text(try decoder.singleValueContainer().decode(String.self))
        }
    }
}

@Suite("File kind")
struct FileKindTests {
    @Test func readsTheKind() throws {
        #expect(try FileKind.read(from: sampleModelText, file: file) == .model)
        #expect(try FileKind.read(from: "kind: experiment\nmodel: esta.yaml\n", file: file) == .experiment)
        #expect(try FileKind.read(from: Array("kind: model\n".utf8), file: file) == .model)
    }

    @Test func missingKind() {
        #expect(throws: located(1, 1, "", "missing required key 'kind': a file starts with 'kind: model or experiment'")) {
            _ = try FileKind.read(from: "name: esta\n", file: file)
        }
    }

    @Test func unknownKindIsSuggested() {
        #expect(throws: located(1, 7, "kind", "unknown kind 'modle'; expected one of: model, experiment; did you mean 'model'?")) {
            _ = try FileKind.read(from: "kind: modle\n", file: file)
        }
    }

    @Test func kindOfTheWrongShape() {
        #expect(throws: located(1, 6, "kind", "expected model or experiment, found null")) {
            _ = try FileKind.read(from: "kind:\n", file: file)
        }
        #expect(throws: located(1, 1, "", "expected a mapping starting with 'kind: model or experiment', found a list")) {
            _ = try FileKind.read(from: "- kind\n", file: file)
        }
        #expect(throws: FileError.self) { _ = try FileKind.read(from: "", file: file) }
    }
}

@Suite("Helpers")
struct HelperTests {
    @Test func didYouMeanFindsTypos() {
        let keys = ["failureThreshold", "resetTimeout", "halfOpenProbes"]
        #expect(didYouMean("resetTimout", among: keys) == "resetTimeout")
        #expect(didYouMean("resteTimeout", among: keys) == "resetTimeout")  // adjacent swap
        #expect(didYouMean("ResetTimeout", among: keys) == "resetTimeout")  // case
        #expect(didYouMean("failureTreshold", among: keys) == "failureThreshold")
        #expect(didYouMean("colour", among: keys) == nil)
        #expect(didYouMean("x", among: ["y", "xy"]) == "y")
        #expect(didYouMean("anything", among: []) == nil)
    }

    @Test func fileErrorDescriptionLeavesOutUnknownParts() {
        #expect(FileError(file: "a.yaml", line: 3, column: 7, keyPath: "x.y", message: "bad").description
            == "a.yaml:3:7: x.y: bad")
        #expect(FileError(file: "a.yaml", line: 3, column: nil, keyPath: "", message: "bad").description
            == "a.yaml:3: bad")
        #expect(FileError(file: "a.yaml", line: nil, column: nil, keyPath: "k", message: "bad").description
            == "a.yaml: k: bad")
    }

    @Test func keyPathsQuoteOddKeys() {
        let error = failure([String: [String: Int]].self, "\"a.b\":\n  c: x\n")
        #expect(error?.keyPath == "[\"a.b\"].c")
    }
}

/// Throws an error of its own (not a `DecodingError`) for an out-of-range value.
struct Port: Decodable {
    struct OutOfRange: Error, CustomStringConvertible {
        var value: Int
        var description: String { "port \(value) is outside 1...65535" }
    }

    var number: Int

    init(from decoder: any Decoder) throws {
        number = try decoder.singleValueContainer().decode(Int.self)
        guard (1...65535).contains(number) else { throw OutOfRange(value: number) }
    }
}

/// Checks two keys against each other, reporting at the mapping.
struct Window: Decodable {
    struct Span: Decodable {
        var from: SimDuration
        var to: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case from, to }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            from = try container.decode(SimDuration.self, forKey: .from)
            to = try container.decode(SimDuration.self, forKey: .to)
            guard from < to else { throw container.validationError("'from' (\(from)) must come before 'to' (\(to))") }
        }
    }

    var outer: Span
    enum CodingKeys: String, CodingKey, CaseIterable { case outer }
}
