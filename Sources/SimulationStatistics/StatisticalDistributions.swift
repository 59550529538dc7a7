import RealModule

/// The standard normal distribution N(0, 1): its cumulative probability and its quantile, for
/// confidence intervals (not for sampling: simulation draws live in SimulationCore).
public enum StandardNormalDistribution {
    /// Φ(x) = P(Z ≤ x), computed as erfc(−x/√2)/2 so that the lower tail keeps its relative
    /// precision.
    public static func cumulativeProbability(_ x: Double) -> Double {
        0.5 * Double.erfc(-x / 2.0.squareRoot())
    }

    /// The density φ(x) = exp(−x²/2)/√(2π).
    public static func density(_ x: Double) -> Double {
        Double.exp(-0.5 * x * x) / (2.0 * Double.pi).squareRoot()
    }

    /// Φ⁻¹(p): the x with P(Z ≤ x) = p, for p in (0, 1); −∞ at 0 and +∞ at 1.
    ///
    /// Peter J. Acklam's rational approximation (2003; relative error below 1.15 × 10⁻⁹), refined by
    /// one step of Halley's method on the erfc-based Φ, which brings it to about machine precision.
    /// Symmetric: the upper half is computed from the lower, so Φ⁻¹(p) = −Φ⁻¹(1 − p) exactly whenever
    /// 1 − p is exact in floating point.
    public static func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "a probability is within 0 ... 1, got \(p)")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -quantile(1 - p) }
        if p == 0.5 { return 0 }
        var x = acklamApproximation(p)
        // Halley refinement: e = Φ(x) − p; u = e · √(2π) · exp(x²/2); x ← x − u / (1 + x·u/2).
        let error = cumulativeProbability(x) - p
        let u = error * (2.0 * Double.pi).squareRoot() * Double.exp(0.5 * x * x)
        x -= u / (1 + 0.5 * x * u)
        return x
    }

    /// Acklam's approximation for 0 < p ≤ 0.5 (lower region and central region).
    static func acklamApproximation(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                 3.754408661907416e+00]
        let lowerRegionEnd = 0.02425
        if p < lowerRegionEnd {
            let q = (-2 * Double.log(p)).squareRoot()
            let numerator = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
            let denominator = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
            return numerator / denominator
        }
        let q = p - 0.5
        let r = q * q
        let numerator = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        let denominator = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
        return numerator / denominator
    }
}

/// Student's t distribution with a given (possibly non-integer) number of degrees of freedom: the
/// distribution of a replication mean's standardised error, for confidence intervals over seeds.
public struct StudentTDistribution: Sendable, Equatable {
    /// ν > 0; `.infinity` gives the standard normal distribution.
    public let degreesOfFreedom: Double

    /// The t distribution with `degreesOfFreedom` (ν > 0, may be `.infinity`).
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "degrees of freedom must be positive, got \(degreesOfFreedom)")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T > t) for t ≥ 0: I_{ν/(ν+t²)}(ν/2, 1/2) / 2, with 1 − x computed as t²/(ν+t²) so that
    /// neither tail loses precision.
    func upperTail(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        if nu.isInfinite { return StandardNormalDistribution.cumulativeProbability(-t) }
        let square = t * t
        let x = nu / (nu + square)
        let complement = square / (nu + square)
        return 0.5 * regularizedIncompleteBeta(a: nu / 2, b: 0.5, x: x, complement: complement).value
    }

    /// P(T ≤ t).
    public func cumulativeProbability(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        return t >= 0 ? 1 - upperTail(t) : upperTail(-t)
    }

    /// The density at t.
    public func density(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        if nu.isInfinite { return StandardNormalDistribution.density(t) }
        let logDensity = Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2)
            - 0.5 * Double.log(nu * Double.pi) - (nu + 1) / 2 * Double.log(onePlus: t * t / nu)
        return Double.exp(logDensity)
    }

    /// The t with P(T ≤ t) = p, for p in (0, 1); ∓∞ at 0 and 1.
    ///
    /// Starts from G. W. Hill's approximation (Algorithm 396, "Student's t-quantiles",
    /// Communications of the ACM 13(10), 1970) and refines it with Newton steps on the exact upper
    /// tail (the regularised incomplete beta function), keeping a step only when it brings the tail
    /// closer to the target; for ν = 1 and ν = 2 the closed forms are used. Accurate to about 10⁻¹²
    /// relative for ordinary levels.
    public func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "a probability is within 0 ... 1, got \(p)")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p < 0.5 { return -upperQuantile(p) }
        return upperQuantile(1 - p)
    }

    /// The t ≥ 0 with P(T > t) = tail, for 0 < tail < 1/2.
    func upperQuantile(_ tail: Double) -> Double {
        let nu = degreesOfFreedom
        if nu.isInfinite { return -StandardNormalDistribution.quantile(tail) }
        if nu == 1 { return 1 / Double.tan(Double.pi * tail) }
        if nu == 2 {
            let twoTailed = 2 * tail
            return (2 / (twoTailed * (2 - twoTailed)) - 2).squareRoot()
        }
        var t = StudentTDistribution.hillApproximation(twoTailed: 2 * tail, degreesOfFreedom: nu)
        var error = upperTail(t) - tail
        for _ in 0 ..< 20 {
            let slope = density(t)
            if slope <= 0 || !slope.isFinite { break }
            let candidate = t + error / slope // d(tail)/dt = −density
            if !candidate.isFinite || candidate < 0 { break }
            let candidateError = upperTail(candidate) - tail
            if abs(candidateError) >= abs(error) { break }
            t = candidate
            error = candidateError
            if abs(error) <= 1e-15 * tail { break }
        }
        return t
    }

    /// Hill's Algorithm 396 for a two-tailed probability P (the t with P(|T| > t) = P), ν > 2 in
    /// practice; accurate to several digits, which the Newton refinement then completes.
    static func hillApproximation(twoTailed probability: Double, degreesOfFreedom n: Double) -> Double {
        let a = 1 / (n - 0.5)
        let b = 48 / (a * a)
        var c = ((20_700 * a / b - 98) * a - 16) * a + 96.36
        let d = ((94.5 / (b + c) - 3) / b + 1) * (a * Double.pi / 2).squareRoot() * n
        var x = d * probability
        var y = Double.pow(x, 2 / n)
        if y > 0.05 + a {
            // Asymptotic inverse expansion about the normal.
            x = StandardNormalDistribution.quantile(0.5 * probability)
            y = x * x
            if n < 5 { c += 0.3 * (n - 4.5) * (x + 0.6) }
            c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
            y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
            y = a * y * y
            y = y > 0.002 ? Double.expMinusOne(y) : 0.5 * y * y + y
        } else {
            y = ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1)
                * (n + 1) / (n + 2) + 1 / y
        }
        return (n * y).squareRoot()
    }
}

/// The regularised incomplete beta function I_x(a, b) and its complement 1 − I_x(a, b), given
/// both x and 1 − x (the caller often knows 1 − x more precisely than by subtraction).
///
/// Evaluates the continued fraction for I_x(a, b) (Abramowitz & Stegun 26.5.8) with the modified
/// Lentz method (W. J. Lentz 1976; Thompson & Barnett 1986), on x directly when
/// x < (a + 1)/(a + b + 2) and otherwise on the symmetric I_{1−x}(b, a), where it converges fast.
func regularizedIncompleteBeta(a: Double, b: Double, x: Double, complement y: Double)
    -> (value: Double, complement: Double) {
    if x <= 0 { return (0, 1) }
    if y <= 0 { return (1, 0) }
    let logBeta = Double.logGamma(a) + Double.logGamma(b) - Double.logGamma(a + b)
    let front = Double.exp(a * Double.log(x) + b * Double.log(y) - logBeta)
    if x < (a + 1) / (a + b + 2) {
        let value = front * incompleteBetaContinuedFraction(a: a, b: b, x: x) / a
        return (value, 1 - value)
    } else {
        let complement = front * incompleteBetaContinuedFraction(a: b, b: a, x: y) / b
        return (1 - complement, complement)
    }
}

/// The continued fraction of the incomplete beta function, evaluated by the modified Lentz method.
func incompleteBetaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
    let tiny = 1e-300
    let epsilon = 1e-16
    let sum = a + b
    var c = 1.0
    var d = 1 - sum * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var result = d
    for m in 1 ... 100_000 {
        let mm = Double(m)
        let twoM = 2 * mm
        // Even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)).
        var term = mm * (b - mm) * x / ((a - 1 + twoM) * (a + twoM))
        d = 1 + term * d
        if abs(d) < tiny { d = tiny }
        c = 1 + term / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        result *= d * c
        // Odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
        term = -(a + mm) * (sum + mm) * x / ((a + twoM) * (a + 1 + twoM))
        d = 1 + term * d
        if abs(d) < tiny { d = tiny }
        c = 1 + term / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let factor = d * c
        result *= factor
        if abs(factor - 1) < epsilon { break }
    }
    return result
}

/// The gamma distribution with a shape and unit scale: the distribution of the waiting time to
/// the shape-th event of a unit-rate Poisson process. Its quantiles give the exact (Garwood)
/// interval of a Poisson mean (``ConfidenceInterval/poissonMean(totalCount:observations:level:)``);
/// χ² with ν degrees of freedom is twice a gamma of shape ν/2.
public struct GammaDistribution: Sendable, Equatable {
    /// The shape, above 0.
    public let shape: Double

    public init(shape: Double) {
        precondition(shape > 0 && shape.isFinite, "a gamma distribution's shape is a positive number, got \(shape)")
        self.shape = shape
    }

    /// P(X ≤ x): the regularised lower incomplete gamma function P(shape, x).
    public func cumulativeProbability(_ x: Double) -> Double {
        regularizedIncompleteGamma(a: shape, x: x).lower
    }

    /// The x with P(X ≤ x) = `p`, for `p` in [0, 1): found by bisection on the incomplete gamma
    /// function to a relative precision of about 1e-13 (the function is monotone, so bisection
    /// cannot fail to converge). Works from the tail the probability is nearer.
    public func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p < 1, "a quantile's probability is within [0, 1), got \(p)")
        if p == 0 { return 0 }
        let useUpper = p > 0.5
        let target = useUpper ? 1 - p : p
        // Below `x`, the chosen tail is above the target on one side of the root and below on the other.
        func beyond(_ x: Double) -> Bool {
            let tails = regularizedIncompleteGamma(a: shape, x: x)
            return useUpper ? tails.upper <= target : tails.lower >= target
        }
        var low = 0.0
        var high = Swift.max(1, shape)
        while !beyond(high) { low = high; high *= 2 }
        for _ in 0 ..< 400 {
            let middle = (low + high) / 2
            if beyond(middle) { high = middle } else { low = middle }
            if high - low <= 1e-13 * high { break }
        }
        return (low + high) / 2
    }
}

/// The regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), a > 0.
///
/// Below x = a + 1 from the power series of γ(a, x) (Abramowitz & Stegun 6.5.29), whose terms
/// fall off once n exceeds x − a; above it from the continued fraction of Γ(a, x)
/// (A&S 6.5.31) by the modified Lentz method, which converges fast there. Each returns the tail
/// it computes directly and the other by subtraction, so the small tail keeps its precision.
func regularizedIncompleteGamma(a: Double, x: Double) -> (lower: Double, upper: Double) {
    if x <= 0 { return (0, 1) }
    let logFront = a * Double.log(x) - x - Double.logGamma(a)
    if x < a + 1 {
        var term = 1 / a
        var sum = term
        var n = 1.0
        while n < 1e7 {
            term *= x / (a + n)
            sum += term
            if term < sum * 1e-16 { break }
            n += 1
        }
        let lower = Swift.min(1, Double.exp(logFront) * sum)
        return (lower, 1 - lower)
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var fraction = d
    var i = 1.0
    while i < 1e7 {
        let an = -i * (i - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let factor = d * c
        fraction *= factor
        if abs(factor - 1) < 1e-16 { break }
        i += 1
    }
    let upper = Swift.min(1, Double.exp(logFront) * fraction)
    return (1 - upper, upper)
}
