import Yams

// The `Decoder` behind `LocatedYAMLDecoder`: it walks a composed `Yams.Node` tree, so every value
// it hands out knows the line and column it came from.
//
// Every error raised here is an ordinary `DecodingError` (so that types which catch, say,
// `DecodingError.typeMismatch` to try another form keep working) whose context's
// `underlyingError` is a `LocatedProblem` holding the place and the message. Errors that a type's
// own `init(from:)` throws are given the place of the node that type was decoding from (or of the
// deeper node its coding path names) as they pass through `decodeValue`.

/// Where a problem is and what it is; carried as the `underlyingError` of a `DecodingError`.
struct LocatedProblem: Error {
    var line: Int?
    var column: Int?
    var message: String

    init(_ message: String, at mark: Mark?) {
        self.line = mark?.line
        self.column = mark?.column
        self.message = message
    }
}

extension DecodingError {
    /// The place and message attached by this decoder, if any.
    var locatedProblem: LocatedProblem? {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            return context.underlyingError as? LocatedProblem
        @unknown default:
            return nil
        }
    }

    var context: Context? {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            return context
        @unknown default:
            return nil
        }
    }
}

/// State shared by all the decoders of one decoding run.
final class DecodingSession {
    let file: String
    let limits: LocatedYAMLDecoder.Limits
    let userInfo: [CodingUserInfoKey: Any]
    var decodedNodeCount = 0

    init(file: String, limits: LocatedYAMLDecoder.Limits, userInfo: [CodingUserInfoKey: Any]) {
        self.file = file
        self.limits = limits
        self.userInfo = userInfo
    }

    /// Decodes `type` from `node`, counting the node against the limits and giving any error the
    /// type's own code throws the node's location.
    func decodeValue<T: Decodable>(
        _ type: T.Type, from node: Node, path: [any CodingKey], depth: Int
    ) throws -> T {
        decodedNodeCount += 1
        if decodedNodeCount > limits.decodedNodesMax {
            throw DecodingError.dataCorrupted(.init(
                codingPath: path,
                debugDescription: "",
                underlyingError: LocatedProblem(
                    "the document expands to more than \(limits.decodedNodesMax) values "
                        + "(aliases repeated too often?)", at: node.mark)))
        }
        if depth > limits.nestingDepthMax {
            throw DecodingError.dataCorrupted(.init(
                codingPath: path,
                debugDescription: "",
                underlyingError: LocatedProblem(
                    "nested more than \(limits.nestingDepthMax) levels deep", at: node.mark)))
        }
        let decoder = NodeDecoder(node: node, codingPath: path, session: self, depth: depth)
        do {
            return try T(from: decoder)
        } catch let error as DecodingError where error.locatedProblem != nil {
            throw error
        } catch {
            throw locate(error, decoding: type, from: node, path: path)
        }
    }

    /// Gives an error thrown by a type's own `init(from:)` the place it concerns.
    func locate<T>(_ error: any Error, decoding type: T.Type, from node: Node, path: [any CodingKey])
        -> DecodingError
    {
        var errorPath = path
        var message: String
        switch error {
        case let decodingError as DecodingError:
            let context = decodingError.context
            errorPath = context?.codingPath ?? path
            message = context?.debugDescription ?? String(describing: error)
            if case .keyNotFound(let key, _) = decodingError {
                message = "missing required key '\(key.stringValue)'"
            } else if case .dataCorrupted = decodingError, let known = knownRawValues(of: type),
                let text = node.scalar?.string, node.isScalar && !node.isNull
            {
                message = ScalarText.unknownChoice(text, among: known)
                errorPath = path
            }
            if message.isEmpty { message = String(describing: error) }
        case let fileError as FileError:
            message = fileError.description
        default:
            message = String(describing: error)
        }
        let (target, resolvedPath) = Self.deepestNode(for: errorPath, from: node, basePath: path)
        return DecodingError.dataCorrupted(.init(
            codingPath: resolvedPath,
            debugDescription: message,
            underlyingError: LocatedProblem(message, at: target.mark ?? node.mark)))
    }

    /// The node that `path` names below `node` (whose own path is `basePath`), as deep as the
    /// document goes, and the path to use for the report.
    static func deepestNode(for path: [any CodingKey], from node: Node, basePath: [any CodingKey])
        -> (Node, [any CodingKey])
    {
        guard path.count >= basePath.count,
            zip(path, basePath).allSatisfy({ $0.stringValue == $1.stringValue && $0.intValue == $1.intValue })
        else { return (node, basePath) }
        var current = node
        for key in path.dropFirst(basePath.count) {
            switch current {
            case .mapping(let mapping):
                guard let entry = try? MappingEntries(mapping, path: []).first(named: key.stringValue)
                else { return (current, path) }
                current = entry.value
            case .sequence(let sequence):
                guard let index = key.intValue, sequence.indices.contains(index) else { return (current, path) }
                current = sequence[index]
            default:
                return (current, path)
            }
        }
        return (current, path)
    }
}

/// For a `RawRepresentable & CaseIterable` type with `String` raw values, the allowed spellings.
func knownRawValues<T>(of type: T.Type) -> [String]? {
    guard let choices = type as? any (RawRepresentable & CaseIterable).Type else { return nil }
    return rawStrings(of: choices)
}

private func rawStrings<E: RawRepresentable & CaseIterable>(of type: E.Type) -> [String]? {
    guard E.RawValue.self == String.self else { return nil }
    return E.allCases.compactMap { $0.rawValue as? String }
}

/// The names of a coding-key type's cases, when it is `CaseIterable`.
func knownKeyNames<Key: CodingKey>(of type: Key.Type) -> [String]? {
    guard let iterable = type as? any CaseIterable.Type else { return nil }
    return caseNames(of: iterable)
}

private func caseNames<C: CaseIterable>(of type: C.Type) -> [String] {
    C.allCases.compactMap { ($0 as? any CodingKey)?.stringValue }
}

// MARK: - Nodes

extension Node {
    var isScalar: Bool { if case .scalar = self { true } else { false } }

    /// A plain `null`, `Null`, `NULL`, `~` or nothing at all, or a scalar tagged `!!null`.
    var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        if scalar.tagName == .null { return true }
        guard scalar.style == .plain, scalar.tagName == .implicit else { return false }
        return ScalarText.nullWords.contains(scalar.string)
    }

    /// How the node reads in a message: `'abc'`, `null`, `a mapping`, `a list`.
    var shortDescription: String {
        switch self {
        case .scalar(let scalar):
            if isNull { return "null" }
            let text = scalar.string.count > 60 ? String(scalar.string.prefix(57)) + "..." : scalar.string
            return scalar.style == .plain ? "'\(text)'" : "the quoted string '\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// The entries of a mapping after merge keys (`<<`) are applied, in file order, keys as text.
struct MappingEntries {
    struct Entry {
        var name: String
        var keyNode: Node
        var value: Node
    }

    var entries: [Entry] = []

    /// Reads `mapping`'s entries. Keys must be scalars and distinct; `<<: *anchor` (or a list of
    /// anchors) merges the entries of other mappings at that place, the mapping's own keys winning
    /// and earlier merged mappings winning over later ones.
    init(_ mapping: Node.Mapping, path: [any CodingKey]) throws {
        var mergeBudget = Self.mergedMappingsMax
        try self.init(mapping, path: path, mergeBudget: &mergeBudget)
    }

    /// Most mappings merged (directly or through other merges) into one mapping; bounds documents
    /// whose merges of merges would take exponential time.
    static let mergedMappingsMax = 10_000

    private init(_ mapping: Node.Mapping, path: [any CodingKey], mergeBudget: inout Int) throws {
        var ownNames: [String: Node] = [:]
        for (key, _) in mapping where !Self.isMergeKey(key) {
            guard case .scalar(let scalar) = key else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: path, debugDescription: "",
                    underlyingError: LocatedProblem(
                        "a key must be a plain name, found \(key.shortDescription)", at: key.mark)))
            }
            if let first = ownNames[scalar.string] {
                let place = first.mark.map { " (first at line \($0.line), column \($0.column))" } ?? ""
                throw DecodingError.dataCorrupted(.init(
                    codingPath: path + [MappingEntryKey(scalar.string)], debugDescription: "",
                    underlyingError: LocatedProblem("duplicate key '\(scalar.string)'\(place)", at: key.mark)))
            }
            ownNames[scalar.string] = key
        }
        var seen = Set(ownNames.keys)
        for (key, value) in mapping {
            if Self.isMergeKey(key) {
                let sources: [Node.Mapping]
                switch value {
                case .mapping(let merged): sources = [merged]
                case .sequence(let list) where list.allSatisfy({ if case .mapping = $0 { true } else { false } }):
                    sources = list.compactMap(\.mapping)
                default:
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: path, debugDescription: "",
                        underlyingError: LocatedProblem(
                            "a merge key '<<' takes a mapping or a list of mappings, found \(value.shortDescription)",
                            at: value.mark ?? key.mark)))
                }
                for source in sources {
                    mergeBudget -= 1
                    if mergeBudget < 0 {
                        throw DecodingError.dataCorrupted(.init(
                            codingPath: path, debugDescription: "",
                            underlyingError: LocatedProblem(
                                "more than \(Self.mergedMappingsMax) mappings merged with '<<'", at: key.mark)))
                    }
                    let merged = try MappingEntries(source, path: path, mergeBudget: &mergeBudget)
                    for entry in merged.entries where !seen.contains(entry.name) {
                        seen.insert(entry.name)
                        entries.append(entry)
                    }
                }
            } else if let scalar = key.scalar {
                entries.append(Entry(name: scalar.string, keyNode: key, value: value))
            }
        }
    }

    static func isMergeKey(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        if scalar.tagName == .merge { return true }
        return scalar.style == .plain && scalar.tagName == .implicit && scalar.string == "<<"
    }

    func first(named name: String) -> Entry? { entries.first { $0.name == name } }
}

// MARK: - Decoder

final class NodeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    let session: DecodingSession
    let depth: Int

    init(node: Node, codingPath: [any CodingKey], session: DecodingSession, depth: Int) {
        self.node = node
        self.codingPath = codingPath
        self.session = session
        self.depth = depth
    }

    var userInfo: [CodingUserInfoKey: Any] { session.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else {
            throw typeMismatch([String: Any].self, expected: "a mapping")
        }
        let entries = try MappingEntries(mapping, path: codingPath)
        for entry in entries.entries where Key(stringValue: entry.name) == nil {
            var message = "unknown key '\(entry.name)'"
            if let known = knownKeyNames(of: Key.self) {
                if let suggestion = didYouMean(entry.name, among: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else if !known.isEmpty {
                    message += "; expected one of: " + known.joined(separator: ", ")
                }
            }
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [MappingEntryKey(entry.name)], debugDescription: message,
                underlyingError: LocatedProblem(message, at: entry.keyNode.mark)))
        }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(decoder: self, mapping: mapping, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else {
            throw typeMismatch([Any].self, expected: "a list")
        }
        return UnkeyedNodeContainer(decoder: self, elements: Array(sequence))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleNodeContainer(decoder: self)
    }

    func typeMismatch(_ type: Any.Type, expected: String) -> DecodingError {
        let message = "expected \(expected), found \(node.shortDescription)"
        let context = DecodingError.Context(
            codingPath: codingPath, debugDescription: message,
            underlyingError: LocatedProblem(message, at: node.mark))
        return node.isNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    func decodeChild<T: Decodable>(_ type: T.Type, node child: Node, key: any CodingKey) throws -> T {
        try session.decodeValue(type, from: child, path: codingPath + [key], depth: depth + 1)
    }

    func childDecoder(node child: Node, key: any CodingKey) -> NodeDecoder {
        NodeDecoder(node: child, codingPath: codingPath + [key], session: session, depth: depth + 1)
    }

    // MARK: Scalars

    /// The scalar's text, or an error saying what was expected instead.
    func scalarText(expected: String, type: Any.Type) throws -> (text: String, isPlain: Bool) {
        guard case .scalar(let scalar) = node, !node.isNull else {
            throw typeMismatch(type, expected: expected)
        }
        let tag = scalar.tagName
        guard ScalarText.supportedTags.contains(tag) else {
            throw problem("unsupported tag '\(tag.rawValue)': use plain values", type: type)
        }
        return (scalar.string, scalar.style == .plain && tag != .str)
    }

    func problem(_ message: String, type: Any.Type) -> DecodingError {
        .dataCorrupted(.init(
            codingPath: codingPath, debugDescription: message,
            underlyingError: LocatedProblem(message, at: node.mark)))
    }

    func decodeBool() throws -> Bool {
        let (text, isPlain) = try scalarText(expected: "true or false", type: Bool.self)
        if isPlain, let value = ScalarText.bool(text) { return value }
        if isPlain, ScalarText.yamlOneOneBooleans.contains(text.lowercased()) {
            throw problem("'\(text)' is not a boolean here: write true or false", type: Bool.self)
        }
        throw typeMismatch(Bool.self, expected: "true or false")
    }

    func decodeString() throws -> String {
        try scalarText(expected: "a string", type: String.self).text
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let (text, isPlain) = try scalarText(expected: "an integer", type: type)
        guard isPlain else { throw typeMismatch(type, expected: "an integer") }
        switch ScalarText.integer(text, as: type) {
        case .value(let value): return value
        case .notANumber: throw typeMismatch(type, expected: "an integer")
        case .outOfRange: throw problem("\(text) does not fit in \(T.self) (\(T.min)...\(T.max))", type: type)
        }
    }

    func decodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
        let (text, isPlain) = try scalarText(expected: "a number", type: type)
        guard isPlain else { throw typeMismatch(type, expected: "a number") }
        if ScalarText.isInfinityOrNaN(text) {
            throw problem("'\(text)' is not a finite number: infinities and NaN are not allowed", type: type)
        }
        guard let value: T = ScalarText.floatingPoint(text) else {
            throw typeMismatch(type, expected: "a number")
        }
        guard value.isFinite else { throw problem("\(text) does not fit in \(T.self)", type: type) }
        return value
    }
}

// MARK: - Containers

struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let mapping: Node.Mapping
    let entries: MappingEntries
    private let valuesByName: [String: MappingEntries.Entry]

    init(decoder: NodeDecoder, mapping: Node.Mapping, entries: MappingEntries) {
        self.decoder = decoder
        self.mapping = mapping
        self.entries = entries
        var byName: [String: MappingEntries.Entry] = [:]
        for entry in entries.entries { byName[entry.name] = entry }
        self.valuesByName = byName
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    /// Keys in file order (merged keys where their `<<` stands).
    var allKeys: [Key] { entries.entries.compactMap { Key(stringValue: $0.name) } }

    func contains(_ key: Key) -> Bool { valuesByName[key.stringValue] != nil }

    private func entry(_ key: Key) throws -> MappingEntries.Entry {
        guard let entry = valuesByName[key.stringValue] else {
            let message = "missing required key '\(key.stringValue)'"
            throw DecodingError.keyNotFound(key, .init(
                codingPath: codingPath, debugDescription: message,
                underlyingError: LocatedProblem(message, at: decoder.node.mark)))
        }
        return entry
    }

    func decodeNil(forKey key: Key) throws -> Bool { try entry(key).value.isNull }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decodeChild(type, node: entry(key).value, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.childDecoder(node: entry(key).value, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.childDecoder(node: entry(key).value, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = MappingEntryKey("super")
        let node = valuesByName["super"]?.value ?? Node("null", Tag(.null))
        return decoder.childDecoder(node: node, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try decoder.childDecoder(node: entry(key).value, key: key)
    }
}

struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let elements: [Node]
    var currentIndex = 0

    init(decoder: NodeDecoder, elements: [Node]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private func current() throws -> Node {
        guard !isAtEnd else {
            let message = "expected another element, but the list has only \(elements.count)"
            throw DecodingError.valueNotFound(Any.self, .init(
                codingPath: codingPath + [SequenceIndexKey(currentIndex)], debugDescription: message,
                underlyingError: LocatedProblem(message, at: decoder.node.mark)))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        let isNull = try current().isNull
        if isNull { currentIndex += 1 }
        return isNull
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.decodeChild(type, node: current(), key: SequenceIndexKey(currentIndex))
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let container = try decoder.childDecoder(node: current(), key: SequenceIndexKey(currentIndex))
            .container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.childDecoder(node: current(), key: SequenceIndexKey(currentIndex))
            .unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let child = try decoder.childDecoder(node: current(), key: SequenceIndexKey(currentIndex))
        currentIndex += 1
        return child
    }
}

struct SingleNodeContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.node.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeFloatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeFloatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // The same node, decoded as another type (a wrapper's single value).
        try decoder.session.decodeValue(type, from: decoder.node, path: codingPath, depth: decoder.depth + 1)
    }
}

extension Node.Scalar {
    /// The scalar's tag as written (`implicit` when none was).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
