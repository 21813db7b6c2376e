#ifndef ILNAS_CCONVOLUTION_H
#define ILNAS_CCONVOLUTION_H

/// Direct convolution kernels for few channels, compiled for three instruction sets and chosen at run time.
///
/// Images are "extended planes": channel c starts at `c * plane_stride`, rows are `row_width` floats apart, and an
/// output position p (0 <= p < positions) reads input `p + ki * row_width + kj` of each channel (stride 1, no
/// dilation, a kernel of `kernel_height x kernel_width`). With `row_width` the padded image's width, positions whose
/// column is beyond the output width are surplus: their values are computed and must be ignored.
/// Every input read may run ILNAS_DIRECT_SLACK floats past the last position's window: the caller provides them.

/// Floats past the last read window that the kernels may read (their values only reach surplus positions).
#define ILNAS_DIRECT_SLACK 128

/// The instruction set a kernel runs with.
typedef enum {
    ilnas_kernel_portable = 0,  ///< the compiler's baseline (SSE2 on x86-64)
    ilnas_kernel_avx2 = 1,      ///< AVX2 with FMA, 8-float vectors
    ilnas_kernel_avx512 = 2     ///< AVX-512F, 16-float vectors
} ilnas_kernel_path;

/// Whether this CPU runs `path`.
int ilnas_cpu_supports(ilnas_kernel_path path);

/// out[o * out_stride + p] = bias[o] (0 without bias) + Σ_{c, ki, kj} weights[((o * channels + c) * kh + ki) * kw + kj]
///                                                          · input[c * plane_stride + p + ki * row_width + kj]
/// for 0 <= o < outputs, 0 <= p < positions. Writes exactly `positions` floats of each output row.
void ilnas_direct_forward(ilnas_kernel_path path, const float *input, long channels, long plane_stride, long row_width,
                          long kernel_height, long kernel_width, const float *weights, const float *bias, long outputs,
                          long positions, float *out, long out_stride);

/// weight_gradient[((o * channels + c) * kh + ki) * kw + kj] += Σ_p gradient[o * gradient_stride + p]
///                                                                · input[c * plane_stride + p + ki * row_width + kj]
/// over 0 <= p < positions rounded up to a multiple of 16: the gradient must hold zeros at surplus positions and
/// up to that multiple (`gradient_stride` at least that large).
void ilnas_direct_weight_gradient(ilnas_kernel_path path, const float *input, long channels, long plane_stride,
                                  long row_width, long kernel_height, long kernel_width, const float *gradient,
                                  long outputs, long gradient_stride, long positions, float *weight_gradient);

/// The Winograd F(2x2, 3x3) data transforms, on the same three paths.
#include "WinogradTransforms.h"

#endif
