import Foundation
import Testing
import FailoverModel
import ModelFiles

/// A value beyond a size limit is named where it is written: the model file's line, column and
/// key, or the experiment's when an override sets it; and the check agrees with the run's own.
@Suite("Size limits name the place of the value")
struct SizeLimitPlacesTests {
    static let referenceModel: String = {
        (try? String(contentsOf: repositoryRoot.appendingPathComponent("models/esta-tracker.yaml"), encoding: .utf8)) ?? ""
    }()

    static let experiment = """
        kind: experiment
        name: limits
        model: model.yaml
        duration: 2m
        seeds: [1]
        faults: []

        """

    static func plan(_ experiment: String = experiment, model: String = referenceModel) throws -> ExperimentPlan {
        try ExperimentPlan(ExperimentLoader.load(experimentText: experiment, experimentFile: "exp.yaml") { _ throws(FileError) in
            (model, "model.yaml")
        })
    }

    /// The 1-based line and column where `needle` first starts in `text`.
    static func place(of needle: String, in text: String) throws -> (line: Int, column: Int) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.range(of: needle) {
                return (index + 1, line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: range.lowerBound) + 1)
            }
        }
        throw NotFound(needle: needle)
    }

    struct NotFound: Error { var needle: String }

    /// The model's text with one line's value replaced (the line must be there).
    static func model(replacing line: String, with replacement: String) throws -> String {
        try #require(referenceModel.contains(line), "the reference model has '\(line)'")
        return referenceModel.replacingOccurrences(of: line, with: replacement)
    }

    /// The limit error `checkSizeLimits` throws, after checking that the run's own check refuses
    /// the same variant for the same limit (named by its option).
    static func limitError(_ plan: ExperimentPlan, _ limits: ModelSizeLimits = ModelSizeLimits(), option: String) throws -> FileError {
        let refusedByRun = plan.variants.contains { variant in
            do {
                try FailoverSimulation.check(model: variant.model, experiment: plan.experiment, seed: 1, sizeLimits: limits)
                return false
            } catch {
                return "\(error)".contains(option)
            }
        }
        #expect(refusedByRun, "the run's own check refuses it too (\(option))")
        do {
            try plan.checkSizeLimits(limits)
        } catch {
            #expect(error.description.contains(option), "\(error)")
            return error
        }
        Issue.record("no limit error for \(option)")
        return FileError(file: "", line: nil, column: nil, keyPath: "", message: "")
    }

    @Test("The reference model and experiment are within every limit, for this check and the run's")
    func withinLimits() throws {
        let plan = try Self.plan()
        try plan.checkSizeLimits(ModelSizeLimits())
        for variant in plan.variants {
            try FailoverSimulation.check(model: variant.model, experiment: plan.experiment, seed: 1)
        }
    }

    @Test("A value in the model file: FILE:LINE:COLUMN and the key")
    func valueInTheModelFile() throws {
        let tenants = try Self.model(replacing: "  tenants: 1000 ", with: "  tenants: 2000000 ")
        var error = try Self.limitError(try Self.plan(model: tenants), option: "--max-tenants")
        var place = try Self.place(of: "2000000", in: tenants)
        #expect(error.file == "model.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "traffic.tenants")
        #expect(error.description.hasPrefix("model.yaml:\(place.line):\(place.column): traffic.tenants: 2000000 tenants, above the limit of 1000000"),
                "\(error)")
        // Raised, it is allowed, here and by the run.
        let raised = ModelSizeLimits(maxTenants: 3_000_000, maxCacheEntries: 2_000_000_000)
        let allowed = try Self.plan(model: tenants)
        try allowed.checkSizeLimits(raised)
        try FailoverSimulation.check(model: allowed.variants[0].model, experiment: allowed.experiment, seed: 1, sizeLimits: raised)

        // Cache entries: the largest factor written, here the edge's locations.
        let locations = try Self.model(replacing: "  locations: 8 ", with: "  locations: 9000000 ")
        error = try Self.limitError(try Self.plan(model: locations), option: "--max-cache-entries")
        place = try Self.place(of: "9000000", in: locations)
        #expect(error.file == "model.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "edge.locations")

        // Instances: the largest of instances, standbyInstances and maxInstances.
        let standby = try Self.model(replacing: "  standbyInstances: 3 ", with: "  standbyInstances: 300000 ")
        error = try Self.limitError(try Self.plan(model: standby), option: "--max-instances")
        place = try Self.place(of: "300000", in: standby)
        #expect(error.file == "model.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "service.standbyInstances")
        #expect(error.message.hasPrefix("300000 instances per region"), "\(error)")
    }

    @Test("A value set by an override: the experiment's place of it (its overrides, a variant's, a sweep point's)")
    func valueInAnOverride() throws {
        let overridden = Self.experiment + "overrides: {traffic.requestsPerSecond: \"100\", traffic.tenants: \"5000000\"}\n"
        var error = try Self.limitError(try Self.plan(overridden), option: "--max-tenants")
        var place = try Self.place(of: "\"5000000\"", in: overridden)
        #expect(error.file == "exp.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "overrides[\"traffic.tenants\"]")
        #expect(error.message.hasPrefix("traffic.tenants is 5000000 tenants, above the limit of 1000000"), "\(error)")

        let variant = Self.experiment + """
            variants:
              - name: wide
                overrides: {service.maxInstances: "250000"}

            """
        error = try Self.limitError(try Self.plan(variant), option: "--max-instances")
        place = try Self.place(of: "\"250000\"", in: variant)
        #expect(error.file == "exp.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "variants[0].overrides[\"service.maxInstances\"]")
        #expect(error.message.contains("variant 'wide'"))

        let grid = Self.experiment + """
            sweep:
              parameters:
                - name: service.maxInstances
                  values: ["10", "20", "400000"]

            """
        let plan = try Self.plan(grid)
        error = try Self.limitError(plan, option: "--max-instances")
        place = try Self.place(of: "\"400000\"", in: grid)
        #expect(error.file == "exp.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "sweep.parameters[0].values[2]")
        // Only the variants asked for are held to the limits.
        try plan.checkSizeLimits(ModelSizeLimits(), variants: [0, 1, 2])
        #expect(throws: FileError.self) { try plan.checkSizeLimits(ModelSizeLimits(), variants: [3]) }
    }

    @Test("Warm-up plus duration beyond the simulated-time limit: the experiment's duration")
    func simulatedTime() throws {
        let long = Self.experiment.replacingOccurrences(of: "duration: 2m", with: "duration: 500d")
        let error = try Self.limitError(try Self.plan(long), option: "--max-simulated")
        let place = try Self.place(of: "500d", in: long)
        #expect(error.file == "exp.yaml" && error.line == place.line && error.column == place.column, "\(error)")
        #expect(error.keyPath == "duration")
    }
}
