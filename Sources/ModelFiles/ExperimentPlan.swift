import FailoverModel
import Foundation
import RunResults

/// Every run an experiment asks for — each variant (baseline, named variants, sweep points) with
/// its model resolved, times each seed — with the run keys that identify them.
///
/// A plan is what `failsim run`, `failsim sweep` and shard splitting share: the same experiment
/// file always gives the same runs, in the same order, with the same keys.
public struct ExperimentPlan: Sendable {
    /// A variant ready to run: its model with every override applied.
    public struct Variant: Sendable {
        public var name: String
        /// The model file it uses (display name).
        public var modelFile: String
        /// The overrides applied to that model (the experiment's, then the variant's).
        public var overrides: [String: String]
        public var model: ModelConfiguration
    }

    /// One run: a variant and a seed, and its run key.
    public struct Run: Sendable, Equatable {
        /// Index into ``variants``.
        public var variant: Int
        public var seed: UInt64
        public var runKey: String
    }

    public var loaded: LoadedExperiment
    public var experiment: ExperimentConfiguration { loaded.experiment }
    public var variants: [Variant]
    /// The seeds the experiment declares (1 when it declares none).
    public var seeds: [UInt64]
    /// For each variant, the earlier variant whose model, with every override applied, is the
    /// same (`nil`: none is). A sweep point that sets a parameter to the value the baseline
    /// already has is such a variant: its runs would be the earlier variant's runs under another
    /// name, simulated a second time, and would add tests to the comparison's Holm family that
    /// can only find nothing. ``runs(seeds:variants:)`` leaves them out.
    public var sameModelAs: [Int?]

    /// Resolves every variant of a loaded experiment. Errors name the file and the variant: an
    /// override the model refuses is reported where the experiment writes it (the override's key,
    /// or its value when the value is what is wrong), and a fault whose target, trigger row or
    /// tenants the variant's model lacks at that key of the fault.
    public init(_ loaded: LoadedExperiment) throws(FileError) {
        self.loaded = loaded
        let places = Places(loaded: loaded)
        let resolved: [ExperimentConfiguration.ResolvedVariant]
        do {
            resolved = try loaded.experiment.resolvedVariants()
        } catch {
            throw places.error(at: [.key("sweep")], key: true, message: error.description)
        }
        var variants: [Variant] = []
        for variant in resolved {
            let source = variant.model.flatMap { loaded.variantModels[$0] } ?? ModelSource(text: loaded.modelText, file: loaded.modelFile)
            let model: ModelConfiguration
            do {
                model = try ExperimentLoader.model(text: source.text, file: source.file, overrides: variant.overrides)
            } catch {
                throw places.overrideError(error, variant: variant, modelFile: source.file)
            }
            try places.checkFaults(of: model, variant: variant.name)
            variants.append(Variant(name: variant.name, modelFile: source.file, overrides: variant.overrides, model: model))
        }
        self.variants = variants
        seeds = loaded.experiment.seedList
        // Looked up only (never iterated), in variant order: the first of equal models is kept.
        var firstWithModel: [Data: Int] = [:]
        sameModelAs = variants.indices.map { index in
            let canonical = CanonicalJSON.encodeChecked(variants[index].model, "model of variant '\(variants[index].name)'")
            if let earlier = firstWithModel[canonical] { return earlier }
            firstWithModel[canonical] = index
            return nil
        }
    }

    /// The variants that run for a choice of variants (default: all), in order: a variant whose
    /// model an earlier variant has (``sameModelAs``) is replaced by that variant, and each
    /// variant comes once.
    public func runningVariants(_ chosen: [Int]? = nil) -> [Int] {
        var running: [Int] = []
        for index in chosen ?? Array(variants.indices) {
            let runs = sameModelAs[index] ?? index
            if !running.contains(runs) { running.append(runs) }
        }
        return running
    }

    /// The variants left out because an earlier one has the same model: (variant, the variant
    /// whose runs stand for it), in variant order.
    public var duplicateVariants: [(variant: Int, sameAs: Int)] {
        sameModelAs.enumerated().compactMap { index, earlier in earlier.map { (index, $0) } }
    }

    /// Every problem of a loaded experiment's variants, not just the first: each variant (sweep
    /// points included) is resolved on its own and its error, if any, kept — an override the
    /// model refuses, a fault target, row or tenant its model lacks. Errors equal to an earlier
    /// one (the experiment's own override failing in every variant) are listed once. Empty when
    /// ``init(_:)`` would succeed. `validate` uses it to report every error of a file.
    public static func problems(of loaded: LoadedExperiment) -> [FileError] {
        let places = Places(loaded: loaded)
        let resolved: [ExperimentConfiguration.ResolvedVariant]
        do {
            resolved = try loaded.experiment.resolvedVariants()
        } catch {
            return [places.error(at: [.key("sweep")], key: true, message: error.description)]
        }
        var problems: [FileError] = []
        func keep(_ error: FileError) {
            if !problems.contains(where: { $0.description == error.description }) { problems.append(error) }
        }
        for variant in resolved {
            let source = variant.model.flatMap { loaded.variantModels[$0] } ?? ModelSource(text: loaded.modelText, file: loaded.modelFile)
            let model: ModelConfiguration
            do {
                model = try ExperimentLoader.model(text: source.text, file: source.file, overrides: variant.overrides)
            } catch {
                keep(places.overrideError(error, variant: variant, modelFile: source.file))
                continue
            }
            do {
                try places.checkFaults(of: model, variant: variant.name)
            } catch {
                keep(error)
            }
        }
        return problems
    }

    /// The variant called `name`, if any.
    public func variant(named name: String) -> Int? {
        variants.firstIndex { $0.name == name }
    }

    /// The runs for these seeds (default: the experiment's), variant by variant, seeds in order
    /// within each: the canonical order shards and resumption rely on. Variants are those of
    /// ``runningVariants(_:)``: one with the model of an earlier variant is run as that variant.
    public func runs(seeds: [UInt64]? = nil, variants chosen: [Int]? = nil) -> [Run] {
        let seedList = seeds ?? self.seeds
        return runningVariants(chosen).flatMap { index in
            seedList.map { seed in
                Run(variant: index, seed: seed, runKey: runKey(variant: index, seed: seed))
            }
        }
    }

    /// The run key of a variant and seed (see `RunKey`).
    public func runKey(variant index: Int, seed: UInt64) -> String {
        let variant = variants[index]
        return FailoverSimulation.runKey(model: variant.model, experiment: experiment, variant: variant.name,
                                         overrides: variant.overrides, seed: seed)
    }
}

extension ExperimentPlan {
    /// Places in the experiment's text, for errors found once its model is known.
    struct Places {
        typealias Path = [ExperimentLoader.PathElement]
        let loaded: LoadedExperiment
        let text: TextPlaces

        init(loaded: LoadedExperiment) {
            self.loaded = loaded
            text = TextPlaces(text: loaded.experimentText)
        }

        var experiment: ExperimentConfiguration { loaded.experiment }

        func error(at path: Path, key: Bool, message: String) -> FileError {
            let place = text.place(of: path, key: key)
            return FileError(file: loaded.experimentFile, line: place?.line, column: place?.column,
                             keyPath: TextPlaces.format(path), message: message)
        }

        /// An error of the model with `variant`'s overrides applied. When it is about one of the
        /// overrides, it is reported where the experiment writes that override; otherwise (a
        /// mistake in the model file itself) where it is, with the variant named.
        func overrideError(_ error: FileError, variant: ExperimentConfiguration.ResolvedVariant, modelFile: String) -> FileError {
            let note = " (model \(modelFile), variant '\(variant.name)')"
            guard let key = Self.override(for: error.keyPath, among: Array(variant.overrides.keys)),
                  let path = place(ofOverride: key, variant: variant.name, overrides: variant.overrides, valueIsWrong: error.keyPath == key
                                   && !error.message.hasPrefix("unknown key") && !error.message.contains("names no value")) else {
                var located = error
                located.message += " (variant '\(variant.name)' of \(loaded.experimentFile))"
                return located
            }
            let keyPath = error.keyPath.isEmpty ? key : error.keyPath
            return self.error(at: path.path, key: path.isKey, message: "\(keyPath): \(error.message)" + note)
        }

        /// The override an error's key path is about: the same path, one inside it (a value
        /// whose mapping is refused), or one it is inside (a key created by an override).
        static func override(for keyPath: String, among keys: [String]) -> String? {
            func encloses(_ outer: String, _ inner: String) -> Bool {
                inner == outer || (inner.hasPrefix(outer) && [".", "["].contains(inner.dropFirst(outer.count).first.map(String.init) ?? ""))
            }
            return keys.filter { encloses($0, keyPath) || encloses(keyPath, $0) }.max { $0.count < $1.count }
        }

        /// Where `key` is written for the variant called `variant`, whose overrides are
        /// `overrides`: its own overrides, a sweep parameter (its name, a linked `also` path, or
        /// the value of this point), or the experiment's overrides.
        func place(ofOverride key: String, variant: String, overrides: [String: String], valueIsWrong: Bool)
            -> (path: Path, isKey: Bool)?
        {
            if let index = experiment.variants?.firstIndex(where: { $0.name == variant }),
               experiment.variants?[index].overrides[key] != nil {
                return ([.key("variants"), .index(index), .key("overrides"), .key(key)], !valueIsWrong)
            }
            let isBaseline = variant == "baseline" || experiment.variants?.contains { $0.name == variant } == true
            if !isBaseline, let parameters = experiment.sweep?.parameters {
                for (index, parameter) in parameters.enumerated() {
                    let base: Path = [.key("sweep"), .key("parameters"), .index(index)]
                    let linked = parameter.also?.firstIndex(of: key)
                    guard parameter.name == key || linked != nil else { continue }
                    if valueIsWrong, let value = overrides[key], let position = parameter.values.firstIndex(of: value) {
                        return (base + [.key("values"), .index(position)], false)
                    }
                    if let linked { return (base + [.key("also"), .index(linked)], false) }
                    return (base + [.key("name")], false)
                }
            }
            if experiment.overrides?[key] != nil {
                return ([.key("overrides"), .key(key)], !valueIsWrong)
            }
            return nil
        }

        /// Fault targets, trigger rows and tenant ranks that `model` (a variant's) does not have.
        func checkFaults(of model: ModelConfiguration, variant: String) throws(FileError) {
            let regions = [model.regions.primary] + (model.regions.failover.map { [$0] } ?? [])
            let rows = model.triggers?.count ?? 0
            let tenants = model.traffic.tenants
            let note = variant == "baseline" ? "" : " (variant '\(variant)')"
            func check(target: String?, row: Int?, tenantRanks: [Int]?, at base: Path) throws(FileError) {
                if let target, !regions.contains(target) {
                    throw error(at: base + [.key("target")], key: false, message:
                        "'\(target)' is not a region of model '\(model.name)' (regions: \(regions.joined(separator: ", ")))" + note)
                }
                if let row, !(row >= 1 && row <= rows) {
                    throw error(at: base + [.key("row")], key: false, message:
                        "row \(row) is not a row of the trigger table of model '\(model.name)' (\(rows == 0 ? "it has none" : "rows 1 to \(rows)"))" + note)
                }
                if let position = tenantRanks?.firstIndex(where: { !($0 >= 1 && $0 <= tenants) }) {
                    throw error(at: base + [.key("tenants"), .index(position)], key: false, message:
                        "tenant \(tenantRanks![position]) is not a tenant rank of model '\(model.name)' (1 to \(tenants))" + note)
                }
            }
            for (index, fault) in experiment.faults.enumerated() {
                try check(target: fault.target, row: fault.row, tenantRanks: fault.tenants, at: [.key("faults"), .index(index)])
            }
            for (index, process) in (experiment.faultProcesses ?? []).enumerated() {
                for (position, template) in process.faults.enumerated() {
                    try check(target: template.target, row: template.row, tenantRanks: template.tenants,
                              at: [.key("faultProcesses"), .index(index), .key("faults"), .index(position)])
                }
            }
        }
    }
}
