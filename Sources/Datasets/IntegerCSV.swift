/// A strict parser for comma-separated rows of non-negative decimal integers (no header, no quoting).
///
/// Lines end in `\n` or `\r\n`; a final line break is optional. Every field must be one or more ASCII
/// digits with a value of at most `maximumValue`, and every row must have `columns` fields.
struct IntegerCSV {
    /// The values, row after row.
    let values: [Int]
    /// The number of rows.
    let rowCount: Int
    /// The number of fields in every row.
    let columns: Int

    /// Parses `bytes`, the contents of `path` (named in errors together with the line number).
    /// - Throws: `DatasetError.corrupt` for an empty file, a row with the wrong number of fields,
    ///   an empty or non-numeric field, or a value above `maximumValue`.
    init(path: String, bytes: [UInt8], columns: Int, maximumValue: Int) throws {
        var values: [Int] = []
        values.reserveCapacity(bytes.count / 2)
        var rowCount = 0
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let next = lineEnd + 1
            if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            rowCount += 1
            try IntegerCSV.parseRow(bytes[lineStart..<lineEnd], into: &values, path: path, line: rowCount,
                                    columns: columns, maximumValue: maximumValue)
            lineStart = next
        }
        guard rowCount > 0 else {
            throw DatasetError.corrupt(path: path, reason: "no rows")
        }
        self.values = values
        self.rowCount = rowCount
        self.columns = columns
    }

    /// The `columns` values of row `index` (0-based), for `index` in `0..<rowCount`.
    func row(_ index: Int) -> ArraySlice<Int> {
        values[(index * columns)..<((index + 1) * columns)]
    }

    /// Appends the `columns` values of one line to `values`.
    private static func parseRow(_ line: ArraySlice<UInt8>, into values: inout [Int], path: String, line number: Int,
                                 columns: Int, maximumValue: Int) throws {
        var fieldCount = 0
        for field in line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            fieldCount += 1
            guard fieldCount <= columns else { break }
            guard !field.isEmpty else {
                throw DatasetError.corrupt(path: path, reason: "line \(number), field \(fieldCount) is empty")
            }
            var value = 0
            for byte in field {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                    throw DatasetError.corrupt(
                        path: path, reason: "line \(number), field \(fieldCount) is not a non-negative integer: \"\(String(decoding: field, as: UTF8.self))\"")
                }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                guard value <= maximumValue else {
                    throw DatasetError.corrupt(
                        path: path, reason: "line \(number), field \(fieldCount): \(String(decoding: field, as: UTF8.self)) exceeds \(maximumValue)")
                }
            }
            values.append(value)
        }
        guard fieldCount == columns else {
            let counted = fieldCount > columns ? "more than \(columns)" : "\(fieldCount)"
            throw DatasetError.corrupt(path: path, reason: "line \(number) has \(counted) fields, expected \(columns)")
        }
    }
}
