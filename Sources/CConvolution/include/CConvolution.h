#ifndef ILNAS_CCONVOLUTION_H
#define ILNAS_CCONVOLUTION_H

/// Direct convolution kernels for few channels, compiled for three instruction sets and chosen at run time.
///
/// Input images are zero-padded planes: channel c starts at `c * plane_stride`, rows are `row_width` floats apart,
/// and output (h, w) reads input `h * row_width + w + ki * row_width + kj` of each channel (stride 1, no dilation, a
/// kernel of `kernel_height x kernel_width`). Outputs and output gradients are plain `out_height x out_width` planes.
/// Input reads may run up to ILNAS_DIRECT_SLACK_ROWS rows plus ILNAS_DIRECT_SLACK floats past the last plane: the
/// caller provides them (their values only reach outputs that are never stored).

/// Floats past the slack rows that the kernels may read.
#define ILNAS_DIRECT_SLACK 128
/// Rows of `row_width` floats past the last plane that the kernels may read.
#define ILNAS_DIRECT_SLACK_ROWS 7
/// Floats of partial sums per weight in the weight gradient's `lanes` buffer.
#define ILNAS_DIRECT_LANES 16

/// The instruction set a kernel runs with.
typedef enum {
    ilnas_kernel_portable = 0,  ///< the compiler's baseline (SSE2 on x86-64)
    ilnas_kernel_avx2 = 1,      ///< AVX2 with FMA, 8-float vectors
    ilnas_kernel_avx512 = 2     ///< AVX-512F, 16-float vectors
} ilnas_kernel_path;

/// Whether this CPU runs `path`.
int ilnas_cpu_supports(ilnas_kernel_path path);

/// out[o * out_plane + h * out_width + w] = bias[o] (0 without bias)
///     + Σ_{c, ki, kj} weights[((o * channels + c) * kh + ki) * kw + kj] · input[c * plane_stride + (h + ki) * row_width + w + kj]
/// for 0 <= o < outputs, 0 <= h < out_height, 0 <= w < out_width; writes nothing else.
void ilnas_direct_forward(ilnas_kernel_path path, const float *input, long channels, long plane_stride, long row_width,
                          long kernel_height, long kernel_width, const float *weights, const float *bias, long outputs,
                          long out_height, long out_width, float *out, long out_plane);

/// Adds Σ_{h, w} gradient[o * gradient_plane + h * out_width + w] · input[c * plane_stride + (h + ki) * row_width + w + kj]
/// to the partial sums of weight i = ((o * channels + c) * kh + ki) * kw + kj, the floats
/// `lanes[i * ILNAS_DIRECT_LANES ..< (i + 1) * ILNAS_DIRECT_LANES]` (zero at first); ilnas_direct_reduce_lanes adds
/// them up. Keeping partial sums across images spares a horizontal sum per weight and image.
void ilnas_direct_weight_gradient(ilnas_kernel_path path, const float *input, long channels, long plane_stride,
                                  long row_width, long kernel_height, long kernel_width, const float *gradient,
                                  long outputs, long gradient_plane, long out_height, long out_width, float *lanes);

/// weight_gradient[i] += the partial sums of weight i in `lanes` (written by ilnas_direct_weight_gradient with the
/// same `path`), for 0 <= i < count, and zeroes them.
void ilnas_direct_reduce_lanes(ilnas_kernel_path path, float *lanes, long count, float *weight_gradient);

/// The Winograd F(2x2, 3x3) data transforms, on the same three paths.
#include "WinogradTransforms.h"
/// The Winograd convolution's matrix products, on the same three paths.
#include "WinogradProducts.h"

/// The im2col unfolding for stride 1, its adjoint and its row copy, on the same three paths.
#include "Unfold.h"

/// The implicit GEMM (channels in vector lanes, patches read in place), on the same three paths.
#include "ImplicitGEMM.h"

#endif
