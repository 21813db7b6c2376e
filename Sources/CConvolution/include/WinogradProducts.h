#ifndef ILNAS_WINOGRAD_PRODUCTS_H
#define ILNAS_WINOGRAD_PRODUCTS_H

#include "CConvolution.h"

/// The matrix products of a Winograd convolution, one per tile position: a few dozen channels by a few hundred tiles,
/// small enough to stay in cache, where a BLAS call spends much of its time packing the operands. These multiply them
/// in register blocks, reading `a` in place and `b` in place or (past 16 rows) one column panel at a time copied
/// into contiguous memory, on the three paths of `ilnas_kernel_path`. Each path sums in its own
/// order (and with fused multiply-adds on AVX2 and AVX-512), so the paths agree up to rounding, not bit for bit.
/// All matrices are row-major.

/// c[i * ldc + j] = Σ_p a[i * a_row_stride + p * a_column_stride] · b[p * ldb + j]
/// for 0 <= i < m, 0 <= j < n, 0 <= p < k: `a` as given (a_row_stride = k, a_column_stride = 1) or transposed
/// (a_row_stride = 1, a_column_stride = m).
void ilnas_small_gemm(ilnas_kernel_path path, long m, long n, long k, const float *a, long a_row_stride,
                      long a_column_stride, const float *b, long ldb, float *c, long ldc);

#endif
