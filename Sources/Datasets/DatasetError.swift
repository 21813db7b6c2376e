/// Errors raised while reading, validating or using a dataset.
///
/// Every case that concerns a file names it, so a message such as
/// `data/train-labels-idx1-ubyte: label 12 at index 3 is not below the class count 10`
/// says which file is wrong and how.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened.
    case missingFile(path: String)
    /// The file exists but its contents are not what the format requires.
    case corrupt(path: String, reason: String)
    /// Two files that belong together disagree (for example image and label counts).
    case mismatch(path: String, reason: String)
    /// None of the accepted spellings of a file exists in a directory.
    case noMatchingFile(directory: String, candidates: [String])
    /// A folder holds the files of no known dataset format; `requirements` says what each format needs.
    case unrecognizedFormat(directory: String, requirements: [String])
    /// A folder holds files of several dataset formats, so which one to load is unclear.
    case ambiguousFormat(directory: String, formats: [String])
    /// An argument (batch size, fraction, index, statistics) is outside its valid range.
    case invalidArgument(operation: String, reason: String)

    /// The message: the file (or operation) first, then what is wrong.
    public var description: String {
        switch self {
        case let .missingFile(path): return "\(path): file not found or not readable"
        case let .corrupt(path, reason): return "\(path): \(reason)"
        case let .mismatch(path, reason): return "\(path): \(reason)"
        case let .noMatchingFile(directory, candidates):
            return "\(directory): none of \(candidates.joined(separator: ", ")) found"
        case let .unrecognizedFormat(directory, requirements):
            return "\(directory): no known dataset format found; \(requirements.joined(separator: "; "))"
        case let .ambiguousFormat(directory, formats):
            return "\(directory): holds files of several dataset formats (\(formats.joined(separator: ", "))); pass the folder of one"
        case let .invalidArgument(operation, reason): return "\(operation): \(reason)"
        }
    }
}
