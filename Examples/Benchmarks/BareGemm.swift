import CBLAS
import TensorCore

/// Row-major single-threaded `C = alpha * op(A) * op(B) + beta * C` with packed leading dimensions
/// unless given: the only BLAS call of the reference.
@inline(__always)
func sgemm(_ a: UnsafePointer<Float>, transposeA: Bool = false, _ b: UnsafePointer<Float>, transposeB: Bool = false,
           into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, beta: Float = 0,
           lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1,
                a, Int32(lda ?? (transposeA ? m : k)), b, Int32(ldb ?? (transposeB ? k : n)),
                beta, c, Int32(ldc ?? n))
}

/// One GEMM split across `threads` single-threaded calls (on the framework's fork-join, so that the comparison
/// isolates the work around the GEMMs) exactly as the framework's
/// `Gemm.parallelMultiply` splits it: row blocks when `m >= n`, column blocks otherwise, and no split
/// for one thread, for fewer than `Gemm.parallelThreshold` flops or when the split side is shorter than twice the threads.
func splitGemm(threads: Int, _ a: UnsafePointer<Float>, transposeA: Bool = false,
               _ b: UnsafePointer<Float>, transposeB: Bool = false,
               into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, beta: Float = 0) {
    let lda = transposeA ? m : k, ldb = transposeB ? k : n, ldc = n
    if threads == 1 || 2 * m * n * k < Gemm.parallelThreshold || max(m, n) < 2 * threads {
        sgemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, beta: beta)
        return
    }
    let pointers = UncheckedSendable((a, b, c))
    let splitRows = m >= n
    ComputeThreads.forEachChunk(threads) { chunk in
        let (a, b, c) = pointers.value
        if splitRows {
            let rows = ComputeThreads.range(ofChunk: chunk, of: threads, total: m)
            sgemm(transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda, transposeA: transposeA,
                  b, transposeB: transposeB, into: c + rows.lowerBound * ldc,
                  m: rows.count, n: n, k: k, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
        } else {
            let columns = ComputeThreads.range(ofChunk: chunk, of: threads, total: n)
            sgemm(a, transposeA: transposeA, transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound,
                  transposeB: transposeB, into: c + columns.lowerBound,
                  m: m, n: columns.count, k: k, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
        }
    }
}
