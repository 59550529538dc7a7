import SimulationCore
import Testing
@testable import CircuitBreakers

/// Issue 15, item 18: breaker state grows with the calls made, never with a parameter's value.
/// Before, `failureThreshold: 100000000` allocated 800 MB per breaker instance and
/// `9223372036854775807` could not be allocated at all; Resilience4j's `slidingWindowSize` and
/// `permittedNumberOfCallsInHalfOpenState`, and Hystrix's window over its snapshot interval, the same.
@Suite("Breaker parameters that allocated in proportion to their value")
struct LargeParameterTests {
    /// 2,000 calls, every third failing, 10 ms apart, then 10 s of silence and the same again.
    static func drive(_ breaker: inout CircuitBreaker) {
        var time = SimTime.zero
        for round in 0..<2 {
            for call in 0..<2_000 {
                if breaker.permitsCall(at: time) { breaker.record(call % 3 == 0 ? .failure : .success, at: time) }
                time = time + .milliseconds(10)
            }
            time = time + .seconds(10 * Int64(round + 1))
        }
    }

    static let huge = String(Int.max)

    @Test("The reference policy's failure ring holds the failures seen, not failureThreshold slots")
    func referenceRing() throws {
        for threshold in ["100000000", Self.huge] {
            var breaker = CircuitBreaker(configuration: try BreakerPolicyConfiguration(kind: .reference, parameters: ["failureThreshold": threshold]))
            Self.drive(&breaker)
            let ring = try #require(breaker.machine.reference).failureTimes
            #expect(ring.count == 1_334 && ring.capacity < 4_096, "failureThreshold \(threshold): \(ring.capacity) slots")
            #expect(breaker.state == .closed)
        }
    }

    @Test("A ring that fills behaves as the pre-filled one did: the threshold-th failure in the window opens it")
    func referenceRingWraps() throws {
        var breaker = CircuitBreaker(configuration: .reference(try ReferencePolicy(failureThreshold: 3, monitorWindow: .seconds(1))))
        // Failures at 0, 0.6, 1.7 and 2.0 s: never three within a second (the ring wraps at the
        // third); 1.7, 2.0 and 2.5 are, and open it at 2.5.
        for (time, expected) in [(0, BreakerState.closed), (600, .closed), (1_700, .closed), (2_000, .closed), (2_500, .open)] {
            let permitted = breaker.permitsCall(at: ms(Int64(time)))
            #expect(permitted)
            breaker.record(.failure, at: ms(Int64(time)))
            #expect(breaker.state == expected, "after the failure at \(time) ms")
        }
    }

    @Test("Resilience4j's windows hold the calls (COUNT_BASED) or the seconds with calls (TIME_BASED) seen",
          arguments: ["COUNT_BASED", "TIME_BASED"])
    func resilience4jWindows(type: String) throws {
        let configuration = try BreakerPolicyConfiguration(kind: .resilience4j, parameters: [
            "slidingWindowType": type, "slidingWindowSize": Self.huge, "minimumNumberOfCalls": "10",
            "failureRateThreshold": "20", "permittedNumberOfCallsInHalfOpenState": Self.huge, "waitDurationInOpenState": "1s"])
        var breaker = CircuitBreaker(configuration: configuration)
        Self.drive(&breaker)
        let machine = try #require(breaker.machine.resilience4j)
        let held = machine.closedWindow.slots.capacity + machine.closedWindow.bucketSeconds.capacity
            + machine.halfOpenWindow.slots.capacity + machine.halfOpenWindow.bucketSeconds.capacity
        #expect(held < 16_384, "\(type): \(held) slots")
    }

    @Test("A TIME_BASED window of N seconds keeps exactly the calls of the current second and the N − 1 before")
    func timeWindowExpiry() throws {
        var window = OutcomeWindow(timeBasedSeconds: 3, createdAt: .zero)
        #expect(window.record(at: sec(0), failed: true, slow: false).calls == 1)
        #expect(window.record(at: sec(1), failed: false, slow: false).calls == 2)
        #expect(window.record(at: ms(2_999), failed: false, slow: false).calls == 3)
        // Entering second 3 evicts second 0's failure.
        let totals = window.record(at: sec(3), failed: false, slow: true)
        #expect(totals.calls == 3 && totals.failed == 0 && totals.slow == 1)
        // A gap longer than the window evicts everything before it.
        let after = window.record(at: sec(100), failed: true, slow: false)
        #expect(after.calls == 1 && after.failed == 1 && after.slow == 0)
        #expect(window.bucketSeconds.capacity <= 4)
    }

    @Test("Hystrix's health ring holds the snapshots taken, and a window of more than 100,000 snapshot intervals is refused")
    func hystrixRing() throws {
        let configuration = try BreakerPolicyConfiguration(kind: .hystrix, parameters: [
            "metricsRollingStatisticalWindowInMilliseconds": "100000", "metricsHealthSnapshotIntervalInMilliseconds": "1",
            "metricsRollingStatisticalWindowBuckets": "10"])
        var breaker = CircuitBreaker(configuration: configuration)
        Self.drive(&breaker)
        let machine = try #require(breaker.machine.hystrix)
        #expect(machine.bucketsInWindow == 100_000)
        // The drive spans about 70 s of 1 ms snapshots (the window is never empty).
        #expect(machine.ringTotals.count <= 72_000, "\(machine.ringTotals.count) buckets")
        // A 10-year window of 1 ms snapshots: 3 × 10¹¹ buckets, and as many steps through a quiet stretch.
        #expect(throws: BreakerConfigurationError.self) {
            try BreakerPolicyConfiguration(kind: .hystrix, parameters: [
                "metricsRollingStatisticalWindowInMilliseconds": "315360000000", "metricsHealthSnapshotIntervalInMilliseconds": "1",
                "metricsRollingStatisticalWindowBuckets": "10"])
        }
    }
}
