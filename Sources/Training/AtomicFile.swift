import Foundation

/// Writes files so that a reader never sees a half-written file and an earlier version is never
/// lost: the contents go to a temporary file beside the target, which is then renamed over it.
public enum AtomicFile {
    /// Replaces the file at `path` with `data`, creating parent directories as needed.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "cannot replace \(path): \(reason)"])
        }
    }

    /// Encodes `value` as pretty-printed JSON with sorted keys and writes it atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(value) + Data("\n".utf8), to: path)
    }

    /// Rewrites `path` atomically with `lines` (one compact JSON object per line).
    public static func writeJSONLines<T: Encodable>(_ lines: [T], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for line in lines {
            data += try encoder.encode(line)
            data += Data("\n".utf8)
        }
        try write(data, to: path)
    }
}
