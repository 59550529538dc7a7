import SimulationCore

/// A distribution of durations as written in a model file.
///
/// A plain duration (`12ms`) is a constant. Otherwise one key names the family:
/// `{lognormal: {median: 20ms, p99: 80ms}}` (or `{lognormal: {mean: 25ms, sigma: 0.6}}`: the
/// distribution's own mean and the standard deviation of its logarithm; or
/// `{lognormal: {mu: -3.9, sigma: 0.6}}`: the mean and standard deviation of the logarithm of the
/// duration in seconds, `X = exp(mu + sigma·Z)` s), `{uniform: {low: 10ms, high: 30ms}}`,
/// `{exponential: {mean: 5s}}`, `{normal: {mean: 50ms, standardDeviation: 5ms}}` (truncated at
/// zero), `{pareto: {scale: 1ms, shape: 2.5}}`, `{weibull: {scale: 10ms, shape: 1.5}}`,
/// `{empirical: [{percentile: 0, value: 5ms}, {percentile: 50, value: 20ms}, …]}`.
public struct DurationSpec: Codable, Sendable, Equatable, CustomStringConvertible {
    public let distribution: DurationDistribution
    /// The spelling it was read from, kept for canonical encoding and reports.
    public let written: Written

    public enum Written: Codable, Sendable, Equatable {
        case constant(SimDuration)
        case lognormal(median: SimDuration, p99: SimDuration)
        /// The distribution's mean, and the standard deviation of its logarithm.
        case lognormalMean(mean: SimDuration, sigma: Double)
        /// The mean and standard deviation of the logarithm of the duration in seconds.
        case lognormalLog(mu: Double, sigma: Double)
        case uniform(low: SimDuration, high: SimDuration)
        case exponential(mean: SimDuration)
        case normal(mean: SimDuration, standardDeviation: SimDuration)
        case pareto(scale: SimDuration, shape: Double)
        case weibull(scale: SimDuration, shape: Double)
        case empirical([PercentilePoint])
    }

    public struct PercentilePoint: Codable, Sendable, Equatable {
        public var percentile: Double
        public var value: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case percentile, value }
    }

    /// One of three pairs: `median` and `p99`, `mean` and `sigma`, `mu` and `sigma`.
    struct LognormalParameters: Codable {
        var median: SimDuration?
        var p99: SimDuration?
        var mean: SimDuration?
        var mu: Double?
        var sigma: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case median, p99, mean, mu, sigma }

        init(median: SimDuration? = nil, p99: SimDuration? = nil, mean: SimDuration? = nil, mu: Double? = nil, sigma: Double? = nil) {
            (self.median, self.p99, self.mean, self.mu, self.sigma) = (median, p99, mean, mu, sigma)
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            median = try c.decodeIfPresent(SimDuration.self, forKey: .median)
            p99 = try c.decodeIfPresent(SimDuration.self, forKey: .p99)
            mean = try c.decodeIfPresent(SimDuration.self, forKey: .mean)
            mu = try c.decodeIfPresent(Double.self, forKey: .mu)
            sigma = try c.decodeIfPresent(Double.self, forKey: .sigma)
            let given = CodingKeys.allCases.filter { c.contains($0) }.map(\.rawValue)
            guard given == ["median", "p99"] || given == ["mean", "sigma"] || given == ["mu", "sigma"] else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "a lognormal takes median and p99, mean and sigma, or mu and sigma; found "
                    + (given.isEmpty ? "no parameter" : given.joined(separator: " and "))))
            }
        }

        /// Only the pair given, so that a model written `{median, p99}` encodes (and hashes) as it
        /// did before the other pairs existed.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let median { try c.encode(median, forKey: .median) }
            if let p99 { try c.encode(p99, forKey: .p99) }
            if let mean { try c.encode(mean, forKey: .mean) }
            if let mu { try c.encode(mu, forKey: .mu) }
            if let sigma { try c.encode(sigma, forKey: .sigma) }
        }

        var written: Written {
            if let median, let p99 { return .lognormal(median: median, p99: p99) }
            if let mean, let sigma { return .lognormalMean(mean: mean, sigma: sigma) }
            return .lognormalLog(mu: mu ?? 0, sigma: sigma ?? 0)
        }
    }
    struct UniformParameters: Codable { var low: SimDuration; var high: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case low, high } }
    struct MeanParameter: Codable { var mean: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case mean } }
    struct NormalParameters: Codable { var mean: SimDuration; var standardDeviation: SimDuration
        enum CodingKeys: String, CodingKey, CaseIterable { case mean, standardDeviation } }
    struct ScaleShape: Codable { var scale: SimDuration; var shape: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case scale, shape } }

    enum Family: String, CodingKey, CaseIterable {
        case constant, lognormal, uniform, exponential, normal, pareto, weibull, empirical
    }

    public init(_ written: Written) throws(DistributionError) {
        self.written = written
        switch written {
        case .constant(let value):
            distribution = .constant(value)
        case .lognormal(let median, let p99):
            distribution = try DurationDistribution(seconds: .lognormal(median: median.seconds, p99: p99.seconds))
        case .lognormalMean(let mean, let sigma):
            distribution = try DurationDistribution(seconds: .lognormal(mean: mean.seconds, sigma: sigma))
        case .lognormalLog(let mu, let sigma):
            distribution = try DurationDistribution(seconds: .lognormal(mu: mu, sigma: sigma))
        case .uniform(let low, let high):
            distribution = try DurationDistribution(seconds: .uniform(low: low.seconds, high: high.seconds))
        case .exponential(let mean):
            distribution = try DurationDistribution(seconds: .exponential(mean: mean.seconds))
        case .normal(let mean, let sd):
            distribution = try DurationDistribution(seconds: .normal(mean: mean.seconds, standardDeviation: sd.seconds))
        case .pareto(let scale, let shape):
            distribution = try DurationDistribution(seconds: .pareto(scale: scale.seconds, shape: shape))
        case .weibull(let scale, let shape):
            distribution = try DurationDistribution(seconds: .weibull(scale: scale.seconds, shape: shape))
        case .empirical(let points):
            distribution = try DurationDistribution(
                seconds: .empirical(percentiles: points.map { ($0.percentile, $0.value.seconds) }))
        }
    }

    /// A constant duration.
    public static func constant(_ duration: SimDuration) -> DurationSpec {
        // A constant non-negative duration is always valid.
        try! DurationSpec(.constant(duration))
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            do {
                try self.init(.constant(SimDuration(parsingStated: text)))
            } catch let error as DurationParseError {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: error.description)
            }
            return
        }
        let container = try decoder.container(keyedBy: Family.self)
        let present = Family.allCases.filter { container.contains($0) }
        guard present.count == 1, let family = present.first else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "expected a duration (e.g. 20ms) or exactly one distribution of: "
                    + Family.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        let written: Written
        switch family {
        case .constant: written = .constant(try container.decode(SimDuration.self, forKey: family))
        case .lognormal:
            written = try container.decode(LognormalParameters.self, forKey: family).written
        case .uniform:
            let p = try container.decode(UniformParameters.self, forKey: family)
            written = .uniform(low: p.low, high: p.high)
        case .exponential: written = .exponential(mean: try container.decode(MeanParameter.self, forKey: family).mean)
        case .normal:
            let p = try container.decode(NormalParameters.self, forKey: family)
            written = .normal(mean: p.mean, standardDeviation: p.standardDeviation)
        case .pareto:
            let p = try container.decode(ScaleShape.self, forKey: family)
            written = .pareto(scale: p.scale, shape: p.shape)
        case .weibull:
            let p = try container.decode(ScaleShape.self, forKey: family)
            written = .weibull(scale: p.scale, shape: p.shape)
        case .empirical: written = .empirical(try container.decode([PercentilePoint].self, forKey: family))
        }
        do {
            try self.init(written)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: family, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Family.self)
        switch written {
        case .constant(let v): try container.encode(v, forKey: .constant)
        case .lognormal(let m, let p): try container.encode(LognormalParameters(median: m, p99: p), forKey: .lognormal)
        case .lognormalMean(let m, let sigma): try container.encode(LognormalParameters(mean: m, sigma: sigma), forKey: .lognormal)
        case .lognormalLog(let mu, let sigma): try container.encode(LognormalParameters(mu: mu, sigma: sigma), forKey: .lognormal)
        case .uniform(let l, let h): try container.encode(UniformParameters(low: l, high: h), forKey: .uniform)
        case .exponential(let m): try container.encode(MeanParameter(mean: m), forKey: .exponential)
        case .normal(let m, let s): try container.encode(NormalParameters(mean: m, standardDeviation: s), forKey: .normal)
        case .pareto(let s, let a): try container.encode(ScaleShape(scale: s, shape: a), forKey: .pareto)
        case .weibull(let s, let k): try container.encode(ScaleShape(scale: s, shape: k), forKey: .weibull)
        case .empirical(let points): try container.encode(points, forKey: .empirical)
        }
    }

    @inlinable
    public func sample<Source: RandomSource>(_ source: inout Source) -> SimDuration {
        distribution.sample(&source)
    }

    public var description: String {
        switch written {
        case .constant(let v): return v.description
        case .lognormal(let m, let p): return "lognormal(median \(m), p99 \(p))"
        case .lognormalMean(let m, let sigma): return "lognormal(mean \(m), sigma \(sigma))"
        case .lognormalLog(let mu, let sigma): return "lognormal(mu \(mu), sigma \(sigma))"
        case .uniform(let l, let h): return "uniform(\(l)…\(h))"
        case .exponential(let m): return "exponential(mean \(m))"
        case .normal(let m, let s): return "normal(\(m) ± \(s))"
        case .pareto(let s, let a): return "pareto(scale \(s), shape \(a))"
        case .weibull(let s, let k): return "weibull(scale \(s), shape \(k))"
        case .empirical(let p): return "empirical(\(p.count) points)"
        }
    }
}
