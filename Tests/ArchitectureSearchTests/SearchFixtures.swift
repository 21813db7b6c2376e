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

    /// `∂L/∂W` of the mean loss over `batches` at the absent (zero) entry `entry` of `parameter`, by central
    /// finite differences; the entry is left at zero.
    static func absentEntryDerivative(_ parameter: Parameter, _ entry: Int, network: Layer, batches: [LabeledBatch]) throws -> Double {
        let h: Float = 1e-3
        parameter.value[flat: entry] = h
        let plus = try loss(network, batches)
        parameter.value[flat: entry] = -h
        let minus = try loss(network, batches)
        parameter.value[flat: entry] = 0
        return (plus - minus) / (2 * Double(h))
    }

    /// Trains `network` for `steps` steps of SGD with Nesterov momentum and weight decay (the masked
    /// optimizer the search runs between expansions) on `batches`, in turn.
    static func train(_ network: GrowingNetwork, on batches: [LabeledBatch], steps: Int, learningRate: Float = 0.05) throws {
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: learningRate, momentum: 0.9, nesterov: true, weightDecay: 5e-4),
                                schedule: try ConstantSchedule(rate: learningRate))
        for step in 0..<steps { _ = try loop.step(batches[step % batches.count], learningRate: learningRate) }
    }

    /// Leaves `∂L/∂(α ⊙ W)` of the mean loss over `batches` in every scored parameter, as a scoring pass does.
    static func accumulateScoringGradients(_ space: any SearchSpace, _ batches: [LabeledBatch]) throws {
        for parameter in space.scoredParameters { parameter.zeroGradient() }
        for batch in batches {
            let logits = try space.network.forward(batch.inputs, mode: .training)
            var gradient = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels).logitsGradient
            gradient.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] /= Float(batches.count) } }
            _ = try space.network.backward(gradient)
        }
    }

    /// The units of `granularity` whose entries read from a placeholder channel of their source node.
    static func placeholderUnits(_ network: GrowingNetwork, granularity: any SearchGranularity = WeightGranularity()) -> [SearchUnit] {
        granularity.allUnits(in: network).filter { unit in
            guard unit.kind == .entries, let edge = network.edges.first(where: { $0.weight.name == unit.key }),
                  let source = network.node(edge.source) else { return false }
            let area = edge.weight.shape[2...].reduce(1, *)
            return unit.entries.contains { source.isPlaceholder[($0 / area) % edge.weight.shape[1]] }
        }
    }
}
