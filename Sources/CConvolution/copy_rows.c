#include "CConvolution.h"
#include "instruction_sets.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// Rows of a convolution's images are short (28 or 32 floats for MNIST and CIFAR): a call to memcpy per row costs
// as much as the copy, so each path moves them in whole vectors and one masked vector for the rest.
static AVX512 void copy_rows_avx512(const float *source, long source_stride, float *destination,
                                    long destination_stride, long rows, long width) {
    const long full = width / 16;
    const __mmask16 tail = (__mmask16)((1u << (width % 16)) - 1);
    for (long r = 0; r < rows; r++) {
        const float *s = source + r * source_stride;
        float *d = destination + r * destination_stride;
        for (long v = 0; v < full; v++) _mm512_storeu_ps(d + 16 * v, _mm512_loadu_ps(s + 16 * v));
        if (tail) _mm512_mask_storeu_ps(d + 16 * full, tail, _mm512_maskz_loadu_ps(tail, s + 16 * full));
    }
}

static AVX2 void copy_rows_avx2(const float *source, long source_stride, float *destination, long destination_stride,
                                long rows, long width) {
    const long full = width / 8;
    const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(width % 8)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (long r = 0; r < rows; r++) {
        const float *s = source + r * source_stride;
        float *d = destination + r * destination_stride;
        for (long v = 0; v < full; v++) _mm256_storeu_ps(d + 8 * v, _mm256_loadu_ps(s + 8 * v));
        if (width % 8) _mm256_maskstore_ps(d + 8 * full, tail, _mm256_maskload_ps(s + 8 * full, tail));
    }
}
#endif

static void copy_rows_portable(const float *source, long source_stride, float *destination, long destination_stride,
                               long rows, long width) {
    for (long r = 0; r < rows; r++)
        memcpy(destination + r * destination_stride, source + r * source_stride, (size_t)width * sizeof(float));
}

void ilnas_copy_rows(ilnas_kernel_path path, const float *source, long source_stride, float *destination,
                     long destination_stride, long rows, long width) {
    ILNAS_DISPATCH(path, copy_rows, source, source_stride, destination, destination_stride, rows, width)
}
