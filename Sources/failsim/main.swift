import FailoverModel
import Foundation
import ModelFiles
import RunResults

// Temporary driver while the command line is written.
let args = CommandLine.arguments
let experimentPath = args.count > 1 ? args[1] : "experiments/trigger-table.yaml"
let variantName = args.count > 2 ? args[2] : "baseline"
let seed = args.count > 3 ? UInt64(args[3])! : 1
do {
    let loaded = try ExperimentLoader.load(experimentPath: experimentPath)
    var overrides = loaded.experiment.overrides ?? [:]
    if let variant = loaded.experiment.variants?.first(where: { $0.name == variantName }) {
        overrides.merge(variant.overrides) { $1 }
    }
    let model = try ExperimentLoader.model(text: loaded.modelText, file: loaded.modelFile, overrides: overrides)
    let clock = ContinuousClock()
    var result: RunResult? = nil
    let elapsed = try clock.measure {
        result = try FailoverSimulation.run(model: model, experiment: loaded.experiment, variant: variantName, overrides: overrides, seed: seed)
    }
    let r = result!
    print("events \(r.identity.events) wall \(elapsed) digest \(r.identity.digest.prefix(16))")
    for t in r.triggers { print("row \(t.row) \(t.condition): detect \(t.detectionSeconds.map { String(format: "%.1f", $0) } ?? "-") recover \(t.recoverySeconds.map { String(format: "%.1f", $0) } ?? "-") target \(t.targetSeconds) \(t.outcome) passed=\(t.passed) rule=\(t.rule ?? "-")") }
    for i in r.incidents { print("incident \(i.fault): onset \(i.onsetSeconds) detected \(i.detectedAtSeconds ?? -1) recoveredAt \(i.recoveredAtSeconds ?? -1) read \(i.readRecoverySeconds ?? -1) write \(i.writeRecoverySeconds ?? -1) failbackEnd \(i.failbackEndedAtSeconds ?? -1) failed \(i.requestsFailed)/\(i.requests) q \(i.writesQueued) rep \(i.writesReplayed) stale \(i.staleReads)") }
    print("availability \(r.availability.requestBased) time \(r.availability.timeBased) budget \(r.availability.errorBudgetUsed)")
    for l in r.latency { print("latency \(l.operation) n=\(l.count) p50 \(l.p50Ms) p95 \(l.p95Ms) p99 \(l.p99Ms) passed \(l.passed.map(String.init) ?? "-")") }
    print("writes \(r.writes)")
    print("breakers opened: \(r.breakers.map(\.opens).reduce(0,+)) false \(r.breakers.map(\.falseOpens).reduce(0,+))")
    for e in r.events where e.kind != "breakerTransition" { print(String(format: "%8.1f", e.timeSeconds), e.kind, e.subject, e.detail) }
} catch {
    print("error: \(error)")
    exit(65)
}
