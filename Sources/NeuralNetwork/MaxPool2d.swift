import TensorCore

/// 2-D max-pooling over NCHW input (PyTorch's `MaxPool2d`, floor mode).
public final class MaxPool2d: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// The pooling window.
    public let geometry: PoolingGeometry
    private var cachedSelection: MaxPooling2D.Selection?

    /// Pools with `geometry`.
    public init(name: String = "maxpool", geometry: PoolingGeometry) {
        self.name = name
        self.geometry = geometry
    }

    /// Pools square windows; the stride defaults to the kernel size, as in PyTorch.
    public convenience init(name: String = "maxpool", kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(name: name, geometry: PoolingGeometry(kernelSize: kernelSize, stride: stride, padding: padding))
    }

    /// `[N, C, outH, outW]` for an `[N, C, H, W]` input.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try ensureImageShape(shape, layer: name)
        let size = try naming(name) { try geometry.outputSize(height: shape[2], width: shape[3], operation: "maxpool2d") }
        return [shape[0], shape[1], size.height, size.width]
    }

    /// The window maxima; in training mode keeps where each came from.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        let result = try naming(name) { try MaxPooling2D.forward(input: input, geometry: geometry) }
        cachedSelection = mode == .training ? result.selection : nil
        return result.output
    }

    /// Each output gradient routed to the input element its maximum came from.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let selection = cachedSelection else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, selection.outputShape, layer: name)
        return try naming(name) { try MaxPooling2D.backward(outputGradient: outputGradient, selection: selection) }
    }
}
