import Foundation

extension AtomicFile {
    /// Appends `data` to the existing file `path` and syncs it to disk. Not atomic: a crash during the append can
    /// leave part of `data` at the end of the file, but never touches what the file held before.
    /// - Throws: `FileWriteError` naming `path` and what failed (the file cannot be opened, written or synced).
    public static func append(_ data: Data, to path: String) throws(FileWriteError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw .systemCallFailed(path: path, "cannot open the file to append to it") }
        defer { close(descriptor) }
        try writeAll(data, to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw .systemCallFailed(path: path, "cannot sync the appended bytes") }
    }
}
