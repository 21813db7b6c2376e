import CBLAS

/// Single-precision general matrix multiply on OpenBLAS, row-major:
/// `C = alpha * op(A) * op(B) + beta * C`, where `op(A)` is `m x k` and `op(B)` is `k x n`.
public enum Gemm {
    /// One single-threaded `cblas_sgemm` call. Leading dimensions default to the packed row length.
    @inlinable
    public static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, beta: Float = 0,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil
    ) {
        if m == 0 || n == 0 { return }
        _ = BLASKernels.setUp
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda ?? (transposeA ? m : k)),
            b, Int32(ldb ?? (transposeB ? k : n)),
            beta, c, Int32(ldc ?? n)
        )
    }

    /// The same product split into row blocks (or column blocks when `n` is the larger side)
    /// computed by `ComputeThreads.count` single-threaded calls. Small products run on one thread.
    public static func parallelMultiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        let lda = transposeA ? m : k, ldb = transposeB ? k : n, ldc = n
        let threads = ComputeThreads.count
        let flops = 2 * m * n * k
        if threads == 1 || flops < parallelThreshold || max(m, n) < 2 * threads {
            multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: c,
                     m: m, n: n, k: k, alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
            return
        }
        let pointers = UncheckedSendable((a, b, c))
        let splitRows = m >= n
        ComputeThreads.forEachChunk(threads) { chunk in
            let (a, b, c) = pointers.value
            if splitRows {
                let rows = ComputeThreads.range(ofChunk: chunk, of: threads, total: m)
                let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                multiply(aBlock, transposeA: transposeA, b, transposeB: transposeB, into: c + rows.lowerBound * ldc,
                         m: rows.count, n: n, k: k, alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
            } else {
                let columns = ComputeThreads.range(ofChunk: chunk, of: threads, total: n)
                let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                multiply(a, transposeA: transposeA, bBlock, transposeB: transposeB, into: c + columns.lowerBound,
                         m: m, n: columns.count, k: k, alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
            }
        }
    }

    /// Products below this many floating-point operations are not worth splitting across threads.
    public static let parallelThreshold = 1 << 21
}
