import Yams

/// Finds where a key is repeated, after Yams refused the document for it.
///
/// Yams rejects a mapping with a repeated key but only gives the place of the key's *first*
/// occurrence. The repetition is searched for in the text: later on the same line (flow mappings
/// such as `{a: 1, a: 2}`), then on the following lines at the same column until the mapping's
/// indentation ends. When found, the repeated key is replaced by a placeholder of the same width
/// and the document composed again to learn the key path. When not found, the error points at the
/// first occurrence.
struct DuplicateKeyLocator {
    let text: String
    let file: String

    func error(key: String, firstMark: Mark) -> FileError {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            Array($0.unicodeScalars.last == "\r" ? $0.unicodeScalars.dropLast() : $0.unicodeScalars[...])
        }
        guard let (line, column, spelling) = findRepetition(of: key, after: firstMark, in: lines) else {
            return FileError(file: file, line: firstMark.line, column: firstMark.column, keyPath: "",
                             message: "duplicate key '\(key)': it appears more than once in this mapping")
        }
        let keyPath = pathOfKey(named: key, line: line, column: column, spelling: spelling, lines: lines)
        return FileError(
            file: file, line: line, column: column, keyPath: keyPath,
            message: "duplicate key '\(key)' (first at line \(firstMark.line), column \(firstMark.column))")
    }

    private func spellings(of key: String) -> [[Unicode.Scalar]] {
        [Array(key.unicodeScalars), Array(("\"" + key + "\"").unicodeScalars), Array(("'" + key + "'").unicodeScalars)]
    }

    /// True when `line` holds one of `spellings` at `position`, followed by optional blanks and `:`.
    private func keyMatch(_ line: [Unicode.Scalar], at position: Int, spellings: [[Unicode.Scalar]])
        -> [Unicode.Scalar]?
    {
        for spelling in spellings where position + spelling.count <= line.count {
            guard Array(line[position..<position + spelling.count]) == spelling else { continue }
            var next = position + spelling.count
            while next < line.count, line[next] == " " || line[next] == "\t" { next += 1 }
            if next < line.count, line[next] == ":" { return spelling }
        }
        return nil
    }

    private func findRepetition(of key: String, after first: Mark, in lines: [[Unicode.Scalar]])
        -> (line: Int, column: Int, spelling: [Unicode.Scalar])?
    {
        let spellings = spellings(of: key)
        let firstIndex = first.line - 1
        let firstPosition = first.column - 1
        guard lines.indices.contains(firstIndex) else { return nil }
        // Later on the same line: a flow mapping.
        let firstLine = lines[firstIndex]
        if firstPosition + 1 < firstLine.count {
            for position in (firstPosition + 1)..<firstLine.count
            where firstLine[position - 1] == " " || firstLine[position - 1] == "," || firstLine[position - 1] == "{" {
                if let spelling = keyMatch(firstLine, at: position, spellings: spellings) {
                    return (first.line, position + 1, spelling)
                }
            }
        }
        // Following lines at the same column, while the block mapping lasts.
        var index = firstIndex + 1
        while index < lines.count {
            let line = lines[index]
            let indentation = line.prefix { $0 == " " }.count
            let isBlank = indentation == line.count || line[indentation] == "#"
            if !isBlank {
                if let spelling = keyMatch(line, at: firstPosition, spellings: spellings), indentation <= firstPosition {
                    return (index + 1, firstPosition + 1, spelling)
                }
                if indentation < firstPosition { return nil }
            }
            index += 1
        }
        return nil
    }

    /// The key path of the repeated key, found by composing the text with that occurrence renamed.
    private func pathOfKey(
        named key: String, line: Int, column: Int, spelling: [Unicode.Scalar], lines: [[Unicode.Scalar]]
    ) -> String {
        var edited = lines
        let isQuoted = spelling.count == key.unicodeScalars.count + 2
        let start = column - 1 + (isQuoted ? 1 : 0)
        let width = key.unicodeScalars.count
        for offset in 0..<width {
            edited[line - 1][start + offset] = Unicode.Scalar(0xE000 + UInt32(offset % 0x1000))!
        }
        var textView = String.UnicodeScalarView()
        for (number, scalars) in edited.enumerated() {
            if number > 0 { textView.append("\n") }
            textView.append(contentsOf: scalars)
        }
        var budget = Self.visitedNodesMax
        guard let root = try? Yams.compose(yaml: String(textView)),
            let path = Self.path(toKeyAt: line, column: column, in: root, prefix: [], budget: &budget)
        else { return "" }
        return KeyPathFormatter.format(path + [MappingEntryKey(key)])
    }

    /// Most nodes the search below visits: a node repeated through aliases is visited once per
    /// repetition, and nested aliases ("billion laughs") repeat a few lines a billion times.
    static let visitedNodesMax = 1_000_000

    /// The path of the mapping holding the key that starts at `line`:`column` (nil when not
    /// found within `budget` visited nodes).
    static func path(toKeyAt line: Int, column: Int, in node: Node, prefix: [any CodingKey], budget: inout Int) -> [any CodingKey]? {
        budget -= 1
        guard budget >= 0 else { return nil }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let mark = key.mark, mark.line == line, mark.column == column { return prefix }
                let name = key.scalar?.string ?? ""
                if let found = path(toKeyAt: line, column: column, in: value, prefix: prefix + [MappingEntryKey(name)], budget: &budget) {
                    return found
                }
            }
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() {
                if let found = path(toKeyAt: line, column: column, in: element, prefix: prefix + [SequenceIndexKey(index)], budget: &budget) {
                    return found
                }
            }
        default:
            break
        }
        return nil
    }
}
