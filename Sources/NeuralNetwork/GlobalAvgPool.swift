import TensorCore

/// The mean of every channel plane, flattened: `[N, C, H, W]` to `[N, C]`
/// (PyTorch's `AdaptiveAvgPool2d(1)` followed by `Flatten`).
public final class GlobalAvgPool: Layer {
    /// The name used in errors and reports.
    public var name: String
    private var cachedInputShape: [Int]?

    /// Creates the pooling.
    public init(name: String = "gap") {
        self.name = name
    }

    /// `[N, C]` for an `[N, C, H, W]` input with non-empty planes.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try ensureImageShape(shape, layer: name)
        guard shape[2] > 0, shape[3] > 0 else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "input planes \(shape[2])x\(shape[3]) are empty")
        }
        return [shape[0], shape[1]]
    }

    /// The plane means.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        let output = try naming(name) { try GlobalAveragePooling.forward(input: input) }
        cachedInputShape = mode == .training ? input.shape : nil
        return output
    }

    /// Each `[N, C]` gradient spread evenly over its plane.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape = cachedInputShape else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, [inputShape[0], inputShape[1]], layer: name)
        return try naming(name) { try GlobalAveragePooling.backward(outputGradient: outputGradient, inputShape: inputShape) }
    }
}
