import NeuralNetwork
import TensorCore

/// A family of starting architectures from which a search samples one at random.
public protocol SearchTemplate {
    /// A random architecture for inputs of `inputShape` (without the batch) and `classes` outputs,
    /// determined by `seed`.
    func makeNetwork(inputShape: [Int], classes: Int, seed: UInt64) throws -> GrowingNetwork
}

/// The convolutional template of Section 4.1 (Figure 3): a stem convolution at full resolution,
/// then stages of dimension-preserving convolutions, each after a 2x2 max-pool reduction, then
/// linear layers.
public struct ConvolutionalTemplate: SearchTemplate, Sendable, Codable {
    /// The number of convolutional stages after the stem (each starts with a reduction).
    public var stages: Int
    /// Convolutional nodes per stage, sampled per stage.
    public var layersPerStage: ClosedRange<Int>
    /// Channels of the stem, sampled per node; each stage doubles the range.
    public var channels: ClosedRange<Int>
    public var kernelSize: Int
    /// The probability that a kernel (or linear weight) of the starting network is present.
    public var density: Double
    /// Hidden linear nodes before the output node, and their widths.
    public var hiddenLinearLayers: ClosedRange<Int>
    public var hiddenWidth: ClosedRange<Int>
    public var headReduction: HeadReduction
    public var limits: GrowthLimits

    public init(stages: Int = 2, layersPerStage: ClosedRange<Int> = 1...2, channels: ClosedRange<Int> = 8...16,
                kernelSize: Int = 3, density: Double = 0.5, hiddenLinearLayers: ClosedRange<Int> = 1...1,
                hiddenWidth: ClosedRange<Int> = 32...64, headReduction: HeadReduction = .globalAveragePool,
                limits: GrowthLimits = GrowthLimits()) {
        self.stages = stages
        self.layersPerStage = layersPerStage
        self.channels = channels
        self.kernelSize = kernelSize
        self.density = density
        self.hiddenLinearLayers = hiddenLinearLayers
        self.hiddenWidth = hiddenWidth
        self.headReduction = headReduction
        self.limits = limits
    }

    public func makeNetwork(inputShape: [Int], classes: Int, seed: UInt64) throws -> GrowingNetwork {
        guard inputShape.count == 3 else {
            throw SearchError.invalidSetting("the convolutional template needs image input [C, H, W], got \(inputShape)")
        }
        guard stages >= 1, layersPerStage.lowerBound >= 1, channels.lowerBound >= 1, density > 0, density <= 1, classes >= 2 else {
            throw SearchError.invalidSetting("template needs at least one stage, layer and channel, a density in (0, 1] and two classes")
        }
        var generator = RandomGenerator(seed: seed)
        let network = try GrowingNetwork(name: "ilnas", inputShape: inputShape, headReduction: headReduction,
                                         limits: limits, seed: generator.next())
        var previous = 0
        for stage in 0...stages {
            let layers = stage == 0 ? 1 : generator.integer(in: layersPerStage)
            for _ in 0..<layers {
                let width = min(limits.maxChannels, generator.integer(in: channels) << stage)
                let id = try network.appendNode(kind: .convolution(kernelSize: kernelSize), stage: stage, channels: width)
                try network.connect(from: previous, to: id, density: previous == 0 ? 1 : density)
                previous = id
            }
        }
        for _ in 0..<generator.integer(in: hiddenLinearLayers) {
            let id = try network.appendNode(kind: .linear, stage: -1, channels: generator.integer(in: hiddenWidth))
            try network.connect(from: previous, to: id, density: density)
            previous = id
        }
        let output = try network.appendNode(kind: .linear, stage: -1, channels: classes, isOutput: true)
        try network.connect(from: previous, to: output, density: 1)
        return network
    }

    /// The fixed VGG-like baseline of Figure 5: every stage has `layersPerStage.upperBound` fully
    /// connected convolutions of width `w`, `2w`, `4w`, ..., hidden linear layers of width `8w`, and
    /// no placeholders; `w` is the largest width whose network fits `budget`.
    public func fixedNetwork(inputShape: [Int], classes: Int, budget: Int, seed: UInt64) throws -> GrowingNetwork {
        var fixed = self
        fixed.limits.placeholderRange = 0...0
        fixed.layersPerStage = layersPerStage.upperBound...layersPerStage.upperBound
        fixed.hiddenLinearLayers = hiddenLinearLayers.upperBound...hiddenLinearLayers.upperBound
        fixed.density = 1
        func build(width: Int) throws -> GrowingNetwork {
            fixed.channels = width...width
            fixed.hiddenWidth = (8 * width)...(8 * width)
            return try fixed.makeNetwork(inputShape: inputShape, classes: classes, seed: seed)
        }
        var best: GrowingNetwork?
        var width = 1
        while width <= limits.maxChannels, let network = try? build(width: width), network.parameterCount <= budget {
            best = network
            width += 1
        }
        guard let best else {
            throw SearchError.budgetTooSmall(budget: budget, startingParameters: try build(width: 1).parameterCount)
        }
        return best
    }
}

/// The template for vector data: hidden linear layers, sparsely connected at the start.
public struct MultilayerPerceptronTemplate: SearchTemplate, Sendable, Codable {
    public var hiddenLayers: ClosedRange<Int>
    public var width: ClosedRange<Int>
    public var density: Double
    public var limits: GrowthLimits

    public init(hiddenLayers: ClosedRange<Int> = 1...2, width: ClosedRange<Int> = 32...64, density: Double = 0.3,
                limits: GrowthLimits = GrowthLimits()) {
        self.hiddenLayers = hiddenLayers
        self.width = width
        self.density = density
        self.limits = limits
    }

    public func makeNetwork(inputShape: [Int], classes: Int, seed: UInt64) throws -> GrowingNetwork {
        guard hiddenLayers.lowerBound >= 0, width.lowerBound >= 1, density > 0, density <= 1, classes >= 2 else {
            throw SearchError.invalidSetting("the MLP template needs positive widths, a density in (0, 1] and two classes")
        }
        var generator = RandomGenerator(seed: seed)
        let network = try GrowingNetwork(name: "ilnas-mlp", inputShape: inputShape,
                                         limits: limits, seed: generator.next())
        var previous = 0
        for _ in 0..<generator.integer(in: hiddenLayers) {
            let id = try network.appendNode(kind: .linear, stage: -1, channels: generator.integer(in: width))
            try network.connect(from: previous, to: id, density: density)
            previous = id
        }
        let output = try network.appendNode(kind: .linear, stage: -1, channels: classes, isOutput: true)
        try network.connect(from: previous, to: output, density: density)
        return network
    }
}
