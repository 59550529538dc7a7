/// Renders a ``ReportDocument`` as one self-contained HTML page: the SVGs inline, the style
/// sheet inline, nothing loaded from anywhere (the CSV links are relative, to files beside it).
enum HTMLRenderer {
    static let styleSheet = """
        :root { color-scheme: light; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #fff; margin: 0; }
        main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 64px; }
        h1 { font-size: 26px; margin: 0 0 8px; }
        h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 1px solid #bbb; padding-bottom: 4px; }
        h3 { font-size: 16px; margin: 24px 0 8px; }
        p.lead { color: #333; max-width: 900px; }
        nav.toc { font-size: 14px; margin: 12px 0 20px; }
        nav.toc ol { margin: 4px 0; padding-left: 22px; columns: 2; }
        table { border-collapse: collapse; margin: 10px 0 18px; font-size: 13px; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid #bbb; padding: 3px 8px; vertical-align: top; }
        th { background: #f0f0f0; text-align: left; font-weight: 600; }
        td.num { text-align: right; white-space: nowrap; }
        td.pass { font-weight: 600; color: #005a3c; }
        td.fail { font-weight: 700; color: #9c3200; }
        td.muted { color: #666; }
        figure { margin: 14px 0 22px; }
        figure svg { max-width: 100%; height: auto; display: block; }
        figcaption { font-size: 13px; color: #333; margin-top: 4px; max-width: 900px; }
        .figures { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
        .figures figure { flex: 1 1 480px; min-width: 0; }
        pre { background: #f6f6f6; border: 1px solid #ddd; padding: 8px; overflow-x: auto; font-size: 12px; }
        @page { margin: 14mm; }
        @media print {
          body { font-size: 10.5pt; }
          main { max-width: none; padding: 0; }
          nav.toc { display: none; }
          h2, h3 { break-after: avoid; }
          figure, table, tr { break-inside: avoid; }
          .figures { display: block; }
          a { color: inherit; text-decoration: none; }
          pre { white-space: pre-wrap; word-break: break-all; }
        }
        """

    static func render(_ document: ReportDocument, sourcesJSON: String) -> String {
        var w = MarkupWriter(capacity: 262_144)
        w.raw("<!DOCTYPE html>\n")
        w.open("html", [("lang", "en")])
        w.newline()
        w.open("head")
        w.empty("meta", [("charset", "utf-8")])
        w.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        w.element("title", text: document.title)
        w.newline()
        w.open("style")
        w.raw("\n" + styleSheet + "\n")
        w.close("style")
        w.close("head")
        w.newline()
        w.open("body")
        w.open("main")
        w.newline()
        w.element("h1", text: document.title)
        w.newline()
        w.element("p", [("class", "lead")], text: document.lead)
        w.newline()

        let anchors = headingAnchors(document)
        let sections = zip(document.blocks.indices, document.blocks).compactMap { index, block -> (String, String)? in
            if case .heading(2, let text) = block { return (text, anchors[index]!) }
            return nil
        }
        if sections.count > 2 {
            w.open("nav", [("class", "toc")])
            w.element("strong", text: "Contents")
            w.open("ol")
            for (text, anchor) in sections {
                w.open("li")
                w.element("a", [("href", "#" + anchor)], text: text)
                w.close("li")
            }
            w.close("ol")
            w.close("nav")
            w.newline()
        }

        for (index, block) in document.blocks.enumerated() {
            switch block {
            case .heading(let level, let text):
                w.element("h\(min(max(level, 2), 4))", [("id", anchors[index]!)], text: text)
            case .paragraph(let text):
                w.element("p", text: text)
            case .list(let items):
                w.open("ul")
                for item in items { w.element("li", text: item) }
                w.close("ul")
            case .table(let table):
                renderTable(&w, table)
            case .figure(let figure):
                renderFigure(&w, figure)
            case .figures(let figures):
                w.open("div", [("class", "figures")])
                for figure in figures { renderFigure(&w, figure) }
                w.close("div")
            case .code(let text, let language):
                w.open("pre", [("class", "language-" + language)])
                w.element("code", text: text)
                w.close("pre")
            }
            w.newline()
        }
        w.close("main")
        w.newline()
        // Machine-readable provenance; a JSON script block is data, never run. "</" is escaped
        // so that no string inside can end the element.
        w.open("script", [("type", "application/json"), ("id", "failsim-sources")])
        w.raw("\n" + sourcesJSON.replacingOccurrences(of: "</", with: "<\\/") + "\n")
        w.close("script")
        w.newline()
        w.close("body")
        w.newline()
        w.close("html")
        w.newline()
        return w.text
    }

    /// Unique anchors for headings, by block index.
    static func headingAnchors(_ document: ReportDocument) -> [Int: String] {
        var used: [String: Int] = [:]
        var anchors: [Int: String] = [:]
        for (index, block) in document.blocks.enumerated() {
            guard case .heading(_, let text) = block else { continue }
            let base = ReportDocument.anchor(text)
            let count = used[base, default: 0]
            used[base] = count + 1
            anchors[index] = count == 0 ? base : "\(base)-\(count)"
        }
        return anchors
    }

    static func renderTable(_ w: inout MarkupWriter, _ table: ReportTable) {
        w.open("table")
        w.open("thead")
        w.open("tr")
        for header in table.header { w.element("th", [("scope", "col")], text: header) }
        w.close("tr")
        w.close("thead")
        w.newline()
        w.open("tbody")
        for row in table.rows {
            w.open("tr")
            for (column, cell) in row.enumerated() {
                var classes: [String] = []
                if table.alignments[column] == .right { classes.append("num") }
                if cell.tone != .plain { classes.append(cell.tone.rawValue) }
                w.element("td", classes.isEmpty ? [] : [("class", classes.joined(separator: " "))], text: cell.text)
            }
            w.close("tr")
            w.newline()
        }
        w.close("tbody")
        w.close("table")
    }

    static func renderFigure(_ w: inout MarkupWriter, _ figure: ReportFigure) {
        w.open("figure", [("id", "figure-" + figure.figure.name)])
        w.newline()
        w.raw(figure.figure.svg())
        w.open("figcaption")
        w.raw(MarkupWriter.escape(figure.caption))
        if let data = figure.dataFile {
            w.raw(" Data: ")
            w.element("a", [("href", data)], text: data)
            w.raw(".")
        }
        w.close("figcaption")
        w.close("figure")
    }
}

/// Renders a ``ReportDocument`` as GitHub-flavoured Markdown with the figures as SVG files beside it.
enum MarkdownRenderer {
    static func render(_ document: ReportDocument) -> String {
        var out = "# " + escape(document.title) + "\n\n" + escape(document.lead) + "\n"
        for block in document.blocks {
            out += "\n"
            switch block {
            case .heading(let level, let text):
                out += String(repeating: "#", count: min(max(level, 2), 4)) + " " + escape(text) + "\n"
            case .paragraph(let text):
                out += escape(text) + "\n"
            case .list(let items):
                for item in items { out += "- " + escape(item) + "\n" }
            case .table(let table):
                out += renderTable(table)
            case .figure(let figure):
                out += renderFigure(figure)
            case .figures(let figures):
                out += figures.map(renderFigure).joined(separator: "\n")
            case .code(let text, let language):
                out += "```" + language + "\n" + text + "\n```\n"
            }
        }
        return out
    }

    static func renderFigure(_ figure: ReportFigure) -> String {
        var out = "![" + escape(figure.figure.title) + "](" + figure.imageFile + ")\n\n" + escape(figure.caption)
        if let data = figure.dataFile { out += " Data: [" + data + "](" + data + ")." }
        return out + "\n"
    }

    static func renderTable(_ table: ReportTable) -> String {
        var out = "| " + table.header.map { cell($0) }.joined(separator: " | ") + " |\n"
        out += "|" + table.alignments.map { $0 == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for row in table.rows {
            out += "| " + row.map { cell($0.text) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func cell(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return escape(flat).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Backslash-escapes the characters that would start Markdown syntax inside text. Brackets
    /// stay: an interval `[1.0, 2.0]` is never followed by `(`, so it never reads as a link.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\\", "*", "_", "`", "<":
                out.append("\\")
                out.append(character)
            default:
                out.append(character)
            }
        }
        return out
    }
}

/// CSV text (RFC 4180 quoting, LF line ends, a header row).
public struct CSVTable: Equatable, Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    public var text: String {
        var out = ""
        for row in [header] + rows {
            out += row.map(CSVTable.field).joined(separator: ",") + "\n"
        }
        return out
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
