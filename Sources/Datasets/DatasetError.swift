/// Errors raised while reading or validating a dataset. Every case names the file it concerns.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened.
    case missingFile(path: String)
    /// The file exists but its contents are not what the format requires.
    case corrupt(path: String, reason: String)
    /// Two files that belong together disagree (for example image and label counts).
    case mismatch(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path): return "\(path): file not found or not readable"
        case let .corrupt(path, reason): return "\(path): \(reason)"
        case let .mismatch(path, reason): return "\(path): \(reason)"
        }
    }
}
