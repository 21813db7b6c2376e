#include "WinogradTransforms.h"
#include "instruction_sets.h"

// Each transform is written once as plain loops over the tiles of a row (`j`), which the compiler vectorises; it is
// inlined into one function per instruction set, so those loops become 16-, 8- or 4-float vectors. The loops only add
// and subtract, in the order written, so all three give the same bits (no multiply-add to contract).

#define INLINE static inline __attribute__((always_inline))

INLINE void input_body(const float *restrict padded, long channels, long tile_rows, long tile_columns,
                       float *restrict rows, float *restrict v, long tile_count) {
    const long padded_height = 2 * tile_rows + 2, padded_width = 2 * tile_columns + 2;
    const long plane = padded_height * tile_columns, position_stride = channels * tile_count;
    for (long channel = 0; channel < channels; channel++) {
        // Along rows: each row's tiles (d0, d1, d2, d3) become (d0 - d2, d1 + d2, d2 - d1, d1 - d3), one plane each.
        const float *image = padded + channel * padded_height * padded_width;
        for (long row = 0; row < padded_height; row++) {
            const float *restrict d = image + row * padded_width;
            float *restrict t0 = rows + row * tile_columns, *restrict t1 = t0 + plane;
            float *restrict t2 = t1 + plane, *restrict t3 = t2 + plane;
            for (long j = 0; j < tile_columns; j++) {
                const float d0 = d[2 * j], d1 = d[2 * j + 1], d2 = d[2 * j + 2], d3 = d[2 * j + 3];
                t0[j] = d0 - d2;
                t1[j] = d1 + d2;
                t2[j] = d2 - d1;
                t3[j] = d1 - d3;
            }
        }
        // Down the columns, the same combination of rows 2i ... 2i + 3 gives tile row i of each position.
        for (long column = 0; column < 4; column++) {
            for (long i = 0; i < tile_rows; i++) {
                const float *restrict r0 = rows + column * plane + 2 * i * tile_columns;
                const float *restrict r1 = r0 + tile_columns, *restrict r2 = r1 + tile_columns;
                const float *restrict r3 = r2 + tile_columns;
                float *restrict v0 = v + (column * channels + channel) * tile_count + i * tile_columns;
                float *restrict v1 = v0 + 4 * position_stride, *restrict v2 = v1 + 4 * position_stride;
                float *restrict v3 = v2 + 4 * position_stride;
                for (long j = 0; j < tile_columns; j++) {
                    const float a0 = r0[j], a1 = r1[j], a2 = r2[j], a3 = r3[j];
                    v0[j] = a0 - a2;
                    v1[j] = a1 + a2;
                    v2[j] = a2 - a1;
                    v3[j] = a1 - a3;
                }
            }
        }
    }
}

INLINE void input_gradient_body(const float *restrict dv, long channels, long tile_rows, long tile_columns,
                                long tile_count, float *restrict rows, float *restrict padded_gradient) {
    const long padded_height = 2 * tile_rows + 2, padded_width = 2 * tile_columns + 2;
    const long plane = padded_height * tile_columns, ps = channels * tile_count;
    for (long channel = 0; channel < channels; channel++) {
        // Down the columns, into rows of per-tile values: the adjoint of (d0 - d2, d1 + d2, d2 - d1, d1 - d3) is
        // (u0, u1 - u2 + u3, -u0 + u1 + u2, -u3); tiles overlap by two rows, so row 2i gathers the first of tile row
        // i and the third of tile row i - 1, row 2i + 1 the second of i and the fourth of i - 1.
        for (long column = 0; column < 4; column++) {
            const float *source = dv + (column * channels + channel) * tile_count;
            for (long i = 0; i <= tile_rows; i++) {
                float *restrict even = rows + column * plane + 2 * i * tile_columns;
                float *restrict odd = even + tile_columns;
                const float *restrict current = source + (i < tile_rows ? i : tile_rows - 1) * tile_columns;
                const float *restrict previous = source + (i > 0 ? i - 1 : 0) * tile_columns;
                if (i == 0) {
                    for (long j = 0; j < tile_columns; j++) {
                        even[j] = current[j];
                        odd[j] = current[4 * ps + j] - current[8 * ps + j] + current[12 * ps + j];
                    }
                } else if (i == tile_rows) {
                    for (long j = 0; j < tile_columns; j++) {
                        float e = 0, o = 0;
                        e += previous[4 * ps + j] + previous[8 * ps + j] - previous[j];
                        o -= previous[12 * ps + j];
                        even[j] = e;
                        odd[j] = o;
                    }
                } else {
                    for (long j = 0; j < tile_columns; j++) {
                        float e = current[j], o = current[4 * ps + j] - current[8 * ps + j] + current[12 * ps + j];
                        e += previous[4 * ps + j] + previous[8 * ps + j] - previous[j];
                        o -= previous[12 * ps + j];
                        even[j] = e;
                        odd[j] = o;
                    }
                }
            }
        }
        // Along the rows: first each tile's own elements, then its neighbour's share added two elements on.
        float *image = padded_gradient + channel * padded_height * padded_width;
        for (long row = 0; row < padded_height; row++) {
            const float *restrict t0 = rows + row * tile_columns, *restrict t1 = t0 + plane;
            const float *restrict t2 = t1 + plane, *restrict t3 = t2 + plane;
            float *restrict line = image + row * padded_width;
            for (long j = 0; j < tile_columns; j++) {
                line[2 * j] = t0[j];
                line[2 * j + 1] = t1[j] - t2[j] + t3[j];
            }
            line[2 * tile_columns] = 0;
            line[2 * tile_columns + 1] = 0;
            for (long j = 0; j < tile_columns; j++) {
                const float even = line[2 * j + 2], odd = line[2 * j + 3];
                line[2 * j + 2] = even + t1[j] + t2[j] - t0[j];
                line[2 * j + 3] = odd - t3[j];
            }
        }
    }
}

INLINE void output_body(const float *restrict m, long outputs, long tile_rows, long tile_columns, long tile_count,
                        const float *restrict bias, float *restrict rows, float *restrict y) {
    const long ps = outputs * tile_count, width = 2 * tile_columns, tiles = tile_rows * tile_columns;
    for (long channel = 0; channel < outputs; channel++) {
        const float shift = bias ? bias[channel] : 0;
        // Down each column b, over all tiles at once: (m0 + m1 + m2, m1 - m2 - m3) into an upper and a lower plane.
        // Four input streams at a time: all sixteen at once, a multiple of 4 KB apart, would evict each other.
        for (int b = 0; b < 4; b++) {
            const float *restrict m0 = m + b * ps + channel * tile_count, *restrict m1 = m0 + 4 * ps;
            const float *restrict m2 = m1 + 4 * ps, *restrict m3 = m2 + 4 * ps;
            float *restrict upper = rows + 2 * b * tiles, *restrict lower = upper + tiles;
            for (long t = 0; t < tiles; t++) {
                upper[t] = m0[t] + m1[t] + m2[t];
                lower[t] = m1[t] - m2[t] - m3[t];
            }
        }
        // Then the same along the two rows of every tile.
        const float *restrict u0 = rows, *restrict l0 = u0 + tiles, *restrict u1 = l0 + tiles, *restrict l1 = u1 + tiles;
        const float *restrict u2 = l1 + tiles, *restrict l2 = u2 + tiles, *restrict u3 = l2 + tiles, *restrict l3 = u3 + tiles;
        for (long i = 0; i < tile_rows; i++) {
            float *restrict top = y + (channel * 2 * tile_rows + 2 * i) * width, *restrict bottom = top + width;
            for (long j = 0; j < tile_columns; j++) {
                const long t = i * tile_columns + j;
                top[2 * j] = u0[t] + u1[t] + u2[t] + shift;
                top[2 * j + 1] = u1[t] - u2[t] - u3[t] + shift;
                bottom[2 * j] = l0[t] + l1[t] + l2[t] + shift;
                bottom[2 * j + 1] = l1[t] - l2[t] - l3[t] + shift;
            }
        }
    }
}

INLINE void output_gradient_body(const float *restrict dy, long outputs, long tile_rows, long tile_columns,
                                 long tile_count, float *restrict rows, float *restrict dm) {
    const long ps = outputs * tile_count, values = 2 * tile_rows * tile_columns;
    for (long channel = 0; channel < outputs; channel++) {
        // Along rows, over the whole plane in one loop (its rows are exactly 2 · tile_columns wide, so the pairs
        // (y0, y1) of every row follow each other): (y0, y0 + y1, y0 - y1, -y1) give columns 0 to 3, one plane each.
        const float *restrict plane = dy + channel * 2 * values;
        float *restrict c0 = rows, *restrict c1 = c0 + values, *restrict c2 = c1 + values, *restrict c3 = c2 + values;
        for (long k = 0; k < values; k++) {
            const float y0 = plane[2 * k], y1 = plane[2 * k + 1];
            c0[k] = y0;
            c1[k] = y0 + y1;
            c2[k] = y0 - y1;
            c3[k] = -y1;
        }
        // Down the two rows of each tile row, the same combination, from contiguous rows of per-tile values; column
        // by column, so that four output streams run on through the tile rows.
        for (int column = 0; column < 4; column++) {
            for (long i = 0; i < tile_rows; i++) {
                const float *restrict upper = rows + column * values + 2 * i * tile_columns;
                const float *restrict lower = upper + tile_columns;
                float *restrict t0 = dm + channel * tile_count + i * tile_columns + column * ps, *restrict t1 = t0 + 4 * ps;
                float *restrict t2 = t1 + 4 * ps, *restrict t3 = t2 + 4 * ps;
                for (long j = 0; j < tile_columns; j++) {
                    const float u = upper[j], l = lower[j];
                    t0[j] = u;
                    t1[j] = u + l;
                    t2[j] = u - l;
                    t3[j] = -l;
                }
            }
        }
    }
}

// One function per instruction set around each body, and the public function that picks one (ILNAS_DISPATCH).
static AVX512 void input_avx512(const float *padded, long channels, long tile_rows, long tile_columns, float *rows,
                                float *v, long tile_count) {
    input_body(padded, channels, tile_rows, tile_columns, rows, v, tile_count);
}
static AVX2 void input_avx2(const float *padded, long channels, long tile_rows, long tile_columns, float *rows,
                            float *v, long tile_count) {
    input_body(padded, channels, tile_rows, tile_columns, rows, v, tile_count);
}
static void input_portable(const float *padded, long channels, long tile_rows, long tile_columns, float *rows,
                           float *v, long tile_count) {
    input_body(padded, channels, tile_rows, tile_columns, rows, v, tile_count);
}

void ilnas_winograd_input(ilnas_kernel_path path, const float *padded, long channels, long tile_rows,
                          long tile_columns, float *rows, float *v, long tile_count) {
    ILNAS_DISPATCH(path, input, padded, channels, tile_rows, tile_columns, rows, v, tile_count)
}

static AVX512 void input_gradient_avx512(const float *dv, long channels, long tile_rows, long tile_columns,
                                         long tile_count, float *rows, float *padded_gradient) {
    input_gradient_body(dv, channels, tile_rows, tile_columns, tile_count, rows, padded_gradient);
}
static AVX2 void input_gradient_avx2(const float *dv, long channels, long tile_rows, long tile_columns,
                                     long tile_count, float *rows, float *padded_gradient) {
    input_gradient_body(dv, channels, tile_rows, tile_columns, tile_count, rows, padded_gradient);
}
static void input_gradient_portable(const float *dv, long channels, long tile_rows, long tile_columns,
                                    long tile_count, float *rows, float *padded_gradient) {
    input_gradient_body(dv, channels, tile_rows, tile_columns, tile_count, rows, padded_gradient);
}

void ilnas_winograd_input_gradient(ilnas_kernel_path path, const float *dv, long channels, long tile_rows,
                                   long tile_columns, long tile_count, float *rows, float *padded_gradient) {
    ILNAS_DISPATCH(path, input_gradient, dv, channels, tile_rows, tile_columns, tile_count, rows, padded_gradient)
}

static AVX512 void output_avx512(const float *m, long outputs, long tile_rows, long tile_columns, long tile_count,
                                 const float *bias, float *rows, float *y) {
    output_body(m, outputs, tile_rows, tile_columns, tile_count, bias, rows, y);
}
static AVX2 void output_avx2(const float *m, long outputs, long tile_rows, long tile_columns, long tile_count,
                             const float *bias, float *rows, float *y) {
    output_body(m, outputs, tile_rows, tile_columns, tile_count, bias, rows, y);
}
static void output_portable(const float *m, long outputs, long tile_rows, long tile_columns, long tile_count,
                            const float *bias, float *rows, float *y) {
    output_body(m, outputs, tile_rows, tile_columns, tile_count, bias, rows, y);
}

void ilnas_winograd_output(ilnas_kernel_path path, const float *m, long outputs, long tile_rows, long tile_columns,
                           long tile_count, const float *bias, float *rows, float *y) {
    ILNAS_DISPATCH(path, output, m, outputs, tile_rows, tile_columns, tile_count, bias, rows, y)
}

static AVX512 void output_gradient_avx512(const float *dy, long outputs, long tile_rows, long tile_columns,
                                          long tile_count, float *rows, float *dm) {
    output_gradient_body(dy, outputs, tile_rows, tile_columns, tile_count, rows, dm);
}
static AVX2 void output_gradient_avx2(const float *dy, long outputs, long tile_rows, long tile_columns,
                                      long tile_count, float *rows, float *dm) {
    output_gradient_body(dy, outputs, tile_rows, tile_columns, tile_count, rows, dm);
}
static void output_gradient_portable(const float *dy, long outputs, long tile_rows, long tile_columns,
                                     long tile_count, float *rows, float *dm) {
    output_gradient_body(dy, outputs, tile_rows, tile_columns, tile_count, rows, dm);
}

void ilnas_winograd_output_gradient(ilnas_kernel_path path, const float *dy, long outputs, long tile_rows,
                                    long tile_columns, long tile_count, float *rows, float *dm) {
    ILNAS_DISPATCH(path, output_gradient, dy, outputs, tile_rows, tile_columns, tile_count, rows, dm)
}
