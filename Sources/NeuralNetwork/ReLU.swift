import TensorCore

/// The rectified linear activation `max(0, x)`, for inputs of any shape.
public final class ReLU: Layer {
    /// The name used in errors and reports.
    public var name: String
    private var cachedOutput: Tensor?

    /// Creates the activation.
    public init(name: String = "relu") {
        self.name = name
    }

    /// The input shape: the activation is element-wise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    /// `max(0, input)`; in training mode keeps the output, whose sign gates the backward pass.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        let output = RectifiedLinear.forward(input)
        cachedOutput = mode == .training ? output : nil
        return output
    }

    /// `∂L/∂output` where the output was positive, zero elsewhere.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let output = cachedOutput else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, output.shape, layer: name)
        return try naming(name) { try RectifiedLinear.backward(outputGradient: outputGradient, output: output) }
    }
}
