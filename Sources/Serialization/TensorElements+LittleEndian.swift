import Foundation

/// The data-section encoding of elements: little-endian, no padding, `BOOL` as the bytes 0 and 1.
extension TensorElements {
    /// Decodes `bytes`, whose count is a multiple of `type.byteWidth`.
    /// For `BOOL`, the caller has checked that every byte is 0 or 1.
    init(littleEndian bytes: [UInt8], as type: ElementType) {
        switch type {
        case .float32: self = .float32(Self.words(bytes, as: UInt32.self).map(Float.init(bitPattern:)))
        case .float64: self = .float64(Self.words(bytes, as: UInt64.self).map(Double.init(bitPattern:)))
        case .int64: self = .int64(Self.words(bytes, as: Int64.self))
        case .uint8: self = .uint8(bytes)
        case .bool: self = .bool(bytes.map { $0 != 0 })
        }
    }

    /// Appends the elements' little-endian bytes to `data`.
    func appendLittleEndian(to data: inout Data) {
        switch self {
        case let .float32(values): Self.append(values.map(\.bitPattern), to: &data)
        case let .float64(values): Self.append(values.map(\.bitPattern), to: &data)
        case let .int64(values): Self.append(values, to: &data)
        case let .uint8(values): data.append(contentsOf: values)
        case let .bool(values): data.append(contentsOf: values.map { $0 ? 1 : 0 })
        }
    }

    /// The little-endian words of `bytes`, which may be unaligned.
    private static func words<Word: FixedWidthInteger>(_ bytes: [UInt8], as _: Word.Type) -> [Word] {
        let width = MemoryLayout<Word>.size
        return bytes.withUnsafeBytes { raw in
            (0..<raw.count / width).map { Word(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * width, as: Word.self)) }
        }
    }

    /// Appends `words` to `data` in little-endian byte order.
    private static func append<Word: FixedWidthInteger>(_ words: [Word], to data: inout Data) {
        words.map(\.littleEndian).withUnsafeBytes { data.append(contentsOf: $0) }
    }
}
