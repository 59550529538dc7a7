import Foundation

/// A JSON encoder whose output is a function of the encoded value alone.
///
/// The canonical form, which the run digest is computed over:
/// - no whitespace; object members in ascending order of their keys' UTF-8 bytes;
/// - every key of a keyed container is present: `nil` optionals are written as `null`;
/// - integers in decimal; `Bool` as `true`/`false`;
/// - finite floating-point numbers in Swift's shortest round-trip form (`Double.description`,
///   e.g. `0.1`, `100.0`, `1e-05`), with `-0.0` written as `0.0`; non-finite numbers as the
///   strings `"NaN"`, `"Infinity"`, `"-Infinity"`;
/// - strings with `"` and `\` escaped, control characters below U+0020 as `\b \f \n \r \t` or
///   `\u00XX` (lowercase hex), everything else as raw UTF-8 without normalisation;
/// - `Data` as standard padded base64.
///
/// The output decodes with Foundation's `JSONDecoder` (except non-finite numbers).
public enum CanonicalJSON {
    /// Encodes `value` in the canonical form described above.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let root = Node()
        try encodeValue(value, into: root, codingPath: [])
        var output: [UInt8] = []
        output.reserveCapacity(4096)
        root.write(to: &output)
        return Data(output)
    }

    /// The canonical form of a value that was decoded and checked before (a model, an
    /// experiment, an uptime study's settings), for hashing into run keys and content hashes.
    ///
    /// The encoder itself throws nothing; only a type's own `encode(to:)` could, and for such a
    /// value that is a programming error, not bad input. Hashing an empty buffer instead (what
    /// `(try? encode(value)) ?? Data()` did) would give every such value one hash and so one run
    /// key, silently mixing runs of different models; this stops the process with the error and
    /// what was being encoded.
    public static func encodeChecked<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) -> Data {
        do {
            return try encode(value)
        } catch {
            preconditionFailure("the canonical JSON of \(what()) could not be encoded, so it cannot be hashed: \(error)")
        }
    }

    fileprivate static func encodeValue<T: Encodable>(_ value: T, into node: Node, codingPath: [any CodingKey]) throws {
        switch value {
        case let data as Data:
            node.kind = .scalar(quoted(data.base64EncodedString()))
        case let double as Double:
            node.kind = .scalar(formatDouble(double))
        case let float as Float:
            node.kind = .scalar(formatDouble(Double(float)))
        case let string as String:
            node.kind = .scalar(quoted(string))
        default:
            try value.encode(to: CanonicalEncoder(node: node, codingPath: codingPath))
        }
    }

    static func formatDouble(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
        if value == 0 { return "0.0" }
        return value.description
    }

    static func quoted(_ string: String) -> String {
        let needsEscaping = string.utf8.contains { byte in
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        if !needsEscaping { return "\"" + string + "\"" }
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result += "\""
        return result
    }
}

/// One value of the tree being encoded. A class, because containers are handed out before
/// their contents are written.
final class Node {
    enum Kind {
        case empty
        case scalar(String)
        case array([Node])
        /// Members in the order they were encoded; sorted (last write wins) when written out.
        case object([(key: String, node: Node)])
    }

    var kind: Kind = .empty

    func appendElement() -> Node {
        let child = Node()
        if case .array(var elements) = kind {
            kind = .empty  // release the array so the append does not copy it
            elements.append(child)
            kind = .array(elements)
        } else {
            kind = .array([child])
        }
        return child
    }

    func member(_ key: String) -> Node {
        let child = Node()
        if case .object(var members) = kind {
            kind = .empty
            members.append((key, child))
            kind = .object(members)
        } else {
            kind = .object([(key, child)])
        }
        return child
    }

    func makeObject() {
        if case .object = kind { return }
        kind = .object([])
    }

    func makeArray() {
        if case .array = kind { return }
        kind = .array([])
    }

    var count: Int {
        switch kind {
        case .array(let elements): elements.count
        case .object(let members): members.count
        default: 0
        }
    }

    func write(to output: inout [UInt8]) {
        switch kind {
        case .empty:
            output.append(contentsOf: "{}".utf8)
        case .scalar(let text):
            output.append(contentsOf: text.utf8)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Stable sort by key bytes; of members encoded twice under one key, the last wins.
            let order = members.indices.sorted { a, b in
                let (keyA, keyB) = (members[a].key, members[b].key)
                return keyA.utf8.elementsEqual(keyB.utf8) ? a < b : utf8Precedes(keyA, keyB)
            }
            var isFirst = true
            for (position, index) in order.enumerated() {
                let next = position + 1 < order.count ? order[position + 1] : nil
                if let next, members[next].key.utf8.elementsEqual(members[index].key.utf8) { continue }
                if !isFirst { output.append(UInt8(ascii: ",")) }
                isFirst = false
                output.append(contentsOf: CanonicalJSON.quoted(members[index].key).utf8)
                output.append(UInt8(ascii: ":"))
                members[index].node.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct CanonicalEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func set(_ text: String, _ key: Key) { node.member(key.stringValue).kind = .scalar(text) }

    mutating func encodeNil(forKey key: Key) throws { set("null", key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(value ? "true" : "false", key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(CanonicalJSON.quoted(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(CanonicalJSON.formatDouble(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(CanonicalJSON.formatDouble(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(String(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(String(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try CanonicalJSON.encodeValue(value, into: node.member(key.stringValue), codingPath: codingPath + [key])
    }

    // Canonical form: absent optionals are explicit nulls, so every key is always present.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encodeOptional(value, key) }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.member(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.member(key.stringValue)
        child.makeArray()
        return UnkeyedContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        CanonicalEncoder(node: node.member("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        CanonicalEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    private func append(_ text: String) { node.appendElement().kind = .scalar(text) }

    mutating func encodeNil() throws { append("null") }
    mutating func encode(_ value: Bool) throws { append(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { append(CanonicalJSON.quoted(value)) }
    mutating func encode(_ value: Double) throws { append(CanonicalJSON.formatDouble(value)) }
    mutating func encode(_ value: Float) throws { append(CanonicalJSON.formatDouble(Double(value))) }
    mutating func encode(_ value: Int) throws { append(String(value)) }
    mutating func encode(_ value: Int8) throws { append(String(value)) }
    mutating func encode(_ value: Int16) throws { append(String(value)) }
    mutating func encode(_ value: Int32) throws { append(String(value)) }
    mutating func encode(_ value: Int64) throws { append(String(value)) }
    mutating func encode(_ value: UInt) throws { append(String(value)) }
    mutating func encode(_ value: UInt8) throws { append(String(value)) }
    mutating func encode(_ value: UInt16) throws { append(String(value)) }
    mutating func encode(_ value: UInt32) throws { append(String(value)) }
    mutating func encode(_ value: UInt64) throws { append(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        try CanonicalJSON.encodeValue(value, into: node.appendElement(), codingPath: codingPath + [IndexKey(index)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let index = count
        let child = node.appendElement()
        child.makeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [IndexKey(index)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = count
        let child = node.appendElement()
        child.makeArray()
        return UnkeyedContainer(node: child, codingPath: codingPath + [IndexKey(index)])
    }

    mutating func superEncoder() -> any Encoder {
        let index = count
        return CanonicalEncoder(node: node.appendElement(), codingPath: codingPath + [IndexKey(index)])
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    private func set(_ text: String) { node.kind = .scalar(text) }

    mutating func encodeNil() throws { set("null") }
    mutating func encode(_ value: Bool) throws { set(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { set(CanonicalJSON.quoted(value)) }
    mutating func encode(_ value: Double) throws { set(CanonicalJSON.formatDouble(value)) }
    mutating func encode(_ value: Float) throws { set(CanonicalJSON.formatDouble(Double(value))) }
    mutating func encode(_ value: Int) throws { set(String(value)) }
    mutating func encode(_ value: Int8) throws { set(String(value)) }
    mutating func encode(_ value: Int16) throws { set(String(value)) }
    mutating func encode(_ value: Int32) throws { set(String(value)) }
    mutating func encode(_ value: Int64) throws { set(String(value)) }
    mutating func encode(_ value: UInt) throws { set(String(value)) }
    mutating func encode(_ value: UInt8) throws { set(String(value)) }
    mutating func encode(_ value: UInt16) throws { set(String(value)) }
    mutating func encode(_ value: UInt32) throws { set(String(value)) }
    mutating func encode(_ value: UInt64) throws { set(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try CanonicalJSON.encodeValue(value, into: node, codingPath: codingPath)
    }
}
