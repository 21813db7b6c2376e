#ifndef ILNAS_CBLAS_SHIM_H
#define ILNAS_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/* OpenBLAS builds with DYNAMIC_ARCH pick their kernels when the library loads. These two functions,
   exported by such builds but not declared in cblas.h, drop that choice and make it again (reading
   OPENBLAS_CORETYPE). Weak, so that a build without them still links; then nothing can be re-chosen. */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

/* Re-runs OpenBLAS's kernel choice. Returns 0 when this OpenBLAS build cannot re-choose. */
static inline int ilnas_openblas_reselect_kernels(void) {
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return 0;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    return 1;
}
#endif
