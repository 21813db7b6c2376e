import CConvolution

/// The 16 matrix products of a Winograd convolution, one per tile position, whose operands (a few dozen channels by
/// a few hundred tiles) stay in cache: BLAS spends much of its time on them packing operands, the register-blocked
/// kernels of `ilnas_small_gemm` multiply them where they lie. On the baseline path (no FMA, 4-float vectors) BLAS's
/// kernels for the CPU are faster, so the products go to BLAS there.
///
/// The paths sum in different orders and with or without fused multiply-adds: they agree up to rounding.
enum WinogradProducts {
    /// `c[e] = op(a[e]) · b[e]` for every position `e` of position-major operands: `a[e]` is `m x k` (`k x m` when
    /// `transposeA`), `b[e]` `k x n` and `c[e]` `m x n`, all row-major and packed one after the other; `c` is overwritten.
    static func multiply(_ a: UnsafePointer<Float>, transposeA: Bool = false, _ b: UnsafePointer<Float>,
                         into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int,
                         path: KernelPath = WinogradTransform.defaultPath) {
        for e in 0..<WinogradTransform.positions {
            let ae = a + e * m * k, be = b + e * k * n, ce = c + e * m * n
            if path == .portable {
                Gemm.multiply(ae, transposeA: transposeA, be, into: ce, m: m, n: n, k: k)
            } else {
                ilnas_small_gemm(path.cPath, m, n, k, ae, transposeA ? 1 : k, transposeA ? m : 1, be, n, ce, n)
            }
        }
    }
}
