import ArgumentParser
import FailoverModel
import SimulationCore

/// The limits a run is held to, with their defaults; each is raised with its option.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-events"), help: ArgumentHelp("Events per run before it stops, reported as stopped at the event limit.", valueName: "n"))
    var maxEvents: Int64 = SimulationLimits().maxEvents

    @Option(name: .customLong("max-pending-events"), help: ArgumentHelp("Events pending at once before the run stops (memory: 24 bytes each).", valueName: "n"))
    var maxPendingEvents: Int = SimulationLimits().maxPendingEvents

    @Option(name: .customLong("max-simulated"), help: ArgumentHelp("Simulated time per run (warmUp + duration).", valueName: "duration"))
    var maxSimulated: String = ModelSizeLimits().maxSimulated.description

    @Option(name: .customLong("max-tenants"), help: ArgumentHelp("Tenants in a model.", valueName: "n"))
    var maxTenants: Int = ModelSizeLimits().maxTenants

    @Option(name: .customLong("max-cache-entries"), help: ArgumentHelp("Cache entries held in memory, 8 bytes each.", valueName: "n"))
    var maxCacheEntries: Int = ModelSizeLimits().maxCacheEntries

    @Option(name: .customLong("max-instances"), help: ArgumentHelp("API instances per region.", valueName: "n"))
    var maxInstances: Int = ModelSizeLimits().maxInstances

    @Option(name: .customLong("max-rate"), help: ArgumentHelp("Requests per second of a model's traffic.", valueName: "n"))
    var maxRate: Double = ModelSizeLimits().maxRequestsPerSecond

    func validate() throws {
        guard maxRate.isFinite && maxRate > 0 else { throw ValidationError("--max-rate must be a number above 0, found \(maxRate)") }
        if maxEvents < 1 || maxPendingEvents < 1 || maxTenants < 1 || maxCacheEntries < 1 || maxInstances < 1 {
            throw ValidationError("limits must be at least 1")
        }
        guard let simulated = try? SimDuration(parsing: maxSimulated), simulated > .zero else {
            throw ValidationError("--max-simulated expects a duration such as 400d or 2h, found '\(maxSimulated)'")
        }
        guard simulated <= .longestStated else {
            throw ValidationError("--max-simulated is at most \(SimDuration.longestStated) (the longest duration an input may state), found '\(maxSimulated)'")
        }
    }

    var engine: SimulationLimits { SimulationLimits(maxEvents: maxEvents, maxPendingEvents: maxPendingEvents) }

    var size: ModelSizeLimits {
        ModelSizeLimits(maxSimulated: (try? SimDuration(parsing: maxSimulated)) ?? ModelSizeLimits().maxSimulated,
                        maxTenants: maxTenants, maxCacheEntries: maxCacheEntries, maxInstances: maxInstances,
                        maxRequestsPerSecond: maxRate)
    }
}
