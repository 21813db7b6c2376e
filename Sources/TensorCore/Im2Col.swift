import CConvolution

/// Unfolding of one image's convolution patches into a matrix (im2col), and the inverse accumulation (col2im).
///
/// The patch matrix has `patchSize` rows (channel, kernel row, kernel column) and
/// `outputHeight * outputWidth` columns, so a convolution is one GEMM with the weight matrix.
/// Both directions work on a zero-padded image, `C x (H + 2·padding) x (W + 2·padding)`, so every
/// patch element is an in-bounds read and each output row is one short copy loop without branches.
/// With no padding the image itself is that padded image.
enum Im2Col {
    /// Copies `image` (`C x H x W`) into `padded` (`C x paddedHeight x paddedWidth`) at row and column `padding`,
    /// by the row copy of `path` (``ilnas_copy_rows``); the rest of `padded` must already be zero.
    static func pad(_ image: UnsafePointer<Float>, channels: Int, height: Int, width: Int, padding: Int,
                    paddedHeight: Int, paddedWidth: Int, into padded: UnsafeMutablePointer<Float>, path: KernelPath) {
        for channel in 0..<channels {
            ilnas_copy_rows(path.cPath, image + channel * height * width, width,
                            padded + channel * paddedHeight * paddedWidth + padding * paddedWidth + padding, paddedWidth,
                            height, width)
        }
    }

    /// Copies the `C x H x W` block at row and column `padding` of `padded` (`C x paddedHeight x paddedWidth`)
    /// into `image`, overwriting it, by the row copy of `path`.
    static func unpad(_ padded: UnsafePointer<Float>, channels: Int, height: Int, width: Int, padding: Int,
                      paddedHeight: Int, paddedWidth: Int, into image: UnsafeMutablePointer<Float>, path: KernelPath) {
        for channel in 0..<channels {
            ilnas_copy_rows(path.cPath, padded + channel * paddedHeight * paddedWidth + padding * paddedWidth + padding,
                            paddedWidth, image + channel * height * width, width, height, width)
        }
    }

    /// Writes the patch matrix of the padded image (`C x paddedHeight x paddedWidth`) into `columns`,
    /// whose rows are `rowStride` apart (`outputHeight * outputWidth` for one image; more when several
    /// images share a matrix side by side). Stride 1 runs the vector kernels of `path` (``ilnas_unfold``).
    static func unfold(_ padded: UnsafePointer<Float>, paddedHeight: Int, paddedWidth: Int, geometry g: ConvolutionGeometry,
                       outputHeight: Int, outputWidth: Int, into columns: UnsafeMutablePointer<Float>, rowStride: Int,
                       path: KernelPath) {
        if g.stride == 1 {
            ilnas_unfold(path.cPath, padded, g.inputChannels, paddedHeight, paddedWidth, g.kernelHeight, g.kernelWidth,
                         g.dilation, outputHeight, outputWidth, columns, rowStride)
            return
        }
        forEachPatchRow(paddedHeight: paddedHeight, paddedWidth: paddedWidth, geometry: g, outputHeight: outputHeight,
                        outputWidth: outputWidth, rowStride: rowStride) { imageRow, columnRow in
            let destination = columns + columnRow, source = padded + imageRow
            for ow in 0..<outputWidth { destination[ow] = source[ow * g.stride] }
        }
    }

    /// Adds the patch-matrix gradient `columns` (rows `rowStride` apart) onto the padded image gradient
    /// (`C x paddedHeight x paddedWidth`): the adjoint of ``unfold(_:paddedHeight:paddedWidth:geometry:outputHeight:outputWidth:into:rowStride:path:)``.
    /// Every path adds in the same order, so all give the same bits.
    static func fold(_ columns: UnsafePointer<Float>, paddedHeight: Int, paddedWidth: Int, geometry g: ConvolutionGeometry,
                     outputHeight: Int, outputWidth: Int, into padded: UnsafeMutablePointer<Float>, rowStride: Int,
                     path: KernelPath) {
        if g.stride == 1 {
            ilnas_fold(path.cPath, columns, rowStride, g.inputChannels, paddedHeight, paddedWidth, g.kernelHeight,
                       g.kernelWidth, g.dilation, outputHeight, outputWidth, padded)
            return
        }
        forEachPatchRow(paddedHeight: paddedHeight, paddedWidth: paddedWidth, geometry: g, outputHeight: outputHeight,
                        outputWidth: outputWidth, rowStride: rowStride) { imageRow, columnRow in
            let source = columns + columnRow, destination = padded + imageRow
            for ow in 0..<outputWidth { destination[ow * g.stride] += source[ow] }
        }
    }

    /// Calls `body(imageOffset, columnOffset)` for every output row of every patch-matrix row: the padded image
    /// offset of the row's first input element and the patch-matrix offset of its first entry.
    @inline(__always)
    private static func forEachPatchRow(paddedHeight: Int, paddedWidth: Int, geometry g: ConvolutionGeometry,
                                        outputHeight: Int, outputWidth: Int, rowStride: Int,
                                        _ body: (_ imageOffset: Int, _ columnOffset: Int) -> Void) {
        let paddedPlane = paddedHeight * paddedWidth
        var row = 0
        for channel in 0..<g.inputChannels {
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    var imageOffset = channel * paddedPlane + ki * g.dilation * paddedWidth + kj * g.dilation
                    var columnOffset = row * rowStride
                    for _ in 0..<outputHeight {
                        body(imageOffset, columnOffset)
                        imageOffset += g.stride * paddedWidth
                        columnOffset += outputWidth
                    }
                    row += 1
                }
            }
        }
    }
}
