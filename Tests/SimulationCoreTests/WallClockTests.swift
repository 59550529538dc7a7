import SimulationCore
import Testing

@Suite("Wall-clock durations in seconds")
struct WallClockTests {
    @Test("Whole seconds plus the attoseconds as the fraction, negative durations included")
    func inSeconds() {
        #expect(Duration.zero.inSeconds == 0)
        #expect((Duration.seconds(2) + .milliseconds(500)).inSeconds == 2.5)
        #expect(Duration.nanoseconds(1).inSeconds == 1e-9)
        #expect(Duration(secondsComponent: 0, attosecondsComponent: 1).inSeconds == 1e-18)
        #expect(Duration(secondsComponent: 86_400 * 365, attosecondsComponent: 250_000_000_000_000_000).inSeconds == 31_536_000.25)
        #expect(Duration.milliseconds(-1500).inSeconds == -1.5)
    }
}
