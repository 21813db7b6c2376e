/// Errors of optimizers and learning-rate schedules: an invalid hyper-parameter, or a parameter
/// whose tensors do not fit together.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// A hyper-parameter of `owner` (an optimizer or schedule type) is outside its valid range.
    case invalidHyperparameter(owner: String, reason: String)
    /// The `tensor` (gradient or mask) of `parameter` does not have the shape of its value.
    case shapeMismatch(parameter: String, tensor: String, expected: [Int], actual: [Int])

    public var description: String {
        switch self {
        case let .invalidHyperparameter(owner, reason):
            return "\(owner): \(reason)"
        case let .shapeMismatch(parameter, tensor, expected, actual):
            return "parameter '\(parameter)': \(tensor) has shape \(actual), expected the value's shape \(expected)"
        }
    }
}

extension OptimizerError {
    /// Throws unless `value` is finite and at least zero.
    static func requireNonNegative(_ value: Float, _ name: String, of owner: String) throws {
        guard value.isFinite, value >= 0 else {
            throw invalidHyperparameter(owner: owner, reason: "\(name) must be finite and non-negative, got \(value)")
        }
    }

    /// Throws unless `value` is finite and at least zero.
    static func requireNonNegative(_ value: Double, _ name: String, of owner: String) throws {
        guard value.isFinite, value >= 0 else {
            throw invalidHyperparameter(owner: owner, reason: "\(name) must be finite and non-negative, got \(value)")
        }
    }

    /// Throws unless `value` is finite and greater than zero.
    static func requirePositive(_ value: Double, _ name: String, of owner: String) throws {
        guard value.isFinite, value > 0 else {
            throw invalidHyperparameter(owner: owner, reason: "\(name) must be finite and positive, got \(value)")
        }
    }
}
