/// The rectified linear unit `max(0, x)`, applied element-wise to a tensor of any shape.
public enum RectifiedLinear {
    /// `max(0, x)` for every element of `input` (NaN stays NaN, so divergence stays visible).
    public static func forward(_ input: Tensor) -> Tensor {
        input.withUnsafeBufferPointer { x in
            Tensor(shape: input.shape) { y, count in
                let p = UncheckedSendable((x.baseAddress!, y))
                ComputeThreads.forEachRange(count, minimumPerChunk: ComputeThreads.elementwiseGrain) { range in
                    let (x, y) = p.value
                    for i in range { y[i] = x[i] < 0 ? 0 : x[i] }
                }
            }
        }
    }

    /// `∂L/∂input` from `∂L/∂output` and the forward `output`: the gradient passes where the output is positive.
    ///
    /// The output is positive exactly where the input is, so either may be passed.
    public static func backward(outputGradient: Tensor, output: Tensor) throws -> Tensor {
        try ensureShape(outputGradient, output.shape, "relu backward (output gradient)")
        return outputGradient.withUnsafeBufferPointer { dy in
            output.withUnsafeBufferPointer { y in
                Tensor(shape: output.shape) { dx, count in
                    let p = UncheckedSendable((dy.baseAddress!, y.baseAddress!, dx))
                    ComputeThreads.forEachRange(count, minimumPerChunk: ComputeThreads.elementwiseGrain) { range in
                        let (dy, y, dx) = p.value
                        for i in range {
                            // Load unconditionally: a select vectorises, a conditional load becomes a branch.
                            let gradient = dy[i]
                            dx[i] = y[i] > 0 ? gradient : 0
                        }
                    }
                }
            }
        }
    }
}
