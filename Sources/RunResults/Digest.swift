import Crypto
import Foundation

/// Content hashes used for identities: hex SHA-256.
public enum ContentHash {
    /// The SHA-256 of `data`, as 64 lowercase hexadecimal digits.
    public static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The SHA-256 of the UTF-8 bytes of `string`, as 64 lowercase hexadecimal digits.
    public static func sha256Hex(_ string: String) -> String {
        hex(SHA256.hash(data: Data(string.utf8)))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The run key: the identity of a run's *inputs*.
///
/// Two runs with the same model, experiment, variant, overrides, seed and engine version have
/// the same key and, by the reproducibility claim, the same results and digest. Sweeps use the
/// key to skip runs already stored and to merge shards.
public enum RunKey {
    /// The version tag that starts the hashed encoding; changes if the encoding ever changes.
    public static let encodingVersion = "failsim-runkey-v1"

    /// Computes a run key: 64 lowercase hex digits of SHA-256 over an unambiguous encoding of the
    /// inputs.
    ///
    /// The hashed bytes are, in order, each *field* written as its length in bytes (8-byte
    /// big-endian unsigned integer) followed by its bytes:
    /// 1. the ASCII tag ``encodingVersion``;
    /// 2. `modelCanonical` (the model's canonical form, as produced by the model files module);
    /// 3. `experimentCanonical`;
    /// 4. the UTF-8 of `variant`;
    /// 5. the number of overrides (as an 8-byte big-endian integer, no length prefix), then each
    ///    override as two fields, key then value, in ascending order of the keys' UTF-8 bytes;
    /// 6. `seed` as an 8-byte big-endian integer (no length prefix);
    /// 7. the UTF-8 of `engineVersion`.
    ///
    /// Length prefixes make the encoding injective: no two different inputs hash the same bytes.
    public static func make(
        modelCanonical: Data,
        experimentCanonical: Data,
        variant: String,
        overrides: [String: String],
        seed: UInt64,
        engineVersion: String
    ) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(modelCanonical.count + experimentCanonical.count + 256)
        func appendInteger(_ value: UInt64) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        func appendField<C: Collection>(_ field: C) where C.Element == UInt8 {
            appendInteger(UInt64(field.count))
            bytes.append(contentsOf: field)
        }
        appendField(encodingVersion.utf8)
        appendField(modelCanonical)
        appendField(experimentCanonical)
        appendField(variant.utf8)
        appendInteger(UInt64(overrides.count))
        for key in overrides.keys.sorted(by: utf8Precedes) {
            appendField(key.utf8)
            appendField(overrides[key]!.utf8)
        }
        appendInteger(seed)
        appendField(engineVersion.utf8)
        return ContentHash.hex(SHA256.hash(data: bytes))
    }
}

extension RunResult {
    /// The canonical JSON encoding of this result exactly as it is (see ``CanonicalJSON``):
    /// sorted keys, explicit nulls, fixed number formatting. Byte-identical for equal values
    /// (except that `-0.0` and `0.0`, equal as numbers, are both written `0.0`).
    public func canonicalJSON() -> Data {
        do {
            return try CanonicalJSON.encode(self)
        } catch {
            // The canonical encoder itself never throws and every type here encodes
            // unconditionally, so this is a programming error.
            preconditionFailure("canonical encoding of a RunResult failed: \(error)")
        }
    }

    /// The bytes the digest is computed over: ``canonicalJSON()`` of a copy of this result with
    /// ``RunIdentity/wallSeconds`` set to `0` and ``RunIdentity/digest`` set to `""`.
    public func canonicalDigestInput() -> Data {
        var copy = self
        copy.identity.wallSeconds = 0
        copy.identity.digest = ""
        return copy.canonicalJSON()
    }

    /// The result digest: 64 lowercase hex digits of SHA-256 over ``canonicalDigestInput()``.
    ///
    /// Covers every field of the result except wall time and the digest itself; database row ids
    /// are not part of a `RunResult`, so they cannot affect it.
    public func computeDigest() -> String {
        ContentHash.sha256Hex(canonicalDigestInput())
    }

    /// A copy of this result with ``RunIdentity/digest`` set to ``computeDigest()``.
    public func withDigest() -> RunResult {
        var copy = self
        copy.identity.digest = computeDigest()
        return copy
    }

    /// Whether ``RunIdentity/digest`` matches the result's content.
    public var hasValidDigest: Bool {
        identity.digest == computeDigest()
    }
}
