extension Tensor {
    /// Adds `other` element-wise into this tensor (`self += other`); shapes must match.
    public mutating func add(_ other: Tensor) throws {
        guard other.shape == shape else {
            throw TensorError.shapeMismatch(operation: "add", expected: shape, actual: other.shape)
        }
        let count = self.count
        withUnsafeMutableBufferPointer { target in
            other.withUnsafeBufferPointer { source in
                let target = target.baseAddress!, source = source.baseAddress!
                for i in 0..<count { target[i] += source[i] }
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
