import Foundation

/// Writes a TensorBoard event file, so that `tensorboard --logdir FOLDER` plots its scalars.
///
/// The file, `events.out.tfevents.<unix seconds>.<hostname><suffix>`, is a log of ``TFRecord``-framed
/// ``TensorBoardEvent``s that starts with the file version and only grows: scalars are queued, and ``flush()``
/// appends them. A run stopped during an append leaves a truncated last record, which TensorBoard skips.
public final class EventFileWriter {
    /// The event file.
    public let path: String
    /// Framed records not yet in the file.
    private var pending = Data()

    /// Creates `folder` when needed and, in it, a new event file holding the file-version event. `suffix` tells apart
    /// the files of writers started in the same second on the same machine (TensorFlow appends `.v2` or
    /// `.<pid>.<id>`): a run stopped and resumed within a second, for example.
    ///
    /// Throws ``EventFileError`` when the folder or the file cannot be created, or the file exists already.
    public init(folder: String, creationDate: Date = Date(), hostname: String = EventFileWriter.hostname(), suffix: String = "") throws {
        let seconds = creationDate.timeIntervalSince1970
        path = URL(fileURLWithPath: folder).appendingPathComponent(Self.fileName(creationDate: creationDate, hostname: hostname, suffix: suffix)).path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EventFileError(path: folder, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let header = TensorBoardEvent(wallTime: seconds, content: .fileVersion(TensorBoardEvent.currentFileVersion))
        try append(TFRecord.frame(header.encoded()), flags: O_CREAT | O_EXCL)
    }

    /// The name of the event file a writer created at `creationDate` on `hostname` with `suffix` writes.
    public static func fileName(creationDate: Date, hostname: String = EventFileWriter.hostname(), suffix: String = "") -> String {
        "events.out.tfevents.\(Int(creationDate.timeIntervalSince1970)).\(hostname)\(suffix)"
    }

    /// Queues the scalar `value` of the series `tag` (`train/loss`) at `step`; it reaches the file at the next ``flush()``.
    public func addScalar(_ tag: String, value: Float, step: Int, wallTime: Date = Date()) {
        let event = TensorBoardEvent(wallTime: wallTime.timeIntervalSince1970, step: step, content: .scalar(tag: tag, value: value))
        pending += TFRecord.frame(event.encoded())
    }

    /// Appends the queued scalars to the file; throws ``EventFileError`` when it cannot.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        try append(pending, flags: 0)
        pending.removeAll()
    }

    /// This machine's name, as TensorFlow puts it in event file names.
    public static func hostname() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func append(_ data: Data, flags: Int32) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | flags, 0o644)
        guard descriptor >= 0 else { throw EventFileError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno != EINTR {
                    throw EventFileError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
                }
                offset += max(0, written)
            }
        }
    }
}

/// A failure to create or append to an event file; the message names the file.
public struct EventFileError: Error, Equatable, CustomStringConvertible {
    /// The file or folder concerned.
    public var path: String
    /// What went wrong.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
