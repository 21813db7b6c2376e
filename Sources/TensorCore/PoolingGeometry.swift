/// The window of a 2-D pooling over NCHW data, with PyTorch's floor-mode output size.
///
/// Pooling acts on every channel separately, so unlike ``ConvolutionGeometry`` it has no channel counts.
public struct PoolingGeometry: Sendable, Equatable, Hashable, Codable {
    /// The window height.
    public var kernelHeight: Int
    /// The window width.
    public var kernelWidth: Int
    /// The step between windows, in both directions.
    public var stride: Int
    /// The implicit border added on every side (negative infinity for max-pooling, zero for averaging).
    public var padding: Int

    /// A window of `kernelHeight x kernelWidth`.
    public init(kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int = 0) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    /// A square window; the stride defaults to the kernel size, as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride ?? kernelSize, padding: padding)
    }

    /// The spatial output size for an input of `height x width`, or a thrown error when the window
    /// is invalid (padding may be at most half the kernel, as in PyTorch) or does not fit.
    public func outputSize(height: Int, width: Int, operation: String = "pool2d") throws -> (height: Int, width: Int) {
        guard kernelHeight >= 1, kernelWidth >= 1, stride >= 1, padding >= 0,
              2 * padding <= kernelHeight, 2 * padding <= kernelWidth else {
            throw TensorError.invalidArgument(operation: operation,
                reason: "kernel \(kernelHeight)x\(kernelWidth), stride \(stride), padding \(padding) is not a valid pooling window "
                    + "(padding must be at most half the kernel)")
        }
        guard height >= 1, width >= 1, height + 2 * padding >= kernelHeight, width + 2 * padding >= kernelWidth else {
            throw TensorError.invalidArgument(operation: operation,
                reason: "input \(height)x\(width) is smaller than the kernel \(kernelHeight)x\(kernelWidth) with padding \(padding)")
        }
        return ((height + 2 * padding - kernelHeight) / stride + 1, (width + 2 * padding - kernelWidth) / stride + 1)
    }

    /// The input rows (or columns) `lower..<upper` that window `index` covers, clipped to `0..<size`.
    @inline(__always)
    func span(_ index: Int, kernel: Int, size: Int) -> (lower: Int, upper: Int) {
        let start = index * stride - padding
        return (max(start, 0), min(start + kernel, size))
    }

    /// Whether this is the common 2x2 window with stride 2 and no padding, which has vectorised kernels.
    var isHalving: Bool {
        kernelHeight == 2 && kernelWidth == 2 && stride == 2 && padding == 0
    }
}
