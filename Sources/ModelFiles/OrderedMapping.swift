/// A YAML mapping decoded as a list of key–value entries in the order the file gives them.
///
/// A `[String: Value]` dictionary forgets the file's order, and nothing downstream may depend on a
/// dictionary's order. Where order matters (services listed in the order people think of them,
/// report columns), decode an `OrderedMapping` instead:
///
/// ```yaml
/// breakers:
///   firestore: {failureThreshold: 5, resetTimeout: 30s}
///   auth: {failureThreshold: 3, resetTimeout: 10s}
/// ```
/// ```swift
/// struct Model: Decodable { var breakers: OrderedMapping<Breaker> }
/// model.breakers.keys  // ["firestore", "auth"]
/// ```
///
/// Keys must be distinct (the decoder reports a repeated key). With ``LocatedYAMLDecoder`` the
/// order is the file's; keys merged in with `<<` stand where the `<<` stands. Other decoders give
/// the order of their keyed container's `allKeys`.
public struct OrderedMapping<Value> {
    /// One key and its value.
    public struct Entry {
        /// The key as written in the file.
        public var key: String
        /// The decoded value.
        public var value: Value

        /// Creates an entry.
        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// The entries, in file order.
    public var entries: [Entry]

    /// Creates a mapping from entries; keys should be distinct.
    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    /// The keys, in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The values, in file order.
    public var values: [Value] { entries.map(\.value) }

    /// The value for `key`, or `nil`. - Complexity: O(*n*).
    public subscript(key: String) -> Value? {
        entries.first { $0.key == key }?.value
    }
}

extension OrderedMapping: RandomAccessCollection {
    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }
}

extension OrderedMapping.Entry: Equatable where Value: Equatable {}
extension OrderedMapping.Entry: Hashable where Value: Hashable {}
extension OrderedMapping.Entry: Sendable where Value: Sendable {}
extension OrderedMapping: Equatable where Value: Equatable {}
extension OrderedMapping: Hashable where Value: Hashable {}
extension OrderedMapping: Sendable where Value: Sendable {}

extension OrderedMapping: Decodable where Value: Decodable {
    /// Decodes a mapping, keeping its keys in the order the decoder lists them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: MappingEntryKey.self)
        var entries: [Entry] = []
        entries.reserveCapacity(container.allKeys.count)
        for key in container.allKeys {
            entries.append(Entry(key: key.stringValue, value: try container.decode(Value.self, forKey: key)))
        }
        self.entries = entries
    }
}

extension OrderedMapping: Encodable where Value: Encodable {
    /// Encodes a mapping; encoders that keep insertion order keep the entries' order.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: MappingEntryKey.self)
        for entry in entries {
            try container.encode(entry.value, forKey: MappingEntryKey(entry.key))
        }
    }
}
