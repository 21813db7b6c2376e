import ArchitectureSearch
import TensorCore

/// A plain network: what is left of a `GrowingNetwork` once every absent channel, kernel and connection is taken
/// out (`GrowingNetwork.compacted()`).
///
/// It has the growing network's graph (nodes in topological order, each summing its incoming connections, adding
/// its bias and applying ReLU, except the output node, whose sum is the logits) with dense weights and no masks:
/// every channel left is a real channel that can be non-zero and reaches the output. Within a connection that is
/// kept, an absent kernel between two kept channels is stored as zeros (a dense convolution has no holes).
///
/// Its ``forward(_:)`` computes the masked network's logits on the same (normalised) inputs, up to the rounding of
/// sums taken over fewer terms (convolutions use im2col and GEMM, the more exact of the two algorithms).
public struct CompactNetwork: Sendable, Equatable {
    /// The shape of one input sample: `[C, H, W]` for images, `[F]` for vectors, as the growing network's.
    public let inputShape: [Int]
    /// How the last convolutional stage feeds linear nodes.
    public let headReduction: HeadReduction
    /// The nodes in topological order; `nodes[0]` is the input, the last is the output.
    public let nodes: [CompactNode]
    /// The connections, grouped by target in node order and, for one target, in the growing network's order.
    public let edges: [CompactEdge]

    /// A network from its parts (as the compaction makes them, or as read back from an export's description).
    /// - Throws: ``ModelExportError/invalidNetwork(_:)`` unless `nodes` starts with the input and ends with the output
    ///   and every edge joins two of them.
    public init(inputShape: [Int], headReduction: HeadReduction, nodes: [CompactNode], edges: [CompactEdge]) throws {
        guard nodes.first?.kind == .input, nodes.last?.isOutput == true else {
            throw ModelExportError.invalidNetwork("it must run from its input node to its output node")
        }
        let identifiers = Set(nodes.map(\.id))
        if let stray = edges.first(where: { !identifiers.contains($0.source) || !identifiers.contains($0.target) }) {
            throw ModelExportError.invalidNetwork("a connection from node \(stray.source) to node \(stray.target) joins a node it does not have")
        }
        self.inputShape = inputShape
        self.headReduction = headReduction
        self.nodes = nodes
        self.edges = edges
    }

    /// The node with identifier `id`.
    public func node(_ id: Int) -> CompactNode? { nodes.first { $0.id == id } }

    /// The connections into node `id`, in the order they are summed.
    public func incomingEdges(of id: Int) -> [CompactEdge] { edges.filter { $0.target == id } }

    /// The output node, whose channels are the logits.
    public var outputNode: CompactNode { nodes[nodes.count - 1] }

    /// The number of classes: the output node's channels.
    public var classCount: Int { outputNode.channelCount }

    /// Every stored weight and bias entry, zeros of absent kernels included.
    public var storedParameterCount: Int {
        nodes.reduce(0) { $0 + ($1.bias?.count ?? 0) } + edges.reduce(0) { $0 + $1.weight.count }
    }

    /// The spatial size of a convolutional node in `stage` (the input's for stage 0), halved once per stage.
    public func spatialSize(stage: Int) -> (height: Int, width: Int) {
        guard inputShape.count == 3 else { return (1, 1) }
        var size = (height: inputShape[1], width: inputShape[2])
        for _ in 0..<max(0, stage) { size = (size.height / 2, size.width / 2) }
        return size
    }

    /// The shape of node `node`'s output for one sample: `[C, H, W]` or `[C]`.
    public func sampleShape(of node: CompactNode) -> [Int] {
        switch node.kind {
        case .input: return inputShape
        case .linear: return [node.channelCount]
        case .convolution:
            let size = spatialSize(stage: node.stage)
            return [node.channelCount, size.height, size.width]
        }
    }
}
