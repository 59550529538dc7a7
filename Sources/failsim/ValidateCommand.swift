import ArgumentParser
import FailoverModel
import Foundation
import ModelFiles
import SimulationCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check model and experiment files without running them.",
        discussion: """
            Reads each file's `kind` and decodes it as a model or an experiment; an experiment's \
            model (the file it names, relative to the experiment) is loaded and checked too. \
            Prints `OK` per good file and the located error (file:line:column: key: message) \
            per problem. Every file is checked even after an error, and an experiment's variants \
            each on their own, so that every variant's problem is listed (a file that does not \
            decode stops at its first decoding error).

            Examples:
              failsim validate models/esta-tracker.yaml
              failsim validate experiments/*.yaml

            \(ExitCodes.help(input: "a file is bad (each problem is named with its file, line and key) or cannot be read", io: nil))
            """
    )

    @Argument(help: ArgumentHelp("Model or experiment files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to validate") }
    }

    func run() throws {
        var failed = false
        for file in files {
            let problems = Self.problems(of: file)
            if problems.isEmpty {
                print("\(file): OK")
            } else {
                failed = true
                for problem in problems { printError("error: \(problem)") }
                if problems.count > 1 { printError("\(file): \(problems.count) problems") }
            }
        }
        if failed { throw ExitCode(ExitCodes.dataError) }
    }

    /// Every problem found in `file`, each a located message. A file that does not decode stops
    /// at its first decoding error (the loader reads one file in one pass); an experiment that
    /// decodes is checked variant by variant, so that every variant's problem is reported.
    static func problems(of file: String) -> [String] {
        func described(_ error: any Error) -> String {
            switch error {
            case let error as FileError: error.description
            case let error as ModelError: "\(file): \(error.description)"
            case let error as DistributionError: "\(file): \(error.description)"
            default: "\(file): \(error)"
            }
        }
        do {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw FileError(file: file, line: nil, column: nil, keyPath: "", message: "cannot read the file (missing or unreadable)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw FileError(file: file, line: nil, column: nil, keyPath: "", message: "the file is not UTF-8 text")
            }
            switch try FileKind.read(from: text, file: file) {
            case .model:
                _ = try ExperimentLoader.model(text: text, file: file)
                return []
            case .experiment:
                let loaded = try ExperimentLoader.load(experimentPath: file)
                let variantProblems = ExperimentPlan.problems(of: loaded)
                if !variantProblems.isEmpty { return variantProblems.map(described) }
                // Every variant (sweep points included) with its model resolved, and each checked
                // against the experiment's faults as a run would check them.
                let plan = try ExperimentPlan(loaded)
                var problems: [String] = []
                do { try plan.checkSizeLimits(ModelSizeLimits()) } catch { problems.append(described(error)) }
                for variant in plan.variants {
                    do {
                        try FailoverSimulation.check(model: variant.model, experiment: plan.experiment, seed: plan.seeds.first ?? 1)
                    } catch let error as ModelError {
                        let problem = described(ModelError("variant '\(variant.name)': \(error.message)"))
                        if !problems.contains(problem) { problems.append(problem) }
                    } catch {
                        problems.append(described(error))
                    }
                }
                return problems
            }
        } catch {
            return [described(error)]
        }
    }
}
