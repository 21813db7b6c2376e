import NeuralNetwork
import TensorCore

/// A float buffer outside any `Tensor`, for the bare-GEMM reference, filled with normal random values.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, generator: inout RandomGenerator) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        for i in 0..<count { pointer[i] = generator.normal() }
    }

    deinit { pointer.deallocate() }
}

/// One layer shape of a reference model whose framework op is compared with its bare GEMMs.
enum OverheadCase {
    /// A convolution over `size x size` images of the batch, computed by `algorithm`.
    case convolution(name: String, geometry: ConvolutionGeometry, size: Int, algorithm: ConvolutionAlgorithm)
    /// A fully connected layer.
    case linear(name: String, inputs: Int, outputs: Int)

    var name: String {
        switch self {
        case let .convolution(name, _, _, _), let .linear(name, _, _): return name
        }
    }

    /// The layer shapes of LeNet-5, CNN-100k, VGG-s and the MLP, and the first layers of VGG-m, VGG-l and ResNet-20
    /// (see `common.py` of the PyTorch reference), every convolution by im2col; the 3x3 convolutions Winograd computes
    /// by default also by Winograd, named `NAME/winograd`, those with few input channels also by the direct
    /// kernels, named `NAME/direct`, and every other stride-1 one also by the implicit GEMM, named `NAME/implicit`.
    static let all: [OverheadCase] = [
        conv("lenet5.conv1", 1, 6, kernel: 5, padding: 2, size: 28),
        conv("lenet5.conv2", 6, 16, kernel: 5, padding: 0, size: 14),
        .linear(name: "lenet5.fc1", inputs: 400, outputs: 120),
        .linear(name: "lenet5.fc2", inputs: 120, outputs: 84),
        .linear(name: "lenet5.fc3", inputs: 84, outputs: 10),
        conv("cnn100k.conv1", 1, 32, kernel: 5, padding: 0, size: 28),
        conv("cnn100k.conv2", 32, 64, kernel: 5, padding: 0, size: 12),
        .linear(name: "cnn100k.fc1", inputs: 1024, outputs: 48),
        conv("vgg_s.conv1", 3, 32, kernel: 3, padding: 1, size: 32),
        conv("vgg_s.conv2", 32, 32, kernel: 3, padding: 1, size: 32),
        conv("vgg_s.conv3", 32, 64, kernel: 3, padding: 1, size: 16),
        conv("vgg_s.conv4", 64, 64, kernel: 3, padding: 1, size: 16),
        conv("vgg_s.conv5", 64, 128, kernel: 3, padding: 1, size: 8),
        conv("vgg_s.conv6", 128, 128, kernel: 3, padding: 1, size: 8),
        conv("vgg_m.conv1", 3, 64, kernel: 3, padding: 1, size: 32),
        conv("vgg_l.conv1", 3, 96, kernel: 3, padding: 1, size: 32),
        conv("resnet20.conv1", 3, 16, kernel: 3, padding: 1, size: 32),
        .linear(name: "mlp.fc1", inputs: 784, outputs: 300),
        .linear(name: "mlp.fc2", inputs: 300, outputs: 100),
        .linear(name: "mlp.fc3", inputs: 100, outputs: 10),
    ].flatMap { overheadCase -> [OverheadCase] in
        guard case let .convolution(name, geometry, size, _) = overheadCase else { return [overheadCase] }
        if (try? ConvolutionAlgorithm.automatic.resolved(for: geometry)) == .winograd {
            return [overheadCase, .convolution(name: "\(name)/winograd", geometry: geometry, size: size, algorithm: .winograd)]
        }
        var cases = [overheadCase]
        if (try? ConvolutionAlgorithm.direct.resolved(for: geometry)) != nil, geometry.inputChannels <= directCandidateChannels {
            cases.append(.convolution(name: "\(name)/direct", geometry: geometry, size: size, algorithm: .direct))
        }
        if (try? ConvolutionAlgorithm.implicitGEMM.resolved(for: geometry)) != nil {
            cases.append(.convolution(name: "\(name)/implicit", geometry: geometry, size: size, algorithm: .implicitGEMM))
        }
        return cases
    }

    /// Convolutions with up to this many input channels are also measured by the direct kernels: the shapes around
    /// ``ConvolutionAlgorithm/directMaximumInputChannels``, where the default switches from them to im2col.
    private static let directCandidateChannels = 32

    private static func conv(_ name: String, _ inputs: Int, _ outputs: Int, kernel: Int, padding: Int, size: Int) -> OverheadCase {
        .convolution(name: name, geometry: ConvolutionGeometry(inputChannels: inputs, outputChannels: outputs,
                                                               kernelSize: kernel, padding: padding), size: size, algorithm: .im2col)
    }
}

/// The framework op against its bare GEMMs at one shape and thread count.
struct OverheadResult: Codable {
    let name: String
    let kind: String
    let threads: Int
    let pass: Int
    /// The GEMMs of one forward+backward, `M x N x K` each (per image for convolutions).
    let gemms: [String]
    /// Floating-point operations of the GEMMs of one forward+backward of the batch.
    let flops: Double
    let framework: Timing
    let bare: Timing
    /// Bare GEMM time / framework time: 1 means no overhead.
    let ratio: Double
    /// The same ratio for each pass of a convolution (`nil` for linear layers).
    let phases: PhaseRatios?
    let contention: Contention
}

/// Bare GEMM time / framework time of a convolution's three passes, each measured against its own GEMM: the forward
/// pass (`Y = W · cols`), the weight gradient (backward without input gradient, against `dW += dY · colsᵀ`) and the
/// input gradient (the full backward's extra time over the weight gradient's, against `dcols = Wᵀ · dY`).
struct PhaseRatios: Codable {
    let forward: Double
    let weightGradient: Double
    let inputGradient: Double
}

/// Part 1: framework overhead of convolution and linear forward+backward over the bare `cblas_sgemm` calls.
///
/// The reference issues the same GEMMs through `Gemm.multiply` / `Gemm.parallelMultiply`, which are nothing but
/// `cblas_sgemm` (split across the same worker threads), on buffers outside any tensor and with no layer around them.
enum OverheadBenchmark {
    static let batch = 128
    static let policy = RunPolicy(warmupRuns: 1, minimumRuns: 5, maximumRuns: 25, budgetSeconds: 0.5)

    /// Measures `overheadCase` with the current `ComputeThreads.count`.
    static func run(_ overheadCase: OverheadCase, pass: Int) throws -> OverheadResult {
        var generator = RandomGenerator(seed: 1)
        let threads = ComputeThreads.count
        switch overheadCase {
        case let .convolution(name, geometry, size, algorithm):
            let pairs = try convolutionPairs(geometry, size: size, algorithm: algorithm, generator: &generator)
            let (timings, contention) = try withContention {
                try [pairs.whole, pairs.forward, pairs.weightGradient, pairs.backward].map {
                    try measureAlternately(policy, $0.framework, $0.bare)
                }
            }
            let seconds = timings.map { ($0.0.medianSeconds, $0.1.medianSeconds) }
            let (forward, weights, backward) = (seconds[1], seconds[2], seconds[3])
            let phases = PhaseRatios(forward: forward.1 / forward.0, weightGradient: weights.1 / weights.0,
                                     inputGradient: (backward.1 - weights.1) / (backward.0 - weights.0))
            return OverheadResult(name: name, kind: "conv", threads: threads, pass: pass, gemms: pairs.gemms, flops: pairs.flops,
                                  framework: timings[0].0, bare: timings[0].1,
                                  ratio: seconds[0].1 / seconds[0].0, phases: phases, contention: contention)
        case let .linear(name, inputs, outputs):
            let (framework, bare, gemms, flops) = try linearPair(inputs: inputs, outputs: outputs, generator: &generator)
            let ((frameworkTiming, bareTiming), contention) = try withContention {
                try measureAlternately(policy, framework, bare)
            }
            return OverheadResult(name: name, kind: "linear", threads: threads, pass: pass, gemms: gemms, flops: flops,
                                  framework: frameworkTiming, bare: bareTiming,
                                  ratio: bareTiming.medianSeconds / frameworkTiming.medianSeconds, phases: nil,
                                  contention: contention)
        }
    }

    /// A framework closure and the bare GEMMs it is compared with.
    typealias Pair = (framework: () throws -> Float, bare: () throws -> Float)

    /// `Convolution2D.forward` + `backward` (bias, weight and input gradients) by `algorithm`, and the bare GEMMs of
    /// im2col: per group of images that share a product (small maps are grouped, as the framework groups them),
    /// `Y = W · cols`, `dW += dY · colsᵀ`, `dcols = Wᵀ · dY`, the images split across workers as the framework splits them.
    /// For im2col these are the GEMMs the framework runs; Winograd replaces them by 2.25 times fewer multiplies.
    /// Besides the whole forward+backward, the pairs of its passes: the forward pass, the backward pass without the
    /// input gradient and the whole backward pass, each against its GEMMs.
    private static func convolutionPairs(_ g: ConvolutionGeometry, size: Int, algorithm: ConvolutionAlgorithm,
                                         generator: inout RandomGenerator) throws
        -> (whole: Pair, forward: Pair, weightGradient: Pair, backward: Pair, gemms: [String], flops: Double) {
        let (outH, outW) = try g.outputSize(height: size, width: size)
        let outPlane = outH * outW, patch = g.patchSize, channels = g.outputChannels
        let input = generator.normalTensor(shape: [batch, g.inputChannels, size, size])
        let weight = generator.normalTensor(shape: [channels, g.inputChannels, g.kernelHeight, g.kernelWidth], standardDeviation: 0.1)
        let bias = generator.normalTensor(shape: [channels])
        let outputGradient = generator.normalTensor(shape: [batch, channels, outH, outW])
        var weightGradient = Tensor(zeros: weight.shape)
        var biasGradient: Tensor? = Tensor(zeros: [channels])
        let forward: () throws -> Float = {
            try Convolution2D.forward(input: input, weight: weight, bias: bias, geometry: g, algorithm: algorithm).scalars[0]
        }
        let backward = { (needsInputGradient: Bool) throws -> Float in
            let inputGradient = try Convolution2D.backward(outputGradient: outputGradient, input: input, weight: weight, geometry: g,
                                                           weightGradient: &weightGradient, biasGradient: &biasGradient,
                                                           needsInputGradient: needsInputGradient, algorithm: algorithm)
            return inputGradient?.scalars[0] ?? weightGradient.scalars[0]
        }

        let chunks = min(ComputeThreads.count, batch)
        let group = try Convolution2D.imagesPerProduct(geometry: g, height: size, width: size, batch: batch)
        let span = group * outPlane
        let perWorker = 2 * patch * span + channels * patch
        let workspace = FloatBuffer(count: chunks * perWorker, generator: &generator)
        let weights = FloatBuffer(count: channels * patch, generator: &generator)
        let outputs = FloatBuffer(count: batch * channels * outPlane, generator: &generator)
        let gradients = FloatBuffer(count: batch * channels * outPlane, generator: &generator)
        /// The bare GEMMs of the forward pass, the weight gradient and the input gradient, as selected.
        let bare = { (forwardProduct: Bool, weightProduct: Bool, inputProduct: Bool) -> Float in
            let pointers = UncheckedSendable((workspace.pointer, weights.pointer, outputs.pointer, gradients.pointer))
            ComputeThreads.forEachChunk(chunks) { chunk in
                let (workspace, w, y, dy) = pointers.value
                let columns = workspace + chunk * perWorker, columnGradient = columns + patch * span
                let localWeightGradient = columnGradient + patch * span
                let images = ComputeThreads.range(ofChunk: chunk, of: chunks, total: batch)
                for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
                    let width = min(group, images.upperBound - first) * outPlane
                    let offset = first * channels * outPlane
                    if forwardProduct {
                        Gemm.multiply(w, columns, into: y + offset, m: channels, n: width, k: patch, ldb: width)
                    }
                    if weightProduct {
                        Gemm.multiply(dy + offset, columns, transposeB: true, into: localWeightGradient,
                                      m: channels, n: patch, k: width, beta: 1, lda: width, ldb: width)
                    }
                    if inputProduct {
                        Gemm.multiply(w, transposeA: true, dy + offset, into: columnGradient, m: patch, n: width, k: channels)
                    }
                }
            }
            return outputs.pointer[0]
        }
        let gemms = ["\(channels)x\(span)x\(patch)", "\(channels)x\(patch)x\(span)", "\(patch)x\(span)x\(channels)"]
        return (whole: ({ try forward() + backward(true) }, { bare(true, true, true) }),
                forward: (forward, { bare(true, false, false) }),
                weightGradient: ({ try backward(false) }, { bare(false, true, false) }),
                backward: ({ try backward(true) }, { bare(false, true, true) }),
                gemms: gemms, flops: Double(3 * 2 * channels * outPlane * patch * batch))
    }

    /// A `Linear` layer's forward (training mode) + backward and its three bare GEMMs
    /// `Y = X · Wᵀ`, `dW += dYᵀ · X`, `dX = dY · W`, each split across workers as `Gemm.parallelMultiply` splits it.
    private static func linearPair(inputs: Int, outputs: Int, generator: inout RandomGenerator) throws
        -> (() throws -> Float, () throws -> Float, [String], Double) {
        let layer = Linear(inputFeatures: inputs, outputFeatures: outputs, generator: &generator)
        let input = generator.normalTensor(shape: [batch, inputs])
        let outputGradient = generator.normalTensor(shape: [batch, outputs])
        let framework: () throws -> Float = {
            let output = try layer.forward(input, mode: .training)
            let inputGradient = try layer.backward(outputGradient)
            return output.scalars[0] + inputGradient.scalars[0]
        }

        let x = FloatBuffer(count: batch * inputs, generator: &generator)
        let w = FloatBuffer(count: outputs * inputs, generator: &generator)
        let dw = FloatBuffer(count: outputs * inputs, generator: &generator)
        let y = FloatBuffer(count: batch * outputs, generator: &generator)
        let dy = FloatBuffer(count: batch * outputs, generator: &generator)
        let dx = FloatBuffer(count: batch * inputs, generator: &generator)
        let bare: () -> Float = {
            Gemm.parallelMultiply(x.pointer, w.pointer, transposeB: true, into: y.pointer, m: batch, n: outputs, k: inputs)
            Gemm.parallelMultiply(dy.pointer, transposeA: true, x.pointer, into: dw.pointer,
                      m: outputs, n: inputs, k: batch, beta: 1)
            Gemm.parallelMultiply(dy.pointer, w.pointer, into: dx.pointer, m: batch, n: inputs, k: outputs)
            return y.pointer[0] + dx.pointer[0]
        }
        let gemms = ["\(batch)x\(outputs)x\(inputs)", "\(outputs)x\(inputs)x\(batch)", "\(batch)x\(inputs)x\(outputs)"]
        return (framework, bare, gemms, Double(3 * 2 * batch * outputs * inputs))
    }
}
