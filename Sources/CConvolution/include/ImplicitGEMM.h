#ifndef ILNAS_IMPLICIT_GEMM_H
#define ILNAS_IMPLICIT_GEMM_H

#include "CConvolution.h"

/// Channels of one block of the implicit GEMM: one AVX-512 vector, two AVX2 vectors, four baseline ones.
#define ILNAS_IMPLICIT_LANES 16

/// A product of blocks of 16 channel coefficients with an image read in place (no patch matrix), compiled for the
/// three instruction sets of `ilnas_kernel_path` and chosen at run time. Channels lie in vector lanes; each image value
/// is broadcast to all of them. It computes, for every block b < blocks, grid point (d, r, s) of
/// grid_depth x grid_rows x grid_cols and lane l < 16,
///
///     result[(((b * grid_depth + d) * grid_rows + r) * grid_cols + s) * 16 + l]  (= or +=)
///         Σ_{kd < depth, kr < height, kc < width} coefficients[(((b * depth + kd) * height + kr) * width + kc) * 16 + l]
///             · image[d * grid_depth_stride + r * row_width + s + kd * depth_stride + kr * row_width + kc]
///
/// summing in the order of (kd, kr, kc). The forward convolution is the grid of output positions over the taps
/// (depth = input channels); the weight gradient is the grid of taps (grid depth = input channels) over the output
/// positions, with the output gradient as coefficients. With `accumulate` the sums are added to `result`, otherwise
/// they replace it. Reads no image float outside those the formula names.
void ilnas_implicit_gemm(ilnas_kernel_path path, const float *coefficients, long blocks, long depth, long depth_stride,
                         long height, long width, const float *image, long row_width, long grid_depth,
                         long grid_depth_stride, long grid_rows, long grid_cols, float *result, int accumulate);

#endif
