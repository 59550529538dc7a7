import SimulationCore
import Testing
@testable import SimulationStatistics

/// Collects what a sink receives (a class, so the closure can append to it).
final class WindowCollector: @unchecked Sendable {
    var windows: [IntervalWindow] = []
}

@Suite("IntervalSeries")
struct IntervalSeriesTests {
    func at(_ milliseconds: Int64) -> SimTime { SimTime.zero + .milliseconds(milliseconds) }

    @Test func windowsCountsRatesAndEmptyWindows() throws {
        var series = IntervalSeries(start: .zero, windowWidth: .seconds(1))
        series.recordEvent(at: at(100))
        series.recordEvent(at: at(500), isError: true)
        series.recordEvent(at: at(1_200))
        series.recordEvent(at: at(3_700))
        // Recording in window 3 closed windows 0 ... 2, the empty window 2 included.
        #expect(series.closedWindows.map(\.index) == [0, 1, 2])
        series.finish(at: at(4_500))
        let windows = series.removeClosedWindows()
        #expect(series.closedWindows.isEmpty)
        #expect(windows.map(\.index) == [0, 1, 2, 3, 4])
        #expect(windows.map(\.eventCount) == [2, 1, 0, 1, 0])
        #expect(windows.map(\.errorCount) == [1, 0, 0, 0, 0])
        #expect(windows[0].start == .zero)
        #expect(windows[0].end == at(1_000))
        #expect(windows[0].eventRate == 2)
        #expect(windows[0].errorRate == 1)
        #expect(windows[0].errorRatio == 0.5)
        #expect(windows[1].errorRatio == 0)
        #expect(windows[2].errorRatio == nil) // no data is not the same as no errors
        #expect(windows[2].eventRate == 0)
        #expect(windows[2].isEmpty)
        // The last window is cut at the finish instant.
        #expect(windows[4].start == at(4_000))
        #expect(windows[4].end == at(4_500))
        #expect(windows[4].duration == .milliseconds(500))
        #expect(windows[3].duration == .seconds(1))
    }

    @Test func sinkReceivesWindowsInOrderAsTimeAdvances() {
        let collector = WindowCollector()
        var series = IntervalSeries(start: at(10_000), windowWidth: .seconds(10)) { collector.windows.append($0) }
        series.recordEvent(at: at(12_000))
        series.recordEvent(at: at(25_000), isError: true)
        #expect(collector.windows.map(\.index) == [0])
        series.advance(to: at(60_000))
        // Windows end at 20, 30, 40, 50, 60 s: all but [60 s, 70 s) are closed at 60 s.
        #expect(collector.windows.map(\.index) == [0, 1, 2, 3, 4])
        #expect(collector.windows.map(\.eventCount) == [1, 1, 0, 0, 0])
        #expect(collector.windows[1].start == at(20_000))
        #expect(abs(collector.windows[1].eventRate - 0.1) < 1e-15)
        series.finish(at: at(70_000))
        #expect(collector.windows.map(\.index) == [0, 1, 2, 3, 4, 5])
        #expect(series.closedWindows.isEmpty) // a sink takes the windows instead
    }

    @Test func lateObservationsWithinTheAllowedLatenessLandInTheirWindow() {
        var series = IntervalSeries(start: .zero, windowWidth: .seconds(1), allowedLateness: .seconds(2))
        series.recordEvent(at: at(500))
        series.recordEvent(at: at(2_500)) // clock 2.5 s: window 0 stays open until 3 s
        series.recordEvent(at: at(900), isError: true) // a request that arrived at 0.9 s
        #expect(series.closedWindows.isEmpty)
        series.advance(to: at(3_000))
        #expect(series.closedWindows.map(\.eventCount) == [2])
        #expect(series.closedWindows.map(\.errorCount) == [1])
        series.recordEvent(at: at(1_000)) // window 1 is still open until 4 s
        series.finish(at: at(3_000))
        #expect(series.closedWindows.map(\.eventCount) == [2, 1, 1])
    }

    @Test func valuesAndLatenciesPerWindow() throws {
        var series = IntervalSeries(start: .zero, windowWidth: .seconds(1),
                                    latencyHistogram: LatencyHistogram(highestTrackableValue: .minutes(1),
                                                                       significantDigits: 2))
        series.recordValue(4, at: at(10))
        series.recordValue(-1, at: at(20))
        series.recordValue(7, at: at(30))
        for milliseconds: Int64 in [10, 20, 30, 40] {
            series.recordLatency(.milliseconds(milliseconds), at: at(milliseconds))
        }
        series.recordLatency(.milliseconds(250), at: at(2_100))
        series.finish(at: at(3_000))
        let windows = series.removeClosedWindows()
        #expect(windows.count == 3)
        #expect(windows[0].valueCount == 3)
        #expect(windows[0].valueSum == 10)
        #expect(windows[0].valueMin == -1)
        #expect(windows[0].valueMax == 7)
        #expect(windows[0].valueMean == 10.0 / 3)
        #expect(windows[1].valueMin == nil)
        #expect(windows[1].valueMean == nil)
        let first = try #require(windows[0].latency)
        #expect(first.count == 4)
        #expect(first.significantDigits == 2)
        #expect(first.max == .milliseconds(40))
        // The upper end of the median's bucket: at or above 20 ms, within 2 significant digits.
        #expect(first.percentile(50) >= .milliseconds(20))
        #expect(first.percentile(50) <= .microseconds(20_200))
        let empty = try #require(windows[1].latency)
        #expect(empty.isEmpty)
        #expect(try #require(windows[2].latency).count == 1)
        // Pooling per-window histograms gives the run's distribution.
        var pooled = LatencyHistogram(highestTrackableValue: .minutes(1), significantDigits: 2)
        for window in windows { pooled.merge(try #require(window.latency)) }
        #expect(pooled.count == 5)
        #expect(pooled.max == .milliseconds(250))
    }

    @Test func aLongIdleGapEmitsEveryEmptyWindow() {
        var series = IntervalSeries(start: .zero, windowWidth: .seconds(1))
        series.recordEvent(at: at(0))
        series.recordEvent(at: SimTime.zero + .minutes(10) + .milliseconds(1))
        series.finish(at: SimTime.zero + .minutes(10) + .seconds(1))
        let windows = series.removeClosedWindows()
        #expect(windows.count == 601)
        #expect(windows.map(\.index) == Array(0 ... 600))
        #expect(windows.reduce(0) { $0 + $1.eventCount } == 2)
        #expect(windows[600].eventCount == 1)
    }

    @Test func anObservationInAClosedWindowTraps() async {
        await #expect(processExitsWith: .failure) {
            var series = IntervalSeries(start: .zero, windowWidth: .seconds(1))
            series.recordEvent(at: SimTime.zero + .seconds(5))
            series.recordEvent(at: SimTime.zero + .seconds(1))
        }
    }
}
