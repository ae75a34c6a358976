import FoundationEssentials

/// Random variates drawn from Moodbiome's own generator (xoshiro256**),
/// never the system's, so a seed fixes every draw.
///
/// The methods use only `+ − × ÷`, `sqrt` (exactly rounded by IEEE 754) and
/// `log`/`cos`/`exp` from the C library; the same seed gives the same
/// numbers wherever the C library's functions give the same bits (glibc on
/// every Linux CI machine).
extension Xoshiro256StarStar {
    /// A uniform draw on the open interval (0, 1).
    public mutating func nextOpenUniform() -> Double {
        while true {
            let u = nextUniform()
            if u > 0 { return u }
        }
    }

    /// A standard normal draw (Box–Muller; one of the pair is used, so each
    /// draw consumes exactly two uniforms).
    public mutating func nextNormal() -> Double {
        let u1 = nextOpenUniform(), u2 = nextUniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A Gamma(shape, 1) draw: Marsaglia & Tsang (2000) for shape ≥ 1, and
    /// `Gamma(shape + 1)·U^(1/shape)` below 1.
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive")
        if shape < 1 {
            let g = nextGamma(shape: shape + 1)
            return g * pow(nextOpenUniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A Dirichlet(α) draw, by normalised gamma variates.
    public mutating func nextDirichlet(_ alpha: [Double]) -> [Double] {
        var g = alpha.map { $0 > 0 ? nextGamma(shape: $0) : 0 }
        let total = g.reduce(0, +)
        for i in g.indices { g[i] /= total }
        return g
    }

    /// True with probability p.
    public mutating func nextBernoulli(_ p: Double) -> Bool { nextUniform() < p }

    /// An index drawn with probabilities proportional to `weights`.
    public mutating func nextCategorical(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = nextUniform() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}

/// Walker's alias table for drawing many categories in O(1) each
/// (Vose's 1991 construction).
public struct AliasTable: Sendable {
    let probability: [Double]
    let alias: [Int]

    public init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        var probability = [Double](repeating: 0, count: n)
        var alias = [Int](repeating: 0, count: n)
        var small = [Int](), large = [Int]()
        for (i, p) in scaled.enumerated() { if p < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.popLast() else { probability[s] = 1; continue }
            probability[s] = scaled[s]
            alias[s] = l
            scaled[l] = scaled[l] + scaled[s] - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        for l in large { probability[l] = 1 }
        self.probability = probability
        self.alias = alias
    }

    public func draw(_ rng: inout Xoshiro256StarStar) -> Int {
        let u = rng.nextUniform() * Double(probability.count)
        let i = Swift.min(Int(u), probability.count - 1)
        return (u - Double(i)) < probability[i] ? i : alias[i]
    }
}

extension Xoshiro256StarStar {
    /// A uniform integer in `0..<bound` without modulo bias (Lemire 2019,
    /// "Fast random integer generation in an interval", ACM TOMACS 29:3:
    /// the high word of a 64 × 64-bit product, with rejection of the few
    /// values that would bias it).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "the bound must be positive")
        let s = UInt64(bound)
        var product = next().multipliedFullWidth(by: s)
        if product.low < s {
            let threshold = (0 &- s) % s
            while product.low < threshold { product = next().multipliedFullWidth(by: s) }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place: the Fisher–Yates shuffle (Durstenfeld
    /// 1964), from the last position down, each swap partner by ``nextInt(below:)``.
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, nextInt(below: i + 1))
        }
    }
}
