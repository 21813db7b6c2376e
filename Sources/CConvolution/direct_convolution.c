#include "CConvolution.h"

// The same kernels three times: for AVX-512F (16-float vectors), AVX2 with FMA (8) and the baseline (4). Only the
// first two contract multiply-adds into fused ones, so results differ between paths in the last bits.
#define SUFFIX avx512
#define TARGET __attribute__((target("avx512f,avx2,fma")))
#define WIDTH 16
#define ROWS 4
#define FEW_ROWS 8
#include "kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef ROWS
#undef FEW_ROWS

#define SUFFIX avx2
#define TARGET __attribute__((target("avx2,fma")))
#define WIDTH 8
#define ROWS 2
#define FEW_ROWS 4
#include "kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef ROWS
#undef FEW_ROWS

#define SUFFIX portable
#define TARGET
#define WIDTH 4
#define ROWS 2
#define FEW_ROWS 4
#include "kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef ROWS
#undef FEW_ROWS

int ilnas_cpu_supports(ilnas_kernel_path path) {
#if defined(__x86_64__) || defined(__i386__)
    switch (path) {
    case ilnas_kernel_avx512: return __builtin_cpu_supports("avx512f");
    case ilnas_kernel_avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case ilnas_kernel_portable: return 1;
    }
    return 0;
#else
    return path == ilnas_kernel_portable;
#endif
}

void ilnas_direct_forward(ilnas_kernel_path path, const float *input, long channels, long plane_stride, long row_width,
                          long kernel_height, long kernel_width, const float *weights, const float *bias, long outputs,
                          long positions, float *out, long out_stride) {
    switch (path) {
    case ilnas_kernel_avx512:
        forward_avx512(input, channels, plane_stride, row_width, kernel_height, kernel_width, weights, bias, outputs,
                       positions, out, out_stride);
        return;
    case ilnas_kernel_avx2:
        forward_avx2(input, channels, plane_stride, row_width, kernel_height, kernel_width, weights, bias, outputs,
                     positions, out, out_stride);
        return;
    case ilnas_kernel_portable:
        forward_portable(input, channels, plane_stride, row_width, kernel_height, kernel_width, weights, bias, outputs,
                         positions, out, out_stride);
        return;
    }
}

void ilnas_direct_weight_gradient(ilnas_kernel_path path, const float *input, long channels, long plane_stride,
                                  long row_width, long kernel_height, long kernel_width, const float *gradient,
                                  long outputs, long gradient_stride, long positions, float *weight_gradient) {
    switch (path) {
    case ilnas_kernel_avx512:
        weight_gradient_avx512(input, channels, plane_stride, row_width, kernel_height, kernel_width, gradient, outputs,
                               gradient_stride, positions, weight_gradient);
        return;
    case ilnas_kernel_avx2:
        weight_gradient_avx2(input, channels, plane_stride, row_width, kernel_height, kernel_width, gradient, outputs,
                             gradient_stride, positions, weight_gradient);
        return;
    case ilnas_kernel_portable:
        weight_gradient_portable(input, channels, plane_stride, row_width, kernel_height, kernel_width, gradient,
                                 outputs, gradient_stride, positions, weight_gradient);
        return;
    }
}
