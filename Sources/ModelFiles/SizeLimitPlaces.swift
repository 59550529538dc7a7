import FailoverModel
import SimulationCore

extension ExperimentPlan {
    /// Holds the experiment and its variants (every one, or those at the indices `chosen`) to
    /// `limits` before anything runs, and names where the value that is too large is written.
    ///
    /// The limits are `FailoverSimulation`'s, which a run checks again as it starts (and stays
    /// the authority); that check cannot say where a value came from, this one can: the line,
    /// column and key of the model file, or of the experiment when an override (the
    /// experiment's, a variant's or a sweep point's) sets it. A limit on a product (cache entries)
    /// names its largest written factor; on the longest of several values (instances), that one.
    ///
    /// - Throws: `FileError` for the first value beyond a limit, in the order a run checks them:
    ///   simulated time, tenants, cache entries, instances, arrival rate.
    public func checkSizeLimits(_ limits: ModelSizeLimits, variants chosen: [Int]? = nil) throws(FileError) {
        let places = Places(loaded: loaded)
        try places.checkSimulatedTime(limit: limits.maxSimulated)
        for index in chosen ?? Array(variants.indices) {
            try places.checkSize(of: variants[index], limits: limits)
        }
    }
}

extension ExperimentPlan.Places {
    /// Warm-up plus duration, at the larger of the two in the experiment.
    func checkSimulatedTime(limit: SimDuration) throws(FileError) {
        let warmUp = experiment.warmUp ?? .zero
        let (total, overflow) = warmUp.nanoseconds.addingReportingOverflow(experiment.duration.nanoseconds)
        guard overflow || total > limit.nanoseconds else { return }
        let length = overflow ? "more than 292 years" : SimDuration(nanoseconds: total).description
        throw error(at: [.key(warmUp > experiment.duration ? "warmUp" : "duration")], key: false,
                    message: "the run (warmUp + duration = \(length)) is longer than the limit of \(limit) simulated time "
                        + "(raise it with --max-simulated)")
    }

    /// Tenants, cache entries and instances of one variant's model, with the same arithmetic
    /// (overflow included) as the run's own check.
    func checkSize(of variant: ExperimentPlan.Variant, limits: ModelSizeLimits) throws(FileError) {
        let model = variant.model
        let tenants = model.traffic.tenants
        if tenants > limits.maxTenants {
            throw tooLarge("traffic.tenants", tenants, unit: "tenants", of: variant,
                           limit: "above the limit of \(limits.maxTenants) (raise it with --max-tenants)")
        }

        let (perEmployee, o0) = model.traffic.employeesPerTenant.addingReportingOverflow(1)
        let keysPerTenant = model.cache?.keysPerTenant ?? perEmployee
        let (holders, o3) = (model.edge?.locations ?? 0).addingReportingOverflow(2)
        let (perHolder, o1) = tenants.multipliedReportingOverflow(by: max(1, keysPerTenant))
        let (entries, o2) = perHolder.multipliedReportingOverflow(by: holders)
        let tooMany = (model.cache?.keysPerTenant == nil && o0) || o1 || o2 || o3
        if tooMany || entries > limits.maxCacheEntries {
            var factors = [("traffic.tenants", tenants)]
            if let keys = model.cache?.keysPerTenant {
                factors.append(("cache.keysPerTenant", keys))
            } else {
                factors.append(("traffic.employeesPerTenant", model.traffic.employeesPerTenant))
            }
            if let locations = model.edge?.locations { factors.append(("edge.locations", locations)) }
            let largest = factors.max { $0.1 < $1.1 }!  // the first of equals: tenants
            throw tooLarge(largest.0, largest.1, of: variant,
                           because: "the model keeps \(tooMany ? "too many" : String(entries)) cache entries in memory "
                               + "((edge.locations + regions) × traffic.tenants × keys per tenant)",
                           limit: "above the limit of \(limits.maxCacheEntries) (raise it with --max-cache-entries)")
        }

        let service = model.service
        let counts = [("service.instances", service.instances), ("service.maxInstances", service.maxInstances ?? 0),
                      ("service.standbyInstances", service.standbyInstances ?? 0)]
        let most = counts.max { $0.1 < $1.1 }!
        if most.1 > limits.maxInstances {
            throw tooLarge(most.0, most.1, unit: "instances per region", of: variant,
                           limit: "above the limit of \(limits.maxInstances) (raise it with --max-instances)")
        }

        let traffic = model.traffic
        let rates = [("traffic.requestsPerSecond", traffic.requestsPerSecond)]
            + (traffic.profile ?? []).enumerated().map { ("traffic.profile[\($0.offset)].requestsPerSecond", $0.element.requestsPerSecond) }
        if let fastest = rates.first(where: { $0.1 == traffic.highestRate }), fastest.1 > limits.maxRequestsPerSecond {
            throw tooLarge(fastest.0, fastest.1, unit: "requests per second", of: variant,
                           limit: "above the limit of \(limits.maxRequestsPerSecond) (raise it with --max-rate)")
        }
    }

    /// The error for `modelKey` (a key path of the model, whose value in `variant` is `value`,
    /// counting `unit`, or too large `because` of what it multiplies), `limit` saying which
    /// limit and how to raise it: where an override sets the value, at the override's value in
    /// the experiment (`overrides["traffic.tenants"]: traffic.tenants is 2000000 tenants, …`);
    /// otherwise at the key in the model file (`traffic.tenants: 2000000 tenants, …`).
    func tooLarge<Value>(_ modelKey: String, _ value: Value, unit: String? = nil, of variant: ExperimentPlan.Variant,
                  because detail: String? = nil, limit: String) -> FileError {
        let amount = [unit.map { "\(value) \($0)" }, detail].compactMap { $0 }.joined(separator: ": ")
        if let key = Self.override(for: modelKey, among: Array(variant.overrides.keys)),
           let path = place(ofOverride: key, variant: variant.name, overrides: variant.overrides, valueIsWrong: true) {
            let stated = "\(modelKey) is \(value)" + (unit.map { " \($0)" } ?? "") + (detail.map { ": \($0)" } ?? "")
            return error(at: path.path, key: path.isKey,
                         message: "\(stated), \(limit) (model \(variant.modelFile), variant '\(variant.name)')")
        }
        let place = TextPlaces(text: modelText(of: variant)).place(of: ExperimentLoader.parsePath(modelKey), key: false)
        let note = variant.name == "baseline" ? "" : " (variant '\(variant.name)' of \(loaded.experimentFile))"
        return FileError(file: variant.modelFile, line: place?.line, column: place?.column, keyPath: modelKey,
                         message: "\(amount), \(limit)" + note)
    }

    /// The text of the model file a variant uses.
    func modelText(of variant: ExperimentPlan.Variant) -> String {
        if variant.modelFile == loaded.modelFile { return loaded.modelText }
        return loaded.variantModels.values.first { $0.file == variant.modelFile }?.text ?? loaded.modelText
    }
}
