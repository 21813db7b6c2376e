/// The sizes of one batched convolution and how its work is split, shared by the forward and backward pass.
///
/// Images are split into `chunks` contiguous ranges, one per worker. Within a range, `group` consecutive
/// images share one patch matrix `[patchSize, group · outputPlane]`, so that small feature maps still give
/// GEMMs wide enough to run near the BLAS kernel's peak.
struct ConvolutionPlan {
    let geometry: ConvolutionGeometry
    let batch: Int, height: Int, width: Int
    let outputHeight: Int, outputWidth: Int
    /// Workers, each with its own scratch memory and single-threaded GEMMs.
    let chunks: Int
    /// Images per GEMM.
    let group: Int

    /// Validates the shapes of a convolution of `input` with a weight of shape `weightShape` (and `bias`) and plans it.
    init(input: Tensor, weightShape: [Int], bias: Tensor?, geometry g: ConvolutionGeometry) throws {
        guard input.rank == 4, input.shape[1] == g.inputChannels else {
            throw TensorError.shapeMismatch(operation: "conv2d input [N, C, H, W] with C = \(g.inputChannels)",
                                            expected: [input.shape.first ?? 0, g.inputChannels] + Array(input.shape.dropFirst(2)),
                                            actual: input.shape)
        }
        guard g.inputChannels > 0, g.outputChannels > 0, input.shape[2] > 0, input.shape[3] > 0 else {
            throw TensorError.invalidArgument(operation: "conv2d",
                reason: "input \(input.shape) with \(g.inputChannels) -> \(g.outputChannels) channels has no elements to convolve")
        }
        let expectedWeight = [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth]
        guard weightShape == expectedWeight else {
            throw TensorError.shapeMismatch(operation: "conv2d weight", expected: expectedWeight, actual: weightShape)
        }
        if let bias { try ensureShape(bias, [g.outputChannels], "conv2d bias") }
        geometry = g
        (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        (outputHeight, outputWidth) = try g.outputSize(height: height, width: width)
        chunks = min(ComputeThreads.count, batch)
        group = Self.imagesPerProduct(geometry: g, outputPlane: outputHeight * outputWidth, batch: batch, chunks: chunks)
    }

    /// How many images share one GEMM when `batch` images are split into `chunks` ranges.
    static func imagesPerProduct(geometry g: ConvolutionGeometry, outputPlane: Int, batch: Int, chunks: Int) -> Int {
        if isPointwise(g) || chunks == 0 { return 1 }
        let perChunk = (batch + chunks - 1) / chunks
        return max(1, min(perChunk, (minimumProductWidth + outputPlane - 1) / outputPlane))
    }

    /// The narrowest GEMM (columns) worth computing; narrower per-image products are grouped. Not wider: the patch
    /// matrix of a group should stay in the L2 cache between unfolding and the GEMMs that read it. Against 1024
    /// columns, the benchmark's overhead table (forward+backward, batch 128, 1 thread, AVX-512) measured about 0.75 of
    /// the time for 6 -> 16 channels 5x5 on 14x14 maps and 32 -> 64 channels 5x5 on 12x12, 0.8 for 1 -> 32 5x5 on
    /// 28x28 (128 columns: the same within noise; 512: between).
    static let minimumProductWidth = 256

    /// A 1x1 kernel with stride 1 and no padding multiplies the image directly, without unfolding.
    static func isPointwise(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 1 && g.kernelWidth == 1 && g.stride == 1 && g.padding == 0
    }

    var isPointwise: Bool { Self.isPointwise(geometry) }

    var outputPlane: Int { outputHeight * outputWidth }
    var inputImageSize: Int { geometry.inputChannels * height * width }
    var outputImageSize: Int { geometry.outputChannels * outputPlane }
    var paddedHeight: Int { height + 2 * geometry.padding }
    var paddedWidth: Int { width + 2 * geometry.padding }
    /// Floats of one zero-padded image (none when the image is used as it is).
    var paddedImageSize: Int { geometry.padding > 0 && !isPointwise ? geometry.inputChannels * paddedHeight * paddedWidth : 0 }
    /// Floats of the private buffer a padded image's gradient is folded into (none without padding, where the fold
    /// writes the image gradient itself, and none for a pointwise convolution).
    var gradientScratchSize: Int { paddedImageSize }
    /// Floats of one patch matrix (none for a pointwise convolution).
    var columnsSize: Int { isPointwise ? 0 : geometry.patchSize * group * outputPlane }
    /// Floats of one group's outputs side by side, `[outputChannels, group · outputPlane]` (none for single images).
    var groupedOutputSize: Int { group > 1 ? geometry.outputChannels * group * outputPlane : 0 }

    /// The images of `chunk`, as (first image, count) groups of at most `size` images (by default ``group``).
    func groups(ofChunk chunk: Int, size: Int? = nil) -> [(first: Int, count: Int)] {
        let images = ComputeThreads.range(ofChunk: chunk, of: chunks, total: batch), size = size ?? group
        return stride(from: images.lowerBound, to: images.upperBound, by: size).map { ($0, min(size, images.upperBound - $0)) }
    }

    /// Zeroes the border of a padded-image scratch buffer once; `pad` only ever writes its interior.
    func clearPadding(_ padded: UnsafeMutablePointer<Float>) {
        padded.update(repeating: 0, count: paddedImageSize)
    }

    /// The patch matrix `[patchSize, count · outputPlane]` of `count` images starting at `images`:
    /// the images themselves for a pointwise convolution, otherwise unfolded into `columns`.
    func patches(of images: UnsafePointer<Float>, count: Int, padded: UnsafeMutablePointer<Float>,
                 into columns: UnsafeMutablePointer<Float>, path: KernelPath) -> UnsafePointer<Float> {
        if isPointwise { return images }
        let g = geometry
        for image in 0..<count {
            let source = images + image * inputImageSize
            let paddedImage: UnsafePointer<Float>
            if g.padding > 0 {
                Im2Col.pad(source, channels: g.inputChannels, height: height, width: width, padding: g.padding,
                           paddedHeight: paddedHeight, paddedWidth: paddedWidth, into: padded, path: path)
                paddedImage = UnsafePointer(padded)
            } else {
                paddedImage = source
            }
            Im2Col.unfold(paddedImage, paddedHeight: paddedHeight, paddedWidth: paddedWidth, geometry: g,
                          outputHeight: outputHeight, outputWidth: outputWidth,
                          into: columns + image * outputPlane, rowStride: count * outputPlane, path: path)
        }
        return UnsafePointer(columns)
    }

    /// Input channels per block of the input gradient's patch-matrix gradient: the GEMM writes the rows of one block
    /// of channels for a group, which are folded while they are still in the cache, before the next block's. As many
    /// channels as keep a group's block within ``inputGradientBlockFloats``, at least one.
    var inputGradientChannelBlock: Int {
        let floatsPerChannel = geometry.kernelHeight * geometry.kernelWidth * group * outputPlane
        return max(1, min(geometry.inputChannels, Self.inputGradientBlockFloats / floatsPerChannel))
    }

    /// Floats of one block of the patch-matrix gradient (none for a pointwise convolution).
    var columnGradientBlockSize: Int {
        isPointwise ? 0 : inputGradientChannelBlock * geometry.kernelHeight * geometry.kernelWidth * group * outputPlane
    }

    /// The largest patch-matrix gradient block (floats) of ``inputGradientChannelBlock``: 256 KiB, a quarter to half of
    /// a core's L2 cache. The whole of a group's gradient (800 KiB for 32 -> 64 channels 5x5 on 12x12 maps, 4 images)
    /// leaves the cache before its fold reads it.
    static let inputGradientBlockFloats = 64 << 10

    /// The output gradients of the `count` images from `first` of `dy` side by side, `[outputChannels, count ·
    /// outputPlane]`: the image's own gradient for a single image, else their copy into `gathered`
    /// (``groupedOutputSize`` floats).
    func outputGradientsSideBySide(_ dy: UnsafePointer<Float>, first: Int, count: Int,
                                   gathered: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if count == 1 { return dy + first * outputImageSize }
        let span = count * outputPlane
        for image in 0..<count {
            for o in 0..<geometry.outputChannels {
                (gathered + o * span + image * outputPlane)
                    .update(from: dy + (first + image) * outputImageSize + o * outputPlane, count: outputPlane)
            }
        }
        return UnsafePointer(gathered)
    }

    /// Writes the input gradients of `count` consecutive images (a group) into `imageGradients` from their output
    /// gradients side by side, `outputGradients` `[outputChannels, count · outputPlane]`: `dcols = Wᵀ · dY` by GEMM, block
    /// by block of ``inputGradientChannelBlock`` input channels into `columnGradient` (``columnGradientBlockSize``
    /// floats), each block folded at once (with padding through `paddedGradient`, ``gradientScratchSize`` floats). A
    /// pointwise convolution's is the product itself.
    func addInputGradient(ofGroup count: Int, outputGradients: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          columnGradient: UnsafeMutablePointer<Float>, paddedGradient: UnsafeMutablePointer<Float>,
                          into imageGradients: UnsafeMutablePointer<Float>, path: KernelPath) {
        let g = geometry, span = count * outputPlane, taps = g.kernelHeight * g.kernelWidth
        if isPointwise {
            Gemm.multiply(weight, transposeA: true, outputGradients, into: imageGradients, m: g.patchSize, n: span,
                          k: g.outputChannels)
            return
        }
        let channelBlock = inputGradientChannelBlock
        for first in stride(from: 0, to: g.inputChannels, by: channelBlock) {
            let channels = first..<min(first + channelBlock, g.inputChannels)
            Gemm.multiply(weight + first * taps, transposeA: true, outputGradients, into: columnGradient,
                          m: channels.count * taps, n: span, k: g.outputChannels, lda: g.patchSize, ldb: span, ldc: span)
            for image in 0..<count {
                foldInputGradient(columnGradient + image * outputPlane, rowStride: span, channels: channels,
                                  scratch: paddedGradient, into: imageGradients + image * inputImageSize, path: path)
            }
        }
    }

    /// Writes the input gradient of `channels` of one image from their rows of the patch-matrix gradient (rows
    /// `rowStride` apart, starting with the first channel's), folding them into the image gradient itself or, with
    /// padding, into the private buffer `scratch` (``gradientScratchSize`` floats) whose interior is then copied out.
    func foldInputGradient(_ columnGradient: UnsafePointer<Float>, rowStride: Int, channels: Range<Int>,
                           scratch: UnsafeMutablePointer<Float>, into imageGradient: UnsafeMutablePointer<Float>,
                           path: KernelPath) {
        var g = geometry
        g.inputChannels = channels.count
        let paddedPlane = paddedHeight * paddedWidth
        let target = (g.padding > 0 ? scratch : imageGradient) + channels.lowerBound * paddedPlane
        target.update(repeating: 0, count: channels.count * paddedPlane)
        Im2Col.fold(columnGradient, paddedHeight: paddedHeight, paddedWidth: paddedWidth, geometry: g,
                    outputHeight: outputHeight, outputWidth: outputWidth, into: target, rowStride: rowStride, path: path)
        guard g.padding > 0 else { return }
        Im2Col.unpad(target, channels: channels.count, height: height, width: width, padding: g.padding,
                     paddedHeight: paddedHeight, paddedWidth: paddedWidth,
                     into: imageGradient + channels.lowerBound * height * width, path: path)
    }
}

/// Runs `body` with `count` floats of uninitialised scratch memory, freed afterwards.
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { scratch.deallocate() }
    return try body(scratch)
}
