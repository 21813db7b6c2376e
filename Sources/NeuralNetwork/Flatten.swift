import TensorCore

/// Flattens every dimension after the first: `[N, C, H, W]` (or any rank ≥ 2) to `[N, C·H·W]`,
/// as PyTorch's `Flatten()` between convolutional and fully connected layers.
public final class Flatten: Layer {
    /// The name used in errors and reports.
    public var name: String
    private var cachedInputShape: [Int]?

    /// Creates the layer.
    public init(name: String = "flatten") {
        self.name = name
    }

    /// `[N, product of the other dimensions]`.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count >= 2 else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? -1, -1], actual: shape)
        }
        return [shape[0], shape.dropFirst().reduce(1, *)]
    }

    /// The same elements viewed as `[N, features]` (no copy).
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        let shape = try outputShape(forInput: input.shape)
        let output = try naming(name) { try input.reshaped(shape) }
        cachedInputShape = mode == .training ? input.shape : nil
        return output
    }

    /// The gradient viewed in the input's shape again.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape = cachedInputShape else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, try outputShape(forInput: inputShape), layer: name)
        return try naming(name) { try outputGradient.reshaped(inputShape) }
    }
}
