import Foundation

/// A failure of the run (bad data, an impossible budget, an output folder that cannot be written): printed as one
/// line `Error: message`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    init(message: String) {
        self.message = message
    }

    /// The failure that `error` reports. A Foundation file error (from `FileManager`) becomes its path and the
    /// system's reason, `runs/x/trial-0: Not a directory`, instead of Foundation's dump of its user info.
    init(_ error: Error) {
        guard let error = error as? CocoaError, let path = error.filePath ?? error.url?.path else {
            message = "\(error)"
            return
        }
        let reason = (error.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
        message = "\(path): \(reason ?? error.localizedDescription)"
    }
}
