import TensorCore

/// Bilinear resizing of NCHW images to a fixed `height x width`, as PyTorch's
/// `F.interpolate(size=(height, width), mode="bilinear", align_corners=False)`.
public final class Resize: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// The output height.
    public let height: Int
    /// The output width.
    public let width: Int
    private var cachedInputShape: [Int]?

    /// Resizes to `height x width`; the sizes are checked when the layer first sees an input.
    public init(name: String = "resize", height: Int, width: Int) {
        self.name = name
        self.height = height
        self.width = width
    }

    /// `[N, C, height, width]` for an `[N, C, H, W]` input.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try ensureImageShape(shape, layer: name)
        guard height >= 1, width >= 1, shape[2] >= 1, shape[3] >= 1 else {
            throw NetworkError.invalidConfiguration(layer: name,
                reason: "cannot resize \(shape[2])x\(shape[3]) images to \(height)x\(width): sizes must be positive")
        }
        return [shape[0], shape[1], height, width]
    }

    /// The resized images.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        let output = try naming(name) { try BilinearResize.forward(input: input, height: height, width: width) }
        cachedInputShape = mode == .training ? input.shape : nil
        return output
    }

    /// Each output gradient returned to the pixels it was blended from.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape = cachedInputShape else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, try outputShape(forInput: inputShape), layer: name)
        return try naming(name) { try BilinearResize.backward(outputGradient: outputGradient, inputShape: inputShape) }
    }
}
