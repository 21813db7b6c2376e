/// Unfolding of one image's convolution patches into a matrix (im2col), and the inverse accumulation (col2im).
///
/// The patch matrix has `patchSize` rows (channel, kernel row, kernel column) and
/// `outputHeight * outputWidth` columns, so a convolution is one GEMM with the weight matrix.
/// Both directions work on a zero-padded image, `C x (H + 2·padding) x (W + 2·padding)`, so every
/// patch element is an in-bounds read and each output row is one short copy loop without branches.
/// With no padding the image itself is that padded image.
enum Im2Col {
    /// Copies `image` (`C x H x W`) into `padded` (`C x paddedHeight x paddedWidth`) at row and column `padding`;
    /// the rest of `padded` must already be zero.
    static func pad(_ image: UnsafePointer<Float>, channels: Int, height: Int, width: Int, padding: Int,
                    paddedHeight: Int, paddedWidth: Int, into padded: UnsafeMutablePointer<Float>) {
        let paddedPlane = paddedHeight * paddedWidth
        for channel in 0..<channels {
            var source = image + channel * height * width
            var destination = padded + channel * paddedPlane + padding * paddedWidth + padding
            for _ in 0..<height {
                copy(source, to: destination, count: width)
                source += width
                destination += paddedWidth
            }
        }
    }

    /// Copies the `C x H x W` block at row and column `padding` of `padded` (`C x paddedHeight x paddedWidth`)
    /// into `image`, overwriting it.
    static func unpad(_ padded: UnsafePointer<Float>, channels: Int, height: Int, width: Int, padding: Int,
                      paddedHeight: Int, paddedWidth: Int, into image: UnsafeMutablePointer<Float>) {
        let paddedPlane = paddedHeight * paddedWidth
        for channel in 0..<channels {
            var source = padded + channel * paddedPlane + padding * paddedWidth + padding
            var destination = image + channel * height * width
            for _ in 0..<height {
                copy(source, to: destination, count: width)
                source += paddedWidth
                destination += width
            }
        }
    }

    /// Writes the patch matrix of the padded image (`C x paddedHeight x paddedWidth`) into `columns`,
    /// whose rows are `rowStride` apart (`outputHeight * outputWidth` for one image; more when several
    /// images share a matrix side by side).
    static func unfold(_ padded: UnsafePointer<Float>, paddedHeight: Int, paddedWidth: Int, geometry g: ConvolutionGeometry,
                       outputHeight: Int, outputWidth: Int, into columns: UnsafeMutablePointer<Float>, rowStride: Int) {
        // Short rows copied 8 floats at a time may write past their end into the next output row of the same
        // patch row, which is written right after; the last output row of each is copied exactly.
        let overrun = outputWidth >= 4
        forEachPatchRow(paddedHeight: paddedHeight, paddedWidth: paddedWidth, geometry: g, outputHeight: outputHeight,
                        outputWidth: outputWidth, rowStride: rowStride) { imageRow, columnRow, isLastOutputRow in
            let destination = columns + columnRow
            let source = padded + imageRow
            if g.stride == 1 {
                if overrun && !isLastOutputRow {
                    copyInBlocksOfEight(source, to: destination, count: outputWidth)
                } else {
                    copy(source, to: destination, count: outputWidth)
                }
            } else {
                for ow in 0..<outputWidth { destination[ow] = source[ow * g.stride] }
            }
        }
    }

    /// Adds the patch-matrix gradient `columns` (rows `rowStride` apart) onto the padded image gradient
    /// (`C x paddedHeight x paddedWidth`). Both must extend ``blockOverrun`` floats past their last row:
    /// rows are added in 8-float blocks whose surplus lanes add zero.
    static func fold(_ columns: UnsafePointer<Float>, paddedHeight: Int, paddedWidth: Int, geometry g: ConvolutionGeometry,
                     outputHeight: Int, outputWidth: Int, into padded: UnsafeMutablePointer<Float>, rowStride: Int) {
        let fullBlocks = outputWidth / 8, tail: SIMD8<UInt32>? = outputWidth % 8 == 0 ? nil : tailMasks[outputWidth % 8]
        forEachPatchRow(paddedHeight: paddedHeight, paddedWidth: paddedWidth, geometry: g, outputHeight: outputHeight,
                        outputWidth: outputWidth, rowStride: rowStride) { imageRow, columnRow, _ in
            let source = columns + columnRow
            let destination = padded + imageRow
            if g.stride == 1 {
                addInBlocksOfEight(source, to: destination, fullBlocks: fullBlocks, tail: tail)
            } else {
                for ow in 0..<outputWidth { destination[ow * g.stride] += source[ow] }
            }
        }
    }

    /// Calls `body(imageOffset, columnOffset, isLastOutputRow)` for every output row of every patch-matrix row:
    /// the padded image offset of the row's first input element, the patch-matrix offset of its first entry, and
    /// whether it is the patch-matrix row's last output row.
    @inline(__always)
    private static func forEachPatchRow(paddedHeight: Int, paddedWidth: Int, geometry g: ConvolutionGeometry,
                                        outputHeight: Int, outputWidth: Int, rowStride: Int,
                                        _ body: (_ imageOffset: Int, _ columnOffset: Int, _ isLastOutputRow: Bool) -> Void) {
        let paddedPlane = paddedHeight * paddedWidth
        var row = 0
        for channel in 0..<g.inputChannels {
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    var imageOffset = channel * paddedPlane + ki * g.dilation * paddedWidth + kj * g.dilation
                    var columnOffset = row * rowStride
                    for oh in 0..<outputHeight {
                        body(imageOffset, columnOffset, oh == outputHeight - 1)
                        imageOffset += g.stride * paddedWidth
                        columnOffset += outputWidth
                    }
                    row += 1
                }
            }
        }
    }

    @inline(__always)
    private static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { destination[i] = source[i] }
    }

    /// How far 8-float block operations may read or write past the end of a row.
    static let blockOverrun = 8

    /// For a tail of `n` floats, the bit mask keeping lanes `0..<n` of an 8-float block.
    private static let tailMasks: [SIMD8<UInt32>] = (0..<8).map { n in
        SIMD8<UInt32>((0..<8).map { $0 < n ? UInt32.max : 0 })
    }

    /// `destination[0..<count] += source[0..<count]` in `fullBlocks` 8-float blocks and, when `count` is not a
    /// multiple of 8, a last block whose lanes beyond `count` the `tail` mask clears: that block reads and writes
    /// up to 7 floats past `count` in both, adding zero to those of `destination` (they keep their value).
    @inline(__always)
    private static func addInBlocksOfEight(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                                           fullBlocks: Int, tail: SIMD8<UInt32>?) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(destination)
        for block in 0..<fullBlocks {
            let offset = 32 * block
            let sum = to.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                + from.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            to.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
        }
        guard let tail else { return }
        // Clear the surplus lanes by their bits (multiplying by zero would turn an infinity into NaN).
        let offset = 32 * fullBlocks
        let bits = from.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt32>.self) & tail
        let sum = to.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + unsafeBitCast(bits, to: SIMD8<Float>.self)
        to.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
    }

    /// Copies `count` floats rounded up to a multiple of 8, in 8-float moves: up to 7 floats past `count` are read
    /// and written. The caller guarantees that both stay inside memory it owns and that the extra destination
    /// floats are overwritten afterwards.
    @inline(__always)
    private static func copyInBlocksOfEight(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                                            count: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(destination)
        var offset = 0
        while offset < 4 * count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), toByteOffset: offset,
                          as: SIMD8<Float>.self)
            offset += 32
        }
    }
}
