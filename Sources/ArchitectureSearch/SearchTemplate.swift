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

    /// This template with its channel and hidden-width ranges narrowed until the network it samples for `seed`
    /// has at most `parameters` parameters and, when given, at most `multiplyAccumulates` per sample (never
    /// widened): a search should start well below its budget, so that growth, not the random start, decides
    /// most of the architecture. Throws when even width 1 does not fit.
    public func narrowed(toAtMost parameters: Int, multiplyAccumulates: Int? = nil, inputShape: [Int], classes: Int,
                         seed: UInt64) throws -> ConvolutionalTemplate {
        var scale = 1.0
        while true {
            var narrowed = self
            func scaled(_ range: ClosedRange<Int>) -> ClosedRange<Int> {
                max(1, Int((Double(range.lowerBound) * scale).rounded()))...max(1, Int((Double(range.upperBound) * scale).rounded()))
            }
            narrowed.channels = scaled(channels)
            narrowed.hiddenWidth = scaled(hiddenWidth)
            let network = try narrowed.makeNetwork(inputShape: inputShape, classes: classes, seed: seed)
            if network.parameterCount <= parameters, network.multiplyAccumulates <= multiplyAccumulates ?? .max { return narrowed }
            guard narrowed.channels.upperBound > 1 || narrowed.hiddenWidth.upperBound > 1 else {
                if network.parameterCount <= parameters, let multiplyAccumulates {
                    throw SearchError.computeBudgetTooSmall(budget: multiplyAccumulates, startingMultiplyAccumulates: network.multiplyAccumulates)
                }
                throw SearchError.budgetTooSmall(budget: parameters, startingParameters: network.parameterCount)
            }
            scale *= 0.9
        }
    }

    /// The fixed VGG-like baseline of Figure 5: every stage has `layersPerStage.upperBound` fully connected
    /// convolutions, hidden linear layers follow, and there are no placeholders. The widths keep VGG's
    /// proportions (`w`, `2w`, `4w`, ... per stage, `8w` for hidden layers) as closely as whole channels allow
    /// while the network uses as much of `budget` as it can: from the widest uniform `w` that fits, one
    /// channel at a time is added to the layer furthest below its proportion, until no layer can take one
    /// more. The result uses at least 97% of the budget unless even its cheapest channel does not fit.
    public func fixedNetwork(inputShape: [Int], classes: Int, budget: Int, seed: UInt64) throws -> GrowingNetwork {
        let stageCount = stages + 1
        let convolutionLayers = (0..<stageCount).flatMap { stage in
            [Int](repeating: 1 << stage, count: stage == 0 ? 1 : layersPerStage.upperBound)
        }
        let proportions = convolutionLayers + [Int](repeating: 8, count: hiddenLinearLayers.upperBound)
        func build(_ widths: [Int]) throws -> GrowingNetwork {
            try denseNetwork(widths: widths, inputShape: inputShape, classes: classes, seed: seed)
        }
        func fits(_ widths: [Int]) -> Bool {
            guard widths.allSatisfy({ $0 <= limits.maxChannels }), let network = try? build(widths) else { return false }
            return network.parameterCount <= budget
        }
        var width = 1
        guard fits(proportions.map { $0 * width }) else {
            throw SearchError.budgetTooSmall(budget: budget, startingParameters: try build(proportions).parameterCount)
        }
        while fits(proportions.map { $0 * (width + 1) }) { width += 1 }
        var widths = proportions.map { $0 * width }
        var full = Set<Int>()
        while full.count < widths.count {
            let layer = widths.indices.filter { !full.contains($0) }
                .min { Double(widths[$0]) / Double(proportions[$0]) < Double(widths[$1]) / Double(proportions[$1]) }!
            widths[layer] += 1
            if !fits(widths) {
                widths[layer] -= 1
                full.insert(layer)
            }
        }
        return try build(widths)
    }

    /// A network of this template with explicit widths (one per convolutional node, stage by stage, then one
    /// per hidden linear node), every connection fully present, and no placeholders.
    private func denseNetwork(widths: [Int], inputShape: [Int], classes: Int, seed: UInt64) throws -> GrowingNetwork {
        var dense = limits
        dense.placeholderRange = 0...0
        var generator = RandomGenerator(seed: seed)
        let network = try GrowingNetwork(name: "fixed", inputShape: inputShape, headReduction: headReduction,
                                         limits: dense, seed: generator.next())
        var previous = 0, index = 0
        for stage in 0...stages {
            for _ in 0..<(stage == 0 ? 1 : layersPerStage.upperBound) {
                let id = try network.appendNode(kind: .convolution(kernelSize: kernelSize), stage: stage, channels: widths[index])
                try network.connect(from: previous, to: id, density: 1)
                (previous, index) = (id, index + 1)
            }
        }
        for _ in 0..<hiddenLinearLayers.upperBound {
            let id = try network.appendNode(kind: .linear, stage: -1, channels: widths[index])
            try network.connect(from: previous, to: id, density: 1)
            (previous, index) = (id, index + 1)
        }
        let output = try network.appendNode(kind: .linear, stage: -1, channels: classes, isOutput: true)
        try network.connect(from: previous, to: output, density: 1)
        return network
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
