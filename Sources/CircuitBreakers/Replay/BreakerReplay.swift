import SimulationCore

/// One trace line after the breaker judged it (for `--states`).
public struct ReplayedLine: Equatable, Sendable {
    public var line: Int
    public var time: SimTime
    public var outcome: TraceOutcome
    public var permitted: Bool
    /// The breaker's state after the line.
    public var state: BreakerState
}

/// Counts and times of one replay.
public struct ReplaySummary: Equatable, Sendable {
    /// Trace lines that are calls (header, blank and comment lines excluded).
    public var calls = 0
    public var permitted = 0
    public var rejected = 0
    /// Outcomes recorded, permitted calls only (a rejected call's outcome never happened).
    public var successes = 0
    public var failures = 0
    public var ignored = 0
    /// Permitted attempts: calls that took a permit and never reported back.
    public var heldAttempts = 0
    /// The replay covers time zero to the last line's time, or to the last call's completion when
    /// that comes later.
    public var end: SimTime = .zero
    public var timeClosed: SimDuration = .zero
    public var timeOpen: SimDuration = .zero
    public var timeHalfOpen: SimDuration = .zero
    /// Transitions into OPEN.
    public var opens = 0
    public var transitions = 0
    public var finalState: BreakerState = .closed

    public func time(in state: BreakerState) -> SimDuration {
        switch state {
        case .closed: return timeClosed
        case .open: return timeOpen
        case .halfOpen: return timeHalfOpen
        }
    }
}

/// The result of replaying a trace through a breaker.
public struct ReplayResult: Sendable {
    public var configuration: BreakerPolicyConfiguration
    public var summary: ReplaySummary
    /// Every transition, oldest first (empty if not kept).
    public var transitions: [BreakerTransition]
}

/// Replays recorded call outcomes through a breaker: each line asks for permission at its time;
/// a permitted line records its outcome when the call completes — at its time plus its duration,
/// or at once without one (``CallsInFlight``); an `attempt` records nothing and keeps its permit;
/// a rejected line's outcome is not recorded, as the call never reached the dependency. Changes
/// due on the policy's own clock up to the end — the last line's time, or the last completion
/// after it — are applied before the summary.
///
/// Pure: bytes in, result out; the command line only reads the file and prints.
public enum BreakerReplay {
    /// Replays a trace held in memory. `onLine`, when given, sees every line after the breaker
    /// judged it, in order, as it streams (it is not stored).
    ///
    /// Complexity: O(lines), one pass, memory independent of the number of lines unless
    /// transitions are kept.
    public static func replay(_ bytes: UnsafeRawBufferPointer, configuration: BreakerPolicyConfiguration,
                              keepsTransitions: Bool = true,
                              onLine: ((ReplayedLine) -> Void)? = nil) throws(TraceError) -> ReplayResult {
        var reader = TraceReader(unsafeBytes: bytes)
        var breaker = CircuitBreaker(configuration: configuration, keepsTransitions: keepsTransitions)
        var inFlight = CallsInFlight()
        var summary = ReplaySummary()
        while let record = try reader.next() {
            summary.calls += 1
            inFlight.recordCompleted(upTo: record.time, in: &breaker)
            let permitted = breaker.permitsCall(at: record.time)
            if permitted {
                summary.permitted += 1
                switch record.outcome {
                case .success: summary.successes += 1
                case .failure: summary.failures += 1
                case .ignored: summary.ignored += 1
                case .attempt: summary.heldAttempts += 1
                }
                if let outcome = record.outcome.callOutcome {
                    inFlight.add(outcome, duration: record.duration, startedAt: record.time)
                    // A call without a duration completes at once: its outcome counts in the
                    // state reported after its line.
                    inFlight.recordCompleted(upTo: record.time, in: &breaker)
                }
            } else {
                summary.rejected += 1
            }
            summary.end = record.time
            if let onLine {
                onLine(ReplayedLine(line: record.line, time: record.time, outcome: record.outcome,
                                    permitted: permitted, state: breaker.state))
            }
        }
        // Calls still in flight complete after the last line: the replay runs on to the last.
        if let last = inFlight.lastCompletion, last > summary.end { summary.end = last }
        inFlight.recordAll(in: &breaker)
        breaker.advance(to: summary.end)
        let statistics = breaker.statistics
        summary.timeClosed = statistics.time(in: .closed, upTo: summary.end)
        summary.timeOpen = statistics.time(in: .open, upTo: summary.end)
        summary.timeHalfOpen = statistics.time(in: .halfOpen, upTo: summary.end)
        summary.opens = statistics.opens
        summary.transitions = statistics.transitionCount
        summary.finalState = statistics.state
        return ReplayResult(configuration: configuration, summary: summary, transitions: breaker.transitions)
    }

    /// Replays a trace given as text (tests, small examples).
    public static func replay(text: String, configuration: BreakerPolicyConfiguration, keepsTransitions: Bool = true,
                              onLine: ((ReplayedLine) -> Void)? = nil) throws(TraceError) -> ReplayResult {
        let utf8 = Array(text.utf8)
        let result = utf8.withUnsafeBytes { raw -> Result<ReplayResult, TraceError> in
            do throws(TraceError) {
                return .success(try replay(raw, configuration: configuration, keepsTransitions: keepsTransitions, onLine: onLine))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
