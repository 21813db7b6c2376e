/// Inverted dropout: each element is zeroed with probability `p` and the survivors are scaled by
/// `1 / (1 - p)`, so the expectation is unchanged and inference needs no rescaling.
///
/// The mask is drawn from a ``RandomGenerator`` in fixed blocks, each from its own split-off stream,
/// so the same generator state gives the same mask whatever the number of threads.
public enum InvertedDropout {
    /// The dropped-out values and the mask that produced them.
    public struct Result: Sendable {
        /// `input ⊙ mask`.
        public let output: Tensor
        /// Per element `0` (dropped) or `1 / (1 - p)` (kept), shaped like the input.
        public let mask: Tensor
    }

    /// Elements drawn from one random stream; a fixed size keeps masks independent of the thread count.
    static let blockSize = 1 << 14

    /// Drops each element of `input` with probability `probability` in [0, 1], advancing `generator`.
    public static func forward(input: Tensor, probability: Float, generator: inout RandomGenerator) throws -> Result {
        guard probability >= 0, probability <= 1 else {
            throw TensorError.invalidArgument(operation: "dropout", reason: "probability must lie in [0, 1], got \(probability)")
        }
        let count = input.count
        let blocks = (count + blockSize - 1) / blockSize
        let streams = (0..<blocks).map { _ in generator.split() }
        // Drop when a uniform 32-bit draw r satisfies r < p · 2³², so exactly P(drop) = p up to 2⁻³².
        // (For p = 1 the clamped threshold misses r = 2³² - 1, but the kept scale is then 0 anyway.)
        let threshold = UInt32(min((Double(probability) * 4_294_967_296).rounded(.down), Double(UInt32.max)))
        let keptScale: Float = probability < 1 ? 1 / (1 - probability) : 0
        var output = Tensor(zeros: [])
        let mask = input.withUnsafeBufferPointer { x in
            Tensor(shape: input.shape) { m, _ in
                output = Tensor(shape: input.shape) { y, _ in
                    let p = UncheckedSendable((x.baseAddress!, y, m))
                    ComputeThreads.forEachRange(blocks, minimumPerChunk: max(1, ComputeThreads.elementwiseGrain / blockSize)) { range in
                        let (x, y, m) = p.value
                        let draws = UnsafeMutablePointer<UInt32>.allocate(capacity: blockSize)
                        defer { draws.deallocate() }
                        for block in range {
                            var stream = streams[block]
                            let start = block * blockSize, length = min(blockSize, count - start)
                            // First the raw 32-bit draws, two per generator step (low half first)...
                            var i = 0
                            while i + 2 <= length {
                                let bits = stream.next()
                                draws[i] = UInt32(truncatingIfNeeded: bits)
                                draws[i + 1] = UInt32(truncatingIfNeeded: bits >> 32)
                                i += 2
                            }
                            if i < length { draws[i] = UInt32(truncatingIfNeeded: stream.next()) }
                            // ...then a separate, vectorisable pass turns them into the mask: a scalar float
                            // select would compile to a branch that mispredicts on random data.
                            let source = x + start, scales = m + start, dropped = y + start
                            for j in 0..<length {
                                let scale = draws[j] >= threshold ? keptScale : 0
                                scales[j] = scale
                                dropped[j] = source[j] * scale
                            }
                        }
                    }
                }
            }
        }
        return Result(output: output, mask: mask)
    }

    /// `∂L/∂input = ∂L/∂output ⊙ mask`.
    public static func backward(outputGradient: Tensor, mask: Tensor) throws -> Tensor {
        try ensureShape(outputGradient, mask.shape, "dropout backward (output gradient)")
        return outputGradient.withUnsafeBufferPointer { dy in
            mask.withUnsafeBufferPointer { m in
                Tensor(shape: mask.shape) { dx, count in
                    let p = UncheckedSendable((dy.baseAddress!, m.baseAddress!, dx))
                    ComputeThreads.forEachRange(count, minimumPerChunk: ComputeThreads.elementwiseGrain) { range in
                        let (dy, m, dx) = p.value
                        for i in range { dx[i] = dy[i] * m[i] }
                    }
                }
            }
        }
    }
}
