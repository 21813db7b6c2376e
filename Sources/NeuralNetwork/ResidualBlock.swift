import TensorCore

/// A residual block `body(x) + shortcut(x)`, as in a CIFAR ResNet basic block before its last ReLU (put a ``ReLU``
/// after it). The shortcut is the identity when the body keeps the shape, otherwise the parameter-free "option A"
/// shortcut: every `stride`-th pixel with zero channels added up to the body's output channels (``PaddedSubsample``).
public final class ResidualBlock: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// The residual branch.
    public let body: Sequential
    /// The body's spatial stride, which the shortcut subsamples by.
    public let stride: Int
    /// Channels the body adds, which the shortcut pads with zeros.
    public let addedChannels: Int
    private var inputShape: [Int]?

    /// A block whose `body` turns `inputChannels` into `outputChannels` (at least as many) channels with `stride`.
    public init(name: String = "block", body: Sequential, inputChannels: Int, outputChannels: Int, stride: Int = 1) throws {
        guard stride >= 1, inputChannels >= 1, outputChannels >= inputChannels else {
            throw NetworkError.invalidConfiguration(layer: name,
                reason: "a residual block needs stride >= 1 and 1 <= input channels <= output channels, got stride \(stride), \(inputChannels) -> \(outputChannels) channels")
        }
        self.name = name
        self.body = body
        self.stride = stride
        addedChannels = outputChannels - inputChannels
    }

    public var parameters: [Parameter] { body.parameters }

    /// The body's output shape, which must equal the shortcut's.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let bodyShape = try body.outputShape(forInput: shape)
        let shortcutShape = try naming(name) { try PaddedSubsample.outputShape(shape, stride: stride, addedChannels: addedChannels) }
        guard bodyShape == shortcutShape else {
            throw NetworkError.invalidConfiguration(layer: name,
                reason: "the body's output \(bodyShape) differs from the shortcut's \(shortcutShape) for input \(shape)")
        }
        return bodyShape
    }

    /// `body(input) + shortcut(input)`.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        inputShape = mode == .training ? input.shape : nil
        // The body's output is usually referenced by nothing else, so the shortcut is added in place.
        var output = try body.forward(input, mode: mode)
        try naming(name) { try output.add(shortcut(input)) }
        return output
    }

    /// The body's input gradient plus the shortcut's.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape else { throw NetworkError.missingForward(layer: name) }
        // The body's input gradient is fresh, so the shortcut's is added in place.
        var gradient = try body.backward(outputGradient)
        let shortcutGradient = isIdentity ? outputGradient : try naming(name) {
            try PaddedSubsample.backward(outputGradient: outputGradient, inputShape: inputShape, stride: stride,
                                         addedChannels: addedChannels)
        }
        try naming(name) { try gradient.add(shortcutGradient) }
        return gradient
    }

    private var isIdentity: Bool { stride == 1 && addedChannels == 0 }

    private func shortcut(_ input: Tensor) throws -> Tensor {
        isIdentity ? input : try PaddedSubsample.forward(input: input, stride: stride, addedChannels: addedChannels)
    }
}
