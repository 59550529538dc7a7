/// How a table cell reads at a glance. Always paired with words (PASS, FAIL), never colour alone.
public enum CellTone: String, Sendable, Equatable {
    case plain, pass, fail, muted
}

/// One cell of a report table.
public struct TableCell: Equatable, Sendable, ExpressibleByStringLiteral {
    public var text: String
    public var tone: CellTone

    public init(_ text: String, tone: CellTone = .plain) {
        self.text = text
        self.tone = tone
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// `PASS` or `FAIL`, toned.
    public static func verdict(_ passed: Bool) -> TableCell {
        TableCell(passed ? "PASS" : "FAIL", tone: passed ? .pass : .fail)
    }
}

/// A table: a header row and body rows of the same width.
public struct ReportTable: Equatable, Sendable {
    public enum Alignment: Sendable, Equatable { case left, right }

    public var header: [String]
    public var rows: [[TableCell]]
    /// One per column; numbers align right.
    public var alignments: [Alignment]

    public init(header: [String], rows: [[TableCell]], alignments: [Alignment]? = nil) {
        precondition(rows.allSatisfy { $0.count == header.count }, "every row of a table has one cell per column")
        self.header = header
        self.rows = rows
        self.alignments = alignments ?? header.map { _ in .left }
        precondition(self.alignments.count == header.count, "one alignment per column")
    }
}

/// A figure placed in a report, with the CSV file of the data behind it.
public struct ReportFigure: Equatable, Sendable {
    public var figure: Figure
    public var caption: String
    /// The CSV's file name (beside the report); `nil` when the data is a table of the report.
    public var dataFile: String?

    public init(figure: Figure, caption: String, dataFile: String? = nil) {
        self.figure = figure
        self.caption = caption
        self.dataFile = dataFile
    }

    /// The SVG's file name beside the Markdown report.
    public var imageFile: String { figure.name + ".svg" }
}

/// A piece of a report, rendered the same way into HTML and Markdown.
public enum ReportBlock: Equatable, Sendable {
    /// A section heading (level 2 or 3; the document's title is level 1).
    case heading(level: Int, text: String)
    case paragraph(String)
    case list([String])
    case table(ReportTable)
    case figure(ReportFigure)
    /// Figures side by side on a wide screen (stacked when printed or narrow).
    case figures([ReportFigure])
    /// Preformatted text, e.g. a machine-readable block.
    case code(String, language: String)
}

/// A report before rendering: a title, a lead paragraph and blocks.
public struct ReportDocument: Equatable, Sendable {
    public var title: String
    public var lead: String
    public var blocks: [ReportBlock]

    public init(title: String, lead: String, blocks: [ReportBlock]) {
        self.title = title
        self.lead = lead
        self.blocks = blocks
    }

    /// Every figure, in document order.
    public var figures: [ReportFigure] {
        blocks.flatMap { block -> [ReportFigure] in
            switch block {
            case .figure(let figure): [figure]
            case .figures(let figures): figures
            default: []
            }
        }
    }

    /// A heading's anchor: lower-case ASCII letters and digits joined by hyphens, so that the
    /// HTML's table of contents and a code host's Markdown anchors agree for plain headings.
    static func anchor(_ text: String) -> String {
        var out = ""
        var pendingHyphen = false
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                if pendingHyphen && !out.isEmpty { out.append("-") }
                out.append(character)
                pendingHyphen = false
            } else {
                pendingHyphen = true
            }
        }
        return out.isEmpty ? "section" : out
    }
}
