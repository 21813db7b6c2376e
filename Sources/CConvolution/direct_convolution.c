#include "CConvolution.h"
#include "instruction_sets.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ILNAS_X86 1
#else
#define ILNAS_X86 0
#endif

// The same kernels three times: for AVX-512F (16-float vectors), AVX2 with FMA (8) and the baseline (4). Only the
// first two contract multiply-adds into fused ones, so results differ between paths in the last bits. ACCUMULATORS
// and ROW_VECTORS leave registers for the loaded input and broadcast weights (32 vector registers with AVX-512, 16
// otherwise).
#if ILNAS_X86
#define SUFFIX avx512
#define TARGET __attribute__((target("avx512f,avx2,fma")))
#define WIDTH 16
#define REGISTERS 32
#define ACCUMULATORS 24
#define ROW_VECTORS 4
#include "kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef REGISTERS
#undef ACCUMULATORS
#undef ROW_VECTORS

#define SUFFIX avx2
#define TARGET __attribute__((target("avx2,fma")))
#define WIDTH 8
#define REGISTERS 16
#define ACCUMULATORS 12
#define ROW_VECTORS 2
#include "kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef REGISTERS
#undef ACCUMULATORS
#undef ROW_VECTORS
#endif

#define SUFFIX portable
#define TARGET
#define WIDTH 4
#define REGISTERS 16
#define ACCUMULATORS 12
#define ROW_VECTORS 2
#include "kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef REGISTERS
#undef ACCUMULATORS
#undef ROW_VECTORS

int ilnas_cpu_supports(ilnas_kernel_path path) {
#if ILNAS_X86
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
                          long out_height, long out_width, float *out, long out_plane) {
    ILNAS_DISPATCH(path, forward, input, channels, plane_stride, row_width, kernel_height, kernel_width, weights, bias,
             outputs, out_height, out_width, out, out_plane)
}

void ilnas_direct_weight_gradient(ilnas_kernel_path path, const float *input, long channels, long plane_stride,
                                  long row_width, long kernel_height, long kernel_width, const float *gradient,
                                  long outputs, long gradient_plane, long out_height, long out_width, float *lanes) {
    ILNAS_DISPATCH(path, weight_gradient, input, channels, plane_stride, row_width, kernel_height, kernel_width, gradient,
             outputs, gradient_plane, out_height, out_width, lanes)
}

void ilnas_direct_reduce_lanes(ilnas_kernel_path path, float *lanes, long count, float *weight_gradient) {
    ILNAS_DISPATCH(path, reduce_lanes, lanes, count, weight_gradient)
}
