import Foundation
import Serialization

/// A JSON-lines file that grows by one line per record while a run goes on, so that keeping it current costs one
/// record's encoding and write however long the run (rewriting the whole file after each record costs the square).
///
/// The log starts by replacing its file atomically with the records a run already has (none when it is new, a
/// checkpoint's when it resumes); each ``append(_:)`` then adds one compact, sorted-keys JSON line and syncs it. A
/// crash during an append can leave a torn last line; every earlier line stays, and the next log started on the file
/// replaces it whole.
public final class JSONLinesLog<Line: Encodable> {
    /// The file.
    public let path: String

    /// Replaces `path` atomically with `lines`, one per line, creating missing folders.
    /// - Throws: `FileWriteError` naming `path` when a line cannot be encoded or the file cannot be written.
    public init(path: String, startingWith lines: [Line]) throws(FileWriteError) {
        self.path = path
        try AtomicFile.writeJSONLines(lines, to: path)
    }

    /// Appends `line` to the file and syncs it to disk.
    /// - Throws: `FileWriteError` naming the file when the line cannot be encoded or written; the lines before stay.
    public func append(_ line: Line) throws(FileWriteError) {
        try AtomicFile.append(AtomicFile.jsonLines([line], for: path), to: path)
    }
}
