import FailoverModel
import Foundation

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

    /// Resolves every variant of a loaded experiment. Errors name the file and the variant (a
    /// bad override names the override's key path).
    public init(_ loaded: LoadedExperiment) throws(FileError) {
        self.loaded = loaded
        let resolved: [ExperimentConfiguration.ResolvedVariant]
        do {
            resolved = try loaded.experiment.resolvedVariants()
        } catch {
            throw FileError(file: loaded.experimentFile, line: nil, column: nil, keyPath: "sweep", message: error.description)
        }
        var variants: [Variant] = []
        for variant in resolved {
            let source = variant.model.flatMap { loaded.variantModels[$0] } ?? ModelSource(text: loaded.modelText, file: loaded.modelFile)
            let model: ModelConfiguration
            do {
                model = try ExperimentLoader.model(text: source.text, file: source.file, overrides: variant.overrides)
            } catch {
                var located = error
                located.message += " (variant '\(variant.name)' of \(loaded.experimentFile))"
                throw located
            }
            variants.append(Variant(name: variant.name, modelFile: source.file, overrides: variant.overrides, model: model))
        }
        self.variants = variants
        seeds = loaded.experiment.seedList
    }

    /// The variant called `name`, if any.
    public func variant(named name: String) -> Int? {
        variants.firstIndex { $0.name == name }
    }

    /// The runs for these seeds (default: the experiment's), variant by variant, seeds in order
    /// within each: the canonical order shards and resumption rely on.
    public func runs(seeds: [UInt64]? = nil, variants chosen: [Int]? = nil) -> [Run] {
        let seedList = seeds ?? self.seeds
        return (chosen ?? Array(variants.indices)).flatMap { index in
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
