/// Helpers for configuration types that check their values inside `init(from:)`.
///
/// Throwing the returned error makes ``LocatedYAMLDecoder`` report the message at the offending
/// value's line and column, under its key path:
///
/// ```swift
/// init(from decoder: any Decoder) throws {
///     let container = try decoder.container(keyedBy: CodingKeys.self)
///     failureThreshold = try container.decode(Int.self, forKey: .failureThreshold)
///     guard failureThreshold >= 1 else {
///         throw container.validationError(
///             forKey: .failureThreshold, "failureThreshold must be at least 1, found \(failureThreshold)")
///     }
/// }
/// ```
///
/// The errors are plain `DecodingError.dataCorrupted` values, so other decoders report them too.
extension KeyedDecodingContainerProtocol {
    /// An error saying that the value at `key` decoded but is not acceptable.
    public func validationError(forKey key: Key, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message)
    }

    /// An error about the mapping as a whole (two keys that contradict each other, say), located at
    /// the mapping.
    public func validationError(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: message))
    }
}

extension SingleValueDecodingContainer {
    /// An error saying that this value decoded but is not acceptable.
    public func validationError(_ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(in: self, debugDescription: message)
    }
}

extension UnkeyedDecodingContainer {
    /// An error about the list as a whole (too few elements, say), located at the list.
    public func validationError(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: message))
    }
}
