/// One IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST, read and fully validated.
///
/// Layout (all integers big-endian): a 4-byte magic number `0x00 0x00 0x08 rank` (0x08 means unsigned
/// bytes), then `rank` 32-bit dimension sizes, then the values in row-major order. Nothing may follow
/// the values. Images have magic `0x00000803` (count x rows x columns), labels `0x00000801` (count).
///
/// The header is read first and bounds everything after it: dimensions that the file cannot hold (a plain file
/// smaller than they need, or a gzip file that cannot expand that far) are rejected before any value is read,
/// and a gzip stream is inflated only as far as the values and one chunk more, to detect trailing bytes.
struct IDXFile {
    /// The IDX type code for unsigned bytes, the only element type MNIST uses.
    static let unsignedByteType: UInt32 = 0x08
    /// The most bytes read after the values to report trailing garbage; a longer tail is not inflated.
    static let trailingProbeSize = 1 << 16

    /// The file the values came from, for error messages.
    let path: String
    /// The dimension sizes, outermost first.
    let dimensions: [Int]
    /// The values, in row-major order.
    let values: [UInt8]

    /// Reads the (optionally gzipped) file at `path` and validates it as an unsigned-byte IDX array of `rank` dimensions.
    /// - Throws: `DatasetError.missingFile` or `DatasetError.corrupt` naming `path`.
    init(path: String, rank: Int) throws {
        let file = try GzipFile(path: path)
        let headerLength = 4 + 4 * rank
        var header: [UInt8] = []
        try file.read(headerLength, appendingTo: &header)
        let dimensions = try Self.dimensions(in: header, path: path, rank: rank)
        let shapeText = dimensions.map(String.init).joined(separator: " x ")
        var valueCount = 1
        for size in dimensions {
            let (product, overflow) = valueCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw DatasetError.corrupt(path: path, reason: "dimensions \(shapeText) are too large")
            }
            valueCount = product
        }
        func truncated(found: String) -> DatasetError {
            .corrupt(path: path,
                     reason: "truncated data: dimensions \(shapeText) need \(valueCount) bytes after the \(headerLength)-byte header, found \(found)")
        }
        let capacity = file.maximumContentSize - headerLength
        guard valueCount <= capacity else {
            throw truncated(found: file.isCompressed ? "at most \(capacity) in a \(file.storedSize)-byte gzip file" : "\(capacity)")
        }
        var values: [UInt8] = []
        let available = try file.read(valueCount, appendingTo: &values)
        guard available == valueCount else { throw truncated(found: "\(available)") }
        var tail: [UInt8] = []
        let trailing = try file.read(Self.trailingProbeSize, appendingTo: &tail)
        guard trailing == 0 else {
            let amount = trailing < Self.trailingProbeSize ? "\(trailing)" : "at least \(trailing)"
            throw DatasetError.corrupt(
                path: path, reason: "trailing garbage: \(amount) unexpected bytes after the \(valueCount) bytes that dimensions \(shapeText) describe")
        }
        try file.close()
        self.path = path
        self.dimensions = dimensions
        self.values = values
    }

    /// The dimension sizes that `header`, the first bytes of `path`, declares, after checking its magic number and length.
    private static func dimensions(in header: [UInt8], path: String, rank: Int) throws -> [Int] {
        let expectedMagic = unsignedByteType << 8 | UInt32(rank)
        guard header.count >= 4 else {
            throw DatasetError.corrupt(path: path, reason: "only \(header.count) bytes, too short for the 4-byte IDX magic number")
        }
        let magic = bigEndianWord(header, at: 0)
        guard magic == expectedMagic else {
            throw DatasetError.corrupt(
                path: path,
                reason: "wrong magic number \(hex(magic)), expected \(hex(expectedMagic)) "
                    + "(IDX unsigned bytes with \(rank) dimension\(rank == 1 ? "" : "s"))")
        }
        let headerLength = 4 + 4 * rank
        guard header.count >= headerLength else {
            throw DatasetError.corrupt(
                path: path, reason: "truncated header: \(header.count) bytes, the IDX header with \(rank) dimensions needs \(headerLength)")
        }
        return (0..<rank).map { Int(bigEndianWord(header, at: 4 + 4 * $0)) }
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
