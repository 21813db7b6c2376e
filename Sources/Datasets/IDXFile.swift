/// One IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST, read and fully validated.
///
/// Layout (all integers big-endian): a 4-byte magic number `0x00 0x00 0x08 rank` (0x08 means unsigned
/// bytes), then `rank` 32-bit dimension sizes, then the values in row-major order. Nothing may follow
/// the values. Images have magic `0x00000803` (count x rows x columns), labels `0x00000801` (count).
struct IDXFile {
    /// The IDX type code for unsigned bytes, the only element type MNIST uses.
    static let unsignedByteType: UInt32 = 0x08

    /// The file the values came from, for error messages.
    let path: String
    /// The dimension sizes, outermost first.
    let dimensions: [Int]
    /// The decompressed file; the values are `bytes[valuesOffset...]`.
    let bytes: [UInt8]
    /// The number of header bytes before the first value.
    let valuesOffset: Int

    /// Reads the (optionally gzipped) file at `path` and validates it as an unsigned-byte IDX array of `rank` dimensions.
    /// - Throws: `DatasetError.missingFile` or `DatasetError.corrupt` naming `path`.
    init(path: String, rank: Int) throws {
        try self.init(path: path, bytes: GzipFile.readAll(path: path), rank: rank)
    }

    /// Validates `bytes` (the contents of `path`) as an unsigned-byte IDX array of `rank` dimensions.
    init(path: String, bytes: [UInt8], rank: Int) throws {
        let expectedMagic = IDXFile.unsignedByteType << 8 | UInt32(rank)
        guard bytes.count >= 4 else {
            throw DatasetError.corrupt(path: path, reason: "only \(bytes.count) bytes, too short for the 4-byte IDX magic number")
        }
        let magic = IDXFile.bigEndianWord(bytes, at: 0)
        guard magic == expectedMagic else {
            throw DatasetError.corrupt(
                path: path,
                reason: "wrong magic number \(IDXFile.hex(magic)), expected \(IDXFile.hex(expectedMagic)) "
                    + "(IDX unsigned bytes with \(rank) dimension\(rank == 1 ? "" : "s"))")
        }
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else {
            throw DatasetError.corrupt(
                path: path, reason: "truncated header: \(bytes.count) bytes, the IDX header with \(rank) dimensions needs \(headerLength)")
        }
        let dimensions = (0..<rank).map { Int(IDXFile.bigEndianWord(bytes, at: 4 + 4 * $0)) }
        let shapeText = dimensions.map(String.init).joined(separator: " x ")
        var valueCount = 1
        for size in dimensions {
            let (product, overflow) = valueCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw DatasetError.corrupt(path: path, reason: "dimensions \(shapeText) are too large")
            }
            valueCount = product
        }
        let available = bytes.count - headerLength
        guard available >= valueCount else {
            throw DatasetError.corrupt(
                path: path,
                reason: "truncated data: dimensions \(shapeText) need \(valueCount) bytes after the \(headerLength)-byte header, found \(available)")
        }
        guard available == valueCount else {
            throw DatasetError.corrupt(
                path: path,
                reason: "trailing garbage: \(available - valueCount) unexpected bytes after the \(valueCount) bytes that dimensions \(shapeText) describe")
        }
        self.path = path
        self.dimensions = dimensions
        self.bytes = bytes
        self.valuesOffset = headerLength
    }

    /// The number of values (the product of the dimensions).
    var valueCount: Int { bytes.count - valuesOffset }

    /// Calls `body` with the values, in row-major order.
    func withValues<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[valuesOffset...]))
        }
    }

    /// The big-endian 32-bit word at `offset`; the caller guarantees `offset + 4 <= bytes.count`.
    private static func bigEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// `value` as `0x` and eight hexadecimal digits.
    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
