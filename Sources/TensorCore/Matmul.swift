/// Matrix products of rank-2 tensors, with their gradients.
public enum Matmul {
    /// `op(a) · op(b)`, where `op` transposes when asked. Shapes: `op(a)` is `m x k`, `op(b)` is `k x n`.
    public static func forward(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false) throws -> Tensor {
        guard a.rank == 2, b.rank == 2 else {
            throw TensorError.invalidArgument(operation: "matmul", reason: "needs rank-2 tensors, got \(a.shape) and \(b.shape)")
        }
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == kb else {
            throw TensorError.shapeMismatch(operation: "matmul (inner dimensions)", expected: [m, k], actual: [kb, n])
        }
        var c = Tensor(zeros: [m, n])
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    Gemm.parallelMultiply(ap.baseAddress!, transposeA: transposeA, bp.baseAddress!, transposeB: transposeB,
                                          into: cp.baseAddress!, m: m, n: n, k: k)
                }
            }
        }
        return c
    }

    /// Gradients of `c = op(a) · op(b)` with respect to `a` and `b`, given `∂L/∂c`.
    public static func backward(
        _ outputGradient: Tensor, _ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false
    ) throws -> (a: Tensor, b: Tensor) {
        // c = A B with A = op(a), B = op(b): dA = dC B^T, dB = A^T dC; then undo op.
        let gradA = transposeA
            ? try forward(b, transposeA: transposeB, outputGradient, transposeB: true)
            : try forward(outputGradient, b, transposeB: !transposeB)
        let gradB = transposeB
            ? try forward(outputGradient, transposeA: true, a, transposeB: transposeA)
            : try forward(a, transposeA: !transposeA, outputGradient)
        return (gradA, gradB)
    }
}
