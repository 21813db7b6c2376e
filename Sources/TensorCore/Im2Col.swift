/// Unfolding of one image's convolution patches into a matrix, and the inverse accumulation.
///
/// The patch matrix has `patchSize` rows (channel, kernel row, kernel column) and
/// `outputHeight * outputWidth` columns, so a convolution is one GEMM with the weight matrix.
enum Im2Col {
    /// Writes the patch matrix of `image` (`C x H x W`) into `columns`, whose rows are `rowStride`
    /// apart (`outputHeight * outputWidth` for one image; larger when several images share a matrix).
    static func unfold(_ image: UnsafePointer<Float>, height: Int, width: Int,
                       geometry g: ConvolutionGeometry, outputHeight: Int, outputWidth: Int,
                       into columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let outPlane = rowStride ?? outputHeight * outputWidth
        var row = 0
        for channel in 0..<g.inputChannels {
            let plane = image + channel * height * width
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let destination = columns + row * outPlane
                    let columnOffset = kj * g.dilation - g.padding
                    let (first, last) = validRange(offset: columnOffset, stride: g.stride, size: width, count: outputWidth)
                    for oh in 0..<outputHeight {
                        let ih = oh * g.stride + ki * g.dilation - g.padding
                        let out = destination + oh * outputWidth
                        if ih < 0 || ih >= height {
                            out.update(repeating: 0, count: outputWidth)
                            continue
                        }
                        let source = plane + ih * width
                        if first > 0 { out.update(repeating: 0, count: first) }
                        if g.stride == 1 {
                            if last > first { (out + first).update(from: source + first + columnOffset, count: last - first) }
                        } else {
                            var ow = first
                            while ow < last {
                                out[ow] = source[ow * g.stride + columnOffset]
                                ow += 1
                            }
                        }
                        if last < outputWidth { (out + last).update(repeating: 0, count: outputWidth - last) }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the patch-matrix gradient `columns` (rows `rowStride` apart) back onto the image gradient (`C x H x W`).
    static func fold(_ columns: UnsafePointer<Float>, height: Int, width: Int,
                     geometry g: ConvolutionGeometry, outputHeight: Int, outputWidth: Int,
                     into image: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let outPlane = rowStride ?? outputHeight * outputWidth
        var row = 0
        for channel in 0..<g.inputChannels {
            let plane = image + channel * height * width
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let source = columns + row * outPlane
                    let columnOffset = kj * g.dilation - g.padding
                    let (first, last) = validRange(offset: columnOffset, stride: g.stride, size: width, count: outputWidth)
                    for oh in 0..<outputHeight {
                        let ih = oh * g.stride + ki * g.dilation - g.padding
                        if ih < 0 || ih >= height { continue }
                        let destination = plane + ih * width
                        let input = source + oh * outputWidth
                        if g.stride == 1 {
                            let target = destination + columnOffset
                            for ow in first..<max(first, last) { target[ow] += input[ow] }
                        } else {
                            var ow = first
                            while ow < last {
                                destination[ow * g.stride + columnOffset] += input[ow]
                                ow += 1
                            }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// The output columns `first..<last` whose input column `ow * stride + offset` lies inside `0..<size`.
    @inline(__always)
    private static func validRange(offset: Int, stride: Int, size: Int, count: Int) -> (Int, Int) {
        // ow * stride + offset >= 0  <=>  ow >= ceil(-offset / stride)
        let first = offset >= 0 ? 0 : min(count, (-offset + stride - 1) / stride)
        // ow * stride + offset <= size - 1  <=>  ow <= floor((size - 1 - offset) / stride)
        let limit = size - 1 - offset
        let last = limit < 0 ? 0 : min(count, limit / stride + 1)
        return (first, max(first, last))
    }
}
