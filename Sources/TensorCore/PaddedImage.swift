import CConvolution

/// A zero-bordered copy of one image, laid out as the direct kernels and the implicit GEMM read it: channels `plane`
/// floats apart and
/// enough zeros after the last plane for their reads past it.
struct PaddedImage {
    let channels: Int, height: Int, width: Int, border: Int, horizontalBorder: Int
    let paddedWidth: Int, plane: Int, size: Int

    init(channels: Int, height: Int, width: Int, border: Int, horizontalBorder: Int? = nil) {
        self.channels = channels
        self.height = height
        self.width = width
        self.border = border
        self.horizontalBorder = horizontalBorder ?? border
        paddedWidth = width + 2 * self.horizontalBorder
        plane = (height + 2 * border) * paddedWidth
        size = channels * plane + Int(ILNAS_DIRECT_SLACK_ROWS) * paddedWidth + Int(ILNAS_DIRECT_SLACK)
    }

    /// Zeroes the whole buffer once; ``fill(_:from:path:)`` only ever writes the interior.
    func clear(_ buffer: UnsafeMutablePointer<Float>) { buffer.update(repeating: 0, count: size) }

    /// Copies `image` (`channels x height x width`) into the interior, by the vector moves of `path`.
    func fill(_ buffer: UnsafeMutablePointer<Float>, from image: UnsafePointer<Float>, path: KernelPath) {
        for c in 0..<channels {
            ilnas_copy_rows(path.cPath, image + c * height * width, width,
                            buffer + c * plane + border * paddedWidth + horizontalBorder, paddedWidth, height, width)
        }
    }
}
