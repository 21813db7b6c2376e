import Foundation

/// Reads the JSON files of a run folder into their types, with one-line errors that name the file (and the line of
/// a JSON-lines file) and say what is wrong.
enum JSONFile {
    /// The value that the JSON document at `path` holds.
    /// - Throws: `CommandFailure` naming `path` when it is missing, unreadable or not a `T`.
    static func decode<T: Decodable>(_ type: T.Type, at path: String) throws -> T {
        let data = try contents(of: path)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw CommandFailure(message: "\(path): \(error.summary)")
        }
    }

    /// The values of a JSON-lines file: one JSON document per line; blank lines are skipped.
    /// - Throws: `CommandFailure` naming `path`, and the line, when it is missing, unreadable or a line is not a `T`.
    static func decodeLines<T: Decodable>(_ type: T.Type, at path: String) throws -> [T] {
        let lines = try contents(of: path).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var values: [T] = []
        for (index, line) in lines.enumerated() where line.contains(where: { !Self.isWhitespace($0) }) {
            do {
                values.append(try JSONDecoder().decode(type, from: Data(line)))
            } catch let error as DecodingError {
                throw CommandFailure(message: "\(path): line \(index + 1): \(error.summary)")
            }
        }
        return values
    }

    private static func contents(of path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure(message: "\(path): missing") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "\(path): cannot be read") }
        return data
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
