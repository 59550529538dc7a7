import Foundation
import Yams

/// Decodes any `Decodable` type from YAML text, and reports every problem as a ``FileError`` that
/// names the file, line, column and key path.
///
/// ```swift
/// struct Breaker: Decodable {
///     var failureThreshold: Int
///     var resetTimeout: SimDuration
///     enum CodingKeys: String, CodingKey, CaseIterable { case failureThreshold, resetTimeout }
/// }
/// do {
///     let breaker = try LocatedYAMLDecoder().decode(Breaker.self, from: text, file: "models/esta.yaml")
/// } catch {
///     print(error)  // models/esta.yaml:3:15: resetTimeout: '30x' is not a duration: expected ...
/// }
/// ```
///
/// The decoder composes the text with Yams into a node tree (whose nodes carry their line and
/// column) and decodes through its own `Decoder` over those nodes. Compared with Yams' own
/// decoder it is strict:
///
/// - **Unknown keys are errors.** When a type asks for a keyed container, every key of the
///   mapping must be one of the type's coding keys. Declare configuration types'
///   keys as `enum CodingKeys: String, CodingKey, CaseIterable` so that a misspelling gets a
///   "did you mean 'resetTimeout'?" hint (without `CaseIterable` the key is still reported, with no
///   hint). A `[String: T]` dictionary accepts any key. Top-level types of model and experiment
///   files therefore list `kind` among their keys (decode it as ``FileKind``).
/// - **Duplicate keys are errors**, reported at the second occurrence.
/// - **Booleans** are `true`/`True`/`TRUE` and `false`/`False`/`FALSE` only (YAML 1.2); the YAML 1.1
///   words `yes`, `no`, `on`, `off`, `y`, `n` are refused for a `Bool` with a hint, and read as
///   plain text for a `String` (so `country: no` is the string `"no"`).
/// - **Integers** are an optional sign and decimal digits, or `0x` and hexadecimal digits; `_` may
///   separate digits (`1_000_000`). A value outside the target type's range is an error
///   ("10000000000000000000000 does not fit in Int64"), never a wrap or a trap. `1.5` or `1e3` is
///   not an integer.
/// - **Floating-point numbers** are decimal (`0.25`, `.5`, `1e-3`, `-2`); `.inf` and `.nan` are
///   refused, and so is a value too large for the type.
/// - **Quoted scalars are always strings**: `"42"` is not a number and `"true"` is not a boolean.
/// - **Strings** take any non-null scalar as written (`name: 123` is `"123"`).
/// - **Null** is a plain `null`, `Null`, `NULL`, `~` or an empty value. An optional property may
///   be null or absent; a required one that is null is an error.
/// - **Enumerations** with `String` raw values that are `CaseIterable` get "'x' is not one of: a, b;
///   did you mean 'a'?".
/// - **Anchors, aliases and merge keys** (`<<: *defaults`, or a list of aliases) work; the mapping's
///   own keys win over merged ones. A value reached through an alias is reported at the place
///   where its anchor defines it.
/// - **Errors thrown by a type's own `init(from:)`** — for example `SimDuration`'s "'30x' is not a
///   duration" — are reported at the node that type was decoding, with the error's debug
///   description (or description) as the message. Validation inside `init(from:)` should throw
///   ``Swift/KeyedDecodingContainerProtocol/validationError(forKey:_:)`` so that the message
///   points at the offending value.
/// - **Limits** (``Limits``): input size, nesting depth, and the number of values decoded (which
///   bounds "billion laughs" documents built from nested aliases).
///
/// Input given as bytes must be UTF-8 (a byte-order mark is allowed); invalid UTF-8 and NUL bytes
/// are reported at their line and column. Only one YAML document per file is accepted.
///
/// Dictionaries decoded from YAML (`[String: T]`) have no order; where the file's order matters,
/// decode an ``OrderedMapping`` instead.
public struct LocatedYAMLDecoder: Sendable {
    /// Bounds on what one file may make the decoder do; exceeding one is a ``FileError``.
    public struct Limits: Sendable, Equatable {
        /// Largest accepted input, in bytes of UTF-8. Default 16 MiB.
        public var inputBytesMax: Int
        /// Deepest accepted nesting of values below the document's root. Default 100.
        public var nestingDepthMax: Int
        /// Most values decoded from one document, counting a value once for every alias that
        /// repeats it. Default 1,000,000.
        public var decodedNodesMax: Int

        /// Creates limits; the defaults suit hand-written configuration.
        public init(inputBytesMax: Int = 16 << 20, nestingDepthMax: Int = 100, decodedNodesMax: Int = 1_000_000) {
            self.inputBytesMax = inputBytesMax
            self.nestingDepthMax = nestingDepthMax
            self.decodedNodesMax = decodedNodesMax
        }
    }

    /// The bounds this decoder enforces.
    public var limits: Limits
    /// Handed to every `Decoder` this decoder creates, for types that need context.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder with the given limits.
    public init(limits: Limits = Limits(), userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.limits = limits
        self.userInfo = userInfo
    }

    /// Decodes a value of `type` from YAML `text`.
    ///
    /// - Parameters:
    ///   - type: The type to decode; the document's root must match it.
    ///   - text: The file's contents.
    ///   - file: The name to report in errors (usually the path as the user gave it).
    /// - Throws: ``FileError`` for every problem, from syntax to validation.
    public func decode<T: Decodable>(_ type: T.Type, from text: String, file: String) throws(FileError) -> T {
        let root = try YAMLDocumentReader(limits: limits).compose(text, file: file)
        return try decode(type, root: root, file: file)
    }

    /// Decodes a value of `type` from the bytes of a YAML file, which must be UTF-8.
    ///
    /// - Throws: ``FileError`` for every problem, including oversized input, invalid UTF-8 and NUL
    ///   bytes (reported at their line and column).
    public func decode<T: Decodable, Bytes: Collection<UInt8>>(
        _ type: T.Type, from bytes: Bytes, file: String
    ) throws(FileError) -> T {
        let reader = YAMLDocumentReader(limits: limits)
        let text = try reader.text(from: bytes, file: file)
        return try decode(type, root: reader.compose(text, file: file), file: file)
    }

    /// Reads the file at `path` and decodes a value of `type` from it, reporting errors under
    /// `displayName` (by default the path itself).
    ///
    /// - Throws: ``FileError`` when the file cannot be read or its contents are wrong.
    public func decode<T: Decodable>(
        _ type: T.Type, contentsOfFile path: String, displayName: String? = nil
    ) throws(FileError) -> T {
        let name = displayName ?? path
        let bytes = try YAMLDocumentReader(limits: limits).readFile(at: path, displayName: name)
        return try decode(type, from: bytes, file: name)
    }

    func decode<T: Decodable>(_ type: T.Type, root: Node, file: String) throws(FileError) -> T {
        let session = DecodingSession(file: file, limits: limits, userInfo: userInfo)
        do {
            return try session.decodeValue(type, from: root, path: [], depth: 0)
        } catch let error as DecodingError {
            throw FileError(decodingError: error, file: file)
        } catch {
            throw FileError(file: file, line: root.mark?.line, column: root.mark?.column, keyPath: "",
                            message: String(describing: error))
        }
    }
}

extension FileError {
    /// Converts an error from ``LocatedYAMLDecoder``'s `Decoder` (which always carries a place).
    init(decodingError error: DecodingError, file: String) {
        let problem = error.locatedProblem
        let context = error.context
        self.init(
            file: file, line: problem?.line, column: problem?.column,
            keyPath: KeyPathFormatter.format(context?.codingPath ?? []),
            message: problem?.message ?? context?.debugDescription ?? String(describing: error))
    }
}

/// Turns bytes or text into a composed YAML node tree, mapping every failure to a ``FileError``.
struct YAMLDocumentReader {
    let limits: LocatedYAMLDecoder.Limits

    func readFile(at path: String, displayName: String) throws(FileError) -> Data {
        let url = URL(fileURLWithPath: path)
        let size: Int
        do {
            let values = try url.resourceValues(forKeys: [.fileSizeKey, .isDirectoryKey])
            if values.isDirectory == true {
                throw FileError(file: displayName, line: nil, column: nil, keyPath: "",
                                message: "is a directory, not a YAML file")
            }
            size = values.fileSize ?? 0
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(file: displayName, line: nil, column: nil, keyPath: "",
                            message: "cannot read the file: \(error.localizedDescription)")
        }
        if size > limits.inputBytesMax { throw tooLarge(size, file: displayName) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw FileError(file: displayName, line: nil, column: nil, keyPath: "",
                            message: "cannot read the file: \(error.localizedDescription)")
        }
    }

    func tooLarge(_ size: Int, file: String) -> FileError {
        FileError(file: file, line: nil, column: nil, keyPath: "",
                  message: "the file is \(size) bytes, more than the limit of \(limits.inputBytesMax) bytes")
    }

    /// Checks that `bytes` are UTF-8 text without NUL bytes, and within the size limit.
    func text<Bytes: Collection<UInt8>>(from bytes: Bytes, file: String) throws(FileError) -> String {
        if bytes.count > limits.inputBytesMax { throw tooLarge(bytes.count, file: file) }
        var iterator = bytes.makeIterator()
        var utf8 = UTF8()
        var line = 1
        var column = 1
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch utf8.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\0" {
                    throw FileError(file: file, line: line, column: column, keyPath: "",
                                    message: "the file contains a NUL byte: it is binary data, not YAML text")
                }
                if scalar == "\u{FEFF}" && scalars.isEmpty && line == 1 && column == 1 { continue }  // byte-order mark
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
                scalars.append(scalar)
            case .emptyInput:
                break loop
            case .error:
                throw FileError(file: file, line: line, column: column, keyPath: "",
                                message: "invalid UTF-8: the file must be UTF-8 text")
            }
        }
        return String(scalars)
    }

    /// Composes `text` into one document's root node.
    func compose(_ text: String, file: String) throws(FileError) -> Node {
        if text.utf8.count > limits.inputBytesMax { throw tooLarge(text.utf8.count, file: file) }
        if let place = Self.complexKeyWithAliases(in: text) {
            // Yams hashes every key while composing, expanding the aliases in it: a key built
            // from nested aliases would take forever. Keys here are plain names anyway.
            throw FileError(file: file, line: place.line, column: place.column, keyPath: "",
                            message: "a mapping key must be a plain name: complex keys ('? key', a list or a mapping "
                                + "before ':', or an alias before ':') are not supported in a file that uses aliases")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw fileError(from: error, text: text, file: file)
        } catch {
            throw FileError(file: file, line: nil, column: nil, keyPath: "", message: String(describing: error))
        }
        guard let root, !root.isNull || !Self.isBlank(text) else {
            throw FileError(file: file, line: 1, column: 1, keyPath: "",
                            message: "the file is empty: expected a mapping such as 'kind: model'")
        }
        return root
    }

    /// Where a complex mapping key starts (an explicit `?` key, a flow list or mapping followed by
    /// `:`, or an alias followed by `:`), in a text that has both anchors and aliases; nil when
    /// there is none. A quick scan of the text that skips comments and quoted scalars; it may see
    /// a complex key where a quoted scalar spans lines, which only matters in a file with aliases.
    static func complexKeyWithAliases(in text: String) -> (line: Int, column: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "&")), bytes.contains(UInt8(ascii: "*")) else { return nil }
        /// The length of the line break at `index` (YAML's: LF, CR LF, CR, NEL, LS, PS), or 0.
        func lineBreak(at index: Int) -> Int {
            switch bytes[index] {
            case 0x0A: return 1
            case 0x0D: return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85: return 2
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9): return 3
            default: return 0
            }
        }
        func isBlank(_ index: Int) -> Bool { index >= bytes.count || bytes[index] == 0x20 || bytes[index] == 0x09 || lineBreak(at: index) > 0 }
        func isAnchorCharacter(_ byte: UInt8) -> Bool {  // libyaml's: ASCII letters, digits, '-' and '_'
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
        }
        /// A ':' (after blanks) that makes what precedes it a key.
        func valueIndicator(after index: Int) -> Bool {
            var next = index
            while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
            guard next < bytes.count, bytes[next] == UInt8(ascii: ":") else { return false }
            return isBlank(next + 1) || [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[next + 1])
        }
        var line = 1
        var lineStart = 0
        var quote: UInt8? = nil
        var atTokenStart = true  // only blanks, '-' entries or flow openers since the line or a separator
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let breakLength = lineBreak(at: index)
            if breakLength > 0 {
                line += 1
                index += breakLength
                lineStart = index
                atTokenStart = true
                continue
            }
            if let open = quote {
                if byte == open {
                    if open == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == open { index += 2; continue }
                    quote = nil
                } else if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                    index += 1
                }
                index += 1
                continue
            }
            // Columns count Unicode scalars; worked out only for the place returned.
            var place: (line: Int, column: Int) { (line, String(decoding: bytes[lineStart..<index], as: UTF8.self).unicodeScalars.count + 1) }
            switch byte {
            case UInt8(ascii: "#") where index == lineStart || isBlank(index - 1):
                while index < bytes.count, lineBreak(at: index) == 0 { index += 1 }
                continue
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if atTokenStart { quote = byte }
                atTokenStart = false
            case UInt8(ascii: "?") where atTokenStart && isBlank(index + 1):
                return place
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if valueIndicator(after: index + 1) { return place }
                atTokenStart = false
            case UInt8(ascii: "*"):
                var end = index + 1
                while end < bytes.count, isAnchorCharacter(bytes[end]) { end += 1 }
                if end > index + 1, valueIndicator(after: end) { return place }
                atTokenStart = false
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ","):
                atTokenStart = true
            case UInt8(ascii: ":") where isBlank(index + 1):
                atTokenStart = true
            case UInt8(ascii: "-") where atTokenStart && isBlank(index + 1):
                atTokenStart = true
            case 0x20, 0x09, 0x0D:
                break
            default:
                atTokenStart = false
            }
            index += 1
        }
        return nil
    }

    /// True when `text` holds nothing but whitespace, comments and document markers.
    static func isBlank(_ text: String) -> Bool {
        text.split(whereSeparator: \.isNewline).allSatisfy { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed == "---" || trimmed == "..."
        }
    }

    func fileError(from error: YamlError, text: String, file: String) -> FileError {
        func syntax(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> FileError {
            var message = "invalid YAML: \(problem)"
            if let context, !context.text.isEmpty {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return FileError(file: file, line: mark.line, column: mark.column, keyPath: "", message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return syntax(problem, context, mark)
        case .reader(let problem, let offset, _, _):
            let place = offset.map { Self.lineAndColumn(ofCharacterOffset: $0, in: text) }
            return FileError(file: file, line: place?.line, column: place?.column, keyPath: "",
                             message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return DuplicateKeyLocator(text: text, file: file)
                .error(key: duplicates.first ?? "", firstMark: context.mark)
        default:
            return FileError(file: file, line: nil, column: nil, keyPath: "",
                             message: "invalid YAML: \(error)")
        }
    }

    static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline { line += 1; column = 1 } else { column += character.unicodeScalars.count }
        }
        return (line, column)
    }
}
