import TensorCore

/// Whether a forward pass is for training (batch statistics, dropout, caches for backward) or inference.
public enum ForwardMode: Sendable {
    case training, inference
}

/// A differentiable building block of a network.
///
/// `forward` in `.training` mode keeps what `backward` needs; `backward` receives
/// `∂L/∂output`, adds the parameter gradients into each `Parameter.gradient`, and returns
/// `∂L/∂input`. `accumulateParameterGradients` does the same without `∂L/∂input`, for the
/// first layer of a network, whose input gradient nobody reads.
/// Layers are classes: they own parameters and per-step caches.
public protocol Layer: AnyObject {
    /// A readable name used in errors and reports, such as `conv2`.
    var name: String { get set }
    /// The trainable tensors of this layer (empty for parameter-free layers).
    var parameters: [Parameter] { get }
    /// The output shape for an input shape, or a thrown ``NetworkError`` naming the layer.
    func outputShape(forInput shape: [Int]) throws -> [Int]
    /// Computes the output for `input`.
    func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor
    /// Back-propagates `∂L/∂output` from the last training-mode forward pass.
    func backward(_ outputGradient: Tensor) throws -> Tensor
    /// Back-propagates `∂L/∂output` like ``backward(_:)``, adding the parameter gradients, but neither
    /// computes nor returns `∂L/∂input`. Layers whose input gradient costs work of its own override it.
    func accumulateParameterGradients(_ outputGradient: Tensor) throws
}

extension Layer {
    public var parameters: [Parameter] { [] }

    /// Calls ``backward(_:)`` and discards the input gradient.
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        _ = try backward(outputGradient)
    }
}

/// Errors of a network built by a user: they name the layer and what did not fit.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// A layer received an input of the wrong shape.
    case shapeMismatch(layer: String, expected: [Int], actual: [Int])
    /// `backward` was called without a preceding training-mode `forward`.
    case missingForward(layer: String)
    /// A layer was configured with invalid sizes.
    case invalidConfiguration(layer: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(layer, expected, actual):
            return "layer '\(layer)': expected input shape \(expected), got \(actual)"
        case let .missingForward(layer):
            return "layer '\(layer)': backward called before a training-mode forward pass"
        case let .invalidConfiguration(layer, reason):
            return "layer '\(layer)': \(reason)"
        }
    }
}

/// Runs `body`, turning a `TensorError` into a ``NetworkError`` that names `layer`.
public func naming<R>(_ layer: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as TensorError {
        switch error {
        case let .shapeMismatch(_, expected, actual):
            throw NetworkError.shapeMismatch(layer: layer, expected: expected, actual: actual)
        case let .invalidArgument(_, reason):
            throw NetworkError.invalidConfiguration(layer: layer, reason: reason)
        }
    }
}
