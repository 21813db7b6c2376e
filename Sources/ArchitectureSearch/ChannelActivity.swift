import TensorCore

extension Tensor {
    /// Whether channel `channel` of this `[N, C, ...]` activation is non-zero for at least one sample: a channel
    /// that is zero everywhere passes no signal forward and, after a ReLU, no gradient back.
    func isActive(channel: Int) -> Bool {
        let batch = shape[0], channels = shape[1]
        let plane = count / Swift.max(1, batch * channels)
        return withUnsafeBufferPointer { values in
            (0..<batch).contains { sample in
                let start = (sample * channels + channel) * plane
                return values[start..<(start + plane)].contains { $0 != 0 }
            }
        }
    }
}
