import CConvolution

/// Convolution by an implicit GEMM (see ``ConvolutionAlgorithm/implicitGEMM``): output channels lie in vector lanes,
/// 16 to a block, and each input value is broadcast straight from the (zero-padded) image, so no patch matrix is
/// written. The vector kernel is C, compiled for AVX-512, AVX2 and the baseline, chosen by ``KernelPath``.
///
/// The forward pass multiplies the weights, packed as `[block, inputChannel, kh, kw, 16]`, with the image over every
/// output position; the weight gradient multiplies the output gradient, transposed to `[block, position, 16]`, with
/// the image over every tap, summed over the worker's images. The input gradient is im2col's: `Wᵀ · dY` by GEMM and
/// folded, which reads no patch matrix either and, unlike a convolution of the padded output gradient, multiplies no
/// zeros and leaves no lanes of few input channels empty.
enum ImplicitGEMMConvolution {
    static let lanes = Int(ILNAS_IMPLICIT_LANES)

    /// Whether the kernel computes `geometry`: stride 1 and dilation 1.
    static func applies(to g: ConvolutionGeometry) -> Bool { g.stride == 1 && g.dilation == 1 }

    /// The forward pass of ``Convolution2D/forward(input:weight:bias:geometry:algorithm:kernelPath:)``.
    static func forward(plan: ConvolutionPlan, input: Tensor, weight: Tensor, bias: Tensor?, path: KernelPath) -> Tensor {
        let g = plan.geometry, outputs = g.outputChannels, outPlane = plan.outputPlane
        guard plan.chunks > 0 else { return Tensor(zeros: [0, outputs, plan.outputHeight, plan.outputWidth]) }
        let blocks = (outputs + lanes - 1) / lanes
        let image = PaddedImage(channels: g.inputChannels, height: plan.height, width: plan.width, border: g.padding)
        let packed = packedWeights(weight, g)
        let biasValues = bias?.scalars ?? [Float](repeating: 0, count: outputs)
        let perWorker = (g.padding > 0 ? image.size : 0) + blocks * outPlane * lanes
        return Tensor(shape: [plan.batch, outputs, plan.outputHeight, plan.outputWidth]) { y, _ in
            withScratch(plan.chunks * perWorker) { scratch in
                input.withUnsafeBufferPointer { x in
                    packed.withUnsafeBufferPointer { w in
                        let p = UncheckedSendable((x.baseAddress!, w.baseAddress!, y, scratch))
                        ComputeThreads.forEachChunk(plan.chunks) { chunk in
                            let (x, w, y, scratch) = p.value
                            let padded = scratch + chunk * perWorker
                            let staged = padded + (g.padding > 0 ? image.size : 0)
                            if g.padding > 0 { image.clear(padded) }
                            for n in ComputeThreads.range(ofChunk: chunk, of: plan.chunks, total: plan.batch) {
                                let source = paddedSource(x + n * plan.inputImageSize, image: image, buffer: padded, path: path)
                                ilnas_implicit_gemm(path.cPath, w, blocks, g.inputChannels, image.plane, g.kernelHeight,
                                                    g.kernelWidth, source, image.paddedWidth, 1, 0,
                                                    plan.outputHeight, plan.outputWidth, staged, 0)
                                let out = y + n * plan.outputImageSize
                                for o in 0..<outputs {
                                    let lane = staged + (o / lanes) * outPlane * lanes + o % lanes, target = out + o * outPlane
                                    let shift = biasValues[o]
                                    for position in 0..<outPlane { target[position] = lane[position * lanes] + shift }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The backward pass of ``Convolution2D/backward(outputGradient:input:weight:geometry:weightGradient:biasGradient:needsInputGradient:algorithm:kernelPath:)``.
    static func backward(plan: ConvolutionPlan, outputGradient: Tensor, input: Tensor, weight: Tensor,
                         weightGradient: inout Tensor, biasGradient: inout Tensor?, needsInputGradient: Bool,
                         path: KernelPath) -> Tensor? {
        guard plan.chunks > 0 else { return needsInputGradient ? Tensor(zeros: input.shape) : nil }
        let g = plan.geometry, outputs = g.outputChannels, outPlane = plan.outputPlane
        let blocks = (outputs + lanes - 1) / lanes, taps = g.kernelHeight * g.kernelWidth
        let image = PaddedImage(channels: g.inputChannels, height: plan.height, width: plan.width, border: g.padding)
        let biasCount = biasGradient == nil ? 0 : outputs
        let transposedWeightGradient = blocks * g.inputChannels * taps * lanes
        let layout = ScratchLayout<Buffer>([
            .image: g.padding > 0 ? image.size : 0, .transposedGradient: blocks * outPlane * lanes,
            .transposedWeightGradient: transposedWeightGradient, .biasGradient: biasCount,
            .gathered: needsInputGradient ? plan.groupedOutputSize : 0,
            .paddedGradient: needsInputGradient ? plan.gradientScratchSize : 0,
            .columnGradient: needsInputGradient ? plan.columnGradientBlockSize : 0,
        ])
        var inputGradient: Tensor?
        withScratch(plan.chunks * layout.perWorker) { scratch in
            func run(_ dx: UnsafeMutablePointer<Float>?) {
                outputGradient.withUnsafeBufferPointer { dy in
                    input.withUnsafeBufferPointer { x in
                        weight.withUnsafeBufferPointer { w in
                            let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, w.baseAddress!, scratch, dx))
                            ComputeThreads.forEachChunk(plan.chunks) { chunk in
                                let (dy, x, w, scratch, dx) = p.value
                                func buffer(_ name: Buffer) -> UnsafeMutablePointer<Float> {
                                    layout.pointer(name, worker: chunk, in: scratch)
                                }
                                let padded = buffer(.image), transposed = buffer(.transposedGradient)
                                let sums = buffer(.transposedWeightGradient), biasSums = buffer(.biasGradient)
                                if g.padding > 0 { image.clear(padded) }
                                // Lanes past the last output channel stay zero.
                                transposed.update(repeating: 0, count: blocks * outPlane * lanes)
                                sums.update(repeating: 0, count: transposedWeightGradient)
                                biasSums.update(repeating: 0, count: biasCount)
                                for (first, count) in plan.groups(ofChunk: chunk) {
                                    for n in first..<first + count {
                                        let imageGradient = dy + n * plan.outputImageSize
                                        for o in 0..<biasCount {
                                            biasSums[o] += Reduction.sum(imageGradient + o * outPlane, outPlane)
                                        }
                                        for o in 0..<outputs {
                                            let lane = transposed + (o / lanes) * outPlane * lanes + o % lanes
                                            let source = imageGradient + o * outPlane
                                            for position in 0..<outPlane { lane[position * lanes] = source[position] }
                                        }
                                        let source = paddedSource(x + n * plan.inputImageSize, image: image, buffer: padded, path: path)
                                        ilnas_implicit_gemm(path.cPath, transposed, blocks, 1, 0, plan.outputHeight,
                                                            plan.outputWidth, source, image.paddedWidth, g.inputChannels,
                                                            image.plane, g.kernelHeight, g.kernelWidth, sums, 1)
                                    }
                                    guard let dx else { continue }
                                    let gradOut = plan.outputGradientsSideBySide(dy, first: first, count: count,
                                                                                 gathered: buffer(.gathered))
                                    plan.addInputGradient(ofGroup: count, outputGradients: gradOut, weight: w,
                                                          columnGradient: buffer(.columnGradient),
                                                          paddedGradient: buffer(.paddedGradient),
                                                          into: dx + first * plan.inputImageSize, path: path)
                                }
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
            // dW[o, c, tap] += the workers' sums[o / 16, c, tap, o % 16].
            weightGradient.withUnsafeMutableBufferPointer { dw in
                for worker in 0..<plan.chunks {
                    let sums = layout.pointer(.transposedWeightGradient, worker: worker, in: scratch)
                    for o in 0..<outputs {
                        let lane = sums + (o / lanes) * g.inputChannels * taps * lanes + o % lanes
                        for i in 0..<g.inputChannels * taps { dw[o * g.inputChannels * taps + i] += lane[i * lanes] }
                    }
                }
            }
            if biasGradient != nil {
                biasGradient!.withUnsafeMutableBufferPointer { db in
                    layout.add(.biasGradient, count: biasCount, ofWorkers: 0..<plan.chunks, in: scratch, onto: db.baseAddress!)
                }
            }
        }
        return inputGradient
    }

    /// The weight `[outputs, inputChannels, kh, kw]` as the forward kernel's coefficients
    /// `[outputs / 16 (rounded up), inputChannels, kh, kw, 16]`, zero in the lanes past the last output channel.
    private static func packedWeights(_ weight: Tensor, _ g: ConvolutionGeometry) -> [Float] {
        let perOutput = g.patchSize, blocks = (g.outputChannels + lanes - 1) / lanes
        var packed = [Float](repeating: 0, count: blocks * perOutput * lanes)
        weight.withUnsafeBufferPointer { w in
            for o in 0..<g.outputChannels {
                let base = (o / lanes) * perOutput * lanes + o % lanes
                for i in 0..<perOutput { packed[base + i * lanes] = w[o * perOutput + i] }
            }
        }
        return packed
    }

    /// The image the kernel reads: `image` itself without padding, otherwise its copy in the zero-bordered `buffer`.
    private static func paddedSource(_ source: UnsafePointer<Float>, image: PaddedImage,
                                     buffer: UnsafeMutablePointer<Float>, path: KernelPath) -> UnsafePointer<Float> {
        guard image.border > 0 else { return source }
        image.fill(buffer, from: source, path: path)
        return UnsafePointer(buffer)
    }

    /// The buffers of one worker's scratch memory in the backward pass.
    private enum Buffer { case image, transposedGradient, transposedWeightGradient, biasGradient, gathered, paddedGradient, columnGradient }
}
