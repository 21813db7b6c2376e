import NeuralNetwork
import TensorCore

/// Building and growing a ``GrowingNetwork``. Every operation marked *function-preserving* leaves
/// the network's output unchanged at the moment it happens (Figure 1).
extension GrowingNetwork {
    // MARK: Building

    /// Appends a node after all existing nodes, with `channels` real channels, a margin of
    /// placeholders (none for the output node) and a zero bias over its real channels.
    @discardableResult
    public func appendNode(kind: GrowingNode.Kind, stage: Int, channels: Int, isOutput: Bool = false) throws -> Int {
        guard channels >= 1, channels <= limits.maxChannels else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "a node needs 1...\(limits.maxChannels) channels, got \(channels)")
        }
        if case let .convolution(size) = kind, size < 1 || size % 2 == 0 {
            throw NetworkError.invalidConfiguration(layer: name, reason: "convolution kernels must be odd and positive, got \(size)")
        }
        guard kind != .input, outputNode == nil else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "nodes cannot be appended after the output node")
        }
        let placeholders = isOutput ? 0 : limits.placeholderTarget(realChannels: channels)
        let flags = [Bool](repeating: false, count: channels) + [Bool](repeating: true, count: placeholders)
        let id = nextIdentifier
        nextIdentifier += 1
        let bias = Parameter(name: "node\(id).bias", role: .bias, value: Tensor(zeros: [flags.count]))
        bias.applyMask(ArchitectureMask(shape: [flags.count], flags: flags.map { !$0 }))
        nodes.append(GrowingNode(id: id, kind: kind, stage: kind == .linear ? -1 : stage, isOutput: isOutput,
                                 isPlaceholder: flags, bias: bias))
        return id
    }

    /// Connects two nodes with PyTorch's default initialisation. Each real-to-real kernel (or
    /// linear weight) is present with probability `density`; placeholder rows of the target get
    /// probe weights. When the target has no other connection its bias is initialised too.
    @discardableResult
    public func connect(from sourceID: Int, to targetID: Int, density: Double = 1) throws -> GrowingEdge {
        let (source, target) = try connectableNodes(sourceID, targetID)
        let shape = weightShape(from: source, to: target)
        let area = shape[2...].reduce(1, *)
        let fanIn = source.realChannelCount * area
        let bound = Float(1 / Double(max(1, fanIn)).squareRoot())
        let weightBound = Float((6 / (Double(max(1, fanIn)) * density)).squareRoot())
        let weight = Parameter(name: "edge\(nextIdentifier).weight", role: .weight, value: Tensor(zeros: shape))
        var mask = ArchitectureMask(shape: shape, allActive: false)
        let sourceReal = source.realChannels
        for row in target.realChannels {
            // Every real channel gets at least one present input: a channel fed by its bias alone is constant.
            var columns = sourceReal.filter { _ in generator.nextUnitDouble() < density }
            if columns.isEmpty, !sourceReal.isEmpty { columns = [sourceReal[generator.nextIndex(below: sourceReal.count)]] }
            for column in columns {
                for k in 0..<area {
                    let index = (row * source.channelCount + column) * area + k
                    mask.set(index, active: true)
                    weight.value[flat: index] = generator.uniform(-weightBound, weightBound)
                }
            }
        }
        weight.mask = mask
        let edge = GrowingEdge(id: nextIdentifier, source: sourceID, target: targetID, weight: weight)
        nextIdentifier += 1
        let isFirst = incomingEdges(of: targetID).isEmpty
        edges.append(edge)
        fillProbeRows(of: edge)
        if isFirst, let bias = target.bias {
            for channel in target.realChannels { bias.value[flat: channel] = generator.uniform(-bound, bound) }
        }
        return edge
    }

    private func connectableNodes(_ sourceID: Int, _ targetID: Int) throws -> (GrowingNode, GrowingNode) {
        guard let source = node(sourceID), let target = node(targetID) else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "no node \(sourceID) or \(targetID)")
        }
        guard allowsConnection(from: source, to: target) else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "the template does not allow a connection \(sourceID)->\(targetID)")
        }
        guard !edges.contains(where: { $0.source == sourceID && $0.target == targetID }) else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "connection \(sourceID)->\(targetID) exists already")
        }
        return (source, target)
    }

    // MARK: Placeholder nodes (Figure 1, centre)

    /// Gives placeholder rows of `edge` random probe weights over the source's real channels.
    /// Function-preserving: placeholders have no present outgoing weights.
    func fillProbeRows(of edge: GrowingEdge, rows: [Int]? = nil) {
        guard edge.isActive, let source = node(edge.source), let target = node(edge.target) else { return }
        let bound = initialisationBound(of: edge.weight, from: source)
        for row in rows ?? target.placeholderChannels {
            for index in entries(of: edge.weight, into: row, from: source) { edge.weight.value[flat: index] = generator.uniform(-bound, bound) }
        }
    }

    /// The flat indices of `weight` (laid out `[targetChannels, sourceChannels, area]`) that join every real
    /// channel of `source` to target channel `row`, tap by tap.
    func entries(of weight: Parameter, into row: Int, from source: GrowingNode) -> [Int] {
        let area = weight.shape[2...].reduce(1, *)
        return source.realChannels.flatMap { column in
            let start = (row * source.channelCount + column) * area
            return start..<(start + area)
        }
    }

    /// PyTorch's default bound `√(6 / fan-in)` for weights of `weight` from the real channels of `source`
    /// (probes, and dead channels drawn anew).
    private func initialisationBound(of weight: Parameter, from source: GrowingNode) -> Float {
        Float((6 / Double(max(1, source.realChannelCount * weight.shape[2...].reduce(1, *)))).squareRoot())
    }

    /// The entries that promoting placeholder `channel` of node `nodeID` would add: its bias and its
    /// incoming weights from real source channels over present connections.
    public func promotionEntries(node nodeID: Int, channel: Int) -> [(parameter: Parameter, index: Int)] {
        guard let target = node(nodeID), channel < target.channelCount, target.isPlaceholder[channel], let bias = target.bias else { return [] }
        var entries: [(Parameter, Int)] = [(bias, channel)]
        for edge in incomingEdges(of: nodeID) where edge.isActive {
            guard let source = node(edge.source) else { continue }
            entries += self.entries(of: edge.weight, into: channel, from: source).map { (edge.weight, $0) }
        }
        return entries
    }

    /// How many ``promotionEntries(node:channel:)`` there are, counted without listing them (a cost is needed
    /// for every scored unit of an expansion).
    public func promotionCost(node nodeID: Int, channel: Int) -> Int {
        guard let target = node(nodeID), channel < target.channelCount, target.isPlaceholder[channel], target.bias != nil else { return 0 }
        return incomingEdges(of: nodeID).reduce(1) { total, edge in
            guard edge.isActive, let source = node(edge.source) else { return total }
            return total + source.realChannelCount * edge.weight.shape[2...].reduce(1, *)
        }
    }

    /// Turns placeholder `channel` of node `nodeID` into a real channel. Function-preserving: its
    /// outgoing weights are still zero. The probe weights are kept; the bias starts at zero.
    public func promote(node nodeID: Int, channel: Int) {
        guard let index = index(ofNode: nodeID), nodes[index].isPlaceholder.indices.contains(channel),
              nodes[index].isPlaceholder[channel] else { return }
        for (parameter, entry) in promotionEntries(node: nodeID, channel: channel) {
            let value = parameter.value[flat: entry]
            parameter.activate(entry, initialValue: value)
        }
        nodes[index].isPlaceholder[channel] = false
    }

    /// Adds placeholder channels until node `nodeID` has its target margin. Function-preserving.
    public func replenishPlaceholders(node nodeID: Int) {
        guard let index = index(ofNode: nodeID), !nodes[index].isOutput, nodes[index].kind != .input else { return }
        let node = nodes[index]
        let missing = limits.placeholderTarget(realChannels: node.realChannelCount) - node.placeholderChannels.count
        guard missing > 0 else { return }
        let oldCount = node.channelCount, newCount = oldCount + missing
        nodes[index].isPlaceholder += [Bool](repeating: true, count: missing)
        node.bias?.grow(to: [newCount])
        for edgeIndex in edges.indices where edges[edgeIndex].target == nodeID || edges[edgeIndex].source == nodeID {
            var shape = edges[edgeIndex].weight.shape
            shape[edges[edgeIndex].target == nodeID ? 0 : 1] = newCount
            edges[edgeIndex].weight.grow(to: shape)
            if edges[edgeIndex].target == nodeID {
                fillProbeRows(of: edges[edgeIndex], rows: Array(oldCount..<newCount))
            }
        }
    }

    // MARK: Dead channels

    /// Gives every real hidden channel that is zero on all of `inputs` fresh incoming weights, as a promoted
    /// placeholder has, a zero bias and zero outgoing weights; returns how many it re-initialised (a channel
    /// without any present incoming weight stays dead, and is still counted by ``deadChannels(on:)``). The
    /// trained outgoing weights of a channel that fires rarely, but not on `inputs`, are lost: the callers
    /// pass the scoring batches, and the audit's probe-batch loss shows when that mattered. The architecture (every
    /// mask) is unchanged, and so is the output on `inputs`, where the channel contributed nothing (and on
    /// any input where it was zero). The channel's present outgoing weights then receive the gradient of a
    /// live channel, so it trains again instead of holding budget that no gradient reaches.
    ///
    /// A drawn weight vector `w` can still give `w · x ≤ 0` on every sample (inputs after a ReLU are
    /// non-negative); such a channel gets `−w`, which is positive wherever `w · x` was not zero. Its
    /// outgoing weights are zero, so re-initialising one channel never changes another's input.
    @discardableResult
    public func reviveDeadChannels(on inputs: [Tensor]) throws -> Int {
        let dead = try deadChannelList(on: inputs)
        guard !dead.isEmpty else { return 0 }
        for (nodeID, channel) in dead {
            updateIncomingWeights(of: nodeID, channel: channel) { bound, _ in self.generator.uniform(-bound, bound) }
            if let bias = node(nodeID)?.bias, bias.mask.isActive(channel) {
                bias.value[flat: channel] = 0
                bias.resetOptimizerState(at: channel)
            }
            for edge in edges where edge.source == nodeID {
                let shape = edge.weight.shape, area = shape[2...].reduce(1, *)
                for row in 0..<shape[0] {
                    for k in 0..<area {
                        let index = (row * shape[1] + channel) * area + k
                        guard edge.weight.mask.isActive(index) else { continue }
                        edge.weight.value[flat: index] = 0
                        edge.weight.resetOptimizerState(at: index)
                    }
                }
            }
        }
        for (nodeID, channel) in try deadChannelList(on: inputs) where dead.contains(where: { $0 == (nodeID, channel) }) {
            updateIncomingWeights(of: nodeID, channel: channel) { _, value in -value }
        }
        return dead.count
    }

    /// Sets every present weight from a real source channel into `channel` of node `nodeID` to
    /// `newValue(initialisationBound, oldValue)` and clears its optimizer state.
    private func updateIncomingWeights(of nodeID: Int, channel: Int, _ newValue: (Float, Float) -> Float) {
        for edge in incomingEdges(of: nodeID) where edge.isActive {
            guard let source = node(edge.source) else { continue }
            let bound = initialisationBound(of: edge.weight, from: source)
            for index in entries(of: edge.weight, into: channel, from: source) where edge.weight.mask.isActive(index) {
                edge.weight.value[flat: index] = newValue(bound, edge.weight.value[flat: index])
                edge.weight.resetOptimizerState(at: index)
            }
        }
    }

    // MARK: Connections (Figure 2, layer level)

    /// Adds a connection whose real-to-real entries are all present and zero. Function-preserving.
    @discardableResult
    public func addConnection(from sourceID: Int, to targetID: Int) throws -> GrowingEdge {
        let (source, target) = try connectableNodes(sourceID, targetID)
        let shape = weightShape(from: source, to: target)
        let weight = connectionCandidates.removeValue(forKey: ConnectionKey(source: sourceID, target: targetID))
            .flatMap { $0.shape == shape ? $0 : nil }
            ?? Parameter(name: "", role: .weight, value: Tensor(zeros: shape))
        weight.name = "edge\(nextIdentifier).weight"
        var mask = ArchitectureMask(shape: shape, allActive: false)
        for index in realEntries(of: weight, source: source, target: target) { mask.set(index, active: true) }
        weight.value = Tensor(zeros: shape)
        weight.optimizerState = [:]
        weight.mask = mask
        let edge = GrowingEdge(id: nextIdentifier, source: sourceID, target: targetID, weight: weight)
        nextIdentifier += 1
        edges.append(edge)
        fillProbeRows(of: edge)
        return edge
    }

    /// The number of entries ``addConnection(from:to:)`` would make present; 0 when the template does not
    /// allow the connection or it exists already.
    public func connectionCost(from sourceID: Int, to targetID: Int) -> Int {
        guard let source = node(sourceID), let target = node(targetID), allowsConnection(from: source, to: target),
              !edges.contains(where: { $0.source == sourceID && $0.target == targetID }) else { return 0 }
        return target.realChannelCount * source.realChannelCount * weightShape(from: source, to: target)[2...].reduce(1, *)
    }

    /// The flat indices of a connection weight from `source` into `target` that join real channels:
    /// what adding the connection makes present.
    func realEntries(of weight: Parameter, source: GrowingNode, target: GrowingNode) -> [Int] {
        target.realChannels.flatMap { entries(of: weight, into: $0, from: source) }
    }

    /// The flat indices of the identity that a layer inserted after `original` starts as: the centre tap
    /// joining each real channel to itself. (Their gradient is small on a trained network: ReLU is
    /// positively homogeneous, so it equals the node's own `Σ W ∂L/∂W + b ∂L/∂b` per channel, which training
    /// drives towards zero; a layer scores well only where training is far from a minimum.)
    func identityEntries(of original: GrowingNode) -> [Int] {
        let area = original.kernelSize * original.kernelSize, channels = original.channelCount
        return original.realChannels.map { ($0 * channels + $0) * area + area / 2 }
    }

    // MARK: New layers (Figure 1, right)

    /// Inserts a node right after node `nodeID` that computes `ReLU(1 · x + 0)` of that node's output,
    /// and moves every outgoing connection of `nodeID` to the new node. Function-preserving, because
    /// the ReLU output `x` is non-negative and `ReLU(x) = x`. Returns the new node's id.
    @discardableResult
    public func insertIdentityLayer(after nodeID: Int) throws -> Int {
        guard let index = index(ofNode: nodeID), nodes[index].kind != .input, !nodes[index].isOutput else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "an identity layer can only follow a hidden node, not \(nodeID)")
        }
        let original = nodes[index]
        if original.isConvolution, convolutionalNodeCount >= limits.maxConvolutionalLayers {
            throw NetworkError.invalidConfiguration(layer: name, reason: "the limit of \(limits.maxConvolutionalLayers) convolutional layers is reached")
        }
        if original.kind == .linear, hiddenLinearNodeCount >= limits.maxLinearLayers {
            throw NetworkError.invalidConfiguration(layer: name, reason: "the limit of \(limits.maxLinearLayers) hidden linear layers is reached")
        }
        let id = nextIdentifier
        nextIdentifier += 1
        let channels = original.channelCount
        let bias = Parameter(name: "node\(id).bias", role: .bias, value: Tensor(zeros: [channels]))
        bias.applyMask(ArchitectureMask(shape: [channels], flags: original.isPlaceholder.map { !$0 }))
        let inserted = GrowingNode(id: id, kind: original.kind, stage: original.stage, isOutput: false,
                                   isPlaceholder: original.isPlaceholder, bias: bias)
        let shape = weightShape(from: original, to: inserted)
        let weight = insertionCandidates.removeValue(forKey: nodeID).flatMap { $0.shape == shape ? $0 : nil }
            ?? Parameter(name: "", role: .weight, value: Tensor(zeros: shape))
        weight.name = "edge\(nextIdentifier).weight"
        weight.value = Tensor(zeros: shape)
        weight.optimizerState = [:]
        var mask = ArchitectureMask(shape: shape, allActive: false)
        for diagonal in identityEntries(of: original) {
            mask.set(diagonal, active: true)
            weight.value[flat: diagonal] = 1
        }
        weight.mask = mask
        for edgeIndex in edges.indices where edges[edgeIndex].source == nodeID {
            edges[edgeIndex].source = id
        }
        nodes.insert(inserted, at: index + 1)
        let edge = GrowingEdge(id: nextIdentifier, source: nodeID, target: id, weight: weight)
        nextIdentifier += 1
        edges.append(edge)
        fillProbeRows(of: edge)
        return id
    }

    /// The number of entries ``insertIdentityLayer(after:)`` makes present: a weight and a bias per real channel;
    /// 0 when the limits allow no layer there.
    public func insertionCost(after nodeID: Int) -> Int {
        guard allowsInsertion(after: nodeID) else { return 0 }
        return 2 * (node(nodeID)?.realChannelCount ?? 0)
    }

    /// Whether a layer may be inserted after node `nodeID` under the limits.
    public func allowsInsertion(after nodeID: Int) -> Bool {
        guard let node = node(nodeID), node.kind != .input, !node.isOutput else { return false }
        return node.isConvolution ? convolutionalNodeCount < limits.maxConvolutionalLayers
                                  : hiddenLinearNodeCount < limits.maxLinearLayers
    }

    // MARK: Candidates for structural growth

    /// Creates (zeroed) would-be weights for every allowed connection that does not exist yet and for
    /// an identity layer after every hidden node, so that a scoring pass can compute their gradients.
    public func prepareCandidateParameters() {
        connectionCandidates = [:]
        insertionCandidates = [:]
        for target in nodes.dropFirst() {
            for source in nodes where allowsConnection(from: source, to: target)
                && !edges.contains(where: { $0.source == source.id && $0.target == target.id }) {
                let shape = weightShape(from: source, to: target)
                let key = ConnectionKey(source: source.id, target: target.id)
                let weight = Parameter(name: "connection\(key).weight", role: .weight, value: Tensor(zeros: shape))
                weight.applyMask(ArchitectureMask(shape: shape, allActive: false))
                connectionCandidates[key] = weight
            }
            if allowsInsertion(after: target.id) {
                let shape = target.isConvolution
                    ? [target.channelCount, target.channelCount, target.kernelSize, target.kernelSize]
                    : [target.channelCount, target.channelCount, 1]
                let weight = Parameter(name: "layer-after-node\(target.id).weight", role: .weight, value: Tensor(zeros: shape))
                weight.applyMask(ArchitectureMask(shape: shape, allActive: false))
                insertionCandidates[target.id] = weight
            }
        }
    }

    /// Drops the would-be weights of structural candidates.
    public func discardCandidateParameters() {
        connectionCandidates = [:]
        insertionCandidates = [:]
    }

    // MARK: Snapshots

    /// A deep copy of the architecture and weights, for undoing a hyper-architecture step.
    public struct State {
        fileprivate let nodes: [GrowingNode]
        fileprivate let edges: [GrowingEdge]
        fileprivate let generator: RandomGenerator
        fileprivate let nextIdentifier: Int
    }

    /// Captures the current architecture, weights and optimizer state (see ``restore(_:)``).
    public func captureState() -> State {
        State(nodes: nodes.map { $0.copy() }, edges: edges.map { $0.copy() }, generator: generator, nextIdentifier: nextIdentifier)
    }

    /// Returns to a captured state (with fresh parameter objects, so the snapshot stays reusable).
    public func restore(_ state: State) {
        nodes = state.nodes.map { $0.copy() }
        edges = state.edges.map { $0.copy() }
        generator = state.generator
        nextIdentifier = state.nextIdentifier
        discardCandidateParameters()
    }
}
