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
            per bad one. Every file is checked even after an error.

            Examples:
              failsim validate models/esta-tracker.yaml
              failsim validate experiments/*.yaml

            \(ExitCodes.help)
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
            do {
                try check(file)
                print("\(file): OK")
            } catch let error as FileError {
                printError("error: \(error.description)")
                failed = true
            } catch let error as ModelError {
                printError("error: \(file): \(error.description)")
                failed = true
            } catch let error as DistributionError {
                printError("error: \(file): \(error.description)")
                failed = true
            }
        }
        if failed { throw ExitCode(ExitCodes.dataError) }
    }

    private func check(_ file: String) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw FileError(file: file, line: nil, column: nil, keyPath: "", message: "cannot read the file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileError(file: file, line: nil, column: nil, keyPath: "", message: "the file is not UTF-8 text")
        }
        switch try FileKind.read(from: text, file: file) {
        case .model:
            _ = try ExperimentLoader.model(text: text, file: file)
        case .experiment:
            // Every variant (sweep points included) with its model resolved, and each checked
            // against the experiment's faults as a run would check them.
            let plan = try ExperimentPlan(ExperimentLoader.load(experimentPath: file))
            try plan.checkSizeLimits(ModelSizeLimits())
            for variant in plan.variants {
                do {
                    try FailoverSimulation.check(model: variant.model, experiment: plan.experiment, seed: plan.seeds.first ?? 1)
                } catch let error as ModelError {
                    throw ModelError("variant '\(variant.name)': \(error.message)")
                }
            }
        }
    }
}
