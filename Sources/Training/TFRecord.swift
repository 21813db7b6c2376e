import Foundation
import Serialization

/// The TFRecord framing of TensorFlow record files, TensorBoard's event files among them.
///
/// A record is its data's length (UInt64), the masked CRC-32C of those 8 length bytes (UInt32), the data,
/// and the masked CRC-32C of the data (UInt32), integers little-endian (`CRC32C.masked(_:)`).
/// A file is records one after the other, with no header.
public enum TFRecord {
    /// `data` framed as one record: 16 bytes longer than `data`.
    public static func frame(_ data: Data) -> Data {
        let length = littleEndian(UInt64(data.count))
        return length + littleEndian(CRC32C.masked(CRC32C.checksum(length)))
            + data + littleEndian(CRC32C.masked(CRC32C.checksum(data)))
    }

    private static func littleEndian(_ value: some FixedWidthInteger) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }
}
