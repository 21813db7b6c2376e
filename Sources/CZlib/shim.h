#ifndef ILNAS_CZLIB_SHIM_H
#define ILNAS_CZLIB_SHIM_H
#include <zlib.h>
#endif
