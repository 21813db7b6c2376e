import NeuralNetwork
import TensorCore

/// How the last convolutional stage feeds linear nodes.
public enum HeadReduction: String, Sendable, Codable, CaseIterable {
    /// Average each channel over its feature map: one input per channel.
    case globalAveragePool
    /// Flatten each channel's feature map: `height · width` inputs per channel.
    case flatten
}

/// A network that grows during training: the search template of Section 4.1 (Figure 3) and the
/// additions of Figure 1 (connections, nodes, layers).
///
/// Nodes are kept in topological order, starting with the input. Convolutional nodes form stages
/// separated by 2x2 max-pool reductions; a node may receive connections from any earlier node of
/// its own stage (skip connections) and from nodes of the previous stage (through the reduction).
/// Linear nodes follow and may receive connections from any earlier linear node and from the last
/// stage (through ``HeadReduction``). Every node sums its incoming connections, adds its bias, and
/// applies ReLU, except the output node, whose sum is the logits.
///
/// Compute follows the architecture: a connection with no present entry is not computed, and a
/// node's tensors hold only its real channels plus a bounded margin of placeholders.
public final class GrowingNetwork: Layer {
    public var name: String
    /// The shape of one input sample: `[C, H, W]` for images, `[F]` for vectors.
    public let inputShape: [Int]
    /// How the last convolutional stage is reduced before linear nodes.
    public let headReduction: HeadReduction
    /// Growth limits.
    public let limits: GrowthLimits
    /// Nodes in topological order; `nodes[0]` is the input.
    public internal(set) var nodes: [GrowingNode]
    /// All connections, present or not.
    public internal(set) var edges: [GrowingEdge] { didSet { edgeIndexByWeightName = nil } }
    /// Where each connection weight is in ``edges``, by name; rebuilt on first use after the edges change.
    private var edgeIndexByWeightName: [String: Int]?
    /// When `true`, `backward` also computes gradients for absent connections and for the
    /// connections and layers that could be added (``candidateParameters``): the search's scores.
    public var computesCandidateGradients = false
    /// Would-be weights of connections that do not exist yet, keyed by (source, target) node ids.
    public internal(set) var connectionCandidates: [ConnectionKey: Parameter] = [:]
    /// Would-be weights of an identity layer inserted after a node, keyed by that node's id.
    public internal(set) var insertionCandidates: [Int: Parameter] = [:]
    /// The generator of probe weights for placeholders.
    var generator: RandomGenerator
    var nextIdentifier: Int

    private var activations: [Int: Tensor] = [:]
    private var reducedInputs: [ReductionKey: ReducedInput] = [:]

    /// A (source, target) pair of node ids.
    public struct ConnectionKey: Hashable, Sendable, Codable, CustomStringConvertible {
        public let source: Int, target: Int
        public var description: String { "\(source)->\(target)" }
    }

    /// Creates a network with just an input node; add nodes with ``appendNode(kind:stage:channels:isOutput:)``.
    public convenience init(name: String = "network", inputShape: [Int], headReduction: HeadReduction = .globalAveragePool,
                            limits: GrowthLimits = GrowthLimits(), seed: UInt64) throws {
        guard Self.isValidInputShape(inputShape) else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "input shape must be [C, H, W] or [F] with positive sizes, "
                + "at most \(Self.maximumInputSize) values, got \(inputShape)")
        }
        let input = GrowingNode(id: 0, kind: .input, stage: 0, isOutput: false,
                                isPlaceholder: [Bool](repeating: false, count: inputShape[0]), bias: nil)
        self.init(name: name, inputShape: inputShape, headReduction: headReduction, limits: limits,
                  generator: RandomGenerator(seed: seed), nodes: [input], nextIdentifier: 1)
    }

    /// Creates a network from its parts, without edges; the caller has checked them.
    init(name: String, inputShape: [Int], headReduction: HeadReduction, limits: GrowthLimits,
         generator: RandomGenerator, nodes: [GrowingNode], nextIdentifier: Int) {
        self.name = name
        self.inputShape = inputShape
        self.headReduction = headReduction
        self.limits = limits
        self.generator = generator
        self.nodes = nodes
        edges = []
        self.nextIdentifier = nextIdentifier
    }

    /// The most values one input sample may have, 2^26 (a 3 x 4096 x 4096 image has 50M). A larger shape is refused,
    /// so that what is sized by it (the input node's channels, feature-map positions, multiply-accumulates) neither
    /// overflows nor makes a damaged file allocate beyond reason.
    public static let maximumInputSize = 1 << 26

    /// Whether `shape` can be the shape of one input sample: `[C, H, W]` or `[F]`, every size positive, at most
    /// ``maximumInputSize`` values in all.
    static func isValidInputShape(_ shape: [Int]) -> Bool {
        guard shape.count == 1 || shape.count == 3 else { return false }
        var size = 1
        for length in shape {
            guard length > 0, length <= maximumInputSize / size else { return false }
            size *= length
        }
        return true
    }

    // MARK: Structure queries

    /// The index in ``nodes`` of the node with id `id`.
    public func index(ofNode id: Int) -> Int? { nodes.firstIndex { $0.id == id } }

    /// The connection whose weight is called `name` (units of entries name their parameter).
    func edge(weightNamed name: String) -> GrowingEdge? {
        if edgeIndexByWeightName == nil {
            edgeIndexByWeightName = Dictionary(edges.indices.map { (edges[$0].weight.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
        return edgeIndexByWeightName?[name].map { edges[$0] }
    }

    /// The node with id `id`.
    public func node(_ id: Int) -> GrowingNode? { index(ofNode: id).map { nodes[$0] } }

    /// The output node (the last node).
    public var outputNode: GrowingNode? { nodes.last.flatMap { $0.isOutput ? $0 : nil } }

    /// The connections into node `id`, in creation order.
    public func incomingEdges(of id: Int) -> [GrowingEdge] { edges.filter { $0.target == id } }

    /// The number of convolutional nodes.
    public var convolutionalNodeCount: Int { nodes.filter(\.isConvolution).count }

    /// The number of hidden linear nodes.
    public var hiddenLinearNodeCount: Int { nodes.filter { $0.kind == .linear && !$0.isOutput }.count }

    /// The spatial size of a convolutional node in `stage`, or of the input for stage 0.
    public func spatialSize(stage: Int) -> (height: Int, width: Int) {
        guard inputShape.count == 3 else { return (1, 1) }
        var size = (height: inputShape[1], width: inputShape[2])
        for _ in 0..<max(0, stage) { size = (size.height / 2, size.width / 2) }
        return size
    }

    /// The last convolutional stage (or 0 for vector input).
    public var lastStage: Int { nodes.filter(\.isConvolution).map(\.stage).max() ?? 0 }

    /// Every bias and connection weight; absent entries included (they are zero).
    public var parameters: [Parameter] { nodes.compactMap(\.bias) + edges.map(\.weight) }

    /// The number of present weights and biases: the network's size under the parameter budget.
    public var parameterCount: Int {
        nodes.reduce(0) { $0 + ($1.bias?.activeCount ?? 0) } + edges.reduce(0) { $0 + $1.weight.activeCount }
    }

    /// The would-be parameters whose gradients score structural additions.
    public var candidateParameters: [Parameter] { Array(connectionCandidates.values) + Array(insertionCandidates.values) }

    /// Whether a connection from `source` into `target` is allowed by the template.
    public func allowsConnection(from source: GrowingNode, to target: GrowingNode) -> Bool {
        guard let s = index(ofNode: source.id), let t = index(ofNode: target.id), s < t, !source.isOutput else { return false }
        switch (source.kind, target.kind) {
        case (.input, .convolution):
            return inputShape.count == 3 && target.stage == 0
        case (.convolution, .convolution):
            return target.stage - source.stage == 0 || target.stage - source.stage == 1
        case (.input, .linear):
            return convolutionalNodeCount == 0
        case (.convolution, .linear):
            return source.stage == lastStage
        case (.linear, .linear):
            return true
        default:
            return false
        }
    }

    /// The weight shape of a connection from `source` into `target`.
    func weightShape(from source: GrowingNode, to target: GrowingNode) -> [Int] {
        if target.isConvolution {
            return [target.channelCount, source.channelCount, target.kernelSize, target.kernelSize]
        }
        return [target.channelCount, source.channelCount, positionsPerChannel(of: source)]
    }

    /// How many inputs each channel of `source` gives a linear node (1 unless flattened).
    func positionsPerChannel(of source: GrowingNode) -> Int {
        switch source.kind {
        case .linear: return 1
        case .input: return inputShape.count == 3 ? inputShape[1] * inputShape[2] : 1
        case .convolution:
            guard headReduction == .flatten else { return 1 }
            let size = spatialSize(stage: source.stage)
            return size.height * size.width
        }
    }

    // MARK: Layer

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == inputShape.count + 1, Array(shape.dropFirst()) == inputShape else {
            throw NetworkError.shapeMismatch(layer: name, expected: [shape.first ?? 0] + inputShape, actual: shape)
        }
        guard let output = outputNode else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "the network has no output node")
        }
        return [shape[0], output.channelCount]
    }

    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        _ = try outputShape(forInput: input.shape)
        activations = [nodes[0].id: input]
        reducedInputs = [:]
        for node in nodes.dropFirst() {
            var preActivation: Tensor?
            for edge in incomingEdges(of: node.id) where edge.isActive {
                let contribution = try apply(edge, into: node, addingBias: preActivation == nil)
                if preActivation == nil { preActivation = contribution } else { try preActivation!.add(contribution) }
            }
            let sum = preActivation ?? biasOnly(node, batch: input.shape[0])
            activations[node.id] = node.isOutput ? sum : RectifiedLinear.forward(sum)
        }
        let logits = activations[nodes[nodes.count - 1].id] ?? Tensor(zeros: [input.shape[0], 0])
        if mode == .inference {
            activations = [:]
            reducedInputs = [:]
        }
        return logits
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let output = nodes.last, let logits = activations[output.id] else {
            throw NetworkError.missingForward(layer: name)
        }
        guard outputGradient.shape == logits.shape else {
            throw NetworkError.shapeMismatch(layer: "\(name) (output gradient)", expected: logits.shape, actual: outputGradient.shape)
        }
        var gradients: [Int: Tensor] = [output.id: outputGradient]
        for node in nodes.dropFirst().reversed() {
            guard let activation = activations[node.id] else { throw NetworkError.missingForward(layer: name) }
            let outputGrad = gradients.removeValue(forKey: node.id) ?? Tensor(zeros: activation.shape)
            let preGradient = node.isOutput
                ? outputGrad
                : try RectifiedLinear.backward(outputGradient: outputGrad, output: activation)
            if let bias = node.bias {
                let sums = preGradient.sumPerChannel()
                bias.gradient.withUnsafeMutableBufferPointer { g in
                    for c in 0..<sums.count { g[c] += sums[c] }
                }
            }
            for edge in incomingEdges(of: node.id) where edge.isActive || computesCandidateGradients {
                let sourceGradient = try backpropagate(edge, into: node, preGradient: preGradient, needsInput: edge.isActive)
                if let sourceGradient {
                    if gradients[edge.source] == nil { gradients[edge.source] = sourceGradient } else { try gradients[edge.source]!.add(sourceGradient) }
                }
            }
            if computesCandidateGradients {
                try accumulateCandidateGradients(for: node, preGradient: preGradient)
            }
        }
        return gradients[nodes[0].id] ?? Tensor(zeros: activations[nodes[0].id]?.shape ?? [])
    }

    /// The number of real channels of hidden nodes whose output (after ReLU) is exactly zero for every
    /// sample of `inputs`: they take no part in the network's function and receive no gradient.
    public func deadChannels(on inputs: Tensor) throws -> Int {
        try deadChannelList(on: [inputs]).count
    }

    /// The real channels of hidden nodes that are zero for every sample of every tensor in `inputs`.
    public func deadChannelList(on inputs: [Tensor]) throws -> [(node: Int, channel: Int)] {
        var alive: [Int: Set<Int>] = [:]
        for input in inputs {
            _ = try forward(input, mode: .training)
            for node in nodes.dropFirst() where !node.isOutput {
                guard let activation = activations[node.id] else { continue }
                for channel in node.realChannels where !(alive[node.id]?.contains(channel) ?? false) && activation.isActive(channel: channel) {
                    alive[node.id, default: []].insert(channel)
                }
            }
        }
        activations = [:]
        reducedInputs = [:]
        return nodes.dropFirst().filter { !$0.isOutput }.flatMap { node in
            node.realChannels.filter { !(alive[node.id]?.contains($0) ?? false) }.map { (node.id, $0) }
        }
    }

    // MARK: Connection arithmetic

    /// `W · input(source)` for one connection, plus the target's bias when asked.
    private func apply(_ edge: GrowingEdge, into node: GrowingNode, addingBias: Bool) throws -> Tensor {
        guard let sourceNode = self.node(edge.source) else { throw NetworkError.missingForward(layer: name) }
        let input = try reducedInput(of: sourceNode, for: node).value
        let weight = edge.weight.value
        if node.isConvolution {
            return try naming(name) {
                try Convolution2D.forward(input: input, weight: weight, bias: addingBias ? node.bias?.value : nil,
                                          geometry: GrowingEdge.convolutionGeometry(of: edge.weight), algorithm: edge.convolutionAlgorithm)
            }
        }
        let batch = input.shape[0], outputs = weight.shape[0], inputs = weight.count / max(1, outputs)
        var result = Tensor(zeros: [batch, outputs])
        if addingBias, let bias = node.bias {
            result.withUnsafeMutableBufferPointer { y in
                for n in 0..<batch { for o in 0..<outputs { y[n * outputs + o] = bias.value[flat: o] } }
            }
        }
        input.withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                result.withUnsafeMutableBufferPointer { y in
                    Gemm.parallelMultiply(x.baseAddress!, w.baseAddress!, transposeB: true, into: y.baseAddress!,
                                          m: batch, n: outputs, k: inputs, beta: 1)
                }
            }
        }
        return result
    }

    /// Accumulates the connection's weight gradient and returns the gradient for its source node.
    private func backpropagate(_ edge: GrowingEdge, into node: GrowingNode, preGradient: Tensor, needsInput: Bool) throws -> Tensor? {
        guard let sourceNode = self.node(edge.source) else { throw NetworkError.missingForward(layer: name) }
        let reduced = try reducedInput(of: sourceNode, for: node)
        let inputGradient = try weightGradient(of: edge.weight, input: reduced.value, preGradient: preGradient,
                                               isConvolution: node.isConvolution, algorithm: edge.convolutionAlgorithm,
                                               needsInputGradient: needsInput)
        guard let inputGradient else { return nil }
        return try reduced.backward(inputGradient)
    }

    /// Adds `∂L/∂W` for `weight` (given its input and the target's pre-activation gradient) and
    /// returns `∂L/∂input` when asked.
    private func weightGradient(of weight: Parameter, input: Tensor, preGradient: Tensor, isConvolution: Bool,
                                algorithm: ConvolutionAlgorithm = .automatic, needsInputGradient: Bool) throws -> Tensor? {
        if isConvolution {
            var noBias: Tensor?
            return try naming(name) {
                try Convolution2D.backward(outputGradient: preGradient, input: input, weight: weight.value,
                                           geometry: GrowingEdge.convolutionGeometry(of: weight),
                                           weightGradient: &weight.gradient, biasGradient: &noBias, needsInputGradient: needsInputGradient,
                                           algorithm: algorithm)
            }
        }
        let batch = input.shape[0], outputs = weight.shape[0], inputs = weight.count / max(1, outputs)
        preGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    Gemm.parallelMultiply(dy.baseAddress!, transposeA: true, x.baseAddress!, into: dw.baseAddress!,
                                          m: outputs, n: inputs, k: batch, beta: 1)
                }
            }
        }
        guard needsInputGradient else { return nil }
        var inputGradient = Tensor(zeros: input.shape)
        preGradient.withUnsafeBufferPointer { dy in
            weight.value.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    Gemm.parallelMultiply(dy.baseAddress!, w.baseAddress!, into: dx.baseAddress!, m: batch, n: inputs, k: outputs)
                }
            }
        }
        return inputGradient
    }

    /// Gradients of connections and layers that do not exist yet (scoring mode only).
    private func accumulateCandidateGradients(for node: GrowingNode, preGradient: Tensor) throws {
        for (key, weight) in connectionCandidates where key.target == node.id {
            guard let sourceNode = self.node(key.source) else { continue }
            let input = try reducedInput(of: sourceNode, for: node).value
            _ = try weightGradient(of: weight, input: input, preGradient: preGradient, isConvolution: node.isConvolution, needsInputGradient: false)
        }
        // An identity layer after `node` would see `node`'s output as input, and its pre-activation
        // gradient equals `node`'s (ReLU passes exactly where `node`'s ReLU passed).
        if let weight = insertionCandidates[node.id], let activation = activations[node.id] {
            let flat = node.isConvolution ? activation : try activation.reshaped([activation.shape[0], activation.count / activation.shape[0]])
            _ = try weightGradient(of: weight, input: flat, preGradient: preGradient, isConvolution: node.isConvolution, needsInputGradient: false)
        }
    }

    private func biasOnly(_ node: GrowingNode, batch: Int) -> Tensor {
        let size = node.isConvolution ? spatialSize(stage: node.stage) : (1, 1)
        let shape = node.isConvolution ? [batch, node.channelCount, size.0, size.1] : [batch, node.channelCount]
        var result = Tensor(zeros: shape)
        guard let bias = node.bias else { return result }
        let plane = size.0 * size.1
        result.withUnsafeMutableBufferPointer { y in
            for n in 0..<batch {
                for c in 0..<node.channelCount {
                    let start = (n * node.channelCount + c) * plane
                    for i in 0..<plane { y[start + i] = bias.value[flat: c] }
                }
            }
        }
        return result
    }

    // MARK: Reductions between nodes

    private enum Reduction: Hashable {
        case identity, maxPool, globalAveragePool, flatten
    }

    private struct ReductionKey: Hashable {
        let source: Int
        let reduction: Reduction
    }

    /// A source node's output as a connection into some target sees it, and how to send gradients back.
    private struct ReducedInput {
        let value: Tensor
        let backward: (Tensor) throws -> Tensor
    }

    private func reduction(from source: GrowingNode, to target: GrowingNode) -> Reduction {
        if target.isConvolution { return target.stage > source.stage ? .maxPool : .identity }
        switch source.kind {
        case .convolution: return headReduction == .flatten ? .flatten : .globalAveragePool
        case .input: return inputShape.count == 3 ? .flatten : .identity
        case .linear: return .identity
        }
    }

    private func reducedInput(of source: GrowingNode, for target: GrowingNode) throws -> ReducedInput {
        let kind = reduction(from: source, to: target)
        let key = ReductionKey(source: source.id, reduction: kind)
        if let cached = reducedInputs[key] { return cached }
        guard let activation = activations[source.id] else { throw NetworkError.missingForward(layer: name) }
        let shape = activation.shape
        let reduced: ReducedInput
        switch kind {
        case .identity:
            reduced = ReducedInput(value: activation, backward: { $0 })
        case .maxPool:
            let pooled = try MaxPooling2D.forward(input: activation, geometry: PoolingGeometry(kernelSize: 2, stride: 2))
            reduced = ReducedInput(value: pooled.output, backward: { try MaxPooling2D.backward(outputGradient: $0, selection: pooled.selection) })
        case .globalAveragePool:
            reduced = ReducedInput(value: try GlobalAveragePooling.forward(input: activation),
                                   backward: { try GlobalAveragePooling.backward(outputGradient: $0, inputShape: shape) })
        case .flatten:
            reduced = ReducedInput(value: try activation.reshaped([shape[0], activation.count / max(1, shape[0])]),
                                   backward: { try $0.reshaped(shape) })
        }
        reducedInputs[key] = reduced
        return reduced
    }
}
