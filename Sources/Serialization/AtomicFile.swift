import Foundation

/// Replaces files so that a crash leaves either the old contents or the new ones, never a torn mix.
public enum AtomicFile {
    /// Writes `data` to a temporary file in the folder of `path` (a unique name, created exclusively), syncs it
    /// to disk, renames it over `path` and syncs the folder, so that the rename itself is durable. With
    /// `creatingFolders`, missing folders on the way to `path` are created first.
    /// - Throws: `FileWriteError` naming `path` and what failed; the temporary file is removed. When only syncing
    ///   the folder fails, the new file is in place but may not survive a crash.
    public static func replace(_ path: String, with data: Data, creatingFolders: Bool = false) throws(FileWriteError) {
        let target = URL(fileURLWithPath: path)
        let folder = target.deletingLastPathComponent().path
        if creatingFolders { try createFolder(folder, for: path) }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .systemCallFailed(path: path, "cannot create the temporary file \(temporary)") }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            try writeAll(data, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw .systemCallFailed(path: path, "cannot sync the temporary file \(temporary)") }
        }
        guard rename(temporary, path) == 0 else { throw .systemCallFailed(path: path, "cannot rename \(temporary) to it") }
        renamed = true
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderDescriptor >= 0 else { throw .systemCallFailed(path: path, "cannot open its folder to sync it") }
        defer { close(folderDescriptor) }
        guard fsync(folderDescriptor) == 0 else { throw .systemCallFailed(path: path, "cannot sync its folder") }
    }

    /// Creates `folder` and the missing folders above it, as `mkdir -p` does; an existing folder is left as it is.
    /// - Throws: `FileWriteError` naming `folder` and what failed: a file in the way (`runs/x is not a folder`) or
    ///   the system's reason (`cannot create the folder runs: Permission denied`).
    public static func createFolder(_ folder: String) throws(FileWriteError) {
        try createFolder(folder, for: folder)
    }

    /// Creates `folder` and the missing folders above it, for writing `path`, which errors name.
    private static func createFolder(_ folder: String, for path: String) throws(FileWriteError) {
        var status = stat()
        if stat(folder, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else { throw FileWriteError(path: path, reason: "\(folder) is not a folder") }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder { try createFolder(parent, for: path) }
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw .systemCallFailed(path: path, "cannot create the folder \(folder)") }
    }

    /// Writes all of `data` to `descriptor`, retrying short and interrupted writes.
    static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws(FileWriteError) {
        let failure: FileWriteError? = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return .systemCallFailed(path: path, "cannot write byte \(offset) of \(raw.count)")
                }
            }
            return nil
        }
        if let failure { throw failure }
    }
}
