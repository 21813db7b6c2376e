import TensorCore

/// A connection of a ``CompactNetwork``: the source node's output, reduced to what the target reads, times a dense
/// weight, added into the target's pre-activation.
public struct CompactEdge: Sendable, Equatable {
    /// How a source node's output is brought to the form its target reads.
    public enum Reduction: String, Sendable, Codable, Equatable {
        /// As it is (same stage, or vector into vector).
        case identity
        /// A 2x2 max-pool with stride 2 (into the next convolutional stage; odd sizes round down).
        case maxPool
        /// The mean of each channel's feature map (the last stage into a linear node).
        case globalAveragePool
        /// Each sample's `C x H x W` values in row-major order (a feature map into a linear node).
        case flatten
    }

    /// The identifier of the source node.
    public let source: Int
    /// The identifier of the target node.
    public let target: Int
    /// How the source's output is reduced first.
    public let reduction: Reduction
    /// The weight: `[targetChannels, sourceChannels, k, k]` into a convolutional node, `[targetChannels, inputs]`
    /// into a linear node, where `inputs` is the number of values of the reduced source per sample.
    public let weight: Tensor

    /// A connection from its parts.
    public init(source: Int, target: Int, reduction: Reduction, weight: Tensor) {
        self.source = source
        self.target = target
        self.reduction = reduction
        self.weight = weight
    }
}
