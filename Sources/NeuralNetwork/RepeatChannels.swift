import TensorCore

/// Tiles the channels `times` times (PyTorch's `x.repeat(1, times, 1, 1)`); with one input channel
/// and `times = 3` it turns grey images into RGB ones.
public final class RepeatChannels: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// How many copies of the channels the output holds.
    public let times: Int
    private var cachedOutputShape: [Int]?

    /// Repeats the channels `times` times (3 by default: grey to RGB); `times` is checked when the layer first sees an input.
    public init(name: String = "repeat", times: Int = 3) {
        self.name = name
        self.times = times
    }

    /// `[N, C · times, ...]` for an `[N, C, ...]` input.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count >= 2 else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? -1, -1], actual: shape)
        }
        guard times >= 1 else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "times must be at least 1, got \(times)")
        }
        var output = shape
        output[1] *= times
        return output
    }

    /// The tiled input.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        let shape = try outputShape(forInput: input.shape)
        let output = try naming(name) { try ChannelRepeat.forward(input: input, times: times) }
        cachedOutputShape = mode == .training ? shape : nil
        return output
    }

    /// The gradients of all copies of each channel summed.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let shape = cachedOutputShape else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, shape, layer: name)
        return try naming(name) { try ChannelRepeat.backward(outputGradient: outputGradient, times: times) }
    }
}
