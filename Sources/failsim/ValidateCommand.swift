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
            let loaded = try ExperimentLoader.load(experimentPath: file)
            var overrides = loaded.experiment.overrides ?? [:]
            _ = try ExperimentLoader.model(text: loaded.modelText, file: loaded.modelFile, overrides: overrides)
            for variant in loaded.experiment.variants ?? [] {
                overrides = (loaded.experiment.overrides ?? [:]).merging(variant.overrides) { $1 }
                _ = try ExperimentLoader.model(text: loaded.modelText, file: loaded.modelFile, overrides: overrides)
            }
        }
    }
}
