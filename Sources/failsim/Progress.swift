import FailoverModel
import Foundation
import SimulationCore

/// A one-line progress display on stderr, shown only when stderr is a terminal.
final class ProgressDisplay {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant?
    private var drewAnything = false

    private init() { started = clock.now }

    /// A display when stderr is a terminal; `nil` otherwise (pipes, files, tests).
    static func ifTerminal() -> ProgressDisplay? {
        isatty(2) != 0 ? ProgressDisplay() : nil
    }

    func update(_ progress: RunProgress) {
        let now = clock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(200) { return }
        lastDrawn = now
        let wall = (now - started).inSeconds
        let simulated = progress.simulated.seconds
        let total = progress.total.seconds
        let rate = wall > 0 ? Double(progress.events) / wall : 0
        var line = String(format: "simulated %@ / %@  %.2f M events/s", clock(simulated), clock(total), rate / 1e6)
        if simulated > 0 && wall > 0.5 {
            let eta = wall * max(0, total - simulated) / simulated
            line += "  ETA " + clock(eta)
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drewAnything = true
    }

    func finish() {
        if drewAnything { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
