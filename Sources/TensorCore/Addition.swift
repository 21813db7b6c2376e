/// Element-wise sum of two tensors of the same shape, as in a residual (skip) connection.
public enum Addition {
    /// `a + b`.
    public static func forward(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try ensureShape(b, a.shape, "add (second operand)")
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { z in
                Tensor(shape: a.shape) { y, count in
                    let p = UncheckedSendable((x.baseAddress!, z.baseAddress!, y))
                    ComputeThreads.forEachRange(count, minimumPerChunk: ComputeThreads.elementwiseGrain) { range in
                        let (x, z, y) = p.value
                        for i in range { y[i] = x[i] + z[i] }
                    }
                }
            }
        }
    }

    /// The gradients with respect to both operands: each is `∂L/∂output` itself (shared storage, no copy).
    public static func backward(outputGradient: Tensor) -> (a: Tensor, b: Tensor) {
        (outputGradient, outputGradient)
    }
}
