import Yams

/// What a file describes, as its first key says: `kind: model` or `kind: experiment`.
///
/// Every model and experiment file starts with its kind, so that a loader can tell them apart
/// before decoding (and refuse an experiment given where a model is expected). Top-level
/// configuration types decode it like any other property (`var kind: FileKind`) so that the key
/// is not reported as unknown.
public enum FileKind: String, CaseIterable, Codable, Sendable {
    /// An architecture: entities, their parameters and how they are wired.
    case model
    /// An experiment: which model, which faults, variants and sweeps, how long and how often.
    case experiment

    /// Reads the `kind` of a YAML file's text without decoding the rest.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - file: The name to report in errors.
    ///   - limits: The same input limits as ``LocatedYAMLDecoder`` applies.
    /// - Throws: ``FileError`` when the text is not YAML, its root is not a mapping, `kind` is
    ///   missing, or its value is not one of the known kinds (the message lists them and suggests
    ///   the nearest).
    public static func read(
        from text: String, file: String, limits: LocatedYAMLDecoder.Limits = .init()
    ) throws(FileError) -> FileKind {
        try read(root: YAMLDocumentReader(limits: limits).compose(text, file: file), file: file)
    }

    /// Reads the `kind` of a YAML file given as UTF-8 bytes; see ``read(from:file:limits:)-(String,_,_)``.
    public static func read<Bytes: Collection<UInt8>>(
        from bytes: Bytes, file: String, limits: LocatedYAMLDecoder.Limits = .init()
    ) throws(FileError) -> FileKind {
        let reader = YAMLDocumentReader(limits: limits)
        return try read(root: reader.compose(reader.text(from: bytes, file: file), file: file), file: file)
    }

    static func read(root: Node, file: String) throws(FileError) -> FileKind {
        let allowed = allCases.map(\.rawValue).joined(separator: " or ")
        guard case .mapping(let mapping) = root else {
            throw FileError(file: file, line: root.mark?.line, column: root.mark?.column, keyPath: "",
                            message: "expected a mapping starting with 'kind: \(allowed)', found \(root.shortDescription)")
        }
        let entries: MappingEntries
        do {
            entries = try MappingEntries(mapping, path: [])
        } catch let error as DecodingError {
            throw FileError(decodingError: error, file: file)
        } catch {
            throw FileError(file: file, line: nil, column: nil, keyPath: "", message: String(describing: error))
        }
        guard let entry = entries.first(named: "kind") else {
            throw FileError(file: file, line: root.mark?.line, column: root.mark?.column, keyPath: "",
                            message: "missing required key 'kind': a file starts with 'kind: \(allowed)'")
        }
        let value = entry.value
        guard case .scalar(let scalar) = value, !value.isNull, let kind = FileKind(rawValue: scalar.string) else {
            let message: String
            if let text = value.scalar?.string, !value.isNull {
                let names = allCases.map(\.rawValue)
                message = "unknown kind '\(text)'; expected one of: " + names.joined(separator: ", ")
                    + (didYouMean(text, among: names).map { "; did you mean '\($0)'?" } ?? "")
            } else {
                message = "expected \(allowed), found \(value.shortDescription)"
            }
            throw FileError(file: file, line: value.mark?.line, column: value.mark?.column, keyPath: "kind",
                            message: message)
        }
        return kind
    }
}
