#ifndef ILNAS_CJPEG_SHIM_H
#define ILNAS_CJPEG_SHIM_H
// libjpeg(-turbo) behind two functions that Swift can call: libjpeg reports errors by calling error_exit, which by
// default ends the process; here it longjmps back into the function, which returns the library's message instead.
// Swift cannot call setjmp itself, so the functions are written in C, in this header.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct ilnas_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void ilnas_jpeg_error_exit(j_common_ptr info) {
    struct ilnas_jpeg_error *error = (struct ilnas_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

/// The warnings that mean image data is missing (a truncated file, or entropy-coded data cut short by a marker:
/// libjpeg would fill the rest with grey) are errors, so that such a file does not become an image silently. Other
/// warnings (extraneous bytes before a marker, unknown markers, as many camera and web JPEGs have) leave the image
/// intact and are ignored, as PIL ignores them.
static void ilnas_jpeg_emit_message(j_common_ptr info, int level) {
    if (level < 0 && (info->err->msg_code == JWRN_JPEG_EOF || info->err->msg_code == JWRN_HIT_MARKER)) {
        ilnas_jpeg_error_exit(info);
    }
}

/// Decodes the JPEG stream `data` (`size` bytes) to 8-bit RGB, row by row, top to bottom, into a buffer of
/// width * height * 3 bytes that the function allocates with malloc and the caller frees. Returns 0 on success;
/// otherwise 1 with libjpeg's message in `message` (at least JMSG_LENGTH_MAX bytes) and nothing allocated.
/// Images larger than `max_pixels` pixels are refused before any allocation.
static int ilnas_jpeg_decode(const unsigned char *data, unsigned long size, unsigned long max_pixels,
                             int *width, int *height, unsigned char **pixels, char *message) {
    struct jpeg_decompress_struct info;
    struct ilnas_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = ilnas_jpeg_error_exit;
    error.manager.emit_message = ilnas_jpeg_emit_message;
    error.message[0] = 0;
    *pixels = NULL;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if ((unsigned long)info.image_width * info.image_height > max_pixels) {
        snprintf(error.message, sizeof error.message, "%ux%u pixels is more than the %lu allowed",
                 info.image_width, info.image_height, max_pixels);
        longjmp(error.jump, 1);
    }
    // Grey is repeated into three channels by libjpeg. CMYK and YCCK (which libjpeg does not turn into RGB) are read as
    // CMYK and converted here, R = (255 - C)(255 - K) / 255 and so on; with an Adobe marker the values are stored
    // inverted (as Photoshop writes them), so R = C K / 255.
    int cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    info.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    buffer = malloc(stride * info.output_height + (cmyk ? (size_t)info.output_width * 4 : 0));
    if (!buffer) {
        snprintf(error.message, sizeof error.message, "out of memory for %ux%u pixels", info.output_width, info.output_height);
        longjmp(error.jump, 1);
    }
    unsigned char *scratch = buffer + stride * info.output_height;   // one CMYK row, after the image
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + stride * info.output_scanline;
        if (!cmyk) {
            jpeg_read_scanlines(&info, &row, 1);
            continue;
        }
        JSAMPROW source = scratch;
        jpeg_read_scanlines(&info, &source, 1);
        for (JDIMENSION x = 0; x < info.output_width; x++) {
            unsigned k = scratch[4 * x + 3];
            for (int c = 0; c < 3; c++) {
                unsigned ink = scratch[4 * x + c];
                row[3 * x + c] = (unsigned char)(info.saw_Adobe_marker ? (ink * k + 127) / 255
                                                                       : ((255 - ink) * (255 - k) + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 0;
}

/// Encodes `pixels` (width * height * components bytes, components 1 for grey, 3 for RGB or 4 for CMYK, which libjpeg
/// marks as Adobe's and so as stored inverted; rows top to bottom) as a
/// baseline JPEG of `quality` (1-100) into a buffer allocated with malloc that the caller frees. Returns 0 on
/// success, otherwise 1 with the message in `message` (at least JMSG_LENGTH_MAX bytes). For tests and tools.
static int ilnas_jpeg_encode(const unsigned char *pixels, int width, int height, int components, int quality,
                             unsigned char **output, unsigned long *output_size, char *message) {
    struct jpeg_compress_struct info;
    struct ilnas_jpeg_error error;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = ilnas_jpeg_error_exit;
    error.message[0] = 0;
    *output = NULL;
    *output_size = 0;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);   // the destination buffer may be half-managed by libjpeg: left alone
        *output = NULL;
        strncpy(message, error.message, JMSG_LENGTH_MAX - 1);
        message[JMSG_LENGTH_MAX - 1] = 0;
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, output, output_size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = components;
    info.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return 0;
}
#endif
