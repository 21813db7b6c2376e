/// How ``Convolution2D`` computes a convolution and its gradients.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable, Codable {
    /// Winograd F(2x2, 3x3) where it applies and pays, the direct kernels for few input and output channels, the
    /// implicit GEMM for other stride-1 convolutions with long patches, im2col + GEMM everywhere else.
    case automatic
    /// Unfolding patches into a matrix (im2col) and one GEMM per group of images: every geometry.
    case im2col
    /// Winograd's F(2x2, 3x3) with 16 GEMMs per group of images: 3x3 kernels with stride 1 and dilation 1 only.
    case winograd
    /// Direct convolution by vector kernels (``SmallChannelConvolution``), without a patch matrix: stride 1, dilation 1,
    /// at most 7 kernel columns and padding smaller than the kernel.
    case direct
    /// An implicit GEMM by vector kernels (``ImplicitGEMMConvolution``): output channels in vector lanes, patches read
    /// straight from the image, no patch matrix; stride 1 and dilation 1.
    case implicitGEMM

    /// The algorithm that runs for `geometry`, or a thrown error when `.winograd`, `.direct` or `.implicitGEMM` is asked
    /// for a geometry it cannot compute.
    public func resolved(for geometry: ConvolutionGeometry) throws -> ConvolutionAlgorithm {
        switch self {
        case .im2col:
            return .im2col
        case .winograd:
            guard WinogradConvolution.applies(to: geometry) else {
                throw TensorError.invalidArgument(operation: "conv2d (winograd)",
                    reason: "Winograd F(2x2, 3x3) needs a 3x3 kernel with stride 1 and dilation 1, got \(geometry.kernelHeight)x\(geometry.kernelWidth), stride \(geometry.stride), dilation \(geometry.dilation)")
            }
            return .winograd
        case .direct:
            guard SmallChannelConvolution.applies(to: geometry) else {
                throw TensorError.invalidArgument(operation: "conv2d (direct)",
                    reason: "the direct kernels need stride 1, dilation 1, at most 7 kernel columns and padding below the kernel size, got \(geometry.kernelHeight)x\(geometry.kernelWidth), stride \(geometry.stride), padding \(geometry.padding), dilation \(geometry.dilation)")
            }
            return .direct
        case .implicitGEMM:
            guard ImplicitGEMMConvolution.applies(to: geometry) else {
                throw TensorError.invalidArgument(operation: "conv2d (implicitGEMM)",
                    reason: "the implicit GEMM needs stride 1 and dilation 1, got stride \(geometry.stride), dilation \(geometry.dilation)")
            }
            return .implicitGEMM
        case .automatic:
            let pays = geometry.inputChannels >= Self.winogradMinimumInputChannels
                && geometry.outputChannels >= Self.winogradMinimumOutputChannels
            if WinogradConvolution.applies(to: geometry) && pays { return .winograd }
            let few = geometry.inputChannels <= Self.directMaximumInputChannels
                && geometry.outputChannels * geometry.kernelHeight * geometry.kernelWidth <= Self.directMaximumOutputTaps
            if SmallChannelConvolution.applies(to: geometry) && few { return .direct }
            let implicitPays = geometry.patchSize >= Self.implicitGEMMMinimumPatchSize && !ConvolutionPlan.isPointwise(geometry)
            return ImplicitGEMMConvolution.applies(to: geometry) && implicitPays ? .implicitGEMM : .im2col
        }
    }

    /// From this many input channels times kernel taps (patch-matrix rows) ``automatic`` takes the implicit GEMM for
    /// stride-1 convolutions that neither Winograd nor the direct kernels compute (not for 1x1 kernels without padding,
    /// which im2col multiplies without unfolding): building the patch matrix costs im2col as much as a quarter of its
    /// time there, while the implicit GEMM's sums of that many products run near the multiply-add peak. Not below:
    /// with a short sum, storing each tile and transposing it to the output cost more than unfolding. Measured by the
    /// benchmark's overhead table (`swift run -c release Benchmarks --cpu-clock --max-wait 0 --only overhead
    /// --threads 1`, forward+backward, batch 128, AVX-512 and `OPENBLAS_CORETYPE=Haswell ILNAS_KERNELS=avx2`, each
    /// against its bare GEMMs), implicit / im2col time: 6 -> 16 channels 5x5 on 14x14 maps (150 rows) 0.81 and 0.69,
    /// 32 -> 64 5x5 on 12x12 (800) 0.84 and 0.81, and shapes such connections grow to: 12 -> 12 5x5 on 14x14 0.78 and
    /// 0.71, 16 -> 48 5x5 on 14x14 0.86 and 0.88, 64 -> 128 5x5 on 12x12 0.92 and 0.99, 16 -> 32 5x5 on 28x28 (padding 2) 0.81 and
    /// 0.90, 32 -> 8 3x3 on 16x16 0.91 and 0.98; but 1 -> 32 5x5 on 28x28 (25 rows) 1.47 and 1.19, 3 -> 64 3x3 on 32x32
    /// (27) 1.07 and 1.26.
    public static let implicitGEMMMinimumPatchSize = 150

    /// Below this many input channels ``automatic`` keeps im2col: the transforms would cost more than the GEMMs save.
    /// Measured forward+backward, batch 128, 1 thread: 4 → 8 channels on 28x28 maps, im2col 5.4 ms, Winograd 6.3 ms;
    /// 8 → 16, im2col 18.3 ms, Winograd 13.9 ms.
    public static let winogradMinimumInputChannels = 8
    /// Below this many output channels ``automatic`` keeps im2col (8 → 8 channels on 28x28 maps: 11.0 and 10.2 ms;
    /// on 7x7 maps im2col is faster, 0.9 against 1.6 ms).
    public static let winogradMinimumOutputChannels = 16

    /// Up to this many input channels ``automatic`` takes the direct kernels where they apply: the patch matrix of
    /// im2col has so few rows that building it costs as much as the GEMMs. Not more, although 6 -> 16 channels 5x5 on
    /// 14x14 maps runs faster direct with AVX-512 (see ``directMaximumOutputTaps``): a connection of a growing network
    /// keeps the algorithm it was made with, and inner connections grow to many channels, where the direct kernels
    /// take about twice as long as im2col (32 -> 64 channels 5x5).
    public static let directMaximumInputChannels = 3
    /// Up to this many output channels times kernel taps ``automatic`` takes the direct kernels (with at most
    /// ``directMaximumInputChannels`` input channels). Measured by the benchmark's overhead table (`swift run -c release
    /// Benchmarks --cpu-clock --only lenet5.conv1 --only resnet20.conv1 --only vgg_s.conv1 --only vgg_m.conv1 --only
    /// cnn100k --threads 1`, forward+backward, batch 128, medians of 3 rounds, AVX-512 and
    /// `OPENBLAS_CORETYPE=Haswell ILNAS_KERNELS=avx2`): direct / im2col time 0.68 and 0.49 for 1 -> 6 channels 5x5
    /// (150), 0.85 and 0.74 for 3 -> 16 3x3 (144), 0.86 and 0.98 for 3 -> 32 3x3 (288); 3 -> 64 3x3 (576) 0.79 and
    /// 1.01, 1 -> 32 5x5 (800) 1.31 and 1.04, so im2col keeps them. (6 -> 16 5x5 on 14x14 maps: 0.74 and 1.05;
    /// 32 -> 64 5x5: 1.98 and 1.93.)
    public static let directMaximumOutputTaps = 288
}
