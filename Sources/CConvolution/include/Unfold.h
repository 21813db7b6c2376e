#ifndef ILNAS_UNFOLD_H
#define ILNAS_UNFOLD_H

#include "CConvolution.h"

/// The unfolding of im2col for stride 1 and its adjoint, compiled for the three instruction sets of
/// `ilnas_kernel_path` and chosen at run time. They copy and add floats in the same order on every path, so every
/// path gives bit-identical results, and they touch no float outside the rows they name.
///
/// The padded image is `[channels, padded_height, padded_width]`; patch-matrix row `r = (c * kernel_height + ki) *
/// kernel_width + kj` starts at `columns + r * row_stride` and holds the `out_height x out_width` outputs' inputs,
/// row by row: entry `oh * out_width + ow` is `padded[c][oh + ki * dilation][ow + kj * dilation]`.

/// Writes the patch matrix of one padded image into `columns`.
void ilnas_unfold(ilnas_kernel_path path, const float *padded, long channels, long padded_height, long padded_width,
                  long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                  float *columns, long row_stride);

/// Adds every entry of the patch-matrix gradient `columns` onto the padded image gradient element it was copied
/// from by `ilnas_unfold`; each element receives its entries in the order of patch rows.
void ilnas_fold(ilnas_kernel_path path, const float *columns, long row_stride, long channels, long padded_height,
                long padded_width, long kernel_height, long kernel_width, long dilation, long out_height,
                long out_width, float *padded);

/// Copies `rows` (>= 0) rows of `width` (>= 0) floats, row r from `source + r * source_stride` to
/// `destination + r * destination_stride`, by the unfolding's row copy; touches nothing else. For the short rows of
/// images (28 or 32 floats for MNIST and CIFAR), where a call to memcpy per row costs as much as the copy.
void ilnas_copy_rows(ilnas_kernel_path path, const float *source, long source_stride, float *destination,
                     long destination_stride, long rows, long width);

#endif
