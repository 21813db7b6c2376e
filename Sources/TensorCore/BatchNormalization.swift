/// Batch normalisation over the channels (dimension 1) of `[N, C]` features or `[N, C, H, W]` images,
/// with PyTorch's semantics.
///
/// Training normalises with the batch mean and the biased batch variance, and moves the running
/// statistics towards the batch mean and the *unbiased* batch variance by `momentum`:
/// `running = (1 - momentum) · running + momentum · batch`. Inference normalises with the running statistics.
/// Both apply `y = x · a + b` per channel with `a = γ / σ` and `b = β - mean · a`, as PyTorch's CPU kernel.
public enum BatchNormalization {
    /// PyTorch's default `eps`.
    public static let defaultEpsilon: Float = 1e-5
    /// PyTorch's default `momentum`.
    public static let defaultMomentum: Float = 0.1

    /// What the backward pass needs from a training-mode forward pass. The normalised input is
    /// recomputed from these rather than stored, which saves writing a tensor the size of the input.
    public struct Cache: Sendable {
        /// The input of the forward pass.
        public let input: Tensor
        /// Per channel, the batch mean.
        public let mean: [Float]
        /// Per channel, `1 / sqrt(var + eps)` of the batch (biased variance).
        public let inverseStandardDeviation: [Float]
    }

    /// The output of a training-mode forward pass and its cache.
    public struct TrainingResult: Sendable {
        /// `scale · (input - mean) / sqrt(var + eps) + shift`, shaped like the input.
        public let output: Tensor
        /// What ``BatchNormalization/backward(outputGradient:cache:scale:scaleGradient:shiftGradient:)`` needs.
        public let cache: Cache
    }

    /// Normalises `input` with its batch statistics and updates the running statistics.
    ///
    /// - Parameters:
    ///   - input: `[N, C]` or `[N, C, H, W]` (any rank ≥ 2: dimensions after the channel are pooled).
    ///     Each channel needs more than one value.
    ///   - scale: γ, `[C]`.
    ///   - shift: β, `[C]`.
    ///   - runningMean: `[C]`, updated in place.
    ///   - runningVariance: `[C]`, updated in place with the unbiased batch variance.
    ///   - momentum: how far the running statistics move towards the batch's, in [0, 1].
    ///   - epsilon: added to the variance before its square root.
    public static func forwardTraining(
        input: Tensor, scale: Tensor, shift: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
        momentum: Float = defaultMomentum, epsilon: Float = defaultEpsilon
    ) throws -> TrainingResult {
        let (batch, channels, inner) = try validate(input: input, scale: scale, shift: shift, epsilon: epsilon)
        try ensureShape(runningMean, [channels], "batch norm running mean")
        try ensureShape(runningVariance, [channels], "batch norm running variance")
        guard momentum >= 0, momentum <= 1 else {
            throw TensorError.invalidArgument(operation: "batch norm", reason: "momentum must lie in [0, 1], got \(momentum)")
        }
        let perChannel = batch * inner
        guard perChannel > 1 else {
            throw TensorError.invalidArgument(operation: "batch norm",
                reason: "training needs more than one value per channel, got input \(input.shape)")
        }
        // Per channel: mean, then the biased variance from the deviations (two passes, no cancellation).
        var means = [Double](repeating: 0, count: channels), variances = [Double](repeating: 0, count: channels)
        input.withUnsafeBufferPointer { x in
            means.withUnsafeMutableBufferPointer { meanOut in
                variances.withUnsafeMutableBufferPointer { varianceOut in
                    let p = UncheckedSendable((x.baseAddress!, meanOut.baseAddress!, varianceOut.baseAddress!))
                    ComputeThreads.forEachRange(channels, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: perChannel)) { range in
                        let (x, meanOut, varianceOut) = p.value
                        for c in range {
                            var sum = 0.0
                            for n in 0..<batch { sum += Double(Reduction.sum(x + (n * channels + c) * inner, inner)) }
                            let mean = Float(sum / Double(perChannel))
                            var squares = 0.0
                            for n in 0..<batch {
                                squares += Double(Reduction.squaredDeviationSum(x + (n * channels + c) * inner, inner, from: mean))
                            }
                            meanOut[c] = sum / Double(perChannel)
                            varianceOut[c] = squares / Double(perChannel)
                        }
                    }
                }
            }
        }
        let mean = means.map { Float($0) }
        let inverseStandardDeviation = variances.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
        let output = affine(input, channels: channels, inner: inner, scale: scale, shift: shift,
                            mean: means, inverseStandardDeviation: inverseStandardDeviation.map(Double.init))
        let keep = 1 - Double(momentum), unbiasing = Double(perChannel) / Double(perChannel - 1)
        for c in 0..<channels {
            runningMean[flat: c] = Float(keep * Double(runningMean[flat: c]) + Double(momentum) * means[c])
            runningVariance[flat: c] = Float(keep * Double(runningVariance[flat: c]) + Double(momentum) * variances[c] * unbiasing)
        }
        return TrainingResult(output: output,
                              cache: Cache(input: input, mean: mean, inverseStandardDeviation: inverseStandardDeviation))
    }

    /// Normalises `input` with the running statistics: `scale · (x - mean) / sqrt(variance + eps) + shift`.
    public static func forwardInference(
        input: Tensor, scale: Tensor, shift: Tensor, runningMean: Tensor, runningVariance: Tensor,
        epsilon: Float = defaultEpsilon
    ) throws -> Tensor {
        let (_, channels, inner) = try validate(input: input, scale: scale, shift: shift, epsilon: epsilon)
        try ensureShape(runningMean, [channels], "batch norm running mean")
        try ensureShape(runningVariance, [channels], "batch norm running variance")
        return affine(input, channels: channels, inner: inner, scale: scale, shift: shift,
                      mean: runningMean.scalars.map(Double.init),
                      inverseStandardDeviation: runningVariance.scalars.map { 1 / (Double($0) + Double(epsilon)).squareRoot() })
    }

    /// Accumulates `∂L/∂scale` and `∂L/∂shift` and returns `∂L/∂input` of a training-mode forward pass:
    /// `dx = γ / σ · (dy - mean(dy) - x̂ · mean(dy · x̂))` with `x̂ = (x - mean) / σ`, means taken per channel.
    public static func backward(
        outputGradient: Tensor, cache: Cache, scale: Tensor, scaleGradient: inout Tensor, shiftGradient: inout Tensor
    ) throws -> Tensor {
        let shape = cache.input.shape
        try ensureShape(outputGradient, shape, "batch norm backward (output gradient)")
        let channels = shape[1]
        try ensureShape(scale, [channels], "batch norm scale")
        try ensureShape(scaleGradient, [channels], "batch norm backward (scale gradient)")
        try ensureShape(shiftGradient, [channels], "batch norm backward (shift gradient)")
        let batch = shape[0], inner = shape.dropFirst(2).reduce(1, *), perChannel = batch * inner
        // Per channel: Σ dy and Σ dy · x̂.
        var sumDy = [Double](repeating: 0, count: channels), sumDyXhat = [Double](repeating: 0, count: channels)
        outputGradient.withUnsafeBufferPointer { dy in
            cache.input.withUnsafeBufferPointer { x in
                sumDy.withUnsafeMutableBufferPointer { sumDy in
                    sumDyXhat.withUnsafeMutableBufferPointer { sumDyXhat in
                        let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, sumDy.baseAddress!, sumDyXhat.baseAddress!))
                        ComputeThreads.forEachRange(channels, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: perChannel)) { range in
                            let (dy, x, sumDy, sumDyXhat) = p.value
                            for c in range {
                                var gradientSum = 0.0, centeredSum = 0.0
                                for n in 0..<batch {
                                    let start = (n * channels + c) * inner
                                    gradientSum += Double(Reduction.sum(dy + start, inner))
                                    centeredSum += Double(Reduction.centeredDot(dy + start, x + start, inner, center: cache.mean[c]))
                                }
                                sumDy[c] = gradientSum
                                sumDyXhat[c] = centeredSum * Double(cache.inverseStandardDeviation[c])
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<channels {
            shiftGradient[flat: c] += Float(sumDy[c])
            scaleGradient[flat: c] += Float(sumDyXhat[c])
        }
        // dx = factor · (dy - mean(dy) - (x - mean) · slope), with slope = mean(dy · x̂) / σ.
        var factors = [Float](repeating: 0, count: channels), meanDy = factors, slopes = factors
        for c in 0..<channels {
            let invStd = cache.inverseStandardDeviation[c]
            factors[c] = scale[flat: c] * invStd
            meanDy[c] = Float(sumDy[c] / Double(perChannel))
            slopes[c] = Float(sumDyXhat[c] / Double(perChannel)) * invStd
        }
        let rows = batch * channels
        return outputGradient.withUnsafeBufferPointer { dy in
            cache.input.withUnsafeBufferPointer { x in
                Tensor(shape: shape) { dx, _ in
                    let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, dx))
                    ComputeThreads.forEachRange(rows, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inner)) { range in
                        let (dy, x, dx) = p.value
                        for row in range {
                            let c = row % channels, start = row * inner
                            let (factor, centre, offset, slope) = (factors[c], cache.mean[c], meanDy[c], slopes[c])
                            for i in start..<(start + inner) { dx[i] = factor * (dy[i] - offset - (x[i] - centre) * slope) }
                        }
                    }
                }
            }
        }
    }

    /// `y = x · a + b` per channel, with `a = scale · inverseStandardDeviation` and `b = shift - mean · a`.
    private static func affine(_ input: Tensor, channels: Int, inner: Int, scale: Tensor, shift: Tensor,
                               mean: [Double], inverseStandardDeviation: [Double]) -> Tensor {
        var multipliers = [Float](repeating: 0, count: channels), offsets = multipliers
        for c in 0..<channels {
            let a = Double(scale[flat: c]) * inverseStandardDeviation[c]
            multipliers[c] = Float(a)
            offsets[c] = Float(Double(shift[flat: c]) - mean[c] * a)
        }
        let rows = input.count / max(1, inner)
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: input.shape) { y, _ in
                let p = UncheckedSendable((x.baseAddress!, y))
                ComputeThreads.forEachRange(rows, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inner)) { range in
                    let (x, y) = p.value
                    for row in range {
                        let c = row % channels, start = row * inner
                        let (multiplier, offset) = (multipliers[c], offsets[c])
                        for i in start..<(start + inner) { y[i] = x[i] * multiplier + offset }
                    }
                }
            }
        }
    }

    /// Checks the input against γ and β and returns (batch, channels, elements per channel and sample).
    private static func validate(input: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) throws -> (Int, Int, Int) {
        guard input.rank >= 2 else {
            throw TensorError.shapeMismatch(operation: "batch norm input [N, C, ...]", expected: [-1, scale.shape.first ?? -1],
                                            actual: input.shape)
        }
        let channels = input.shape[1]
        guard channels >= 1 else {
            throw TensorError.invalidArgument(operation: "batch norm", reason: "input \(input.shape) has no channels")
        }
        try ensureShape(scale, [channels], "batch norm scale")
        try ensureShape(shift, [channels], "batch norm shift")
        guard epsilon > 0 else {
            throw TensorError.invalidArgument(operation: "batch norm", reason: "epsilon must be positive, got \(epsilon)")
        }
        return (input.shape[0], channels, input.shape.dropFirst(2).reduce(1, *))
    }
}
