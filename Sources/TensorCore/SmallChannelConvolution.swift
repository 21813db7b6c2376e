import CConvolution

/// Direct convolution without unfolding, for stride-1 kernels over few channels, where the GEMMs of im2col are too
/// small to pay for building the patch matrix (see ``ConvolutionAlgorithm/direct``). The vector kernels are C,
/// compiled for AVX-512, AVX2 and the baseline, chosen by ``KernelPath``.
///
/// Each image is copied into a zero-padded buffer, from which the kernels compute output rows in vectors of columns
/// straight into the output tensor. The input gradient is the direct convolution of the output gradient, padded by
/// `kernel - 1 - padding`, with the kernels flipped and input and output channels swapped.
enum SmallChannelConvolution {
    /// Whether the kernels compute `geometry`: stride 1, dilation 1, at most 7 kernel columns, padding below the kernel.
    static func applies(to g: ConvolutionGeometry) -> Bool {
        g.stride == 1 && g.dilation == 1 && g.kernelWidth <= 7
            && g.padding <= g.kernelHeight - 1 && g.padding <= g.kernelWidth - 1
    }

    /// The forward pass of ``Convolution2D/forward(input:weight:bias:geometry:algorithm:)``.
    static func forward(plan: ConvolutionPlan, input: Tensor, weight: Tensor, bias: Tensor?, path: KernelPath) -> Tensor {
        let g = plan.geometry
        let image = PaddedImage(channels: g.inputChannels, height: plan.height, width: plan.width, border: g.padding)
        guard plan.chunks > 0 else { return Tensor(zeros: [0, g.outputChannels, plan.outputHeight, plan.outputWidth]) }
        return Tensor(shape: [plan.batch, g.outputChannels, plan.outputHeight, plan.outputWidth]) { y, _ in
            withScratch(plan.chunks * image.size) { scratch in
                input.withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { w in
                        withOptionalPointer(bias) { b in
                            let p = UncheckedSendable((x.baseAddress!, w.baseAddress!, b, y, scratch))
                            ComputeThreads.forEachChunk(plan.chunks) { chunk in
                                let (x, w, b, y, scratch) = p.value
                                let padded = scratch + chunk * image.size
                                image.clear(padded)
                                for n in ComputeThreads.range(ofChunk: chunk, of: plan.chunks, total: plan.batch) {
                                    image.fill(padded, from: x + n * plan.inputImageSize, path: path)
                                    ilnas_direct_forward(path.cPath, padded, g.inputChannels, image.plane, image.paddedWidth,
                                                         g.kernelHeight, g.kernelWidth, w, b, g.outputChannels,
                                                         plan.outputHeight, plan.outputWidth, y + n * plan.outputImageSize,
                                                         plan.outputPlane)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The backward pass of ``Convolution2D/backward(outputGradient:input:weight:geometry:weightGradient:biasGradient:needsInputGradient:algorithm:)``.
    static func backward(plan: ConvolutionPlan, outputGradient: Tensor, input: Tensor, weight: Tensor,
                         weightGradient: inout Tensor, biasGradient: inout Tensor?, needsInputGradient: Bool,
                         path: KernelPath) -> Tensor? {
        guard plan.chunks > 0 else { return needsInputGradient ? Tensor(zeros: input.shape) : nil }
        let g = plan.geometry
        let image = PaddedImage(channels: g.inputChannels, height: plan.height, width: plan.width, border: g.padding)
        // The input gradient's convolution: the output gradient padded by kernel - 1 - padding, flipped kernels.
        let gradientImage = PaddedImage(channels: g.outputChannels, height: plan.outputHeight, width: plan.outputWidth,
                                        border: g.kernelHeight - 1 - g.padding, horizontalBorder: g.kernelWidth - 1 - g.padding)
        let flipped = needsInputGradient ? flippedTransposed(weight, g) : [Float]()
        let weightCount = weight.count, biasCount = biasGradient == nil ? 0 : g.outputChannels
        let layout = ScratchLayout<Buffer>([
            .image: image.size, .gradientImage: needsInputGradient ? gradientImage.size : 0,
            .lanes: weightCount * Int(ILNAS_DIRECT_LANES), .weightGradient: weightCount, .biasGradient: biasCount,
        ])
        var inputGradient: Tensor?
        withScratch(plan.chunks * layout.perWorker) { scratch in
            func run(_ dx: UnsafeMutablePointer<Float>?) {
                outputGradient.withUnsafeBufferPointer { dy in
                    input.withUnsafeBufferPointer { x in
                        flipped.withUnsafeBufferPointer { wt in
                            let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, wt.baseAddress, scratch, dx))
                            ComputeThreads.forEachChunk(plan.chunks) { chunk in
                                let (dy, x, wt, scratch, dx) = p.value
                                func buffer(_ name: Buffer) -> UnsafeMutablePointer<Float> {
                                    layout.pointer(name, worker: chunk, in: scratch)
                                }
                                let padded = buffer(.image), lanes = buffer(.lanes), dw = buffer(.weightGradient)
                                let biasSums = buffer(.biasGradient)
                                image.clear(padded)
                                lanes.update(repeating: 0, count: weightCount * Int(ILNAS_DIRECT_LANES))
                                dw.update(repeating: 0, count: weightCount)
                                biasSums.update(repeating: 0, count: biasCount)
                                if dx != nil { gradientImage.clear(buffer(.gradientImage)) }
                                for n in ComputeThreads.range(ofChunk: chunk, of: plan.chunks, total: plan.batch) {
                                    let imageGradient = dy + n * plan.outputImageSize
                                    for o in 0..<biasCount {
                                        biasSums[o] += Reduction.sum(imageGradient + o * plan.outputPlane, plan.outputPlane)
                                    }
                                    image.fill(padded, from: x + n * plan.inputImageSize, path: path)
                                    ilnas_direct_weight_gradient(path.cPath, padded, g.inputChannels, image.plane,
                                                                 image.paddedWidth, g.kernelHeight, g.kernelWidth,
                                                                 imageGradient, g.outputChannels, plan.outputPlane,
                                                                 plan.outputHeight, plan.outputWidth, lanes)
                                    guard let dx, let wt else { continue }
                                    let gradientPadded = buffer(.gradientImage)
                                    gradientImage.fill(gradientPadded, from: imageGradient, path: path)
                                    ilnas_direct_forward(path.cPath, gradientPadded, g.outputChannels, gradientImage.plane,
                                                         gradientImage.paddedWidth, g.kernelHeight, g.kernelWidth, wt, nil,
                                                         g.inputChannels, plan.height, plan.width,
                                                         dx + n * plan.inputImageSize, plan.height * plan.width)
                                }
                                ilnas_direct_reduce_lanes(path.cPath, lanes, weightCount, dw)
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
            weightGradient.withUnsafeMutableBufferPointer { dw in
                layout.add(.weightGradient, count: weightCount, ofWorkers: 0..<plan.chunks, in: scratch, onto: dw.baseAddress!)
            }
            if biasGradient != nil {
                biasGradient!.withUnsafeMutableBufferPointer { db in
                    layout.add(.biasGradient, count: biasCount, ofWorkers: 0..<plan.chunks, in: scratch, onto: db.baseAddress!)
                }
            }
        }
        return inputGradient
    }

    /// The kernels of the input gradient's convolution, `[inputChannels, outputChannels, kh, kw]`, each flipped in
    /// both directions: `flipped[c, o, i, j] = weight[o, c, kh - 1 - i, kw - 1 - j]`.
    private static func flippedTransposed(_ weight: Tensor, _ g: ConvolutionGeometry) -> [Float] {
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        var flipped = [Float](repeating: 0, count: weight.count)
        weight.withUnsafeBufferPointer { w in
            for o in 0..<g.outputChannels {
                for c in 0..<g.inputChannels {
                    for i in 0..<kh {
                        for j in 0..<kw {
                            flipped[((c * g.outputChannels + o) * kh + i) * kw + j] = w[((o * g.inputChannels + c) * kh + kh - 1 - i) * kw + kw - 1 - j]
                        }
                    }
                }
            }
        }
        return flipped
    }

    /// The buffers of one worker's scratch memory in the backward pass.
    private enum Buffer { case image, gradientImage, lanes, weightGradient, biasGradient }
}

/// Runs `body` with the tensor's storage, or with `nil`.
private func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress) }
}
