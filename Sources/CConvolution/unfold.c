#include "Unfold.h"
#include "instruction_sets.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define UNFOLD_X86 1
#else
#define UNFOLD_X86 0
#endif

#define INLINE static inline __attribute__((always_inline))

// The unfolding is written once over the patch rows (FOR_EACH_PATCH_ROW) with the row copy as a parameter, and
// expanded into one function per instruction set with that set's row copy: whole vectors, then the rest. The
// portable fold adds patch row by patch row the same way, and so do the vector folds for wide rows; for narrow rows
// they go by image rows (see FOLD_BY_PATCH_ROWS_WIDTH and fold_channels_avx512).

#define FOR_EACH_PATCH_ROW(ROW_OPERATION)                                                                          \
    const long plane = padded_height * padded_width;                                                               \
    long row = 0;                                                                                                  \
    for (long c = 0; c < channels; c++) {                                                                          \
        for (long ki = 0; ki < kernel_height; ki++) {                                                              \
            for (long kj = 0; kj < kernel_width; kj++, row++) {                                                    \
                float *image_row = (float *)padded + c * plane + ki * dilation * padded_width + kj * dilation;     \
                float *column_row = (float *)columns + row * row_stride;                                           \
                for (long oh = 0; oh < out_height; oh++) {                                                         \
                    ROW_OPERATION;                                                                                 \
                    image_row += padded_width;                                                                     \
                    column_row += out_width;                                                                       \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
    }

#if UNFOLD_X86

// The end of a row, after its whole 8-float vectors: at most one 4-float vector, then single floats (AVX2's masked
// vector moves are slower than these on some CPUs, much slower for stores on AMD's).
INLINE AVX2 void copy_tail(const float *source, float *target, long i, long n) {
    if (i + 4 <= n) {
        _mm_storeu_ps(target + i, _mm_loadu_ps(source + i));
        i += 4;
    }
    for (; i < n; i++) target[i] = source[i];
}

INLINE AVX2 void add_tail(const float *source, float *target, long i, long n) {
    if (i + 4 <= n) {
        _mm_storeu_ps(target + i, _mm_add_ps(_mm_loadu_ps(target + i), _mm_loadu_ps(source + i)));
        i += 4;
    }
    for (; i < n; i++) target[i] += source[i];
}

INLINE AVX2 void add_avx2(const float *source, float *target, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(target + i, _mm256_add_ps(_mm256_loadu_ps(target + i), _mm256_loadu_ps(source + i)));
    add_tail(source, target, i, n);
}

INLINE AVX512 void add_avx512(const float *source, float *target, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(target + i, _mm512_add_ps(_mm512_loadu_ps(target + i), _mm512_loadu_ps(source + i)));
    if (i + 8 <= n) {
        _mm256_storeu_ps(target + i, _mm256_add_ps(_mm256_loadu_ps(target + i), _mm256_loadu_ps(source + i)));
        i += 8;
    }
    add_tail(source, target, i, n);
}

// A copied row of at least a vector ends with one more whole vector ending at the row's end: it overlaps floats
// already copied, with the same values.
INLINE AVX2 void copy_avx2(const float *source, float *target, long n) {
    if (n < 8) {
        copy_tail(source, target, 0, n);
        return;
    }
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(target + i, _mm256_loadu_ps(source + i));
    if (i < n) _mm256_storeu_ps(target + n - 8, _mm256_loadu_ps(source + n - 8));
}

// A row narrower than a vector is one masked load and one masked store (AVX-512's masked moves run at full speed).
INLINE AVX512 void copy_avx512(const float *source, float *target, long n) {
    if (n < 16) {
        const __mmask16 lanes = (__mmask16)((1u << n) - 1);
        _mm512_mask_storeu_ps(target, lanes, _mm512_maskz_loadu_ps(lanes, source));
        return;
    }
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(target + i, _mm512_loadu_ps(source + i));
    if (i + 8 >= n && i < n) {
        _mm256_storeu_ps(target + n - 8, _mm256_loadu_ps(source + n - 8));
    } else if (i < n) {
        _mm512_storeu_ps(target + n - 16, _mm512_loadu_ps(source + n - 16));
    }
}

static AVX512 void copy_rows_avx512(const float *source, long source_stride, float *destination,
                                    long destination_stride, long rows, long width) {
    for (long r = 0; r < rows; r++) copy_avx512(source + r * source_stride, destination + r * destination_stride, width);
}

static AVX2 void copy_rows_avx2(const float *source, long source_stride, float *destination, long destination_stride,
                                long rows, long width) {
    for (long r = 0; r < rows; r++) copy_avx2(source + r * source_stride, destination + r * destination_stride, width);
}

static AVX512 void unfold_avx512(const float *padded, long channels, long padded_height, long padded_width,
                                 long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                                 float *columns, long row_stride) {
    FOR_EACH_PATCH_ROW(copy_avx512(image_row, column_row, out_width))
}

static AVX2 void unfold_avx2(const float *padded, long channels, long padded_height, long padded_width,
                             long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                             float *columns, long row_stride) {
    FOR_EACH_PATCH_ROW(copy_avx2(image_row, column_row, out_width))
}

// The fold by target rows: each vector of a padded-image row is loaded once, receives the entries of every patch row
// that reaches it (kernel rows, then kernel columns, ascending: for every image element the order of the patch-row
// loop, so the same bits) from loads shifted by the kernel column, and is stored once. Adding patch row by patch row
// instead would load and store each image row once per kernel tap, and each load would wait for the store of the
// previous kernel column to the same floats one float apart, which store forwarding cannot serve.
//
// FOR_EACH_FOLD_SOURCE(BODY) runs BODY for every patch row reaching image row `y` of channel `c`, with `source` at the
// entry of that row's output row and `shift` = kj * dilation - x0: lane l of the vector at column x0 receives
// source[l - shift] for shift <= l < shift + out_width.
#define FOR_EACH_FOLD_SOURCE(BODY)                                                                                 \
    for (long ki = 0; ki < kernel_height; ki++) {                                                                  \
        const long oh = y - ki * dilation;                                                                         \
        if (oh < 0 || oh >= out_height) continue;                                                                  \
        const float *row_start = columns + (c * kernel_height + ki) * kernel_width * row_stride + oh * out_width;   \
        for (long kj = 0; kj < kernel_width; kj++) {                                                               \
            const float *source = row_start + kj * row_stride;                                                     \
            const long shift = kj * dilation - x0;                                                                 \
            BODY;                                                                                                  \
        }                                                                                                          \
    }

// From this output row width on, the vector folds add patch row by patch row, as the portable one: the benchmark's
// overhead table (1 thread, batch 128) measured the fold by image rows faster for rows of 8 and 10 floats (input
// gradient 0.79 -> 0.88 and 0.41 -> 0.69 of the bare GEMM's speed with AVX-512), but not for rows of 24 to 32
// (1 -> 6 channels 5x5 on 28x28 maps padded by 2, 3 -> 32 3x3 on 32x32 padded by 1: 0.86 -> 0.81 with AVX2).
#define FOLD_BY_PATCH_ROWS_WIDTH 16

// Bits lo ..< hi of a 16-lane mask, clamped to the vector (empty when lo >= hi).
INLINE AVX512 __mmask16 lanes_avx512(long lo, long hi) {
    if (lo < 0) lo = 0;
    if (hi > 16) hi = 16;
    if (lo >= hi) return 0;
    return (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
}

// Channels c ..< c + CHANNELS (1 to 4, known at compile time): the same rows of several channels take the same masks,
// and their sums are independent chains of additions that the CPU overlaps.
INLINE AVX512 void fold_channels_avx512(const int CHANNELS, const float *columns, long row_stride, long c,
                                        long padded_height, long padded_width, long kernel_height, long kernel_width,
                                        long dilation, long out_height, long out_width, float *padded) {
    const long plane = padded_height * padded_width, channel_rows = kernel_height * kernel_width * row_stride;
    for (long y = 0; y < padded_height; y++) {
        float *target = padded + (c * padded_height + y) * padded_width;
        for (long x0 = 0; x0 < padded_width; x0 += 16) {
            const __mmask16 row = lanes_avx512(0, padded_width - x0);
            __m512 sum[4];
            for (int g = 0; g < CHANNELS; g++) sum[g] = _mm512_maskz_loadu_ps(row, target + g * plane + x0);
            FOR_EACH_FOLD_SOURCE({
                const __mmask16 valid = lanes_avx512(shift, shift + out_width);
                // Lanes outside `valid` are neither read nor changed (a masked-out address may lie outside the
                // patch row: masked loads do not touch it).
                for (int g = 0; g < CHANNELS; g++) {
                    const __m512 entries = _mm512_maskz_loadu_ps(valid, source - shift + g * channel_rows);
                    sum[g] = _mm512_mask_add_ps(sum[g], valid, sum[g], entries);
                }
            })
            for (int g = 0; g < CHANNELS; g++) _mm512_mask_storeu_ps(target + g * plane + x0, row, sum[g]);
        }
    }
}

static AVX512 void fold_avx512(const float *columns, long row_stride, long channels, long padded_height,
                               long padded_width, long kernel_height, long kernel_width, long dilation,
                               long out_height, long out_width, float *padded) {
    if (out_width >= FOLD_BY_PATCH_ROWS_WIDTH) {
        FOR_EACH_PATCH_ROW(add_avx512(column_row, image_row, out_width))
        return;
    }
    long c = 0;
    for (; c + 4 <= channels; c += 4)
        fold_channels_avx512(4, columns, row_stride, c, padded_height, padded_width, kernel_height, kernel_width,
                             dilation, out_height, out_width, padded);
    for (; c + 2 <= channels; c += 2)
        fold_channels_avx512(2, columns, row_stride, c, padded_height, padded_width, kernel_height, kernel_width,
                             dilation, out_height, out_width, padded);
    for (; c < channels; c++)
        fold_channels_avx512(1, columns, row_stride, c, padded_height, padded_width, kernel_height, kernel_width,
                             dilation, out_height, out_width, padded);
}

// Lanes lo ..< hi of an 8-lane mask (all bits set in a lane that is in), clamped to the vector.
INLINE AVX2 __m256i lanes_avx2(long lo, long hi) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    lo = lo < 0 ? 0 : (lo > 8 ? 8 : lo);
    hi = hi < 0 ? 0 : (hi > 8 ? 8 : hi);
    return _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)hi), lane),
                            _mm256_cmpgt_epi32(lane, _mm256_set1_epi32((int)lo - 1)));
}

// The most masks (vectors of a row times kernel columns) fold_avx2 keeps on its stack; wider folds go the portable way.
#define FOLD_AVX2_MASKS 512

static void fold_portable(const float *columns, long row_stride, long channels, long padded_height,
                          long padded_width, long kernel_height, long kernel_width, long dilation,
                          long out_height, long out_width, float *padded);

// Which lanes of vector v a kernel column kj reaches: masks[v * kernel_width + kj], and whether that is all, some or
// none of them.
enum reach { none, some, all };

// Channels c ..< c + CHANNELS (1 to 4, known at compile time), as fold_channels_avx512.
INLINE AVX2 void fold_channels_avx2(const int CHANNELS, const float *columns, long row_stride, long c,
                                    long padded_height, long padded_width, long kernel_height, long kernel_width,
                                    long dilation, long out_height, long out_width, float *padded,
                                    const __m256i *masks, const enum reach *reach) {
    const long plane = padded_height * padded_width, channel_rows = kernel_height * kernel_width * row_stride;
    const long vectors = (padded_width + 7) / 8;
    const int narrow = padded_width < 8;
    const __m256i row = lanes_avx2(0, padded_width);
    for (long y = 0; y < padded_height; y++) {
        float *target = padded + (c * padded_height + y) * padded_width;
        for (long v = 0; v < vectors; v++) {
            const long x0 = narrow || v * 8 + 8 <= padded_width ? v * 8 : padded_width - 8;
            const __m256i *valid = masks + v * kernel_width;
            const enum reach *reaches = reach + v * kernel_width;
            __m256 sum[4];
            for (int g = 0; g < CHANNELS; g++)
                sum[g] = narrow ? _mm256_maskload_ps(target + g * plane, row) : _mm256_loadu_ps(target + g * plane + x0);
            FOR_EACH_FOLD_SOURCE({
                if (reaches[kj] == all) {
                    for (int g = 0; g < CHANNELS; g++)
                        sum[g] = _mm256_add_ps(sum[g], _mm256_loadu_ps(source - shift + g * channel_rows));
                } else if (reaches[kj] == some) {
                    for (int g = 0; g < CHANNELS; g++) {
                        const __m256 entries = _mm256_maskload_ps(source - shift + g * channel_rows, valid[kj]);
                        sum[g] = _mm256_blendv_ps(sum[g], _mm256_add_ps(sum[g], entries), _mm256_castsi256_ps(valid[kj]));
                    }
                }
            })
            for (int g = 0; g < CHANNELS; g++) {
                if (narrow) {
                    _mm256_maskstore_ps(target + g * plane, row, sum[g]);
                } else {
                    _mm256_storeu_ps(target + g * plane + x0, sum[g]);
                }
            }
        }
    }
}

// AVX2's masked stores are slow on AMD's CPUs: whole vectors load and store plainly. A row's last partial vector is
// then the vector ending at the row's end, which receives only in its lanes from `fresh` on (the others were finished
// by the vector before, and are stored back unchanged); only rows narrower than a vector take masked moves. Which
// lanes of each vector a kernel column reaches is the same for every row: computed once.
static AVX2 void fold_avx2(const float *columns, long row_stride, long channels, long padded_height,
                           long padded_width, long kernel_height, long kernel_width, long dilation,
                           long out_height, long out_width, float *padded) {
    if (out_width >= FOLD_BY_PATCH_ROWS_WIDTH) {
        FOR_EACH_PATCH_ROW(add_avx2(column_row, image_row, out_width))
        return;
    }
    const long vectors = (padded_width + 7) / 8;
    if (vectors * kernel_width > FOLD_AVX2_MASKS) {
        fold_portable(columns, row_stride, channels, padded_height, padded_width, kernel_height, kernel_width,
                      dilation, out_height, out_width, padded);
        return;
    }
    const int narrow = padded_width < 8;
    __m256i masks[FOLD_AVX2_MASKS];
    enum reach reach[FOLD_AVX2_MASKS];
    for (long v = 0; v < vectors; v++) {
        const long start = v * 8, x0 = narrow || start + 8 <= padded_width ? start : padded_width - 8;
        const long fresh = start - x0;
        for (long kj = 0; kj < kernel_width; kj++) {
            const long shift = kj * dilation - x0;
            const long lo = shift > fresh ? shift : fresh, hi = shift + out_width;
            masks[v * kernel_width + kj] = lanes_avx2(lo, hi);
            reach[v * kernel_width + kj] = lo >= hi || lo >= 8 || hi <= 0 ? none : (lo <= 0 && hi >= 8 ? all : some);
        }
    }
    long c = 0;
    for (; c + 4 <= channels; c += 4)
        fold_channels_avx2(4, columns, row_stride, c, padded_height, padded_width, kernel_height, kernel_width,
                           dilation, out_height, out_width, padded, masks, reach);
    for (; c + 2 <= channels; c += 2)
        fold_channels_avx2(2, columns, row_stride, c, padded_height, padded_width, kernel_height, kernel_width,
                           dilation, out_height, out_width, padded, masks, reach);
    for (; c < channels; c++)
        fold_channels_avx2(1, columns, row_stride, c, padded_height, padded_width, kernel_height, kernel_width,
                           dilation, out_height, out_width, padded, masks, reach);
}
#endif

INLINE void copy_portable(const float *restrict source, float *restrict target, long n) {
    for (long i = 0; i < n; i++) target[i] = source[i];
}

static void copy_rows_portable(const float *source, long source_stride, float *destination, long destination_stride,
                               long rows, long width) {
    for (long r = 0; r < rows; r++) copy_portable(source + r * source_stride, destination + r * destination_stride, width);
}

INLINE void add_portable(const float *restrict source, float *restrict target, long n) {
    for (long i = 0; i < n; i++) target[i] += source[i];
}

static void unfold_portable(const float *padded, long channels, long padded_height, long padded_width,
                            long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                            float *columns, long row_stride) {
    FOR_EACH_PATCH_ROW(copy_portable(image_row, column_row, out_width))
}

static void fold_portable(const float *columns, long row_stride, long channels, long padded_height,
                          long padded_width, long kernel_height, long kernel_width, long dilation,
                          long out_height, long out_width, float *padded) {
    FOR_EACH_PATCH_ROW(add_portable(column_row, image_row, out_width))
}

void ilnas_unfold(ilnas_kernel_path path, const float *padded, long channels, long padded_height, long padded_width,
                  long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                  float *columns, long row_stride) {
    ILNAS_DISPATCH(path, unfold, padded, channels, padded_height, padded_width, kernel_height, kernel_width, dilation,
                    out_height, out_width, columns, row_stride)
}

void ilnas_fold(ilnas_kernel_path path, const float *columns, long row_stride, long channels, long padded_height,
                long padded_width, long kernel_height, long kernel_width, long dilation, long out_height,
                long out_width, float *padded) {
    ILNAS_DISPATCH(path, fold, columns, row_stride, channels, padded_height, padded_width, kernel_height,
                    kernel_width, dilation, out_height, out_width, padded)
}

void ilnas_copy_rows(ilnas_kernel_path path, const float *source, long source_stride, float *destination,
                     long destination_stride, long rows, long width) {
    ILNAS_DISPATCH(path, copy_rows, source, source_stride, destination, destination_stride, rows, width)
}
