/// 2-D max-pooling over NCHW tensors (PyTorch's `max_pool2d`, floor mode, padding never wins).
///
/// The forward pass records which input element every output came from; the backward pass
/// routes each output gradient to exactly that element. Ties go to the first element in
/// row-major window order and NaN always wins, as in PyTorch.
public enum MaxPooling2D {
    /// The input element each output was taken from: what the backward pass needs.
    public struct Selection: Sendable, Equatable {
        /// The `[N, C, H, W]` shape of the pooled input.
        public let inputShape: [Int]
        /// The `[N, C, outH, outW]` shape of the output.
        public let outputShape: [Int]
        /// Per output element, the flat index of its source within its `H x W` input plane.
        let indices: [Int32]
    }

    /// The pooled output and the selection for ``backward(outputGradient:selection:)``.
    public struct Result: Sendable {
        /// The `[N, C, outH, outW]` maxima.
        public let output: Tensor
        /// Where each maximum came from.
        public let selection: Selection
    }

    /// The maximum of every window of `input` `[N, C, H, W]`.
    public static func forward(input: Tensor, geometry g: PoolingGeometry) throws -> Result {
        let (batch, channels, height, width) = try imageDimensions(input.shape, "maxpool2d")
        let (outH, outW) = try g.outputSize(height: height, width: width, operation: "maxpool2d")
        guard height * width <= Int(Int32.max) else {
            throw TensorError.invalidArgument(operation: "maxpool2d", reason: "input plane \(height)x\(width) is too large")
        }
        let planes = batch * channels, inPlane = height * width, outPlane = outH * outW
        let outputShape = [batch, channels, outH, outW]
        var indices = [Int32](repeating: 0, count: planes * outPlane)
        let output = input.withUnsafeBufferPointer { x in
            indices.withUnsafeMutableBufferPointer { selected in
                Tensor(shape: outputShape) { y, _ in
                    let p = UncheckedSendable((x.baseAddress!, y, selected.baseAddress!))
                    ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inPlane)) { range in
                        let (x, y, selected) = p.value
                        for plane in range {
                            let source = x + plane * inPlane
                            let maxima = y + plane * outPlane, origins = selected + plane * outPlane
                            if g.isHalving {
                                poolPairs(source, width: width, outputHeight: outH, outputWidth: outW, into: maxima, origins: origins)
                            } else {
                                pool(source, height: height, width: width, geometry: g, outputHeight: outH, outputWidth: outW,
                                     into: maxima, origins: origins)
                            }
                        }
                    }
                }
            }
        }
        return Result(output: output,
                      selection: Selection(inputShape: input.shape, outputShape: outputShape, indices: indices))
    }

    /// `∂L/∂input`: each output gradient added to the input element its maximum came from.
    public static func backward(outputGradient: Tensor, selection: Selection) throws -> Tensor {
        try ensureShape(outputGradient, selection.outputShape, "maxpool2d backward (output gradient)")
        var inputGradient = Tensor(zeros: selection.inputShape)
        let shape = selection.inputShape
        let planes = shape[0] * shape[1], inPlane = shape[2] * shape[3]
        let outPlane = selection.outputShape[2] * selection.outputShape[3]
        if planes * outPlane == 0 { return inputGradient }
        outputGradient.withUnsafeBufferPointer { dy in
            selection.indices.withUnsafeBufferPointer { selected in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    let p = UncheckedSendable((dy.baseAddress!, selected.baseAddress!, dx.baseAddress!))
                    ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inPlane)) { range in
                        let (dy, selected, dx) = p.value
                        for plane in range {
                            let gradients = dy + plane * outPlane, origins = selected + plane * outPlane
                            let target = dx + plane * inPlane
                            for i in 0..<outPlane { target[Int(origins[i])] += gradients[i] }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// Writes the maximum of one window and its flat index in the plane by PyTorch's rule: the first
    /// largest element wins, and a NaN wins and propagates.
    @inline(__always)
    private static func poolWindow(_ source: UnsafePointer<Float>, width: Int, rows: Range<Int>, columns: Range<Int>,
                                   into maximum: UnsafeMutablePointer<Float>, origin: UnsafeMutablePointer<Int32>) {
        var bestIndex = rows.lowerBound * width + columns.lowerBound
        var best = source[bestIndex]
        for h in rows {
            for w in columns {
                let value = source[h * width + w]
                if value > best || value.isNaN {
                    best = value
                    bestIndex = h * width + w
                }
            }
        }
        maximum.pointee = best
        origin.pointee = Int32(truncatingIfNeeded: bestIndex)
    }

    /// Any window geometry over one plane, one window at a time.
    @inline(__always)
    private static func pool(_ source: UnsafePointer<Float>, height: Int, width: Int, geometry g: PoolingGeometry,
                             outputHeight: Int, outputWidth: Int,
                             into maxima: UnsafeMutablePointer<Float>, origins: UnsafeMutablePointer<Int32>) {
        for oh in 0..<outputHeight {
            let (h0, h1) = g.span(oh, kernel: g.kernelHeight, size: height)
            for ow in 0..<outputWidth {
                let (w0, w1) = g.span(ow, kernel: g.kernelWidth, size: width)
                let at = oh * outputWidth + ow
                poolWindow(source, width: width, rows: h0..<h1, columns: w0..<w1, into: maxima + at, origin: origins + at)
            }
        }
    }

    /// The common 2x2 window with stride 2 and no padding, four windows at a time in SIMD registers.
    ///
    /// Scalar code would branch on every comparison, and which element wins is unpredictable; vector
    /// compares and blends do not branch. Vectors holding a NaN (their sum is NaN; so, rarely, is a sum
    /// of opposite infinities) fall back to `poolWindow` for PyTorch's NaN rule.
    @inline(__always)
    private static func poolPairs(_ source: UnsafePointer<Float>, width: Int, outputHeight: Int, outputWidth: Int,
                                  into maxima: UnsafeMutablePointer<Float>, origins: UnsafeMutablePointer<Int32>) {
        let lanes = SIMD4<Int32>(0, 2, 4, 6)
        let rowStep = Int32(truncatingIfNeeded: width)
        for oh in 0..<outputHeight {
            let rowStart = 2 * oh * width
            let top = UnsafeRawPointer(source + rowStart), bottom = UnsafeRawPointer(source + rowStart + width)
            let out = maxima + oh * outputWidth, origin = origins + oh * outputWidth
            var ow = 0
            while ow + 4 <= outputWidth {
                // Columns 2ow ..< 2ow + 8 of both rows: even lanes are window lefts, odd lanes rights.
                let upper = top.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD8<Float>.self)
                let lower = bottom.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD8<Float>.self)
                let a = upper.evenHalf, b = upper.oddHalf, c = lower.evenHalf, d = lower.oddHalf
                let sum = a + b + c + d
                if any(sum .!= sum) {
                    for window in ow..<(ow + 4) {
                        poolWindow(source, width: width, rows: (2 * oh)..<(2 * oh + 2), columns: (2 * window)..<(2 * window + 2),
                                   into: out + window, origin: origin + window)
                    }
                } else {
                    var best = a, offset = SIMD4<Int32>(repeating: 0)
                    var take = b .> best
                    best.replace(with: b, where: take)
                    offset.replace(with: 1, where: take)
                    take = c .> best
                    best.replace(with: c, where: take)
                    offset.replace(with: rowStep, where: take)
                    take = d .> best
                    best.replace(with: d, where: take)
                    offset.replace(with: rowStep &+ 1, where: take)
                    let index = offset &+ lanes &+ SIMD4(repeating: Int32(truncatingIfNeeded: rowStart + 2 * ow))
                    UnsafeMutableRawPointer(out + ow).storeBytes(of: best, as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(origin + ow).storeBytes(of: index, as: SIMD4<Int32>.self)
                }
                ow += 4
            }
            while ow < outputWidth {
                poolWindow(source, width: width, rows: (2 * oh)..<(2 * oh + 2), columns: (2 * ow)..<(2 * ow + 2),
                           into: out + ow, origin: origin + ow)
                ow += 1
            }
        }
    }
}
