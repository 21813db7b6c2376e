import ArchitectureSearch
import NeuralNetwork
import TensorCore

extension GrowingNetwork {
    /// The network without its absent parts: a ``CompactNetwork`` whose outputs equal this network's.
    ///
    /// The network computes with `α ⊙ W`; compaction keeps what can change its output and drops the rest:
    /// - placeholder channels (their outgoing weights are absent, so they feed nothing);
    /// - hidden channels that are zero for every input: no present incoming weight from a kept channel, and a bias
    ///   that is absent or not positive (ReLU of it is zero);
    /// - hidden channels that feed nothing: no present outgoing weight into a kept channel;
    /// - connections with no present weight between kept channels, and hidden nodes with no kept channel.
    ///
    /// Dropping one channel can leave another without inputs or without a use, so the rules are applied until
    /// nothing changes. The input's channels and the output's (the classes) are all kept. Weights are copied as
    /// `α ⊙ W`: an absent entry between two kept channels becomes an explicit zero.
    /// - Throws: ``ModelExportError/invalidNetwork(_:)`` if the parts left do not form a network (which a well-formed
    ///   growing network never gives).
    public func compacted() throws -> CompactNetwork {
        let kept = keptChannels()
        var compactNodes: [CompactNode] = []
        var convolutions = 0, linears = 0
        for node in nodes {
            let channels = kept[node.id, default: []]
            guard node.kind == .input || node.isOutput || !channels.isEmpty else { continue }
            let name: String
            switch node.kind {
            case .input: name = "input"
            case .convolution: convolutions += 1; name = "conv\(convolutions)"
            case .linear: if node.isOutput { name = "output" } else { linears += 1; name = "linear\(linears)" }
            }
            let bias = node.bias.map { parameter in
                Tensor(shape: [channels.count], scalars: channels.map { parameter.mask.isActive($0) ? parameter.value[flat: $0] : 0 })
            }
            compactNodes.append(CompactNode(id: node.id, kind: node.kind, stage: node.stage, isOutput: node.isOutput,
                                            keptChannels: channels, bias: bias, name: name))
        }
        var compactEdges: [CompactEdge] = []
        for target in compactNodes.dropFirst() {
            for edge in incomingEdges(of: target.id) where edge.isActive {
                guard let source = compactNodes.first(where: { $0.id == edge.source }),
                      let compactEdge = compactEdge(edge, from: source, to: target) else { continue }
                compactEdges.append(compactEdge)
            }
        }
        return try CompactNetwork(inputShape: inputShape, headReduction: headReduction, nodes: compactNodes, edges: compactEdges)
    }

    /// The channels of every node that compaction keeps, by node id, in increasing order.
    private func keptChannels() -> [Int: [Int]] {
        var kept: [Int: [Bool]] = [:]
        for node in nodes {
            let isHidden = node.kind != .input && !node.isOutput
            kept[node.id] = isHidden ? node.isPlaceholder.map { !$0 } : [Bool](repeating: true, count: node.channelCount)
        }
        let links = edges.filter(\.isActive).map(ChannelLinks.init)
        var changed = true
        while changed {
            changed = false
            for node in nodes where node.kind != .input && !node.isOutput {
                let incoming = links.filter { $0.target == node.id }
                let outgoing = links.filter { $0.source == node.id }
                for channel in 0..<node.channelCount where kept[node.id]![channel] {
                    let bias = node.bias.map { $0.mask.isActive(channel) ? $0.value[flat: channel] : 0 } ?? 0
                    let canBeNonZero = bias > 0 || incoming.contains { link in
                        kept[link.source]!.indices.contains { kept[link.source]![$0] && link.isPresent(target: channel, source: $0) }
                    }
                    let feedsSomething = outgoing.contains { link in
                        kept[link.target]!.indices.contains { kept[link.target]![$0] && link.isPresent(target: $0, source: channel) }
                    }
                    if !canBeNonZero || !feedsSomething {
                        kept[node.id]![channel] = false
                        changed = true
                    }
                }
            }
        }
        return kept.mapValues { flags in flags.indices.filter { flags[$0] } }
    }

    /// The compact form of `edge` between the kept channels of `source` and `target`, or `nil` when no present
    /// weight joins them.
    private func compactEdge(_ edge: GrowingEdge, from source: CompactNode, to target: CompactNode) -> CompactEdge? {
        let weight = edge.weight, shape = weight.shape
        let sourceChannels = shape[1], area = shape[2...].reduce(1, *)
        var scalars: [Float] = []
        scalars.reserveCapacity(target.channelCount * source.channelCount * area)
        var anyPresent = false
        for row in target.keptChannels {
            for column in source.keptChannels {
                let start = (row * sourceChannels + column) * area
                for index in start..<(start + area) {
                    let present = weight.mask.isActive(index)
                    anyPresent = anyPresent || present
                    scalars.append(present ? weight.value[flat: index] : 0)
                }
            }
        }
        guard anyPresent else { return nil }
        let compactShape = target.kernelSize != nil
            ? [target.channelCount, source.channelCount] + Array(shape[2...])
            : [target.channelCount, source.channelCount * area]
        return CompactEdge(source: source.id, target: target.id, reduction: reduction(from: source, to: target),
                           weight: Tensor(shape: compactShape, scalars: scalars))
    }

    /// How the output of `source` reaches `target`, as `GrowingNetwork`'s forward pass reduces it.
    private func reduction(from source: CompactNode, to target: CompactNode) -> CompactEdge.Reduction {
        if target.kernelSize != nil { return target.stage > source.stage ? .maxPool : .identity }
        switch source.kind {
        case .convolution: return headReduction == .flatten ? .flatten : .globalAveragePool
        case .input: return inputShape.count == 3 ? .flatten : .identity
        case .linear: return .identity
        }
    }
}

/// Which (target channel, source channel) pairs of a connection have at least one present weight.
private struct ChannelLinks {
    let source: Int, target: Int
    private let sourceChannels: Int
    private let present: [Bool]

    init(_ edge: GrowingEdge) {
        source = edge.source
        target = edge.target
        let shape = edge.weight.shape
        sourceChannels = shape[1]
        let area = shape[2...].reduce(1, *)
        var present = [Bool](repeating: false, count: shape[0] * shape[1])
        for index in 0..<edge.weight.count where edge.weight.mask.isActive(index) { present[index / area] = true }
        self.present = present
    }

    func isPresent(target row: Int, source column: Int) -> Bool { present[row * sourceChannels + column] }
}
