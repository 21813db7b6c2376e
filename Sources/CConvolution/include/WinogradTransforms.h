#ifndef ILNAS_WINOGRAD_TRANSFORMS_H
#define ILNAS_WINOGRAD_TRANSFORMS_H

#include "CConvolution.h"

/// The data transforms of Winograd's F(2x2, 3x3) and their adjoints, compiled for the three instruction sets of
/// `ilnas_kernel_path` and chosen at run time. They only add and subtract, in the same order on every path, so every
/// path gives bit-identical results. Layouts are those of the Swift `WinogradTransform`: transformed data is
/// position-major, position `e` (`4 * row + column` of the 4x4 tile), channel `c`, tile `t` at
/// `(e * channels + c) * tile_count + t`; tiles run row by row over an image's `tile_rows x tile_columns` tiles.
/// `rows` is scratch memory of `4 * (2 * tile_rows + 2) * tile_columns` floats.

/// V = Bᵀ d B of every 4x4 tile (stride 2) of every channel of one padded image
/// `[channels, 2 * tile_rows + 2, 2 * tile_columns + 2]`, written at tile offset 0 of `v`.
void ilnas_winograd_input(ilnas_kernel_path path, const float *padded, long channels, long tile_rows,
                          long tile_columns, float *rows, float *v, long tile_count);

/// The adjoint of `ilnas_winograd_input`: B dV Bᵀ of every tile of `dv`, summed where tiles overlap, written into
/// (overwriting) the padded image gradient `[channels, 2 * tile_rows + 2, 2 * tile_columns + 2]`.
void ilnas_winograd_input_gradient(ilnas_kernel_path path, const float *dv, long channels, long tile_rows,
                                   long tile_columns, long tile_count, float *rows, float *padded_gradient);

/// y = Aᵀ m A of every tile of one image's products `m` `[16, outputs, tile_count]` (tile offset 0), plus `bias`
/// (none when NULL), written into (overwriting) the image `[outputs, 2 * tile_rows, 2 * tile_columns]`. `rows` is
/// scratch memory of `8 * tile_rows * tile_columns` floats (no more than the input transforms').
void ilnas_winograd_output(ilnas_kernel_path path, const float *m, long outputs, long tile_rows, long tile_columns,
                           long tile_count, const float *bias, float *rows, float *y);

/// The adjoint of `ilnas_winograd_output`: dM = A dY Aᵀ of every tile of one image's output gradient
/// `[outputs, 2 * tile_rows, 2 * tile_columns]`, written at tile offset 0 of `dm`. `rows` is scratch memory of
/// `8 * tile_rows * tile_columns` floats (no more than the input transforms').
void ilnas_winograd_output_gradient(ilnas_kernel_path path, const float *dy, long outputs, long tile_rows,
                                    long tile_columns, long tile_count, float *rows, float *dm);

#endif
