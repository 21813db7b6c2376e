import TensorCore

/// Direct, loop-based convolution: the independent reference for the im2col and Winograd paths.
enum DirectConvolution {
    /// Calls `body(image, output channel, output row, output column, input channel, kernel row, kernel column,
    /// input row, input column)` for every multiply of a direct convolution of images of `inputShape`.
    static func forEachTap(inputShape: [Int], _ g: ConvolutionGeometry,
                           _ body: (Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Void) throws {
        let (n, h, wd) = (inputShape[0], inputShape[2], inputShape[3])
        let (oh, ow) = try g.outputSize(height: h, width: wd)
        for i in 0..<n {
            for o in 0..<g.outputChannels {
                for r in 0..<oh {
                    for c in 0..<ow {
                        for ch in 0..<g.inputChannels {
                            for ki in 0..<g.kernelHeight {
                                for kj in 0..<g.kernelWidth {
                                    let ih = r * g.stride + ki * g.dilation - g.padding
                                    let iw = c * g.stride + kj * g.dilation - g.padding
                                    if ih < 0 || ih >= h || iw < 0 || iw >= wd { continue }
                                    body(i, o, r, c, ch, ki, kj, ih, iw)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The output of a direct, loop-based convolution, with the sums in Double.
    static func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ g: ConvolutionGeometry) throws -> Tensor {
        let (oh, ow) = try g.outputSize(height: x.shape[2], width: x.shape[3])
        var sums = [Double](repeating: 0, count: x.shape[0] * g.outputChannels * oh * ow)
        try forEachTap(inputShape: x.shape, g) { i, o, r, c, ch, ki, kj, ih, iw in
            sums[((i * g.outputChannels + o) * oh + r) * ow + c] += Double(x[i, ch, ih, iw]) * Double(w[o, ch, ki, kj])
        }
        return Tensor(shape: [x.shape[0], g.outputChannels, oh, ow]) { index in
            Float(sums[index] + Double(b?[(index / (oh * ow)) % g.outputChannels] ?? 0))
        }
    }

    /// Direct loops for `∂L/∂weight` and `∂L/∂input` given `∂L/∂output`: the reference for large images,
    /// where finite differences would take too long.
    static func gradients(_ dy: Tensor, _ x: Tensor, _ w: Tensor, _ g: ConvolutionGeometry) throws -> (dw: Tensor, dx: Tensor) {
        var dw = Tensor(zeros: w.shape), dx = Tensor(zeros: x.shape)
        try forEachTap(inputShape: x.shape, g) { i, o, r, c, ch, ki, kj, ih, iw in
            dw[o, ch, ki, kj] += dy[i, o, r, c] * x[i, ch, ih, iw]
            dx[i, ch, ih, iw] += dy[i, o, r, c] * w[o, ch, ki, kj]
        }
        return (dw, dx)
    }
}
