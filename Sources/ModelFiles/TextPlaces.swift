import Yams

/// Where a key path of a YAML text is written: for errors found after decoding (an override
/// that the model refuses, a fault whose target the model lacks), so that they point at the
/// line and column of the experiment file that says it.
struct TextPlaces {
    let root: Node?

    init(text: String) {
        root = try? Yams.compose(yaml: text)
    }

    /// The line and column of `path`: of the value there, or with `key` of the mapping key that
    /// names it (the value's place when it is a list element). A path that goes deeper than the
    /// text gets the deepest place found.
    func place(of path: [ExperimentLoader.PathElement], key: Bool) -> (line: Int, column: Int)? {
        guard var node = root else { return nil }
        var keyNode: Node? = nil
        for element in path {
            switch (element, node) {
            case (.key(let name), .mapping(let mapping)):
                guard let entry = (try? MappingEntries(mapping, path: []))?.first(named: name) else { return Self.place(node.mark) }
                keyNode = entry.keyNode
                node = entry.value
            case (.index(let index), .sequence(let sequence)) where sequence.indices.contains(index):
                keyNode = nil
                node = sequence[index]
            default:
                return Self.place(node.mark)
            }
        }
        return Self.place(key ? (keyNode?.mark ?? node.mark) : node.mark)
    }

    private static func place(_ mark: Mark?) -> (line: Int, column: Int)? {
        mark.map { ($0.line, $0.column) }
    }

    /// The path as ``FileError/keyPath`` writes it: `variants[0].overrides["a.b"]`.
    static func format(_ path: [ExperimentLoader.PathElement]) -> String {
        KeyPathFormatter.format(path.map { element -> any CodingKey in
            switch element {
            case .key(let name): MappingEntryKey(name)
            case .index(let index): SequenceIndexKey(index)
            }
        })
    }
}
