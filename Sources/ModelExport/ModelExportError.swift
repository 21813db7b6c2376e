/// Why a network cannot be compacted, run or exported.
public enum ModelExportError: Error, Equatable, CustomStringConvertible {
    /// A batch of inputs does not have the network's input shape.
    case inputShapeMismatch(expected: [Int], actual: [Int])
    /// The input normalisation does not fit the network's input, or is not usable (a standard deviation that is
    /// not positive, a value that is not finite).
    case invalidNormalization(String)
    /// The parts of a ``CompactNetwork`` do not make a network: it does not run from an input node to an output node,
    /// or a connection names a node it does not have.
    case invalidNetwork(String)

    public var description: String {
        switch self {
        case let .inputShapeMismatch(expected, actual):
            return "expected inputs of shape \(expected), got \(actual)"
        case let .invalidNormalization(reason):
            return "input normalisation: \(reason)"
        case let .invalidNetwork(reason):
            return "compact network: \(reason)"
        }
    }
}
