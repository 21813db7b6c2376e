/// Batch normalisation over the channels (dimension 1) of `[N, C]` features or `[N, C, H, W]` images,
/// with PyTorch's semantics.
///
/// Training normalises with the batch mean and the biased batch variance, and moves the running
/// statistics towards the batch mean and the *unbiased* batch variance by `momentum`:
/// `running = (1 - momentum) · running + momentum · batch`. Inference normalises with the running statistics.
public enum BatchNormalization {
    /// PyTorch's default `eps`.
    public static let defaultEpsilon: Float = 1e-5
    /// PyTorch's default `momentum`.
    public static let defaultMomentum: Float = 0.1

    /// What the backward pass needs from a training-mode forward pass.
    public struct Cache: Sendable {
        /// The normalised input `(x - mean) / sqrt(var + eps)`, shaped like the input.
        public let normalized: Tensor
        /// Per channel, `1 / sqrt(var + eps)` of the batch.
        public let inverseStandardDeviation: [Float]
    }

    /// The output of a training-mode forward pass and its cache.
    public struct TrainingResult: Sendable {
        /// `scale · normalized + shift`, shaped like the input.
        public let output: Tensor
        /// What ``BatchNormalization/backward(outputGradient:cache:scale:scaleGradient:shiftGradient:)`` needs.
        public let cache: Cache
    }

    /// Normalises `input` with its batch statistics and updates the running statistics.
    ///
    /// - Parameters:
    ///   - input: `[N, C]` or `[N, C, H, W]` (any rank ≥ 2: dimensions after the channel are pooled).
    ///   - scale: γ, `[C]`.
    ///   - shift: β, `[C]`.
    ///   - runningMean: `[C]`, updated in place.
    ///   - runningVariance: `[C]`, updated in place with the unbiased batch variance.
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
        var means = [Double](repeating: 0, count: channels)
        var variances = [Double](repeating: 0, count: channels)
        var inverseStandardDeviation = [Float](repeating: 0, count: channels)
        var normalized = Tensor(zeros: [])
        let output = input.withUnsafeBufferPointer { x in
            scale.withUnsafeBufferPointer { gamma in
                shift.withUnsafeBufferPointer { beta in
                    means.withUnsafeMutableBufferPointer { meanOut in
                        variances.withUnsafeMutableBufferPointer { varianceOut in
                            inverseStandardDeviation.withUnsafeMutableBufferPointer { invStdOut in
                                var output = Tensor(zeros: [])
                                normalized = Tensor(shape: input.shape) { xhat, _ in
                                    output = Tensor(shape: input.shape) { y, _ in
                                        let p = UncheckedSendable((x.baseAddress!, gamma.baseAddress!, beta.baseAddress!, xhat, y,
                                                                   meanOut.baseAddress!, varianceOut.baseAddress!, invStdOut.baseAddress!))
                                        ComputeThreads.forEachRange(channels, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: perChannel)) { range in
                                            let (x, gamma, beta, xhat, y, meanOut, varianceOut, invStdOut) = p.value
                                            for c in range {
                                                let layout = ChannelLayout(channel: c, channels: channels, inner: inner)
                                                var sum = 0.0
                                                for n in 0..<batch { sum += layout.sum(x, n) }
                                                let mean = sum / Double(perChannel)
                                                let meanF = Float(mean)
                                                var squares = 0.0
                                                for n in 0..<batch { squares += layout.squaredDeviationSum(x, n, from: meanF) }
                                                let variance = squares / Double(perChannel)
                                                let invStd = Float(1 / (variance + Double(epsilon)).squareRoot())
                                                meanOut[c] = mean
                                                varianceOut[c] = variance
                                                invStdOut[c] = invStd
                                                let (g, b) = (gamma[c], beta[c])
                                                for n in 0..<batch {
                                                    let start = layout.start(n)
                                                    for i in start..<(start + inner) {
                                                        let value = (x[i] - meanF) * invStd
                                                        xhat[i] = value
                                                        y[i] = value * g + b
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                return output
                            }
                        }
                    }
                }
            }
        }
        let keep = 1 - Double(momentum), unbiasing = Double(perChannel) / Double(perChannel - 1)
        for c in 0..<channels {
            runningMean[flat: c] = Float(keep * Double(runningMean[flat: c]) + Double(momentum) * means[c])
            runningVariance[flat: c] = Float(keep * Double(runningVariance[flat: c]) + Double(momentum) * variances[c] * unbiasing)
        }
        return TrainingResult(output: output, cache: Cache(normalized: normalized, inverseStandardDeviation: inverseStandardDeviation))
    }

    /// Normalises `input` with the running statistics: `scale · (x - mean) / sqrt(variance + eps) + shift`.
    public static func forwardInference(
        input: Tensor, scale: Tensor, shift: Tensor, runningMean: Tensor, runningVariance: Tensor,
        epsilon: Float = defaultEpsilon
    ) throws -> Tensor {
        let (batch, channels, inner) = try validate(input: input, scale: scale, shift: shift, epsilon: epsilon)
        try ensureShape(runningMean, [channels], "batch norm running mean")
        try ensureShape(runningVariance, [channels], "batch norm running variance")
        // y = x · a + b per channel, with a = γ / sqrt(var + eps) and b = β - mean · a.
        var multipliers = [Float](repeating: 0, count: channels), offsets = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let a = Double(scale[flat: c]) / (Double(runningVariance[flat: c]) + Double(epsilon)).squareRoot()
            multipliers[c] = Float(a)
            offsets[c] = Float(Double(shift[flat: c]) - Double(runningMean[flat: c]) * a)
        }
        let rows = batch * channels
        return input.withUnsafeBufferPointer { x in
            multipliers.withUnsafeBufferPointer { a in
                offsets.withUnsafeBufferPointer { b in
                    Tensor(shape: input.shape) { y, _ in
                        let p = UncheckedSendable((x.baseAddress!, y, a.baseAddress!, b.baseAddress!))
                        ComputeThreads.forEachRange(rows, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inner)) { range in
                            let (x, y, a, b) = p.value
                            for row in range {
                                let c = row % channels, start = row * inner
                                let (multiplier, offset) = (a[c], b[c])
                                for i in start..<(start + inner) { y[i] = x[i] * multiplier + offset }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accumulates `∂L/∂scale` and `∂L/∂shift` and returns `∂L/∂input` of a training-mode forward pass:
    /// `dx = γ / σ · (dy - mean(dy) - x̂ · mean(dy · x̂))`, means taken per channel.
    public static func backward(
        outputGradient: Tensor, cache: Cache, scale: Tensor, scaleGradient: inout Tensor, shiftGradient: inout Tensor
    ) throws -> Tensor {
        let shape = cache.normalized.shape
        try ensureShape(outputGradient, shape, "batch norm backward (output gradient)")
        let channels = shape[1]
        try ensureShape(scale, [channels], "batch norm scale")
        try ensureShape(scaleGradient, [channels], "batch norm backward (scale gradient)")
        try ensureShape(shiftGradient, [channels], "batch norm backward (shift gradient)")
        let batch = shape[0], inner = shape.dropFirst(2).reduce(1, *), perChannel = batch * inner
        var sums = [Double](repeating: 0, count: 2 * channels)  // Σ dy, then Σ dy · x̂, per channel
        let inputGradient = outputGradient.withUnsafeBufferPointer { dy in
            cache.normalized.withUnsafeBufferPointer { xhat in
                scale.withUnsafeBufferPointer { gamma in
                    cache.inverseStandardDeviation.withUnsafeBufferPointer { invStd in
                        sums.withUnsafeMutableBufferPointer { sums in
                            Tensor(shape: shape) { dx, _ in
                                let p = UncheckedSendable((dy.baseAddress!, xhat.baseAddress!, gamma.baseAddress!,
                                                           invStd.baseAddress!, sums.baseAddress!, dx))
                                ComputeThreads.forEachRange(channels, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: perChannel)) { range in
                                    let (dy, xhat, gamma, invStd, sums, dx) = p.value
                                    for c in range {
                                        let layout = ChannelLayout(channel: c, channels: channels, inner: inner)
                                        var sumDy = 0.0, sumDyXhat = 0.0
                                        for n in 0..<batch {
                                            sumDy += layout.sum(dy, n)
                                            sumDyXhat += layout.dotSum(dy, xhat, n)
                                        }
                                        sums[c] = sumDy
                                        sums[channels + c] = sumDyXhat
                                        let meanDy = Float(sumDy / Double(perChannel))
                                        let meanDyXhat = Float(sumDyXhat / Double(perChannel))
                                        let factor = gamma[c] * invStd[c]
                                        for n in 0..<batch {
                                            let start = layout.start(n)
                                            for i in start..<(start + inner) {
                                                dx[i] = factor * (dy[i] - meanDy - xhat[i] * meanDyXhat)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<channels {
            shiftGradient[flat: c] += Float(sums[c])
            scaleGradient[flat: c] += Float(sums[channels + c])
        }
        return inputGradient
    }

    /// Checks the input against γ and β and returns (batch, channels, elements per channel and sample).
    private static func validate(input: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) throws -> (Int, Int, Int) {
        guard input.rank >= 2 else {
            throw TensorError.shapeMismatch(operation: "batch norm input [N, C, ...]", expected: [-1, scale.shape.first ?? -1],
                                            actual: input.shape)
        }
        let channels = input.shape[1]
        try ensureShape(scale, [channels], "batch norm scale")
        try ensureShape(shift, [channels], "batch norm shift")
        guard epsilon > 0 else {
            throw TensorError.invalidArgument(operation: "batch norm", reason: "epsilon must be positive, got \(epsilon)")
        }
        return (input.shape[0], channels, input.shape.dropFirst(2).reduce(1, *))
    }
}

/// Where channel `channel`'s values of sample `n` lie in a `[N, C, inner]` buffer: `inner` contiguous elements.
private struct ChannelLayout {
    let channel: Int, channels: Int, inner: Int

    @inline(__always) func start(_ n: Int) -> Int { (n * channels + channel) * inner }

    /// Σ values of sample `n`, for Double accumulation across samples.
    @inline(__always) func sum(_ values: UnsafePointer<Float>, _ n: Int) -> Double {
        Double(Reduction.sum(values + start(n), inner))
    }

    /// Σ (value - mean)² of sample `n`.
    @inline(__always) func squaredDeviationSum(_ values: UnsafePointer<Float>, _ n: Int, from mean: Float) -> Double {
        Double(Reduction.squaredDeviationSum(values + start(n), inner, from: mean))
    }

    /// Σ a · b of sample `n`.
    @inline(__always) func dotSum(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        Double(Reduction.dot(a + start(n), b + start(n), inner))
    }
}
