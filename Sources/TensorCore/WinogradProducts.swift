import CConvolution

/// The 16 matrix products of a Winograd convolution, one per tile position, whose operands (a few dozen channels by
/// a few hundred tiles) stay in cache: BLAS spends much of its time on them packing both operands, the
/// register-blocked kernels of `ilnas_small_gemm` read the small one in place and copy at most column panels of the
/// other. On the baseline path (no FMA, 4-float vectors) BLAS's kernels for the CPU are faster, and so they are
/// past ``largestKernelChannels`` channels, so the products go to BLAS there.
///
/// The paths sum in different orders and with or without fused multiply-adds: they agree up to rounding.
enum WinogradProducts {
    /// The most rows (`m`) and the longest sums (`k`), in channels, the kernels take: measured on the AVX2 path,
    /// they beat BLAS up to 64 channels (ResNet-20's) and fall behind on VGG-m's 128 and 256.
    static let largestKernelChannels = 64

    /// `c[e] = op(a[e]) · b[e]` for every position `e` of position-major operands: `a[e]` is `m x k` (`k x m` when
    /// `transposeA`), `b[e]` `k x n` and `c[e]` `m x n`, all row-major and packed one after the other; `c` is overwritten.
    static func multiply(_ a: UnsafePointer<Float>, transposeA: Bool = false, _ b: UnsafePointer<Float>,
                         into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int,
                         path: KernelPath = WinogradTransform.defaultPath) {
        guard path != .portable, m <= largestKernelChannels, k <= largestKernelChannels else {
            for e in 0..<WinogradTransform.positions {
                Gemm.multiply(a + e * m * k, transposeA: transposeA, b + e * k * n, into: c + e * m * n, m: m, n: n, k: k)
            }
            return
        }
        kernelMultiply(a, transposeA: transposeA, b, into: c, m: m, n: n, k: k, path: path)
    }

    /// The same products by `ilnas_small_gemm` on `path`, whatever their size.
    static func kernelMultiply(_ a: UnsafePointer<Float>, transposeA: Bool = false, _ b: UnsafePointer<Float>,
                               into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, path: KernelPath) {
        for e in 0..<WinogradTransform.positions {
            ilnas_small_gemm(path.cPath, m, n, k, a + e * m * k, transposeA ? 1 : k, transposeA ? m : 1, b + e * k * n, n,
                             c + e * m * n, n)
        }
    }
}
