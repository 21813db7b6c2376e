// One function per instruction set, picked at run time (ilnas_cpu_supports decides which paths a CPU may take).
//
// AVX512 and AVX2 compile a function for AVX-512F, or for AVX2 with FMA, whatever the file's baseline.
// ILNAS_DISPATCH(path, name, arguments...) calls name_avx512, name_avx2 or name_portable for `path` and returns.
// Off x86 the attributes are empty and only name_portable is called: the path there is always portable.
#ifndef ILNAS_INSTRUCTION_SETS_H
#define ILNAS_INSTRUCTION_SETS_H
#if defined(__x86_64__) || defined(__i386__)
#define AVX512 __attribute__((target("avx512f,avx2,fma")))
#define AVX2 __attribute__((target("avx2,fma")))
#define ILNAS_DISPATCH(path, name, ...)                                   \
    switch (path) {                                                       \
    case ilnas_kernel_avx512: name##_avx512(__VA_ARGS__); return;         \
    case ilnas_kernel_avx2: name##_avx2(__VA_ARGS__); return;             \
    case ilnas_kernel_portable: name##_portable(__VA_ARGS__); return;     \
    }
#else
#define AVX512
#define AVX2
#define ILNAS_DISPATCH(path, name, ...) name##_portable(__VA_ARGS__);
#endif
#endif
