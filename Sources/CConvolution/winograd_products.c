#include "WinogradProducts.h"
#include "instruction_sets.h"

// The product is written once over 16-float vectors and a register block whose size is a compile-time constant of
// each path (always inlined, so the block's accumulators live in registers): on AVX-512 one vector is one register,
// on AVX2 two and on the baseline four, so the blocks shrink with the registers.

#define INLINE static inline __attribute__((always_inline))
#define LANES 16

typedef float vector __attribute__((vector_size(4 * LANES), aligned(4), may_alias));

/// The 16 floats from `p` on, wherever `p` points (the vector type is only 4-byte aligned). Macros rather than
/// functions: a 64-byte vector passed by value warns of an ABI change on the paths without AVX-512.
#define LOAD(p) (*(const vector *)(p))
#define STORE(p, v) (*(vector *)(p) = (v))

/// Rows of b a column panel holds at a time: 16 KB at 32 columns, well inside L1.
#define PANEL_ROWS 128

/// Panels of b up to this many rows are read in place: copying them costs more than it saves (measured).
#define IN_PLACE_ROWS 16

/// `rows` rows of c, `vectors` vectors wide: the register block, over `k` rows of a panel of b (rows `stride`
/// floats apart), written onto c or added to it.
INLINE void gemm_block(int rows, int vectors, long k, const float *restrict a, long a_row_stride,
                       long a_column_stride, const float *restrict panel, long stride, float *restrict c, long ldc,
                       int accumulate) {
    vector sum[8][2] = {{{0}}};
    for (long p = 0; p < k; p++) {
        vector v[2];
        for (int x = 0; x < vectors; x++) v[x] = LOAD(panel + p * stride + x * LANES);
        for (int r = 0; r < rows; r++) {
            const float s = a[r * a_row_stride + p * a_column_stride];
            for (int x = 0; x < vectors; x++) sum[r][x] += s * v[x];
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int x = 0; x < vectors; x++) {
            float *target = c + r * ldc + x * LANES;
            STORE(target, accumulate ? LOAD(target) + sum[r][x] : sum[r][x]);
        }
    }
}

/// All rows of c in one panel of columns, `vectors` vectors wide, from `count` rows of b's panel (rows `stride`
/// floats apart) onto c or added to it: blocks of `block_rows` rows, then of 4, then single rows.
INLINE void gemm_rows(int block_rows, int vectors, long m, long count, const float *a, long a_row_stride,
                      long a_column_stride, const float *panel, long stride, float *c, long ldc, int accumulate) {
    long i = 0;
    for (; i + block_rows <= m; i += block_rows)
        gemm_block(block_rows, vectors, count, a + i * a_row_stride, a_row_stride, a_column_stride, panel, stride,
                   c + i * ldc, ldc, accumulate);
    for (; i + 4 <= m; i += 4)
        gemm_block(4, vectors, count, a + i * a_row_stride, a_row_stride, a_column_stride, panel, stride, c + i * ldc,
                   ldc, accumulate);
    for (; i < m; i++)
        gemm_block(1, vectors, count, a + i * a_row_stride, a_row_stride, a_column_stride, panel, stride, c + i * ldc,
                   ldc, accumulate);
}

/// All rows of c in one panel of columns, `vectors` vectors wide. Past IN_PLACE_ROWS rows the panel of b is copied
/// PANEL_ROWS rows at a time into contiguous memory: its rows lie a multiple of 256 bytes apart in b, so that read in
/// place many of them would fall into a few cache sets and evict each other.
INLINE void gemm_panel(int block_rows, int vectors, long m, long k, const float *a, long a_row_stride,
                       long a_column_stride, const float *b, long ldb, float *c, long ldc) {
    if (k <= IN_PLACE_ROWS) {
        gemm_rows(block_rows, vectors, m, k, a, a_row_stride, a_column_stride, b, ldb, c, ldc, 0);
        return;
    }
    float panel[PANEL_ROWS * 2 * LANES] __attribute__((aligned(64)));
    const long width = vectors * LANES;
    for (long first = 0; first < k; first += PANEL_ROWS) {
        const long count = k - first < PANEL_ROWS ? k - first : PANEL_ROWS;
        for (long p = 0; p < count; p++)
            for (int x = 0; x < vectors; x++) STORE(panel + p * width + x * LANES, LOAD(b + (first + p) * ldb + x * LANES));
        gemm_rows(block_rows, vectors, m, count, a + first * a_column_stride, a_row_stride, a_column_stride, panel, width,
                  c, ldc, first > 0);
    }
}

INLINE void small_gemm_body(int block_rows, int block_vectors, long m, long n, long k, const float *a,
                            long a_row_stride, long a_column_stride, const float *b, long ldb, float *c, long ldc) {
    const long width = block_vectors * LANES;
    long j = 0;
    // Column panels outside, rows inside: a panel of b stays in L1 while every row block passes over it.
    for (; j + width <= n; j += width)
        gemm_panel(block_rows, block_vectors, m, k, a, a_row_stride, a_column_stride, b + j, ldb, c + j, ldc);
    for (; j + LANES <= n; j += LANES)
        gemm_panel(block_rows, 1, m, k, a, a_row_stride, a_column_stride, b + j, ldb, c + j, ldc);
    // The last columns, fewer than a vector, one element at a time.
    for (; j < n; j++) {
        for (long i = 0; i < m; i++) {
            float sum = 0;
            for (long p = 0; p < k; p++) sum += a[i * a_row_stride + p * a_column_stride] * b[p * ldb + j];
            c[i * ldc + j] = sum;
        }
    }
}

// One function per instruction set with its register blocks, and the public function that picks one.

#define GEMM_PARAMETERS                                                                                              \
    long m, long n, long k, const float *a, long a_row_stride, long a_column_stride, const float *b, long ldb,      \
        float *c, long ldc
#define GEMM_ARGUMENTS m, n, k, a, a_row_stride, a_column_stride, b, ldb, c, ldc

static AVX512 void small_gemm_avx512(GEMM_PARAMETERS) { small_gemm_body(8, 2, GEMM_ARGUMENTS); }
static AVX2 void small_gemm_avx2(GEMM_PARAMETERS) { small_gemm_body(6, 1, GEMM_ARGUMENTS); }
static void small_gemm_portable(GEMM_PARAMETERS) { small_gemm_body(2, 1, GEMM_ARGUMENTS); }

void ilnas_small_gemm(ilnas_kernel_path path, GEMM_PARAMETERS) {
    ILNAS_DISPATCH(path, small_gemm, GEMM_ARGUMENTS)
}
