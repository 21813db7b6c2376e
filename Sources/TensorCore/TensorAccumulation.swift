extension Tensor {
    /// Adds `other` element-wise into this tensor (`self += other`); shapes must match.
    public mutating func add(_ other: Tensor) throws {
        guard other.shape == shape else {
            throw TensorError.shapeMismatch(operation: "add", expected: shape, actual: other.shape)
        }
        let count = self.count
        withUnsafeMutableBufferPointer { target in
            other.withUnsafeBufferPointer { source in
                guard let target = target.baseAddress, let source = source.baseAddress else { return }
                let p = UncheckedSendable((target, source))
                ComputeThreads.forEachRange(count, minimumPerChunk: ComputeThreads.elementwiseGrain) { range in
                    let (target, source) = p.value
                    for i in range { target[i] += source[i] }
                }
            }
        }
    }

    /// Sums over every axis except `axis` 1 (the channel or feature axis) of an `[N, C, ...]` tensor: one value per channel.
    public func sumPerChannel() -> [Float] {
        guard rank >= 2 else { return scalars }
        let batch = shape[0], channels = shape[1], plane = count / max(1, batch * channels)
        var sums = [Float](repeating: 0, count: channels)
        withUnsafeBufferPointer { values in
            for n in 0..<batch {
                for c in 0..<channels {
                    sums[c] += Reduction.sum(values.baseAddress! + (n * channels + c) * plane, plane)
                }
            }
        }
        return sums
    }
}
