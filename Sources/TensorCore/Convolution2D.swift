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
        let outputs = g.outputChannels, patchSize = g.patchSize
        var output = Tensor(zeros: [batch, outputs, outH, outW])
        let direct = isPointwise(g)
        let chunks = min(ComputeThreads.count, batch)
        let group = direct ? 1 : imagesPerProduct(outPlane: outPlane, batch: batch, chunks: chunks)
        // Per worker: the patch matrix of `group` images, and their outputs before they are put in NCHW order.
        let perWorker = direct ? 0 : patchSize * group * outPlane + (group > 1 ? outputs * group * outPlane : 0)
        var workspace = [Float](repeating: 0, count: chunks * perWorker)
        let biasValues = bias?.scalars ?? [Float](repeating: 0, count: outputs)
        input.withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { y in
                    workspace.withUnsafeMutableBufferPointer { ws in
                        let p = UncheckedSendable((x.baseAddress!, w.baseAddress!, y.baseAddress!, ws.baseAddress!))
                        ComputeThreads.forEachChunk(chunks) { chunk in
                            let (x, w, y, ws) = p.value
                            let columns = ws + chunk * perWorker
                            let staged = columns + patchSize * group * outPlane
                            let images = ComputeThreads.range(ofChunk: chunk, of: chunks, total: batch)
                            for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
                                let count = min(group, images.upperBound - first)
                                let span = count * outPlane
                                let patches = direct ? x + first * inPlane
                                    : unfoldGroup(x + first * inPlane, count: count, height: height, width: width,
                                                  geometry: g, outputHeight: outH, outputWidth: outW, into: columns)
                                if count == 1 {
                                    let out = y + first * outputs * outPlane
                                    for o in 0..<outputs { (out + o * outPlane).update(repeating: biasValues[o], count: outPlane) }
                                    Gemm.multiply(w, patches, into: out, m: outputs, n: outPlane, k: patchSize, beta: 1, ldb: span)
                                    continue
                                }
                                Gemm.multiply(w, patches, into: staged, m: outputs, n: span, k: patchSize)
                                for image in 0..<count {
                                    let out = y + (first + image) * outputs * outPlane
                                    for o in 0..<outputs {
                                        let source = staged + o * span + image * outPlane, target = out + o * outPlane
                                        let shift = biasValues[o]
                                        for i in 0..<outPlane { target[i] = source[i] + shift }
                                    }
                                }
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
        if let biasGradient { try ensureShape(biasGradient, [g.outputChannels], "conv2d backward (bias gradient)") }
        let outPlane = outH * outW, inPlane = g.inputChannels * height * width
        let outputs = g.outputChannels, patchSize = g.patchSize
        let weightCount = weight.count
        let direct = isPointwise(g)
        let chunks = min(ComputeThreads.count, batch)
        let group = direct ? 1 : imagesPerProduct(outPlane: outPlane, batch: batch, chunks: chunks)
        let columnsSize = direct ? 0 : patchSize * group * outPlane
        let gatheredSize = group > 1 ? outputs * group * outPlane : 0
        // Per worker: patches, patch gradients, gathered output gradients, and a private weight gradient.
        let perWorker = 2 * columnsSize + gatheredSize + weightCount
        var workspace = [Float](repeating: 0, count: chunks * perWorker)
        var inputGradient = needsInputGradient ? Tensor(zeros: input.shape) : nil

        outputGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    workspace.withUnsafeMutableBufferPointer { ws in
                        withOptionalMutablePointer(&inputGradient) { dx in
                            let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, w.baseAddress!, ws.baseAddress!, dx))
                            ComputeThreads.forEachChunk(chunks) { chunk in
                                let (dy, x, w, ws, dx) = p.value
                                let columns = ws + chunk * perWorker
                                let columnGradient = columns + columnsSize
                                let gathered = columnGradient + columnsSize
                                let localWeightGradient = gathered + gatheredSize
                                let images = ComputeThreads.range(ofChunk: chunk, of: chunks, total: batch)
                                for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
                                    let count = min(group, images.upperBound - first)
                                    let span = count * outPlane
                                    let patches = direct ? x + first * inPlane
                                        : unfoldGroup(x + first * inPlane, count: count, height: height, width: width,
                                                      geometry: g, outputHeight: outH, outputWidth: outW, into: columns)
                                    // The output gradients of the group side by side: [outputs, count · outPlane].
                                    let gradOut: UnsafePointer<Float>
                                    if count == 1 {
                                        gradOut = dy + first * outputs * outPlane
                                    } else {
                                        for image in 0..<count {
                                            for o in 0..<outputs {
                                                (gathered + o * span + image * outPlane)
                                                    .update(from: dy + ((first + image) * outputs + o) * outPlane, count: outPlane)
                                            }
                                        }
                                        gradOut = UnsafePointer(gathered)
                                    }
                                    // dW += dY · patchesᵀ
                                    Gemm.multiply(gradOut, patches, transposeB: true, into: localWeightGradient,
                                                  m: outputs, n: patchSize, k: span, beta: 1, lda: span, ldb: span)
                                    guard let dx else { continue }
                                    if direct {
                                        Gemm.multiply(w, transposeA: true, gradOut, into: dx + first * inPlane,
                                                      m: patchSize, n: outPlane, k: outputs)
                                    } else {
                                        Gemm.multiply(w, transposeA: true, gradOut, into: columnGradient,
                                                      m: patchSize, n: span, k: outputs, ldb: span, ldc: span)
                                        for image in 0..<count {
                                            Im2Col.fold(columnGradient + image * outPlane, height: height, width: width, geometry: g,
                                                        outputHeight: outH, outputWidth: outW, into: dx + (first + image) * inPlane, rowStride: span)
                                        }
                                    }
                                }
                            }
                        }
                        weightGradient.withUnsafeMutableBufferPointer { dw in
                            for chunk in 0..<chunks {
                                let local = ws.baseAddress! + chunk * perWorker + 2 * columnsSize + gatheredSize
                                for i in 0..<weightCount { dw[i] += local[i] }
                            }
                        }
                    }
                }
            }
        }
        if biasGradient != nil {
            let sums = outputGradient.sumPerChannel()
            biasGradient!.withUnsafeMutableBufferPointer { db in
                for o in 0..<outputs { db[o] += sums[o] }
            }
        }
        return inputGradient
    }

    /// Unfolds `count` consecutive images side by side into one patch matrix `[patchSize, count · outPlane]`.
    private static func unfoldGroup(_ images: UnsafePointer<Float>, count: Int, height: Int, width: Int, geometry g: ConvolutionGeometry,
                                    outputHeight: Int, outputWidth: Int, into columns: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let outPlane = outputHeight * outputWidth, inPlane = g.inputChannels * height * width
        for image in 0..<count {
            Im2Col.unfold(images + image * inPlane, height: height, width: width, geometry: g, outputHeight: outputHeight,
                          outputWidth: outputWidth, into: columns + image * outPlane, rowStride: count * outPlane)
        }
        return UnsafePointer(columns)
    }

    /// How many images share one GEMM: enough that small feature maps still give a wide product.
    private static func imagesPerProduct(outPlane: Int, batch: Int, chunks: Int) -> Int {
        let perChunk = (batch + chunks - 1) / chunks
        return max(1, min(perChunk, (minimumProductWidth + outPlane - 1) / outPlane))
    }

    /// The narrowest GEMM (columns) worth computing; narrower per-image products are grouped.
    private static let minimumProductWidth = 1024

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
