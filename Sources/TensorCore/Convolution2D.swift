/// 2-D convolution (cross-correlation, as in PyTorch) over NCHW tensors, by im2col and GEMM.
///
/// Weights are `[outputChannels, inputChannels, kernelHeight, kernelWidth]`, bias `[outputChannels]`.
/// Images of a batch are split across `ComputeThreads.count` workers, each running
/// single-threaded GEMMs on its own patch buffer.
public enum Convolution2D {
    /// The output `[N, outputChannels, outH, outW]` of convolving `input` `[N, C, H, W]`.
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry) throws -> Tensor {
        let (batch, height, width) = try validate(input: input, weight: weight, bias: bias, geometry: g)
        let (outH, outW) = try g.outputSize(height: height, width: width)
        let outPlane = outH * outW, inPlane = g.inputChannels * height * width
        var output = Tensor(zeros: [batch, g.outputChannels, outH, outW])
        let direct = isPointwise(g)
        let chunks = min(ComputeThreads.count, batch)
        var workspace = [Float](repeating: 0, count: direct ? 0 : chunks * g.patchSize * outPlane)
        input.withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { y in
                    workspace.withUnsafeMutableBufferPointer { ws in
                        let p = UncheckedSendable((x.baseAddress!, w.baseAddress!, y.baseAddress!, ws.baseAddress))
                        let biasValues = bias?.scalars
                        ComputeThreads.forEachChunk(chunks) { chunk in
                            let (x, w, y, ws) = p.value
                            let columns = direct ? nil : ws.map { $0 + chunk * g.patchSize * outPlane }
                            for n in ComputeThreads.range(ofChunk: chunk, of: chunks, total: batch) {
                                let image = x + n * inPlane
                                let patches: UnsafePointer<Float>
                                if let columns {
                                    Im2Col.unfold(image, height: height, width: width, geometry: g,
                                                  outputHeight: outH, outputWidth: outW, into: columns)
                                    patches = UnsafePointer(columns)
                                } else {
                                    patches = image
                                }
                                let out = y + n * g.outputChannels * outPlane
                                var beta: Float = 0
                                if let biasValues {
                                    for o in 0..<g.outputChannels {
                                        (out + o * outPlane).update(repeating: biasValues[o], count: outPlane)
                                    }
                                    beta = 1
                                }
                                Gemm.multiply(w, patches, into: out, m: g.outputChannels, n: outPlane, k: g.patchSize, beta: beta)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Accumulates `∂L/∂weight` and `∂L/∂bias` and returns `∂L/∂input` (or `nil` when not needed).
    ///
    /// The weight gradient is exact for every entry, including weights that are zero:
    /// it does not depend on the weight's value.
    @discardableResult
    public static func backward(
        outputGradient: Tensor, input: Tensor, weight: Tensor, geometry g: ConvolutionGeometry,
        weightGradient: inout Tensor, biasGradient: inout Tensor?, needsInputGradient: Bool = true
    ) throws -> Tensor? {
        let (batch, height, width) = try validate(input: input, weight: weight, bias: nil, geometry: g)
        let (outH, outW) = try g.outputSize(height: height, width: width)
        let expected = [batch, g.outputChannels, outH, outW]
        guard outputGradient.shape == expected else {
            throw TensorError.shapeMismatch(operation: "conv2d backward (output gradient)", expected: expected, actual: outputGradient.shape)
        }
        guard weightGradient.shape == weight.shape else {
            throw TensorError.shapeMismatch(operation: "conv2d backward (weight gradient)", expected: weight.shape, actual: weightGradient.shape)
        }
        let outPlane = outH * outW, inPlane = g.inputChannels * height * width
        let weightCount = weight.count
        let direct = isPointwise(g)
        let chunks = min(ComputeThreads.count, batch)
        let columnsSize = direct ? 0 : g.patchSize * outPlane
        // Per worker: patch buffer, patch-gradient buffer, private weight gradient.
        let perWorker = 2 * columnsSize + weightCount
        var workspace = [Float](repeating: 0, count: chunks * perWorker)
        var inputGradient = needsInputGradient ? Tensor(zeros: input.shape) : nil

        try outputGradient.withUnsafeBufferPointer { dy in
            try input.withUnsafeBufferPointer { x in
                try weight.withUnsafeBufferPointer { w in
                    try workspace.withUnsafeMutableBufferPointer { ws in
                        try withOptionalMutablePointer(&inputGradient) { dx in
                            let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, w.baseAddress!, ws.baseAddress!, dx))
                            ComputeThreads.forEachChunk(chunks) { chunk in
                                let (dy, x, w, ws, dx) = p.value
                                let base = ws + chunk * perWorker
                                let columns = base, columnGradient = base + columnsSize
                                let localWeightGradient = base + 2 * columnsSize
                                for n in ComputeThreads.range(ofChunk: chunk, of: chunks, total: batch) {
                                    let image = x + n * inPlane
                                    let gradOut = dy + n * g.outputChannels * outPlane
                                    let patches: UnsafePointer<Float>
                                    if direct {
                                        patches = image
                                    } else {
                                        Im2Col.unfold(image, height: height, width: width, geometry: g,
                                                      outputHeight: outH, outputWidth: outW, into: columns)
                                        patches = UnsafePointer(columns)
                                    }
                                    // dW += dY_n · patches^T
                                    Gemm.multiply(gradOut, patches, transposeB: true, into: localWeightGradient,
                                                  m: g.outputChannels, n: g.patchSize, k: outPlane, beta: 1)
                                    guard let dx else { continue }
                                    let imageGradient = dx + n * inPlane
                                    if direct {
                                        // dX_n = W^T · dY_n directly.
                                        Gemm.multiply(w, transposeA: true, gradOut, into: imageGradient,
                                                      m: g.patchSize, n: outPlane, k: g.outputChannels)
                                    } else {
                                        Gemm.multiply(w, transposeA: true, gradOut, into: columnGradient,
                                                      m: g.patchSize, n: outPlane, k: g.outputChannels)
                                        Im2Col.fold(columnGradient, height: height, width: width, geometry: g,
                                                    outputHeight: outH, outputWidth: outW, into: imageGradient)
                                    }
                                }
                            }
                        }
                        weightGradient.withUnsafeMutableBufferPointer { dw in
                            for chunk in 0..<chunks {
                                let local = ws.baseAddress! + chunk * perWorker + 2 * columnsSize
                                for i in 0..<weightCount { dw[i] += local[i] }
                            }
                        }
                    }
                }
            }
            if biasGradient != nil {
                try ensureShape(biasGradient!, [g.outputChannels], "conv2d backward (bias gradient)")
                biasGradient!.withUnsafeMutableBufferPointer { db in
                    for n in 0..<batch {
                        for o in 0..<g.outputChannels {
                            let row = dy.baseAddress! + (n * g.outputChannels + o) * outPlane
                            var sum: Float = 0
                            for i in 0..<outPlane { sum += row[i] }
                            db[o] += sum
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// A 1x1 kernel with stride 1 and no padding multiplies the image directly, without unfolding.
    private static func isPointwise(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 1 && g.kernelWidth == 1 && g.stride == 1 && g.padding == 0
    }

    private static func validate(input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry) throws -> (Int, Int, Int) {
        guard input.rank == 4, input.shape[1] == g.inputChannels else {
            throw TensorError.shapeMismatch(operation: "conv2d input [N, C, H, W] with C = \(g.inputChannels)",
                                            expected: [input.shape.first ?? 0, g.inputChannels] + Array(input.shape.dropFirst(2)),
                                            actual: input.shape)
        }
        try ensureShape(weight, [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth], "conv2d weight")
        if let bias { try ensureShape(bias, [g.outputChannels], "conv2d bias") }
        return (input.shape[0], input.shape[2], input.shape[3])
    }
}

/// Throws a shape mismatch naming `operation` unless `tensor` has exactly `shape`.
@inlinable
public func ensureShape(_ tensor: Tensor, _ shape: [Int], _ operation: String) throws {
    guard tensor.shape == shape else {
        throw TensorError.shapeMismatch(operation: operation, expected: shape, actual: tensor.shape)
    }
}

/// Calls `body` with a mutable pointer to the tensor's elements, or `nil` when there is no tensor.
func withOptionalMutablePointer<R>(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) throws -> R) rethrows -> R {
    if tensor == nil { return try body(nil) }
    return try tensor!.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}
