#ifndef ILNAS_CBLAS_SHIM_H
#define ILNAS_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
