/// The xoshiro256** pseudo-random generator (Blackman & Vigna 2018,
/// "Scrambled linear pseudorandom number generators", ACM TOMS 47(4) 2021),
/// seeded through SplitMix64 as its authors recommend.
///
/// Moodbiome draws every random number from this generator, never from the
/// system's, so that a `--seed` reproduces a run byte for byte on any
/// machine: the algorithm is fixed, uses only 64-bit integer arithmetic, and
/// converts to `Double` as `(x >> 11) · 2⁻⁵³`, exact in IEEE 754.
///
/// Independent streams (one per sample and rarefaction iteration) come from
/// ``init(seed:stream:)``, so results do not depend on how work is split
/// across threads.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose 256-bit state is four successive SplitMix64 outputs
    /// started at `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// A generator for sub-stream `stream` of `seed`: the SplitMix64 start is
    /// `seed` mixed with `stream` by two SplitMix64 finalisations, so nearby
    /// stream numbers give unrelated states.
    public init(seed: UInt64, stream: [UInt64]) {
        var key = SplitMix64.mix(seed)
        for (k, id) in stream.enumerated() {
            key = SplitMix64.mix(key ^ SplitMix64.mix(id &+ UInt64(k + 1) &* 0x9E37_79B9_7F4A_7C15))
        }
        self.init(seed: key)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1): the top 53 bits times 2⁻⁵³.
    @inline(__always)
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), used only to seed xoshiro256**.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function (a bijective 64-bit finaliser).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
