import FailoverModel
import Foundation
import Yams

/// An experiment ready to run: the experiment, its model, and where both came from.
public struct LoadedExperiment: Sendable {
    public var experiment: ExperimentConfiguration
    /// The model's text as read (before overrides), and its display name.
    public var modelText: String
    public var modelFile: String
    public var experimentFile: String
    /// Models that variants name instead of the experiment's (`variants[].model`), by the name
    /// as written: their text and display name.
    public var variantModels: [String: ModelSource] = [:]
    /// The experiment's text as read, so that problems found later (an override the model
    /// refuses, a fault target the model lacks) point at its line and column.
    public var experimentText: String = ""
}

/// A model file's text and the name errors show for it.
public struct ModelSource: Sendable, Equatable {
    public var text: String
    public var file: String
    public init(text: String, file: String) {
        self.text = text
        self.file = file
    }
}

/// Reads model and experiment files, applies overrides, and checks that they fit together.
public enum ExperimentLoader {
    /// Reads an experiment file and the model it names (relative to the experiment file, unless
    /// `modelOverride` gives another model file).
    public static func load(experimentPath: String, modelOverride: String? = nil) throws(FileError) -> LoadedExperiment {
        let text = try readText(experimentPath)
        return try load(experimentText: text, experimentFile: experimentPath, modelOverride: modelOverride) { name throws(FileError) in
            let base = (experimentPath as NSString).deletingLastPathComponent
            let path = name.hasPrefix("/") ? name : (base.isEmpty ? name : base + "/" + name)
            return (try readText(path), path)
        }
    }

    /// Reads an experiment from text, resolving its model with `resolveModel`.
    public static func load(
        experimentText: String, experimentFile: String, modelOverride: String? = nil,
        resolveModel: (String) throws(FileError) -> (text: String, file: String)
    ) throws(FileError) -> LoadedExperiment {
        let kind = try FileKind.read(from: experimentText, file: experimentFile)
        guard kind == .experiment else {
            throw FileError(file: experimentFile, line: 1, column: 1, keyPath: "kind",
                            message: "this is a model file; expected an experiment file (kind: experiment)")
        }
        let experiment = try LocatedYAMLDecoder().decode(ExperimentConfiguration.self, from: experimentText, file: experimentFile)
        let model: (text: String, file: String)
        if let modelOverride {
            model = (try readText(modelOverride), modelOverride)
        } else {
            model = try resolving(experiment.model, at: [.key("model")], experimentText, experimentFile, resolveModel)
        }
        var variantModels: [String: ModelSource] = [:]
        for (index, variant) in (experiment.variants ?? []).enumerated() {
            guard let name = variant.model, variantModels[name] == nil else { continue }
            let resolved = try resolving(name, at: [.key("variants"), .index(index), .key("model")], experimentText, experimentFile, resolveModel)
            variantModels[name] = ModelSource(text: resolved.text, file: resolved.file)
        }
        return LoadedExperiment(experiment: experiment, modelText: model.text, modelFile: model.file, experimentFile: experimentFile,
                                variantModels: variantModels, experimentText: experimentText)
    }

    /// A model file named at `path` of the experiment: a file that cannot be read at all is
    /// reported at that key of the experiment (errors inside the model file keep their place).
    static func resolving(
        _ name: String, at path: [PathElement], _ experimentText: String, _ experimentFile: String,
        _ resolveModel: (String) throws(FileError) -> (text: String, file: String)
    ) throws(FileError) -> (text: String, file: String) {
        do {
            return try resolveModel(name)
        } catch where error.line == nil {
            let place = TextPlaces(text: experimentText).place(of: path, key: false)
            throw FileError(file: experimentFile, line: place?.line, column: place?.column, keyPath: TextPlaces.format(path),
                            message: "model file \(error.file): \(error.message)")
        }
    }

    /// Decodes a model from its text with overrides (`key.path[index].key: value`) applied to the
    /// YAML tree first, so an override is checked exactly like the file's own value.
    public static func model(text: String, file: String, overrides: [String: String] = [:]) throws(FileError) -> ModelConfiguration {
        let kind = try FileKind.read(from: text, file: file)
        guard kind == .model else {
            throw FileError(file: file, line: 1, column: 1, keyPath: "kind",
                            message: "this is an experiment file; expected a model file (kind: model)")
        }
        guard !overrides.isEmpty else {
            return try LocatedYAMLDecoder().decode(ModelConfiguration.self, from: text, file: file)
        }
        var node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw FileError(file: file, line: 1, column: 1, keyPath: "", message: "the file is empty")
            }
            node = composed
        } catch let error as FileError {
            throw error
        } catch {
            // The decoder reports syntax errors with their place.
            return try LocatedYAMLDecoder().decode(ModelConfiguration.self, from: text, file: file)
        }
        for key in overrides.keys.sorted() {
            let path = parsePath(key)
            guard !path.isEmpty, let replaced = replacing(node, path: path[...], with: overrides[key]!) else {
                throw FileError(file: file, line: nil, column: nil, keyPath: key,
                                message: "override '\(key)' names no value of the model")
            }
            node = replaced
        }
        // Serializing writes every alias out in full: a file of nested aliases ("billion laughs")
        // would take forever here, before the decoder's own limit could refuse it.
        let limit = LocatedYAMLDecoder.Limits().decodedNodesMax
        if expandedCount(of: node, upTo: limit) > limit {
            throw FileError(file: file, line: nil, column: nil, keyPath: "",
                            message: "the document expands to more than \(limit) values (aliases repeated too often?)")
        }
        let rewritten: String
        do {
            rewritten = try Yams.serialize(node: node)
        } catch {
            throw FileError(file: file, line: nil, column: nil, keyPath: "", message: "could not apply overrides: \(error)")
        }
        do {
            return try LocatedYAMLDecoder().decode(ModelConfiguration.self, from: rewritten, file: file + " (with overrides)")
        } catch {
            // A mistake of the model file itself is reported at its place in the file as written,
            // not in the rewritten text; what remains is the overrides' doing.
            _ = try LocatedYAMLDecoder().decode(ModelConfiguration.self, from: text, file: file)
            throw error
        }
    }

    /// The number of nodes of `node` with every alias counted in full, counted up to `limit + 1`.
    static func expandedCount(of node: Node, upTo limit: Int) -> Int {
        var count = 0
        var pending = [node]
        while let next = pending.popLast(), count <= limit {
            count += 1
            switch next {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
        return count
    }

    enum PathElement: Equatable {
        case key(String)
        case index(Int)
    }

    static func parsePath(_ text: String) -> [PathElement] {
        var elements: [PathElement] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return [] }
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            if name.isEmpty && indices.isEmpty { return [] }
            if !name.isEmpty { elements.append(.key(String(name))) }
            elements.append(contentsOf: indices.map { .index($0) })
        }
        return elements
    }

    static func replacing(_ node: Node, path: ArraySlice<PathElement>, with value: String) -> Node? {
        guard let first = path.first else {
            guard case .scalar = node else { return nil }
            return Node(value, Tag(.implicit), .plain)
        }
        switch (first, node) {
        case (.key(let key), .mapping(var mapping)):
            if mapping[Node(key)] == nil, let created = creating(path.dropFirst(), value: value) {
                // An optional parameter (or a mapping of them) the file leaves out: the decoder
                // checks the new keys as it checks the file's own.
                mapping[Node(key)] = created
                return .mapping(mapping)
            }
            guard let child = mapping[Node(key)], let replaced = replacing(child, path: path.dropFirst(), with: value) else { return nil }
            mapping[Node(key)] = replaced
            return .mapping(mapping)
        case (.index(let index), .sequence(var sequence)):
            guard index >= 0 && index < sequence.count, let replaced = replacing(sequence[index], path: path.dropFirst(), with: value) else { return nil }
            sequence[index] = replaced
            return .sequence(sequence)
        default:
            return nil
        }
    }

    /// The node a path of keys ending in `value` makes (nil when the path holds an index, which
    /// cannot be created).
    static func creating(_ path: ArraySlice<PathElement>, value: String) -> Node? {
        guard let first = path.first else { return Node(value, Tag(.implicit), .plain) }
        guard case .key(let key) = first, let child = creating(path.dropFirst(), value: value) else { return nil }
        return .mapping(Node.Mapping([(Node(key), child)]))
    }

    static func readText(_ path: String) throws(FileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the file (missing or unreadable)")
        }
        // Invalid UTF-8 and NUL bytes are reported at their line and column.
        return try YAMLDocumentReader(limits: .init()).text(from: data, file: path)
    }
}
