import Foundation

/// A file that could not be written: its path and what failed, for example
/// `runs/digits/summary.json: cannot sync its folder: Input/output error`.
public struct FileWriteError: Error, Equatable, CustomStringConvertible {
    /// The file that was to be written.
    public let path: String
    /// What failed, with the system's reason where there is one.
    public let reason: String

    /// Creates the error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The message: the path, then what failed.
    public var description: String { "\(path): \(reason)" }
}

extension FileWriteError {
    /// The error for a failed system call while writing `path`: what was attempted, then the reason from `errno`.
    static func systemCallFailed(path: String, _ action: String) -> FileWriteError {
        FileWriteError(path: path, reason: failedSystemCall(action))
    }
}

/// `action`, then the reason for the last failed system call, from `errno`: `cannot open the file: No such file or directory`.
func failedSystemCall(_ action: String) -> String {
    "\(action): \(String(cString: strerror(errno)))"
}
