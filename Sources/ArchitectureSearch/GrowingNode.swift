import NeuralNetwork
import TensorCore

/// One layer's output in a ``GrowingNetwork``: a feature map (convolutional nodes) or a vector (linear nodes).
///
/// A node has real channels and *placeholder* channels (Figure 1, centre). A placeholder computes a
/// value from random, untrained incoming "probe" weights, but all its outgoing weights are absent,
/// so it cannot change the network's output; those outgoing weights are search candidates. When one
/// of them is chosen the placeholder is promoted to a real channel: its probe weights and bias join
/// the architecture (and count against the budget), and a fresh placeholder takes its place.
public struct GrowingNode {
    /// What a node computes.
    public enum Kind: Equatable, Sendable, Codable {
        /// The network input; it has no parameters and never grows.
        case input
        /// A dimension-preserving convolution with a square kernel (padding `kernelSize / 2`), then ReLU.
        case convolution(kernelSize: Int)
        /// A fully connected layer, then ReLU (no ReLU on the output node).
        case linear
    }

    /// A stable identifier; edges refer to nodes by it.
    public let id: Int
    public let kind: Kind
    /// For convolutional nodes, the number of 2x2 reductions before this node (its spatial size is
    /// the input size halved `stage` times). Linear nodes use `-1`.
    public let stage: Int
    /// Whether this is the output node (logits, no ReLU, fixed width).
    public let isOutput: Bool
    /// One flag per channel: `true` for placeholder channels.
    public internal(set) var isPlaceholder: [Bool]
    /// The bias, one entry per channel (real and placeholder); `nil` for the input node.
    public internal(set) var bias: Parameter?

    /// All channels, real and placeholder: the size of this node's tensors.
    public var channelCount: Int { isPlaceholder.count }
    /// The channels that are part of the architecture.
    public var realChannels: [Int] { isPlaceholder.indices.filter { !isPlaceholder[$0] } }
    /// The number of real channels.
    public var realChannelCount: Int { isPlaceholder.lazy.filter { !$0 }.count }
    /// The channels that are placeholders.
    public var placeholderChannels: [Int] { isPlaceholder.indices.filter { isPlaceholder[$0] } }

    var isConvolution: Bool {
        if case .convolution = kind { return true }
        return false
    }

    var kernelSize: Int {
        if case let .convolution(size) = kind { return size }
        return 1
    }

    /// A deep copy (fresh parameter objects with the same contents).
    func copy() -> GrowingNode {
        var clone = self
        clone.bias = bias?.copy()
        return clone
    }
}

/// A weighted connection from one node's output into another node's pre-activation.
///
/// Weights are `[targetChannels, sourceChannels, k, k]` into convolutional nodes and
/// `[targetChannels, sourceChannels, area]` into linear nodes, where `area` is the number of
/// positions of a flattened source feature map (1 for vectors and globally pooled maps).
public struct GrowingEdge {
    public let id: Int
    public internal(set) var source: Int
    public let target: Int
    public internal(set) var weight: Parameter
    /// How a convolutional connection is computed: chosen once, from its shape when it is created, so that growth
    /// never switches algorithms (Winograd and im2col round differently, by up to about 3e-6). Growth still
    /// changes the GEMMs' inner dimension, so some BLAS kernels sum in another order and the output moves in
    /// its last bits.
    public let convolutionAlgorithm: ConvolutionAlgorithm

    /// A connection computed with `convolutionAlgorithm`, or, when `nil`, with the algorithm its weight's shape
    /// resolves to now.
    init(id: Int, source: Int, target: Int, weight: Parameter, convolutionAlgorithm: ConvolutionAlgorithm? = nil) {
        self.id = id
        self.source = source
        self.target = target
        self.weight = weight
        self.convolutionAlgorithm = convolutionAlgorithm ?? (weight.shape.count == 4
            ? (try? ConvolutionAlgorithm.automatic.resolved(for: Self.convolutionGeometry(of: weight))) ?? .im2col
            : .im2col)
    }

    /// The geometry of a convolutional weight `[targetChannels, sourceChannels, k, k]`: stride 1, padding `k / 2`.
    static func convolutionGeometry(of weight: Parameter) -> ConvolutionGeometry {
        let shape = weight.shape
        return ConvolutionGeometry(inputChannels: shape[1], outputChannels: shape[0], kernelSize: shape[2], padding: shape[2] / 2)
    }

    /// An edge is computed when at least one of its entries is present.
    public var isActive: Bool { weight.activeCount > 0 }

    func copy() -> GrowingEdge {
        var clone = self
        clone.weight = weight.copy()
        return clone
    }
}

/// Hard limits on growth (Section 5: at most 1024 channels and 64 convolutional layers).
public struct GrowthLimits: Sendable, Equatable, Codable {
    /// The largest number of real channels (or neurons) in one node.
    public var maxChannels: Int
    /// The largest number of convolutional nodes.
    public var maxConvolutionalLayers: Int
    /// The largest number of hidden linear nodes.
    public var maxLinearLayers: Int
    /// Placeholders kept per node, as a fraction of its real channels, clamped to `placeholderRange`.
    public var placeholderFraction: Double
    /// The least and most placeholders kept per growable node.
    public var placeholderRange: ClosedRange<Int>

    public init(maxChannels: Int = 1024, maxConvolutionalLayers: Int = 64, maxLinearLayers: Int = 8,
                placeholderFraction: Double = 0.125, placeholderRange: ClosedRange<Int> = 2...16) {
        self.maxChannels = maxChannels
        self.maxConvolutionalLayers = maxConvolutionalLayers
        self.maxLinearLayers = maxLinearLayers
        self.placeholderFraction = placeholderFraction
        self.placeholderRange = placeholderRange
    }

    /// How many placeholders a node with `realChannels` real channels keeps.
    public func placeholderTarget(realChannels: Int) -> Int {
        let wanted = Int((Double(realChannels) * placeholderFraction).rounded(.up))
        let clamped = min(max(wanted, placeholderRange.lowerBound), placeholderRange.upperBound)
        return max(0, min(clamped, maxChannels - realChannels))
    }
}
