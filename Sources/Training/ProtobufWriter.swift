import Foundation

/// Protocol Buffers wire-format encoding of the field kinds that TensorBoard's scalar events use.
///
/// A field is its key, `field number << 3 | wire type`, as a varint, then its value; fields may come in any order.
struct ProtobufWriter {
    /// The message encoded so far.
    private(set) var bytes = Data()

    /// Wire type 0 (`int64`, negative values as their two's complement): a varint.
    mutating func appendVarint(field: Int, _ value: UInt64) {
        appendKey(field: field, wireType: 0)
        appendVarint(value)
    }

    /// Wire type 1 (`double`): the IEEE 754 bits, 8 bytes little-endian.
    mutating func appendDouble(field: Int, _ value: Double) {
        appendKey(field: field, wireType: 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// Wire type 2 (`string` as UTF-8, `bytes`, embedded messages): the length as a varint, then the bytes.
    mutating func appendLengthDelimited(field: Int, _ value: Data) {
        appendKey(field: field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// Wire type 5 (`float`): the IEEE 754 bits, 4 bytes little-endian.
    mutating func appendFloat(field: Int, _ value: Float) {
        appendKey(field: field, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    private mutating func appendKey(field: Int, wireType: UInt64) {
        appendVarint(UInt64(field) << 3 | wireType)
    }

    /// 7 bits a byte, least significant first; every byte but the last has its high bit set.
    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
