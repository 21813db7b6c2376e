/// Errors thrown by tensor operations when their inputs do not fit together.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// An operation received a tensor of the wrong shape.
    case shapeMismatch(operation: String, expected: [Int], actual: [Int])
    /// An operation received an argument outside its valid range.
    case invalidArgument(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, actual):
            return "\(operation): expected shape \(expected), got \(actual)"
        case let .invalidArgument(operation, reason):
            return "\(operation): \(reason)"
        }
    }
}
