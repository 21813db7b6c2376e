import ArchitectureSearch
import ModelExport
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// Small grown networks with absent parts, and the checks the export tests share.
enum ExportFixtures {
    /// A convolutional network on 7x7x2 input (odd sizes: the max-pools round down) with two stages, skip
    /// connections possible, one hidden linear node and 3 classes; kernels half present.
    static func convolutionalNetwork(seed: UInt64 = 7, head: HeadReduction = .globalAveragePool) throws -> GrowingNetwork {
        let template = ConvolutionalTemplate(stages: 2, layersPerStage: 1...2, channels: 3...4, density: 0.5,
                                             hiddenLinearLayers: 1...1, hiddenWidth: 5...6, headReduction: head,
                                             limits: GrowthLimits(placeholderRange: 2...3))
        return try template.makeNetwork(inputShape: [2, 7, 7], classes: 3, seed: seed)
    }

    /// A perceptron on 7 features, two hidden layers, 40% of its weights present.
    static func perceptron(seed: UInt64 = 3) throws -> GrowingNetwork {
        try MultilayerPerceptronTemplate(hiddenLayers: 2...2, width: 4...6, density: 0.4, limits: GrowthLimits(placeholderRange: 2...2))
            .makeNetwork(inputShape: [7], classes: 3, seed: seed)
    }

    /// Random labelled batches whose labels depend on the input.
    static func batches(inputShape: [Int], count: Int = 3, batchSize: Int = 8, seed: UInt64 = 11) -> [LabeledBatch] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in
            let inputs = generator.normalTensor(shape: [batchSize] + inputShape)
            let perSample = inputShape.reduce(1, *)
            let labels = (0..<batchSize).map { n -> Int in
                let sum = (0..<perSample).reduce(Float(0)) { $0 + inputs[flat: n * perSample + $1] * Float($1 % 3 - 1) }
                return sum > 1 ? 2 : sum < -1 ? 0 : 1
            }
            return LabeledBatch(inputs: inputs, labels: labels)
        }
    }

    /// Trains `network` for `steps` steps of SGD with Nesterov momentum and weight decay, as the search does.
    static func train(_ network: GrowingNetwork, on batches: [LabeledBatch], steps: Int) throws {
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4),
                                schedule: try ConstantSchedule(rate: 0.05))
        for step in 0..<steps { _ = try loop.step(batches[step % batches.count], learningRate: 0.05) }
    }

    /// Grows `network` as an expansion does: promotes the first placeholder of every hidden node and gives it
    /// present outgoing weights (small values, so that the function changes a little), into every real channel of
    /// every connection out of the node.
    static func grow(_ network: GrowingNetwork) {
        for node in network.nodes where node.kind != .input && !node.isOutput {
            guard let channel = node.placeholderChannels.first else { continue }
            network.promote(node: node.id, channel: channel)
            network.replenishPlaceholders(node: node.id)
            for edge in network.edges where edge.source == node.id && edge.isActive {
                let shape = edge.weight.shape, area = shape[2...].reduce(1, *)
                guard let target = network.node(edge.target) else { continue }
                for row in target.realChannels {
                    for tap in 0..<area { edge.weight.activate((row * shape[1] + channel) * area + tap, initialValue: 0.01 * Float(tap % 3 + 1)) }
                }
            }
        }
    }

    /// The largest absolute difference between the two tensors' entries; NaN when any difference is (`max` would
    /// drop it, and NaN logits would pass every tolerance).
    static func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).reduce(0) { largest, pair in
            let difference = abs(pair.0 - pair.1)
            return largest.isNaN || difference.isNaN ? .nan : max(largest, difference)
        }
    }

    /// Asserts that the compacted network gives `network`'s logits on every batch, within `tolerance`.
    static func assertSameLogits(_ compact: CompactNetwork, _ network: GrowingNetwork, on batches: [LabeledBatch],
                                 tolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) throws {
        for batch in batches {
            let expected = try network.forward(batch.inputs, mode: .inference)
            let actual = try compact.forward(batch.inputs)
            XCTAssertEqual(actual.shape, expected.shape, file: file, line: line)
            XCTAssertLessThanOrEqual(maximumDifference(actual, expected), tolerance, file: file, line: line)
        }
    }
}
