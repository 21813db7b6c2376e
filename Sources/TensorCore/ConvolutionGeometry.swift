/// The sizes that define a 2-D convolution or pooling window over NCHW data.
public struct ConvolutionGeometry: Sendable, Equatable, Hashable, Codable {
    public var inputChannels: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int
    public var dilation: Int

    public init(inputChannels: Int, outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// A square kernel.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelHeight: kernelSize,
                  kernelWidth: kernelSize, stride: stride, padding: padding, dilation: dilation)
    }

    /// Rows of the unfolded input matrix: `inputChannels * kernelHeight * kernelWidth`.
    public var patchSize: Int { inputChannels * kernelHeight * kernelWidth }

    /// The spatial output size for an input of `height x width`, or a thrown error when the window does not fit.
    public func outputSize(height: Int, width: Int, operation: String = "conv2d") throws -> (height: Int, width: Int) {
        guard kernelHeight >= 1, kernelWidth >= 1, stride >= 1, padding >= 0, dilation >= 1 else {
            throw TensorError.invalidArgument(operation: operation,
                reason: "kernel \(kernelHeight)x\(kernelWidth), stride \(stride), padding \(padding), dilation \(dilation) is not a valid window")
        }
        let spanH = dilation * (kernelHeight - 1) + 1, spanW = dilation * (kernelWidth - 1) + 1
        let outH = (height + 2 * padding - spanH) / stride + 1
        let outW = (width + 2 * padding - spanW) / stride + 1
        guard height + 2 * padding >= spanH, width + 2 * padding >= spanW, outH > 0, outW > 0 else {
            throw TensorError.invalidArgument(operation: operation,
                reason: "input \(height)x\(width) is smaller than the dilated kernel \(spanH)x\(spanW) with padding \(padding)")
        }
        return (outH, outW)
    }
}
