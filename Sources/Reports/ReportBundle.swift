import Foundation
import RunResults

/// One file of a report, relative to the report's folder.
public struct ReportFile: Equatable, Sendable {
    /// A plain file name (no folders), e.g. `report.html`.
    public var path: String
    public var contents: Data

    public init(path: String, contents: Data) {
        precondition(!path.isEmpty && !path.contains("/") && path != "." && path != "..", "a report file is a plain file name")
        self.path = path
        self.contents = contents
    }
}

/// A rendered report: the files of one folder, in path order.
///
/// The folder holds `report.html` (self-contained), `README.md` (the same tables, with the
/// figures as SVG files beside it; a code host shows it when the folder is opened), one
/// `.svg` and one `.csv` per figure, and `sources.json` (``ReportSources``).
public struct ReportBundle: Equatable, Sendable {
    /// The suggested folder name, e.g. `trigger-table` or `run-trigger-table-baseline-seed1`.
    public var folderName: String
    public var files: [ReportFile]
    public var sources: ReportSources

    /// The contents of the file called `path`.
    public func file(_ path: String) -> Data? {
        files.first { $0.path == path }?.contents
    }

    /// Renders `document` with its figures and data files into a bundle.
    static func make(folderName: String, document: ReportDocument, data: [(String, CSVTable)], sources: ReportSources) -> ReportBundle {
        var sources = sources
        var files: [ReportFile] = []
        for figure in document.figures {
            files.append(ReportFile(path: figure.imageFile, contents: Data(figure.figure.svg().utf8)))
        }
        for (name, table) in data {
            files.append(ReportFile(path: name, contents: Data(table.text.utf8)))
        }
        let names = (files.map(\.path) + ["README.md", "report.html", ReportSources.fileName]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        precondition(Set(names).count == names.count, "report file names are unique: \(names)")
        sources.files = names
        let json = sources.json()
        files.append(ReportFile(path: ReportSources.fileName, contents: Data(json.utf8)))
        files.append(ReportFile(path: "report.html", contents: Data(HTMLRenderer.render(document, sourcesJSON: json).utf8)))
        files.append(ReportFile(path: "README.md", contents: Data(MarkdownRenderer.render(document).utf8)))
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return ReportBundle(folderName: folderName, files: files, sources: sources)
    }
}

/// What a report was drawn from, so that a reader (or a test) can tell whether it still
/// describes the current engine, model and experiment: written as `sources.json` beside the
/// report and embedded in the HTML.
public struct ReportSources: Codable, Equatable, Sendable {
    /// The file's name in a report folder.
    public static let fileName = "sources.json"
    /// The format of this file; bumped when its fields change meaning.
    public static let currentFormat = "failsim-report-sources-1"

    /// One run the report used.
    public struct Run: Codable, Equatable, Sendable {
        public var variant: String
        public var seed: UInt64
        public var runKey: String
        public var digest: String
        public var engineVersion: String
        public var modelHash: String
        public var experimentHash: String

        public init(variant: String, seed: UInt64, runKey: String, digest: String, engineVersion: String, modelHash: String,
                    experimentHash: String) {
            self.variant = variant
            self.seed = seed
            self.runKey = runKey
            self.digest = digest
            self.engineVersion = engineVersion
            self.modelHash = modelHash
            self.experimentHash = experimentHash
        }

        public init(_ identity: RunIdentity) {
            self.init(variant: identity.variant, seed: identity.seed, runKey: identity.runKey, digest: identity.digest,
                      engineVersion: identity.engineVersion, modelHash: identity.modelHash, experimentHash: identity.experimentHash)
        }
    }

    public enum Kind: String, Codable, Sendable {
        /// One run: timelines and tables.
        case run
        /// An experiment's variants across seeds.
        case experiment
    }

    public var format: String
    public var kind: Kind
    /// The experiment's name.
    public var experiment: String
    /// The experiment file as the report command was given it (relative to where it ran), so that
    /// a check can load it again; `nil` when the report was made from runs alone.
    public var experimentFile: String?
    /// The engine versions of the runs, sorted.
    public var engineVersions: [String]
    /// The variants in report order.
    public var variants: [String]
    /// Every run, variant by variant (report order), seeds ascending.
    public var runs: [Run]
    /// The report's files, sorted.
    public var files: [String]

    public init(kind: Kind, experiment: String, experimentFile: String?, variants: [String], runs: [Run], files: [String] = []) {
        format = Self.currentFormat
        self.kind = kind
        self.experiment = experiment
        self.experimentFile = experimentFile
        engineVersions = Array(Set(runs.map(\.engineVersion))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.variants = variants
        self.runs = runs
        self.files = files
    }

    /// Pretty-printed JSON with sorted keys and a final newline: the same bytes for the same sources.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads a `sources.json`.
    public static func decode(_ data: Data) throws -> ReportSources {
        try JSONDecoder().decode(ReportSources.self, from: data)
    }
}

/// Names used in report folders and file names.
enum FileNames {
    /// `name` reduced to ASCII letters, digits, `.`, `_` and `-` (anything else becomes `-`,
    /// runs of `-` collapse), so that a sweep point such as `failureThreshold=3 resetTimeout=30s`
    /// names a folder or file on any system.
    static func safe(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "_" || character == "-") {
                out.append(character)
            } else if !out.hasSuffix("-") {
                out.append("-")
            }
        }
        while out.hasPrefix("-") || out.hasPrefix(".") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "unnamed" : out
    }

    /// `safe(name)` restricted to a figure-name stem (no dots).
    static func stem(_ name: String) -> String {
        safe(name).replacingOccurrences(of: ".", with: "-")
    }
}
