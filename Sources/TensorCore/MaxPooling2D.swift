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
                            for oh in 0..<outH {
                                let (h0, h1) = g.span(oh, kernel: g.kernelHeight, size: height)
                                for ow in 0..<outW {
                                    let (w0, w1) = g.span(ow, kernel: g.kernelWidth, size: width)
                                    var bestIndex = h0 * width + w0
                                    var best = source[bestIndex]
                                    for h in h0..<h1 {
                                        let row = h * width
                                        for w in w0..<w1 {
                                            let value = source[row + w]
                                            if value > best || value.isNaN {
                                                best = value
                                                bestIndex = row + w
                                            }
                                        }
                                    }
                                    maxima[oh * outW + ow] = best
                                    origins[oh * outW + ow] = Int32(truncatingIfNeeded: bestIndex)
                                }
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
}
