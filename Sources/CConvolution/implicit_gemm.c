#include "ImplicitGEMM.h"
#include "instruction_sets.h"

// The kernel of ImplicitGEMM.h three times: WIDTH floats per vector and at most POSITIONS grid points per tile, so
// that POSITIONS · 16 / WIDTH accumulators, the coefficient vectors and a broadcast fit the vector registers (32 with
// AVX-512, 16 otherwise; with AVX-512, tiles of more than 16 measured slower). For choosing tiles: FMAS is how many
// vector multiply-adds a core starts per cycle, MIN_ACCUMULATORS how many independent sums keep them busy (AMD Zen 4
// measured). Only the first two paths contract multiply-adds into fused ones.
#if defined(__x86_64__) || defined(__i386__)
#define SUFFIX avx512
#define TARGET AVX512
#define WIDTH 16
#define POSITIONS 16
#define FMAS 1
#define MIN_ACCUMULATORS 5
#include "implicit_gemm_kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef POSITIONS
#undef FMAS
#undef MIN_ACCUMULATORS

#define SUFFIX avx2
#define TARGET AVX2
#define WIDTH 8
#define POSITIONS 6
#define FMAS 2
#define MIN_ACCUMULATORS 8
#include "implicit_gemm_kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef POSITIONS
#undef FMAS
#undef MIN_ACCUMULATORS
#endif

#define SUFFIX portable
#define TARGET
#define WIDTH 4
#define POSITIONS 3
#define FMAS 2
#define MIN_ACCUMULATORS 8
#include "implicit_gemm_kernels.inc"
#undef SUFFIX
#undef TARGET
#undef WIDTH
#undef POSITIONS
#undef FMAS
#undef MIN_ACCUMULATORS

void ilnas_implicit_gemm(ilnas_kernel_path path, const float *coefficients, long blocks, long depth, long depth_stride,
                         long height, long width, const float *image, long row_width, long grid_depth,
                         long grid_depth_stride, long grid_rows, long grid_cols, float *result, int accumulate) {
    ILNAS_DISPATCH(path, implicit_gemm, coefficients, blocks, depth, depth_stride, height, width, image, row_width,
                   grid_depth, grid_depth_stride, grid_rows, grid_cols, result, accumulate)
}
