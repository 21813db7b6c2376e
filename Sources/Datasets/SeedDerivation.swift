/// Derives independent seeds from a base seed and a tuple of integers (stream, epoch, batch, ...).
///
/// Each component is folded in with the SplitMix64 finaliser, so nearby tuples give unrelated seeds and
/// the result depends only on the inputs, never on how many numbers were drawn elsewhere.
enum SeedDerivation {
    /// The seed for the random stream that `components` identify under `base`.
    static func seed(_ base: UInt64, _ components: UInt64...) -> UInt64 {
        components.reduce(mix(base)) { state, component in mix(state ^ mix(component &+ 0x9E37_79B9_7F4A_7C15)) }
    }

    /// `Int` as the `UInt64` with the same bits, for epochs and batch indices.
    static func component(_ value: Int) -> UInt64 {
        UInt64(bitPattern: Int64(value))
    }

    /// The SplitMix64 output function.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
