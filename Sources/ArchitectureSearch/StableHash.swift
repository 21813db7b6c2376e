/// A 64-bit FNV-1a hash that is the same in every process and on every run (unlike `Hasher`, which is seeded per
/// process): what the processes of a data-parallel search compare.
struct StableHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func mix(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func mix<Bytes: Sequence<UInt8>>(bytes: Bytes) {
        for byte in bytes { mix(byte) }
    }

    /// Mixes in the 8 little-endian bytes of `value`.
    mutating func mix(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { mix(bytes: $0) }
    }

    mutating func mix(_ value: Int) {
        mix(UInt64(truncatingIfNeeded: value))
    }

    /// Mixes in the UTF-8 bytes of `text` and a terminating zero, so that consecutive strings stay apart.
    mutating func mix(_ text: String) {
        mix(bytes: text.utf8)
        mix(UInt8(0))
    }
}
