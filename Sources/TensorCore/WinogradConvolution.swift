/// 3x3 convolutions with stride 1 and no dilation by Winograd's F(2x2, 3x3) (see ``WinogradTransform``):
/// forward, weight gradient and input gradient each as 16 GEMMs per group of images, with 2.25 times fewer
/// multiplies than im2col.
///
/// Images are split across workers as in ``ConvolutionPlan``; each worker transforms a group of images into its
/// own scratch memory and runs single-threaded GEMMs on it. The gradients are exact up to rounding: the weight
/// gradient, including that of zero weights, does not depend on the weights.
enum WinogradConvolution {
    /// Whether `geometry` is a convolution F(2x2, 3x3) computes.
    static func applies(to g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.dilation == 1
    }

    /// Tiles per group of images: small maps are grouped until their GEMMs are this wide. Measured on VGG-s
    /// shapes (`Benchmarks --only overhead/vgg_s`), 32 to 128 tiles run fastest; wider groups fall out of cache.
    static let minimumTilesPerProduct = 64

    /// The sizes of one Winograd convolution on top of the shapes ``ConvolutionPlan`` validated.
    private struct Tiling {
        let plan: ConvolutionPlan
        let tileRows: Int, tileColumns: Int
        /// Images per group of GEMMs.
        let group: Int

        init(_ plan: ConvolutionPlan) {
            self.plan = plan
            tileRows = (plan.outputHeight + 1) / 2
            tileColumns = (plan.outputWidth + 1) / 2
            let perChunk = (plan.batch + plan.chunks - 1) / max(1, plan.chunks)
            group = max(1, min(perChunk, (minimumTilesPerProduct + tileRows * tileColumns - 1) / (tileRows * tileColumns)))
        }

        var tilesPerImage: Int { tileRows * tileColumns }
        var paddedHeight: Int { 2 * tileRows + 2 }
        var paddedWidth: Int { 2 * tileColumns + 2 }
        var paddedImageSize: Int { plan.geometry.inputChannels * paddedHeight * paddedWidth }
        /// Whether the tiles cover exactly the output, or its last row or column lies outside and is staged.
        var coversOutputExactly: Bool { plan.outputHeight % 2 == 0 && plan.outputWidth % 2 == 0 }
        /// Floats of one image's outputs over whole tiles, `[outputs, 2·tileRows, 2·tileColumns]`, when they are staged.
        var stagingSize: Int { coversOutputExactly ? 0 : plan.geometry.outputChannels * 4 * tilesPerImage }
        /// Floats of one group's transformed data with `channels` channels.
        func transformedSize(channels: Int) -> Int { WinogradTransform.positions * channels * group * tilesPerImage }
        var rowScratchSize: Int { WinogradTransform.rowScratchSize(tileRows: tileRows, tileColumns: tileColumns) }

        /// Pads image `index` of `images` into `padded` and writes its transform at tile offset `slot · tilesPerImage`.
        func transformInput(_ images: UnsafePointer<Float>, index: Int, slot: Int, tileCount: Int,
                            padded: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>) {
            let g = plan.geometry
            Im2Col.pad(images + index * plan.inputImageSize, channels: g.inputChannels, height: plan.height, width: plan.width,
                       padding: g.padding, paddedHeight: paddedHeight, paddedWidth: paddedWidth, into: padded,
                       path: WinogradTransform.defaultPath)
            WinogradTransform.input(padded, channels: g.inputChannels, tileRows: tileRows, tileColumns: tileColumns,
                                    rows: rows, into: v + slot * tilesPerImage, tileCount: tileCount)
        }

        /// `du[e] (+)= dm[e] · v[e]ᵀ` at every position, onto `du` when `accumulate`: a sum over the long tile
        /// dimension, left to BLAS (dot-product register blocks measured slower at these shapes).
        func accumulateWeightGradient(_ dm: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into du: UnsafeMutablePointer<Float>,
                                      outputs: Int, inputs: Int, tiles: Int, accumulate: Bool) {
            for e in 0..<WinogradTransform.positions {
                Gemm.multiply(dm + e * outputs * tiles, v + e * inputs * tiles, transposeB: true, into: du + e * outputs * inputs,
                              m: outputs, n: inputs, k: tiles, beta: accumulate ? 1 : 0)
            }
        }
    }

    private enum ForwardBuffer { case padded, rows, transformedInput, products, staging }

    /// The output `[N, outputs, outH, outW]` of a convolution the caller has checked ``applies(to:)``.
    static func forward(plan: ConvolutionPlan, input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let tiling = Tiling(plan), g = plan.geometry
        let inputs = g.inputChannels, outputs = g.outputChannels
        let layout = ScratchLayout<ForwardBuffer>([
            .padded: tiling.paddedImageSize, .rows: tiling.rowScratchSize,
            .transformedInput: tiling.transformedSize(channels: inputs),
            .products: tiling.transformedSize(channels: outputs), .staging: tiling.stagingSize,
        ])
        let transformedWeightSize = WinogradTransform.positions * outputs * inputs
        return Tensor(shape: [plan.batch, outputs, plan.outputHeight, plan.outputWidth]) { y, _ in
            withScratch(transformedWeightSize + plan.chunks * layout.perWorker) { u in
                weight.withUnsafeBufferPointer { w in
                    WinogradTransform.weights(w.baseAddress!, outputs: outputs, inputs: inputs, into: u)
                }
                let scratch = u + transformedWeightSize
                input.withUnsafeBufferPointer { x in
                    withOptionalPointer(bias) { b in
                        let p = UncheckedSendable((x.baseAddress!, b, UnsafePointer(u), y, scratch))
                        ComputeThreads.forEachChunk(plan.chunks) { chunk in
                            let (x, b, u, y, scratch) = p.value
                            func buffer(_ name: ForwardBuffer) -> UnsafeMutablePointer<Float> {
                                layout.pointer(name, worker: chunk, in: scratch)
                            }
                            let padded = buffer(.padded), v = buffer(.transformedInput), m = buffer(.products)
                            padded.update(repeating: 0, count: tiling.paddedImageSize)
                            for (first, count) in plan.groups(ofChunk: chunk, size: tiling.group) {
                                let tiles = count * tiling.tilesPerImage
                                for image in 0..<count {
                                    tiling.transformInput(x, index: first + image, slot: image, tileCount: tiles,
                                                          padded: padded, rows: buffer(.rows), into: v)
                                }
                                WinogradProducts.multiply(u, v, into: m, m: outputs, n: tiles, k: inputs)
                                for image in 0..<count {
                                    let out = y + (first + image) * plan.outputImageSize
                                    let target = tiling.coversOutputExactly ? out : buffer(.staging)
                                    WinogradTransform.output(m + image * tiling.tilesPerImage, outputs: outputs,
                                                             tileRows: tiling.tileRows, tileColumns: tiling.tileColumns,
                                                             tileCount: tiles, bias: b, rows: buffer(.rows), into: target)
                                    if !tiling.coversOutputExactly {
                                        Im2Col.unpad(target, channels: outputs, height: plan.outputHeight, width: plan.outputWidth,
                                                     padding: 0, paddedHeight: 2 * tiling.tileRows,
                                                     paddedWidth: 2 * tiling.tileColumns, into: out,
                                                     path: WinogradTransform.defaultPath)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private enum BackwardBuffer {
        case padded, rows, transformedInput, productGradient, staging, transformedInputGradient, paddedGradient
        case transformedWeightGradient, biasGradient
    }

    /// Adds `∂L/∂weight` (and `∂L/∂bias` when `biasGradient` is given) and returns `∂L/∂input` when
    /// `needsInputGradient`, for shapes the caller has validated.
    static func backward(plan: ConvolutionPlan, outputGradient: Tensor, input: Tensor, weight: Tensor,
                         weightGradient: inout Tensor, biasGradient: inout Tensor?, needsInputGradient: Bool) -> Tensor? {
        let tiling = Tiling(plan), g = plan.geometry
        let inputs = g.inputChannels, outputs = g.outputChannels, outPlane = plan.outputPlane
        let transformedWeightSize = WinogradTransform.positions * outputs * inputs
        let biasCount = biasGradient == nil ? 0 : outputs
        let layout = ScratchLayout<BackwardBuffer>([
            .padded: tiling.paddedImageSize, .rows: tiling.rowScratchSize,
            .transformedInput: tiling.transformedSize(channels: inputs),
            .productGradient: tiling.transformedSize(channels: outputs), .staging: tiling.stagingSize,
            .transformedInputGradient: needsInputGradient ? tiling.transformedSize(channels: inputs) : 0,
            .paddedGradient: needsInputGradient ? tiling.paddedImageSize : 0,
            .transformedWeightGradient: transformedWeightSize, .biasGradient: biasCount,
        ])
        guard plan.chunks > 0 else { return needsInputGradient ? Tensor(zeros: input.shape) : nil }
        var inputGradient: Tensor?

        // The transformed weights are needed only for the input gradient.
        let sharedSize = needsInputGradient ? transformedWeightSize : 0
        withScratch(sharedSize + plan.chunks * layout.perWorker) { u in
            if needsInputGradient {
                weight.withUnsafeBufferPointer { w in
                    WinogradTransform.weights(w.baseAddress!, outputs: outputs, inputs: inputs, into: u)
                }
            }
            let scratch = u + sharedSize
            func buffer(_ name: BackwardBuffer, _ chunk: Int) -> UnsafeMutablePointer<Float> {
                layout.pointer(name, worker: chunk, in: scratch)
            }
            func run(_ dx: UnsafeMutablePointer<Float>?) {
                outputGradient.withUnsafeBufferPointer { dy in
                    input.withUnsafeBufferPointer { x in
                        let p = UncheckedSendable((dy.baseAddress!, x.baseAddress!, UnsafePointer(u), dx))
                        ComputeThreads.forEachChunk(plan.chunks) { chunk in
                            let (dy, x, u, dx) = p.value
                            let padded = buffer(.padded, chunk), v = buffer(.transformedInput, chunk)
                            let dm = buffer(.productGradient, chunk), du = buffer(.transformedWeightGradient, chunk)
                            let staging = buffer(.staging, chunk), bias = buffer(.biasGradient, chunk)
                            padded.update(repeating: 0, count: tiling.paddedImageSize)
                            staging.update(repeating: 0, count: tiling.stagingSize)
                            bias.update(repeating: 0, count: biasCount)
                            var accumulate = false
                            for (first, count) in plan.groups(ofChunk: chunk, size: tiling.group) {
                                let tiles = count * tiling.tilesPerImage
                                for image in 0..<count {
                                    tiling.transformInput(x, index: first + image, slot: image, tileCount: tiles,
                                                          padded: padded, rows: buffer(.rows, chunk), into: v)
                                    let imageGradient = dy + (first + image) * plan.outputImageSize
                                    for o in 0..<biasCount { bias[o] += Reduction.sum(imageGradient + o * outPlane, outPlane) }
                                    if !tiling.coversOutputExactly {
                                        Im2Col.pad(imageGradient, channels: outputs, height: plan.outputHeight, width: plan.outputWidth,
                                                   padding: 0, paddedHeight: 2 * tiling.tileRows, paddedWidth: 2 * tiling.tileColumns,
                                                   into: staging, path: WinogradTransform.defaultPath)
                                    }
                                    WinogradTransform.outputGradient(tiling.coversOutputExactly ? imageGradient : UnsafePointer(staging),
                                                                     outputs: outputs, tileRows: tiling.tileRows,
                                                                     tileColumns: tiling.tileColumns, tileCount: tiles,
                                                                     rows: buffer(.rows, chunk), into: dm + image * tiling.tilesPerImage)
                                }
                                // dU += dM · Vᵀ at every position.
                                tiling.accumulateWeightGradient(dm, v, into: du, outputs: outputs, inputs: inputs, tiles: tiles,
                                                                accumulate: accumulate)
                                accumulate = true
                                guard let dx else { continue }
                                // dV = Uᵀ · dM, folded back into image gradients.
                                let dv = buffer(.transformedInputGradient, chunk), paddedGradient = buffer(.paddedGradient, chunk)
                                WinogradProducts.multiply(u, transposeA: true, dm, into: dv, m: inputs, n: tiles, k: outputs)
                                for image in 0..<count {
                                    WinogradTransform.inputGradient(dv + image * tiling.tilesPerImage, channels: inputs,
                                                                    tileRows: tiling.tileRows, tileColumns: tiling.tileColumns,
                                                                    tileCount: tiles, rows: buffer(.rows, chunk), into: paddedGradient)
                                    Im2Col.unpad(paddedGradient, channels: inputs, height: plan.height, width: plan.width,
                                                 padding: g.padding, paddedHeight: tiling.paddedHeight, paddedWidth: tiling.paddedWidth,
                                                 into: dx + (first + image) * plan.inputImageSize,
                                                 path: WinogradTransform.defaultPath)
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
            // Workers' transformed weight gradients summed, then transformed back once.
            let total = buffer(.transformedWeightGradient, 0)
            layout.add(.transformedWeightGradient, count: transformedWeightSize, ofWorkers: 1..<plan.chunks, in: scratch,
                       onto: total)
            weightGradient.withUnsafeMutableBufferPointer { dw in
                WinogradTransform.accumulateWeightGradient(total, outputs: outputs, inputs: inputs, into: dw.baseAddress!)
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

/// Runs `body` with a pointer to the elements of `tensor`, or `nil` when there is no tensor.
private func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress) }
}
