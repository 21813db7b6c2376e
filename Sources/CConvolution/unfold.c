#include "Unfold.h"
#include "instruction_sets.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define UNFOLD_X86 1
#else
#define UNFOLD_X86 0
#endif

#define INLINE static inline __attribute__((always_inline))

// Each direction is written once over the patch rows (FOR_EACH_PATCH_ROW) with the row operation as a parameter,
// and expanded into one function per instruction set with that set's row operation: whole vectors, then the rest.

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

// The end of a row, after its whole 16- or 8-float vectors: at most one 4-float vector, then single floats (masked
// vector moves are slower than these on some CPUs, much slower for AVX2 stores on AMD's).
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

INLINE AVX2 void add_avx2(const float *source, float *target, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(target + i, _mm256_add_ps(_mm256_loadu_ps(target + i), _mm256_loadu_ps(source + i)));
    add_tail(source, target, i, n);
}

INLINE AVX512 void copy_avx512(const float *source, float *target, long n) {
    if (n < 16) {
        copy_avx2(source, target, n);
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

INLINE AVX512 void add_avx512(const float *source, float *target, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(target + i, _mm512_add_ps(_mm512_loadu_ps(target + i), _mm512_loadu_ps(source + i)));
    if (i + 8 <= n) {
        _mm256_storeu_ps(target + i, _mm256_add_ps(_mm256_loadu_ps(target + i), _mm256_loadu_ps(source + i)));
        i += 8;
    }
    add_tail(source, target, i, n);
}

static AVX512 void unfold_avx512(const float *padded, long channels, long padded_height, long padded_width,
                                 long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                                 float *columns, long row_stride) {
    FOR_EACH_PATCH_ROW(copy_avx512(image_row, column_row, out_width))
}

static AVX512 void fold_avx512(const float *columns, long row_stride, long channels, long padded_height,
                               long padded_width, long kernel_height, long kernel_width, long dilation,
                               long out_height, long out_width, float *padded) {
    FOR_EACH_PATCH_ROW(add_avx512(column_row, image_row, out_width))
}

static AVX2 void unfold_avx2(const float *padded, long channels, long padded_height, long padded_width,
                             long kernel_height, long kernel_width, long dilation, long out_height, long out_width,
                             float *columns, long row_stride) {
    FOR_EACH_PATCH_ROW(copy_avx2(image_row, column_row, out_width))
}

static AVX2 void fold_avx2(const float *columns, long row_stride, long channels, long padded_height,
                           long padded_width, long kernel_height, long kernel_width, long dilation,
                           long out_height, long out_width, float *padded) {
    FOR_EACH_PATCH_ROW(add_avx2(column_row, image_row, out_width))
}
#endif

INLINE void copy_portable(const float *restrict source, float *restrict target, long n) {
    for (long i = 0; i < n; i++) target[i] = source[i];
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
