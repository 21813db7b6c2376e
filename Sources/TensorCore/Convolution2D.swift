/// 2-D convolution (cross-correlation, as in PyTorch) over NCHW tensors, by im2col and GEMM, for 3x3 kernels by
/// Winograd's F(2x2, 3x3), or by the vector kernels of the direct convolution or the implicit GEMM (see
/// ``ConvolutionAlgorithm``).
///
/// Weights are `[outputChannels, inputChannels, kernelHeight, kernelWidth]`, bias `[outputChannels]`.
/// Images of a batch are split across `ComputeThreads.count` workers, each running
/// single-threaded GEMMs on its own scratch memory (see `ConvolutionPlan`).
public enum Convolution2D {
    /// The output `[N, outputChannels, outH, outW]` of convolving `input` `[N, C, H, W]`.
    /// `kernelPath` is the instruction set of the direct kernels, the implicit GEMM and im2col's unfolding (by default
    /// ``KernelPath/current()``).
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvolutionGeometry,
                               algorithm: ConvolutionAlgorithm = .automatic, kernelPath: KernelPath? = nil) throws -> Tensor {
        let plan = try ConvolutionPlan(input: input, weightShape: weight.shape, bias: bias, geometry: g)
        let path = try KernelPath.checked(kernelPath)
        switch try algorithm.resolved(for: g) {
        case .winograd:
            return WinogradConvolution.forward(plan: plan, input: input, weight: weight, bias: bias)
        case .direct:
            return SmallChannelConvolution.forward(plan: plan, input: input, weight: weight, bias: bias, path: path)
        case .implicitGEMM:
            return ImplicitGEMMConvolution.forward(plan: plan, input: input, weight: weight, bias: bias, path: path)
        case .im2col, .automatic:
            break
        }
        return weight.withUnsafeBufferPointer { w in
            let w = w.baseAddress!
            return unfoldedForward(plan: plan, input: input, bias: bias, path: path) { patches, out, columns, ldb, beta in
                Gemm.multiply(w, patches, into: out, m: g.outputChannels, n: columns, k: g.patchSize, beta: beta, ldb: ldb)
            }
        }
    }

    /// The same convolution by im2col with a sparse weight: `weight` is the `[outputChannels, patchSize]` matrix
    /// of the `[outputChannels, inputChannels, k, k]` weight (``SparseMatrix/init(_:)`` of it), and each product
    /// with the patch matrix costs in proportion to its non-zeros.
    public static func forward(input: Tensor, weight: SparseMatrix, bias: Tensor?, geometry g: ConvolutionGeometry) throws -> Tensor {
        guard weight.rows == g.outputChannels, weight.columns == g.patchSize else {
            throw TensorError.shapeMismatch(operation: "sparse conv2d weight [outputChannels, patchSize]",
                                            expected: [g.outputChannels, g.patchSize], actual: [weight.rows, weight.columns])
        }
        let plan = try ConvolutionPlan(input: input, weightShape: [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth],
                                       bias: bias, geometry: g)
        return unfoldedForward(plan: plan, input: input, bias: bias, path: try KernelPath.current()) { patches, out, columns, ldb, beta in
            weight.multiply(patches, into: out, columns: columns, ldb: ldb, ldc: columns, beta: beta)
        }
    }

    /// The im2col forward pass of `plan`, unfolding by the kernels of `path`, where `product(patches, out, columns, ldb, beta)` computes
    /// `out = W · patches + beta · out` for `columns` patch columns (rows `ldb` apart) into `[outputChannels, columns]`.
    private static func unfoldedForward(
        plan: ConvolutionPlan, input: Tensor, bias: Tensor?, path: KernelPath,
        product: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, Float) -> Void
    ) -> Tensor {
        let outputs = plan.geometry.outputChannels, outPlane = plan.outputPlane
        // Per worker: a padded image, the patch matrix of a group, and the group's outputs before they go to NCHW order.
        let perWorker = plan.paddedImageSize + plan.columnsSize + plan.groupedOutputSize
        let biasValues = bias?.scalars ?? [Float](repeating: 0, count: outputs)
        return Tensor(shape: [plan.batch, outputs, plan.outputHeight, plan.outputWidth]) { y, _ in
            withScratch(plan.chunks * perWorker) { scratch in
                input.withUnsafeBufferPointer { x in
                    let p = UncheckedSendable((x.baseAddress!, y, scratch))
                    ComputeThreads.forEachChunk(plan.chunks) { chunk in
                        let (x, y, scratch) = p.value
                        let padded = scratch + chunk * perWorker
                        let columns = padded + plan.paddedImageSize
                        let staged = columns + plan.columnsSize
                        plan.clearPadding(padded)
                        for (first, count) in plan.groups(ofChunk: chunk) {
                            let span = count * outPlane
                            let patches = plan.patches(of: x + first * plan.inputImageSize, count: count,
                                                       padded: padded, into: columns, path: path)
                            if count == 1 {
                                let out = y + first * plan.outputImageSize
                                for o in 0..<outputs { (out + o * outPlane).update(repeating: biasValues[o], count: outPlane) }
                                product(patches, out, outPlane, span, 1)
                                continue
                            }
                            product(patches, staged, span, span, 0)
                            for image in 0..<count {
                                let out = y + (first + image) * plan.outputImageSize
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

    /// How many images of a batch of `batch` `height x width` images share one GEMM (small feature maps are
    /// grouped so that each product is at least about 256 columns wide) with the current ``ComputeThreads/count``.
    public static func imagesPerProduct(geometry g: ConvolutionGeometry, height: Int, width: Int, batch: Int) throws -> Int {
        let (outH, outW) = try g.outputSize(height: height, width: width)
        return ConvolutionPlan.imagesPerProduct(geometry: g, outputPlane: outH * outW, batch: batch,
                                                chunks: min(ComputeThreads.count, batch))
    }

    /// Accumulates `∂L/∂weight` and `∂L/∂bias` and returns `∂L/∂input` (or `nil` when not needed).
    /// `kernelPath` is the instruction set of the direct kernels, the implicit GEMM and im2col's unfolding (by default
    /// ``KernelPath/current()``).
    ///
    /// The weight gradient is exact for every entry, including weights that are zero:
    /// it does not depend on the weight's value.
    @discardableResult
    public static func backward(
        outputGradient: Tensor, input: Tensor, weight: Tensor, geometry g: ConvolutionGeometry,
        weightGradient: inout Tensor, biasGradient: inout Tensor?, needsInputGradient: Bool = true,
        algorithm: ConvolutionAlgorithm = .automatic, kernelPath: KernelPath? = nil
    ) throws -> Tensor? {
        let plan = try ConvolutionPlan(input: input, weightShape: weight.shape, bias: nil, geometry: g)
        let expected = [plan.batch, g.outputChannels, plan.outputHeight, plan.outputWidth]
        guard outputGradient.shape == expected else {
            throw TensorError.shapeMismatch(operation: "conv2d backward (output gradient)", expected: expected, actual: outputGradient.shape)
        }
        guard weightGradient.shape == weight.shape else {
            throw TensorError.shapeMismatch(operation: "conv2d backward (weight gradient)", expected: weight.shape, actual: weightGradient.shape)
        }
        if let biasGradient { try ensureShape(biasGradient, [g.outputChannels], "conv2d backward (bias gradient)") }
        let path = try KernelPath.checked(kernelPath)
        switch try algorithm.resolved(for: g) {
        case .winograd:
            return WinogradConvolution.backward(plan: plan, outputGradient: outputGradient, input: input, weight: weight,
                                                weightGradient: &weightGradient, biasGradient: &biasGradient,
                                                needsInputGradient: needsInputGradient)
        case .direct:
            return SmallChannelConvolution.backward(plan: plan, outputGradient: outputGradient, input: input, weight: weight,
                                                    weightGradient: &weightGradient, biasGradient: &biasGradient,
                                                    needsInputGradient: needsInputGradient, path: path)
        case .implicitGEMM:
            return ImplicitGEMMConvolution.backward(plan: plan, outputGradient: outputGradient, input: input, weight: weight,
                                                    weightGradient: &weightGradient, biasGradient: &biasGradient,
                                                    needsInputGradient: needsInputGradient, path: path)
        case .im2col, .automatic:
            break
        }
        let outputs = g.outputChannels, patchSize = g.patchSize, outPlane = plan.outputPlane
        let weightCount = weight.count, biasCount = biasGradient == nil ? 0 : outputs
        // Per worker: a padded image and its gradient, the patches and their gradient, the group's output gradients
        // side by side, and private weight and bias gradients.
        let layout = ScratchLayout<BackwardBuffer>([
            .padded: plan.paddedImageSize, .paddedGradient: needsInputGradient ? plan.gradientScratchSize : 0,
            .columns: plan.columnsSize, .columnGradient: needsInputGradient ? plan.columnGradientBlockSize : 0,
            .gathered: plan.groupedOutputSize, .weightGradient: weightCount, .biasGradient: biasCount,
        ])
        var inputGradient: Tensor?

        withScratch(plan.chunks * layout.perWorker) { scratch in
            func run(_ dx: UnsafeMutablePointer<Float>?) {
                outputGradient.withUnsafeBufferPointer { dy in
                    input.withUnsafeBufferPointer { x in
                        weight.withUnsafeBufferPointer { w in
                            weightGradient.withUnsafeMutableBufferPointer { dw in
                                let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, w.baseAddress!, dw.baseAddress!, scratch, dx))
                                ComputeThreads.forEachChunk(plan.chunks) { chunk in
                                    let (dy, x, w, dw, scratch, dx) = p.value
                                    func buffer(_ name: BackwardBuffer) -> UnsafeMutablePointer<Float> {
                                        layout.pointer(name, worker: chunk, in: scratch)
                                    }
                                    let padded = buffer(.padded), paddedGradient = buffer(.paddedGradient)
                                    let columns = buffer(.columns), columnGradient = buffer(.columnGradient)
                                    let gathered = buffer(.gathered), biasSums = buffer(.biasGradient)
                                    // Worker 0 adds straight into the caller's weight gradient; the others start their own.
                                    let weightTarget = chunk == 0 ? dw : buffer(.weightGradient)
                                    var weightBeta: Float = chunk == 0 ? 1 : 0
                                    biasSums.update(repeating: 0, count: biasCount)
                                    plan.clearPadding(padded)
                                    for (first, count) in plan.groups(ofChunk: chunk) {
                                        let span = count * outPlane
                                        let patches = plan.patches(of: x + first * plan.inputImageSize, count: count,
                                                                   padded: padded, into: columns, path: path)
                                        for image in 0..<count where biasCount > 0 {
                                            let imageGradient = dy + (first + image) * plan.outputImageSize
                                            for o in 0..<outputs {
                                                biasSums[o] += Reduction.sum(imageGradient + o * outPlane, outPlane)
                                            }
                                        }
                                        let gradOut = plan.outputGradientsSideBySide(dy, first: first, count: count, gathered: gathered)
                                        // dW += dY · patchesᵀ
                                        Gemm.multiply(gradOut, patches, transposeB: true, into: weightTarget,
                                                      m: outputs, n: patchSize, k: span, beta: weightBeta, lda: span, ldb: span)
                                        weightBeta = 1
                                        guard let dx else { continue }
                                        plan.addInputGradient(ofGroup: count, outputGradients: gradOut, weight: w,
                                                              columnGradient: columnGradient, paddedGradient: paddedGradient,
                                                              into: dx + first * plan.inputImageSize, path: path)
                                    }
                                }
                                layout.add(.weightGradient, count: weightCount, ofWorkers: 1..<max(1, plan.chunks), in: scratch,
                                           onto: dw.baseAddress!)
                            }
                        }
                    }
                }
            }
            if needsInputGradient {
                inputGradient = Tensor(shape: input.shape) { dx, _ in run(dx) }
            } else {
                run(nil)
            }
            if biasGradient != nil {
                biasGradient!.withUnsafeMutableBufferPointer { db in
                    layout.add(.biasGradient, count: biasCount, ofWorkers: 0..<plan.chunks, in: scratch, onto: db.baseAddress!)
                }
            }
        }
        return inputGradient
    }
}

/// Throws a shape mismatch naming `operation` unless `tensor` has exactly `shape`.
@inlinable
public func ensureShape(_ tensor: Tensor, _ shape: [Int], _ operation: String) throws {
    guard tensor.shape == shape else {
        throw TensorError.shapeMismatch(operation: operation, expected: shape, actual: tensor.shape)
    }
}

/// The buffers of one worker's scratch memory in a convolution backward pass by im2col.
private enum BackwardBuffer { case padded, paddedGradient, columns, columnGradient, gathered, weightGradient, biasGradient }
