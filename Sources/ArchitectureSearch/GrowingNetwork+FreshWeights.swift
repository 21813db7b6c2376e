import NeuralNetwork
import TensorCore

/// Training a searched architecture from scratch: the usual test of what a search found, which separates the
/// architecture from the weights it grew with.
extension GrowingNetwork {
    /// The same architecture (nodes with their real channels, connections with their present entries) with new
    /// random weights drawn by `seed` and no placeholders, so that it trains as a fixed network. It keeps this
    /// network's growth limits: a later search from it replenishes placeholders and grows as from any network.
    ///
    /// Each weight is drawn uniformly within `√(6 / fan-in)`, where the fan-in is what its target channel has present
    /// in that connection (as ``connect(from:to:density:)`` draws a connection of uniform density); biases within
    /// `1 / √fan-in`, the fan-in over the real channels of all incoming connections. Throws when the network has no
    /// output node.
    public func withFreshWeights(seed: UInt64) throws -> GrowingNetwork {
        guard outputNode != nil else {
            throw NetworkError.invalidConfiguration(layer: name, reason: "only a network with an output node can be trained")
        }
        var withoutPlaceholders = limits
        withoutPlaceholders.placeholderRange = 0...0
        let fresh = try GrowingNetwork(name: name, inputShape: inputShape, headReduction: headReduction,
                                       limits: withoutPlaceholders, seed: seed)
        var identifiers = [0: 0]
        for node in nodes.dropFirst() {
            identifiers[node.id] = try fresh.appendNode(kind: node.kind, stage: node.stage, channels: node.realChannelCount,
                                                        isOutput: node.isOutput)
        }
        var fanIn: [Int: Int] = [:]
        for edge in edges where edge.isActive {
            guard let source = node(edge.source), let target = node(edge.target),
                  let sourceID = identifiers[edge.source], let targetID = identifiers[edge.target] else { continue }
            let copy = try fresh.connect(from: sourceID, to: targetID, density: 1)
            let area = edge.weight.shape[2...].reduce(1, *), rowLength = source.realChannelCount * area
            var mask = ArchitectureMask(shape: copy.weight.shape, allActive: false)
            for (row, oldRow) in target.realChannels.enumerated() {
                for (column, oldColumn) in source.realChannels.enumerated() {
                    for k in 0..<area where edge.weight.mask.isActive((oldRow * source.channelCount + oldColumn) * area + k) {
                        mask.set((row * source.realChannelCount + column) * area + k, active: true)
                    }
                }
            }
            copy.weight.applyMask(mask)
            for row in 0..<target.realChannelCount {
                let entries = (row * rowLength)..<((row + 1) * rowLength)
                let bound = Float((6 / Double(max(1, entries.filter(mask.isActive).count))).squareRoot())
                for index in entries where mask.isActive(index) {
                    copy.weight.value[flat: index] = fresh.generator.uniform(-bound, bound)
                }
            }
            fanIn[targetID, default: 0] += rowLength
        }
        for node in fresh.nodes {
            guard let bias = node.bias else { continue }
            let bound = Float(1 / Double(max(1, fanIn[node.id] ?? 0)).squareRoot())
            for channel in node.realChannels where bias.mask.isActive(channel) {
                bias.value[flat: channel] = fresh.generator.uniform(-bound, bound)
            }
        }
        // The same network under this network's limits: none of its nodes has a placeholder until something grows it.
        let result = GrowingNetwork(name: name, inputShape: inputShape, headReduction: headReduction, limits: limits,
                                    generator: fresh.generator, nodes: fresh.nodes, nextIdentifier: fresh.nextIdentifier)
        result.edges = fresh.edges
        return result
    }
}
