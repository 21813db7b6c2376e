import ArchitectureSearch
import TensorCore

/// One layer of a ``CompactNetwork``: the kept channels of a `GrowingNode`.
public struct CompactNode: Sendable, Equatable {
    /// The identifier of the growing network's node it comes from; ``CompactEdge`` refers to nodes by it.
    public let id: Int
    /// What the node computes: input, a convolution with padding `kernelSize / 2` and stride 1, or a linear layer.
    public let kind: GrowingNode.Kind
    /// For convolutional nodes, the number of 2x2 max-pool reductions before it; `-1` for linear nodes.
    public let stage: Int
    /// Whether this is the output node (logits, no ReLU).
    public let isOutput: Bool
    /// For each kept channel, its index among the growing node's channels, in increasing order.
    public let keptChannels: [Int]
    /// One bias per kept channel (absent biases are zero); `nil` for the input node.
    public let bias: Tensor?
    /// A plain name for the layer: `input`, `conv1`, `conv2`, …, `linear1`, …, `output`.
    public let name: String

    /// A node from its parts.
    public init(id: Int, kind: GrowingNode.Kind, stage: Int, isOutput: Bool, keptChannels: [Int], bias: Tensor?, name: String) {
        self.id = id
        self.kind = kind
        self.stage = stage
        self.isOutput = isOutput
        self.keptChannels = keptChannels
        self.bias = bias
        self.name = name
    }

    /// The number of channels (or neurons).
    public var channelCount: Int { keptChannels.count }

    /// The kernel size of a convolutional node, `nil` otherwise.
    public var kernelSize: Int? {
        if case let .convolution(size) = kind { return size }
        return nil
    }
}
