/// 2-D average-pooling over NCHW tensors with PyTorch's defaults (floor mode, `count_include_pad=True`):
/// every window's sum is divided by the full kernel area, padding counting as zeros.
public enum AveragePooling2D {
    /// The mean of every window of `input` `[N, C, H, W]`.
    public static func forward(input: Tensor, geometry g: PoolingGeometry) throws -> Tensor {
        let (batch, channels, height, width) = try imageDimensions(input.shape, "avgpool2d")
        let (outH, outW) = try g.outputSize(height: height, width: width, operation: "avgpool2d")
        let planes = batch * channels, inPlane = height * width, outPlane = outH * outW
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: [batch, channels, outH, outW]) { y, _ in
                let p = UncheckedSendable((x.baseAddress!, y))
                ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inPlane)) { range in
                    let (x, y) = p.value
                    for plane in range {
                        let source = x + plane * inPlane, means = y + plane * outPlane
                        for oh in 0..<outH {
                            let (h0, h1) = g.span(oh, kernel: g.kernelHeight, size: height)
                            for ow in 0..<outW {
                                let (w0, w1) = g.span(ow, kernel: g.kernelWidth, size: width)
                                var sum: Float = 0
                                for h in h0..<h1 {
                                    let row = source + h * width
                                    for w in w0..<w1 { sum += row[w] }
                                }
                                means[oh * outW + ow] = sum * scale
                            }
                        }
                    }
                }
            }
        }
    }

    /// `∂L/∂input` for an input of `inputShape`: each output gradient spread evenly over its window.
    public static func backward(outputGradient: Tensor, inputShape: [Int], geometry g: PoolingGeometry) throws -> Tensor {
        let (batch, channels, height, width) = try imageDimensions(inputShape, "avgpool2d backward")
        let (outH, outW) = try g.outputSize(height: height, width: width, operation: "avgpool2d backward")
        try ensureShape(outputGradient, [batch, channels, outH, outW], "avgpool2d backward (output gradient)")
        let planes = batch * channels, inPlane = height * width, outPlane = outH * outW
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        var inputGradient = Tensor(zeros: inputShape)
        if planes == 0 { return inputGradient }
        outputGradient.withUnsafeBufferPointer { dy in
            inputGradient.withUnsafeMutableBufferPointer { dx in
                let p = UncheckedSendable((dy.baseAddress!, dx.baseAddress!))
                ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: inPlane)) { range in
                    let (dy, dx) = p.value
                    for plane in range {
                        let gradients = dy + plane * outPlane, target = dx + plane * inPlane
                        for oh in 0..<outH {
                            let (h0, h1) = g.span(oh, kernel: g.kernelHeight, size: height)
                            for ow in 0..<outW {
                                let (w0, w1) = g.span(ow, kernel: g.kernelWidth, size: width)
                                let share = gradients[oh * outW + ow] * scale
                                for h in h0..<h1 {
                                    let row = target + h * width
                                    for w in w0..<w1 { row[w] += share }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
