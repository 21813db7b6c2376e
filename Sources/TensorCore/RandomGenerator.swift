import Foundation

/// A seeded, deterministic pseudo-random generator (xoshiro256**, seeded by SplitMix64).
///
/// The same seed yields the same sequence on every platform and run, which makes
/// initialisation, shuffling, augmentation and the search reproducible.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool {
        lhs.state == rhs.state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    /// A generator for an independent stream, derived from this one without advancing it twice the same way.
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    /// A uniform value in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform value in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// A normally distributed value (Box-Muller transform).
    public mutating func normal(mean: Float = 0, standardDeviation: Float = 1) -> Float {
        let u1 = max(nextUnitDouble(), Double.leastNormalMagnitude)
        let u2 = nextUnitDouble()
        let radius = (-2 * log(u1)).squareRoot()
        return mean + standardDeviation * Float(radius * cos(2 * Double.pi * u2))
    }

    /// A uniform integer in 0..<upperBound, without modulo bias.
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upper bound must be positive")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    /// A uniform integer in `range`.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextIndex(below: range.count)
    }

    /// A uniformly random permutation of 0..<count (Fisher-Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        if count < 2 { return values }
        for i in stride(from: count - 1, to: 0, by: -1) {
            values.swapAt(i, nextIndex(below: i + 1))
        }
        return values
    }

    /// A tensor of uniform values in [low, high).
    public mutating func uniformTensor(shape: [Int], low: Float, high: Float) -> Tensor {
        Tensor(shape: shape, generator: { _ in uniform(low, high) })
    }

    /// A tensor of normally distributed values.
    public mutating func normalTensor(shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        Tensor(shape: shape, generator: { _ in normal(mean: mean, standardDeviation: standardDeviation) })
    }
}
