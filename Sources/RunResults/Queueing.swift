import Foundation

/// Queueing at one region's API service over the measured run: what an architect reads off a
/// queueing model (utilisation ρ, mean wait in queue Wq, the chance to wait, mean queue length Lq).
///
/// A request's *wait* runs from its arrival at the region's service to the start of its service
/// (a request that finds a free slot waits 0; a cold start that delays processing is service,
/// not wait). Waits are counted for requests that reached the service in the measured period and
/// began service; requests refused by a full queue, and requests still queued when the run
/// ended, have no wait. Time averages cover the measured period.
public struct ServiceQueueing: Codable, Sendable, Equatable {
    /// The region, e.g. `us-central1`.
    public var scope: String
    /// Busy instance slots ÷ available slots (active instances × concurrency), time-weighted,
    /// as a fraction in [0, 1].
    public var utilisation: Double
    /// Requests in the queue, time-weighted mean.
    public var meanQueueLength: Double
    /// Mean wait in queue over the requests counted in ``started``, seconds.
    public var meanWaitSeconds: Double
    /// Share of the requests counted in ``started`` that waited (wait > 0).
    public var waitProbability: Double
    /// Requests that reached the service in the measured period and began service.
    public var started: Int64
    /// Of those, the ones that waited.
    public var waited: Int64

    /// Creates a service's queueing summary.
    public init(scope: String, utilisation: Double, meanQueueLength: Double, meanWaitSeconds: Double,
                waitProbability: Double, started: Int64, waited: Int64) {
        self.scope = scope
        self.utilisation = utilisation
        self.meanQueueLength = meanQueueLength
        self.meanWaitSeconds = meanWaitSeconds
        self.waitProbability = waitProbability
        self.started = started
        self.waited = waited
    }
}
