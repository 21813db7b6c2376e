// Function attributes that compile one function for AVX-512F or for AVX2 with FMA, whatever the file's baseline, so
// that a file can hold one function per instruction set and pick one at run time (ilnas_cpu_supports). Off x86 they
// are empty: every path is then the same baseline code.
#ifndef ILNAS_TARGET_ATTRIBUTES_H
#define ILNAS_TARGET_ATTRIBUTES_H
#if defined(__x86_64__) || defined(__i386__)
#define AVX512 __attribute__((target("avx512f,avx2,fma")))
#define AVX2 __attribute__((target("avx2,fma")))
#else
#define AVX512
#define AVX2
#endif
#endif
