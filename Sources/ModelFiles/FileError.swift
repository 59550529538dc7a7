/// A problem in a model or experiment file, located as precisely as the file allows.
///
/// Every mistake in a hand-written YAML file — a syntax error, a misspelled or duplicated key, a
/// value of the wrong type, a malformed duration, a failed validation — becomes one `FileError`,
/// whose ``description`` reads like a compiler diagnostic that editors can jump to:
///
/// ```text
/// models/esta.yaml:42:7: breakers.firestore.resetTimeout: '30x' is not a duration: expected ...
/// ```
///
/// Lines and columns count from 1; columns count Unicode scalars. A part that is unknown is left
/// out of the description (an error without a line reads `file: keyPath: message`, one at the top
/// of the document `file:line:column: message`).
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file's name as given to the decoder (usually the path the user typed).
    public var file: String
    /// The 1-based line of the offending text, when known.
    public var line: Int?
    /// The 1-based column of the offending text, when known.
    public var column: Int?
    /// Where in the document the problem is: keys joined with dots, sequence elements as
    /// `[index]` (`services[2].breaker.resetTimeout`); empty for the document as a whole.
    public var keyPath: String
    /// What is wrong, and where possible what was expected.
    public var message: String

    /// Creates an error; see the properties for the meaning of each part.
    public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: keyPath: message`, leaving out the parts that are unknown or empty.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}

/// Formats coding paths as ``FileError/keyPath`` strings.
enum KeyPathFormatter {
    /// `a.b[2].c`; a key that is empty or contains a dot, a bracket, a quote or a space is written
    /// `["key"]` so that the path stays unambiguous.
    static func format(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key is SequenceIndexKey || key.stringValue == "Index \(index)" {
                text += "[\(index)]"
                continue
            }
            let name = key.stringValue
            let needsQuoting = name.isEmpty || name.contains { ".[]\" ".contains($0) }
            if needsQuoting {
                text += "[\"\(name)\"]"
            } else {
                text += text.isEmpty ? name : "." + name
            }
        }
        return text
    }
}

/// The coding key of an element of a YAML sequence.
struct SequenceIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
}

/// The coding key of an entry of a YAML mapping, as written in the file.
struct MappingEntryKey: CodingKey {
    let stringValue: String
    init(_ name: String) { self.stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue) }
    var intValue: Int? { nil }
}
