#ifndef ILNAS_CPNG_SHIM_H
#define ILNAS_CPNG_SHIM_H
// libpng's simplified API (png_image_*), which reports errors through png_image.message instead of longjmp.
#include <png.h>
#endif
