import Foundation
import Serialization

extension AtomicFile {
    /// Encodes `value` as pretty-printed JSON with sorted keys and replaces `path` with it atomically,
    /// creating missing folders.
    /// - Throws: `FileWriteError` naming `path`: the value cannot be encoded (a NaN, for example) or the file
    ///   cannot be written.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws(FileWriteError) {
        let data = try encoded(for: path, formatting: [.prettyPrinted, .sortedKeys]) { try $0.encode(value) + Data("\n".utf8) }
        try replace(path, with: data, creatingFolders: true)
    }

    /// Replaces `path` atomically with `lines`, one compact JSON object per line, creating missing folders.
    /// - Throws: `FileWriteError` naming `path`, as ``writeJSON(_:to:)``.
    public static func writeJSONLines<T: Encodable>(_ lines: [T], to path: String) throws(FileWriteError) {
        try replace(path, with: jsonLines(lines, for: path), creatingFolders: true)
    }

    /// `lines` as compact JSON objects with sorted keys, one per line, or an error naming `path` (the file they are for).
    static func jsonLines<T: Encodable>(_ lines: [T], for path: String) throws(FileWriteError) -> Data {
        try encoded(for: path, formatting: [.sortedKeys]) { encoder in
            try lines.reduce(into: Data()) { data, line in data += try encoder.encode(line) + Data("\n".utf8) }
        }
    }

    /// What `encode` makes with an encoder of `formatting`, or an error naming `path` and what could not be encoded.
    private static func encoded(
        for path: String, formatting: JSONEncoder.OutputFormatting, _ encode: (JSONEncoder) throws -> Data
    ) throws(FileWriteError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        do {
            return try encode(encoder)
        } catch let EncodingError.invalidValue(_, context) {
            let location = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw FileWriteError(path: path, reason: "cannot encode the JSON\(location.isEmpty ? "" : " at \(location)"): \(context.debugDescription)")
        } catch {
            throw FileWriteError(path: path, reason: "cannot encode the JSON: \(error)")
        }
    }
}
