import TensorCore

/// Batch normalisation over the channels of NCHW input, with PyTorch's `BatchNorm2d` semantics:
/// training normalises with batch statistics and moves the running statistics (unbiased variance)
/// by `momentum`; inference normalises with the running statistics.
///
/// The scale γ and shift β are parameters the architecture search does not change (`isSearchable` is false).
public final class BatchNorm2d: Layer {
    /// The name used in errors and reports.
    public var name: String
    /// γ, `[C]`, initialised to ones.
    public let scale: Parameter
    /// β, `[C]`, initialised to zeros.
    public let shift: Parameter
    /// The running mean, `[C]`, initialised to zeros; used in inference mode.
    public var runningMean: Tensor
    /// The running (unbiased) variance, `[C]`, initialised to ones; used in inference mode.
    public var runningVariance: Tensor
    /// The weight of the newest batch in the running statistics.
    public let momentum: Float
    /// Added to the variance before taking its square root.
    public let epsilon: Float
    private var cache: BatchNormalization.Cache?

    /// Normalises `channels` channels, with PyTorch's defaults `momentum = 0.1` and `epsilon = 1e-5`.
    /// (A negative channel count is taken as zero, which every input then mismatches.)
    public init(name: String = "bn", channels: Int, momentum: Float = BatchNormalization.defaultMomentum,
                epsilon: Float = BatchNormalization.defaultEpsilon) {
        self.name = name
        let count = max(0, channels)
        scale = Parameter(name: "\(name).weight", role: .scale, value: Tensor(repeating: 1, shape: [count]), isSearchable: false)
        shift = Parameter(name: "\(name).bias", role: .shift, value: Tensor(zeros: [count]), isSearchable: false)
        runningMean = Tensor(zeros: [count])
        runningVariance = Tensor(repeating: 1, shape: [count])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// The number of channels normalised.
    public var channels: Int { scale.shape[0] }
    /// γ and β.
    public var parameters: [Parameter] { [scale, shift] }

    /// The input shape, which must be `[N, channels, H, W]`.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 4, shape[1] == channels else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? -1, channels, -1, -1], actual: shape)
        }
        return shape
    }

    /// Normalises the input; in training mode updates the running statistics and keeps what backward needs.
    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        switch mode {
        case .training:
            let result = try naming(name) {
                try BatchNormalization.forwardTraining(input: input, scale: scale.value, shift: shift.value,
                                                       runningMean: &runningMean, runningVariance: &runningVariance,
                                                       momentum: momentum, epsilon: epsilon)
            }
            cache = result.cache
            return result.output
        case .inference:
            cache = nil
            return try naming(name) {
                try BatchNormalization.forwardInference(input: input, scale: scale.value, shift: shift.value,
                                                        runningMean: runningMean, runningVariance: runningVariance, epsilon: epsilon)
            }
        }
    }

    /// Accumulates `∂L/∂γ` and `∂L/∂β` and returns `∂L/∂input` through the batch statistics.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let cache else { throw NetworkError.missingForward(layer: name) }
        try ensureOutputGradient(outputGradient, cache.input.shape, layer: name)
        return try naming(name) {
            try BatchNormalization.backward(outputGradient: outputGradient, cache: cache, scale: scale.value,
                                            scaleGradient: &scale.gradient, shiftGradient: &shift.gradient)
        }
    }
}
