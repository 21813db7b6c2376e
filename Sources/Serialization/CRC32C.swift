/// CRC-32C (Castagnoli), the checksum of TFRecord files such as TensorBoard's event files and of checksummed
/// safetensors files such as checkpoints.
///
/// Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF, one table lookup per byte.
public enum CRC32C {
    /// The CRC of each byte value on its own (before the initial value and final XOR).
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`; `checksum(Data("123456789".utf8))` is 0xE3069283.
    public static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The masked CRC that TFRecord stores: `crc` rotated right by 15 bits plus 0xA282EAD8 (wrapping), so that
    /// the CRC of data that itself holds CRCs does not degenerate.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
