/// Bilinear resizing of NCHW images, with PyTorch's `F.interpolate(mode="bilinear", align_corners=False)`
/// semantics (no antialiasing).
///
/// Output pixel `o` samples the input at `(o + 0.5) · in / out - 0.5`, clamped below at 0, and blends
/// the two nearest pixels in each direction; at the last pixel both taps coincide.
public enum BilinearResize {
    /// `input` `[N, C, H, W]` resized to `[N, C, height, width]`.
    public static func forward(input: Tensor, height: Int, width: Int) throws -> Tensor {
        let (batch, channels, inH, inW) = try imageDimensions(input.shape, "bilinear resize")
        try validateSizes(inH, inW, height, width)
        let rows = taps(from: inH, to: height), columns = taps(from: inW, to: width)
        let planes = batch * channels, inPlane = inH * inW, outPlane = height * width
        return input.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rows in
                columns.withUnsafeBufferPointer { columns in
                    Tensor(shape: [batch, channels, height, width]) { y, _ in
                        let p = UncheckedSendable((x.baseAddress!, y, rows.baseAddress!, columns.baseAddress!))
                        ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: outPlane)) { range in
                            let (x, y, rows, columns) = p.value
                            for plane in range {
                                let source = x + plane * inPlane, resized = y + plane * outPlane
                                for oh in 0..<height {
                                    let r = rows[oh]
                                    let top = source + r.lower * inW, bottom = source + r.upper * inW
                                    let out = resized + oh * width
                                    for ow in 0..<width {
                                        let c = columns[ow]
                                        out[ow] = r.lowerWeight * (c.lowerWeight * top[c.lower] + c.upperWeight * top[c.upper])
                                            + r.upperWeight * (c.lowerWeight * bottom[c.lower] + c.upperWeight * bottom[c.upper])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `∂L/∂input` for an input of `inputShape`: every output gradient returned to its four taps by their weights.
    public static func backward(outputGradient: Tensor, inputShape: [Int]) throws -> Tensor {
        let (batch, channels, inH, inW) = try imageDimensions(inputShape, "bilinear resize backward")
        guard outputGradient.rank == 4, outputGradient.shape[0] == batch, outputGradient.shape[1] == channels else {
            throw TensorError.shapeMismatch(operation: "bilinear resize backward (output gradient)",
                                            expected: [batch, channels, -1, -1], actual: outputGradient.shape)
        }
        let (height, width) = (outputGradient.shape[2], outputGradient.shape[3])
        try validateSizes(inH, inW, height, width)
        let rows = taps(from: inH, to: height), columns = taps(from: inW, to: width)
        let planes = batch * channels, inPlane = inH * inW, outPlane = height * width
        var inputGradient = Tensor(zeros: inputShape)
        if planes == 0 { return inputGradient }
        outputGradient.withUnsafeBufferPointer { dy in
            rows.withUnsafeBufferPointer { rows in
                columns.withUnsafeBufferPointer { columns in
                    inputGradient.withUnsafeMutableBufferPointer { dx in
                        let p = UncheckedSendable((dy.baseAddress!, dx.baseAddress!, rows.baseAddress!, columns.baseAddress!))
                        ComputeThreads.forEachRange(planes, minimumPerChunk: ComputeThreads.planesPerChunk(planeSize: outPlane)) { range in
                            let (dy, dx, rows, columns) = p.value
                            for plane in range {
                                let gradients = dy + plane * outPlane, target = dx + plane * inPlane
                                for oh in 0..<height {
                                    let r = rows[oh]
                                    let top = target + r.lower * inW, bottom = target + r.upper * inW
                                    let row = gradients + oh * width
                                    for ow in 0..<width {
                                        let c = columns[ow]
                                        let g = row[ow]
                                        let upper = r.upperWeight * g, lower = r.lowerWeight * g
                                        top[c.lower] += lower * c.lowerWeight
                                        top[c.upper] += lower * c.upperWeight
                                        bottom[c.lower] += upper * c.lowerWeight
                                        bottom[c.upper] += upper * c.upperWeight
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// The two input pixels one output pixel blends, and their weights.
    struct Taps {
        let lower: Int, upper: Int
        let lowerWeight: Float, upperWeight: Float
    }

    /// PyTorch's `area_pixel_compute_source_index` (align_corners=False) for every output index, in Float as PyTorch.
    static func taps(from inputSize: Int, to outputSize: Int) -> [Taps] {
        let scale = Float(inputSize) / Float(outputSize)
        return (0..<outputSize).map { index in
            let source = max(scale * (Float(index) + 0.5) - 0.5, 0)
            let lower = min(Int(source), inputSize - 1)
            let upper = lower < inputSize - 1 ? lower + 1 : lower
            let upperWeight = min(max(source - Float(lower), 0), 1)
            return Taps(lower: lower, upper: upper, lowerWeight: 1 - upperWeight, upperWeight: upperWeight)
        }
    }

    private static func validateSizes(_ inH: Int, _ inW: Int, _ height: Int, _ width: Int) throws {
        guard inH >= 1, inW >= 1, height >= 1, width >= 1 else {
            throw TensorError.invalidArgument(operation: "bilinear resize",
                                              reason: "cannot resize \(inH)x\(inW) images to \(height)x\(width): sizes must be positive")
        }
    }
}
