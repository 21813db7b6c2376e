/// A headerless file of equal-sized records, the layout of the CIFAR and STL-10 binaries, read whole and
/// checked to hold a positive whole number of records.
///
/// The file is read through `GzipFile`, so a gzip-compressed copy under the same name reads too. Nothing is
/// allocated beyond the file's own bytes: the record count comes from the file's size.
struct RecordFile {
    /// The file, for error messages.
    let path: String
    /// The number of bytes of one record.
    let recordSize: Int
    /// The whole file, record after record.
    let bytes: [UInt8]

    /// Reads `path` as records of `recordSize` bytes; `recordName` ("record", "image") names them in errors.
    /// - Throws: `DatasetError.missingFile`, or `DatasetError.corrupt` naming `path` if the file is empty or its
    ///   size is not a multiple of `recordSize` (a truncated last record or stray bytes).
    init(path: String, recordSize: Int, recordName: String) throws {
        let bytes = try GzipFile.readAll(path: path)
        guard !bytes.isEmpty else {
            throw DatasetError.corrupt(path: path, reason: "empty file, expected \(recordSize)-byte \(recordName)s")
        }
        let (whole, leftOver) = bytes.count.quotientAndRemainder(dividingBy: recordSize)
        guard leftOver == 0 else {
            throw DatasetError.corrupt(
                path: path,
                reason: "size \(bytes.count) bytes is not a multiple of the \(recordSize)-byte \(recordName): "
                    + "\(whole) whole \(recordName)\(whole == 1 ? "" : "s"), then \(leftOver) bytes of a truncated one")
        }
        self.path = path
        self.recordSize = recordSize
        self.bytes = bytes
    }

    /// The number of records.
    var count: Int { bytes.count / recordSize }

    /// The byte at `offset` of every record, each checked to lie in `first..<(first + classCount)` and
    /// returned minus `first`, so labels count from 0; `name` ("label", "fine label") names the byte in errors.
    /// - Throws: `DatasetError.corrupt` naming the file, the value and the record's index if one is outside.
    func labels(atOffset offset: Int, first: Int, classCount: Int, name: String) throws -> [Int] {
        let valid = first..<(first + classCount)
        return try (0..<count).map { record in
            let value = Int(bytes[record * recordSize + offset])
            guard valid.contains(value) else {
                throw DatasetError.corrupt(
                    path: path, reason: "\(name) \(value) at index \(record) is outside \(valid.lowerBound)...\(valid.upperBound - 1)")
            }
            return value - first
        }
    }
}
