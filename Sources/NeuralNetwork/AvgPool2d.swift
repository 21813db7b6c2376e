import TensorCore

/// 2-D average-pooling over NCHW input (PyTorch's `AvgPool2d` defaults: floor mode, `count_include_pad=True`).
public final class AvgPool2d: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// The pooling window.
    public let geometry: PoolingGeometry
    private var cachedInputShape: [Int]?

    /// Pools with `geometry`.
    public init(name: String = "avgpool", geometry: PoolingGeometry) {
        self.name = name
        self.geometry = geometry
    }

    /// Pools square windows; the stride defaults to the kernel size, as in PyTorch.
    public convenience init(name: String = "avgpool", kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(name: name, geometry: PoolingGeometry(kernelSize: kernelSize, stride: stride, padding: padding))
    }

    /// `[N, C, outH, outW]` for an `[N, C, H, W]` input.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try ensureImageShape(shape, layer: name)
        let size = try naming(name) { try geometry.outputSize(height: shape[2], width: shape[3], operation: "avgpool2d") }
        return [shape[0], shape[1], size.height, size.width]
    }

    /// The window means.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        let output = try naming(name) { try AveragePooling2D.forward(input: input, geometry: geometry) }
        cachedInputShape = mode == .training ? input.shape : nil
        return output
    }

    /// Each output gradient spread evenly over its window.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape = cachedInputShape else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, try outputShape(forInput: inputShape), layer: name)
        return try naming(name) {
            try AveragePooling2D.backward(outputGradient: outputGradient, inputShape: inputShape, geometry: geometry)
        }
    }
}
