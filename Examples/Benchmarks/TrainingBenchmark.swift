import NeuralNetwork
import TensorCore
import Training

/// Training-step throughput of one reference model at one thread count.
struct TrainingResult: Codable {
    let model: String
    let threads: Int
    let pass: Int
    let parameters: Int
    let forwardMegaflopsPerImage: Double
    let step: Timing
    /// Batch size / median step time.
    let imagesPerSecond: Double
    /// Three times the forward FLOPs of the batch / median step time, the reference's convention.
    let trainGigaflopsPerSecond: Double
    let pytorchImagesPerSecond: Double?
    /// Our images/s over PyTorch's: above 1 is faster.
    let ratioToPyTorch: Double?
    let contention: Contention
}

/// Median times of one layer in a training step.
struct LayerTiming: Codable {
    let name: String
    let forwardMilliseconds: Double
    let backwardMilliseconds: Double
    /// Forward FLOPs of the batch (0 for layers without a GEMM).
    let forwardFlops: Double
    /// Forward plus backward FLOPs (3x forward) over forward plus backward time.
    let gigaflopsPerSecond: Double?
}

/// Where the time of a training step goes: each layer's forward and backward, then the rest of the step.
struct LayerProfile: Codable {
    let model: String
    let threads: Int
    let layers: [LayerTiming]
    let zeroGradientMilliseconds: Double
    let lossMilliseconds: Double
    let optimizerMilliseconds: Double
    /// The sum of the medians of all parts.
    let totalMilliseconds: Double
    let steps: Int
    let contention: Contention
}

/// Part 2 (throughput of `TrainingLoop.step`) and part 4 (per-layer profile of the same step).
enum TrainingBenchmark {
    static let batchSize = 128
    static let learningRate: Float = 0.01
    /// Up to PyTorch's 25 timed steps; VGG-s stops after 5 within the time budget (its PyTorch
    /// warm-up of 5 steps is cut to 3: the framework has nothing to tune, only buffers to touch).
    static let policy = RunPolicy(warmupRuns: 3, minimumRuns: 5, maximumRuns: 25, budgetSeconds: 3)
    static let profilePolicy = RunPolicy(warmupRuns: 3, minimumRuns: 5, maximumRuns: 20, budgetSeconds: 3)

    /// Normal random images and uniform random labels, like the reference's `randn` / `randint`.
    static func syntheticBatch(imageShape: [Int]) -> LabeledBatch {
        var generator = RandomGenerator(seed: 7)
        let inputs = generator.normalTensor(shape: [batchSize] + imageShape)
        let labels = (0..<batchSize).map { _ in generator.nextIndex(below: 10) }
        return LabeledBatch(inputs: inputs, labels: labels)
    }

    /// Times `TrainingLoop.step` (zero gradients, forward, softmax cross-entropy, backward, SGD with momentum 0.9)
    /// with the current `ComputeThreads.count`.
    static func run(_ model: ReferenceModel, pass: Int) throws -> TrainingResult {
        let network = model.build(seed: 0)
        let batch = syntheticBatch(imageShape: model.imageShape)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: learningRate, momentum: 0.9),
                                schedule: try ConstantSchedule(rate: learningRate))
        let flops = try ModelCost.forwardFlopsPerImage(network, imageShape: model.imageShape).reduce(0, +)
        let (timing, contention) = try withContention {
            try measure(policy) { try loop.step(batch, learningRate: learningRate).loss }
        }
        let threads = ComputeThreads.count
        let imagesPerSecond = Double(batchSize) / timing.medianSeconds
        let pytorch = model.pytorchTrainImagesPerSecond(threads: threads)
        return TrainingResult(
            model: model.rawValue, threads: threads, pass: pass, parameters: ModelCost.parameterCount(network),
            forwardMegaflopsPerImage: flops / 1e6, step: timing, imagesPerSecond: imagesPerSecond,
            trainGigaflopsPerSecond: 3 * flops * Double(batchSize) / timing.medianSeconds / 1e9,
            pytorchImagesPerSecond: pytorch, ratioToPyTorch: pytorch.map { imagesPerSecond / $0 }, contention: contention)
    }

    /// The step of ``run(_:pass:)`` taken apart: every part timed on its own, medians over the timed steps.
    static func profile(_ model: ReferenceModel) throws -> LayerProfile {
        let network = model.build(seed: 0)
        let batch = syntheticBatch(imageShape: model.imageShape)
        let optimizer = try SGD(learningRate: learningRate, momentum: 0.9)
        let layers = network.layers
        let firstWithParameters = network.firstLayerWithParameters ?? layers.count
        let flopsPerImage = try ModelCost.forwardFlopsPerImage(network, imageShape: model.imageShape)
        var forward = [[Double]](repeating: [], count: layers.count)
        var backward = [[Double]](repeating: [], count: layers.count)
        var zeroing: [Double] = [], loss: [Double] = [], update: [Double] = []

        func step(record: Bool) throws {
            var start = monotonicSeconds()
            func lap(_ samples: inout [Double]) {
                let now = monotonicSeconds()
                if record { samples.append(now - start) }
                start = now
            }
            let parameters = network.parameters
            for parameter in parameters { parameter.zeroGradient() }
            lap(&zeroing)
            var activation = batch.inputs
            for (index, layer) in layers.enumerated() {
                activation = try layer.forward(activation, mode: .training)
                lap(&forward[index])
            }
            let result = try SoftmaxCrossEntropy.lossAndGradient(logits: activation, labels: batch.labels)
            lap(&loss)
            // As `Sequential.accumulateParameterGradients` in the step: no input gradient from the first layer with
            // parameters, nothing for the parameter-free layers before it (their backward times are ~0).
            var gradient = result.logitsGradient
            for (index, layer) in layers.enumerated().reversed() {
                if index > firstWithParameters {
                    gradient = try layer.backward(gradient)
                } else if index == firstWithParameters {
                    try layer.accumulateParameterGradients(gradient)
                }
                lap(&backward[index])
            }
            try optimizer.step(parameters)
            lap(&update)
            Sink.consume(result.loss)
        }

        let (steps, contention) = try withContention {
            for _ in 0..<profilePolicy.warmupRuns { try step(record: false) }
            var runs = 0
            let start = monotonicSeconds()
            while profilePolicy.wantsMore(runs: runs, spent: monotonicSeconds() - start) {
                try step(record: true)
                runs += 1
            }
            return runs
        }
        let milliseconds = { (samples: [Double]) in Statistics.median(samples) * 1e3 }
        let timings = layers.indices.map { index -> LayerTiming in
            let forwardTime = milliseconds(forward[index]), backwardTime = milliseconds(backward[index])
            let flops = flopsPerImage[index] * Double(batchSize)
            return LayerTiming(name: layers[index].name, forwardMilliseconds: forwardTime, backwardMilliseconds: backwardTime,
                               forwardFlops: flops,
                               gigaflopsPerSecond: flops > 0 ? 3 * flops / ((forwardTime + backwardTime) * 1e-3) / 1e9 : nil)
        }
        let rest = [milliseconds(zeroing), milliseconds(loss), milliseconds(update)]
        let total = timings.reduce(0) { $0 + $1.forwardMilliseconds + $1.backwardMilliseconds } + rest.reduce(0, +)
        return LayerProfile(model: model.rawValue, threads: ComputeThreads.count, layers: timings,
                            zeroGradientMilliseconds: rest[0], lossMilliseconds: rest[1], optimizerMilliseconds: rest[2],
                            totalMilliseconds: total, steps: steps, contention: contention)
    }
}
