import SimulationCore

/// The model parameters read on every request, copied once out of the nested, optional
/// configuration structs. Reading `model.database` or `model.links?.…` on the request path
/// copied whole structs (hundreds of bytes, with their arrays retained and released) per access;
/// `let`s of a final class are read in place.
final class HotParameters {
    let clientToEdge: DurationDistribution?
    let edgeToRegion: DurationDistribution?
    let betweenRegions: DurationDistribution?
    let connectTimeout: SimDuration
    let edgeProcessing: DurationDistribution?
    let l1CacheableShare: Double?
    let l1TTL: SimDuration

    let processing: DurationDistribution
    let batchProcessing: DurationDistribution?
    let reportProcessing: DurationDistribution?
    let backgroundErrorRate: Double
    let concurrency: Int
    let queueLimit: Int

    let hasCache: Bool
    let cacheLookup: DurationDistribution?
    let cacheTTL: SimDuration

    let hasDatabase: Bool
    let databaseRead: DurationDistribution?
    let databaseWrite: DurationDistribution?
    let poolSize: Int
    let callTimeout: SimDuration
    let refuseLatency: SimDuration
    let databaseErrorRate: Double
    let syncReplication: Bool
    let replicationLag: DurationDistribution?

    init(_ model: ModelConfiguration) {
        clientToEdge = model.links?.clientToEdge.distribution
        edgeToRegion = model.links?.edgeToRegion.distribution
        betweenRegions = model.links?.betweenRegions.distribution
        connectTimeout = model.links?.connectTimeout ?? .seconds(5)
        edgeProcessing = model.edge?.processing.distribution
        l1CacheableShare = model.edge?.l1CacheableShare
        l1TTL = model.edge?.l1TTL ?? .zero
        processing = model.service.processing.distribution
        batchProcessing = model.service.batchProcessing?.distribution
        reportProcessing = model.service.reportProcessing?.distribution
        backgroundErrorRate = model.service.backgroundErrorRate
        concurrency = model.service.concurrency
        queueLimit = model.service.queueLimit
        hasCache = model.cache != nil
        cacheLookup = model.cache?.lookup.distribution
        cacheTTL = model.cache?.ttl ?? .zero
        hasDatabase = model.database != nil
        databaseRead = model.database?.read.distribution
        databaseWrite = model.database?.write.distribution
        poolSize = model.database?.poolSize ?? 0
        callTimeout = model.database?.callTimeout ?? .zero
        refuseLatency = model.database?.refuseLatency ?? .zero
        databaseErrorRate = model.database?.errorRate ?? 0
        syncReplication = model.database?.replication.mode == .sync
        replicationLag = model.database?.replication.lag.distribution
    }
}
