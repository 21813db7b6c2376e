import ArchitectureSearch
import NeuralNetwork
import TensorCore
import Training

/// Small networks and data shared by the search tests.
enum SearchFixtures {
    /// A convolutional network on 6x6x2 input with two stages, a skip-capable first stage, a hidden
    /// linear node and 3 classes; kernels half present.
    static func convolutionalNetwork(seed: UInt64 = 7, head: HeadReduction = .globalAveragePool) throws -> GrowingNetwork {
        let template = ConvolutionalTemplate(stages: 2, layersPerStage: 2...2, channels: 3...4, density: 0.5,
                                             hiddenLinearLayers: 1...1, hiddenWidth: 5...6, headReduction: head,
                                             limits: GrowthLimits(placeholderRange: 2...3))
        return try template.makeNetwork(inputShape: [2, 6, 6], classes: 3, seed: seed)
    }

    static func perceptron(seed: UInt64 = 3) throws -> GrowingNetwork {
        try MultilayerPerceptronTemplate(hiddenLayers: 2...2, width: 4...6, density: 0.4,
                                         limits: GrowthLimits(placeholderRange: 2...2))
            .makeNetwork(inputShape: [7], classes: 3, seed: seed)
    }

    /// Random labelled batches whose labels depend on the input, so that there is something to learn.
    static func batches(inputShape: [Int], classes: Int, count: Int, batchSize: Int, seed: UInt64) -> [LabeledBatch] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in
            let inputs = generator.normalTensor(shape: [batchSize] + inputShape)
            let perSample = inputShape.reduce(1, *)
            let labels = (0..<batchSize).map { n -> Int in
                let start = n * perSample
                let sum = (0..<perSample).reduce(Float(0)) { $0 + inputs[flat: start + $1] * Float(($1 % 3) - 1) }
                return min(classes - 1, max(0, Int((sum / 3 + 1.5).rounded(.down))))
            }
            return LabeledBatch(inputs: inputs, labels: labels)
        }
    }

    /// Mean loss in Double over batches (inference mode).
    static func loss(_ network: Layer, _ batches: [LabeledBatch]) throws -> Double {
        var total = 0.0
        for batch in batches {
            total += Double(try SoftmaxCrossEntropy.lossAndGradient(logits: network.forward(batch.inputs, mode: .inference),
                                                                     labels: batch.labels).loss)
        }
        return total / Double(batches.count)
    }
}
