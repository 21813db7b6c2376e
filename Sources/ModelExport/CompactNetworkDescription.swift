import TensorCore

/// The graph of a ``CompactNetwork`` as the JSON metadata entry `compactNetwork` of its safetensors export
/// describes it (format version 1): enough to run the network from the file's tensors alone.
///
/// ```json
/// {"format": 1, "input": {"shape": [1, 8, 8], "pixelRange": [0, 1], "mean": [0.3], "standardDeviation": [0.4]},
///  "headReduction": "globalAveragePool", "classes": 10, "output": "output",
///  "layers": [{"name": "conv1", "kind": "convolution", "kernelSize": 3, "padding": 1, "stride": 1, "stage": 0,
///              "channels": 6, "outputShape": [6, 8, 8], "relu": true, "bias": "conv1.bias",
///              "inputs": [{"from": "input", "reduction": "identity", "weight": "conv1.from_input.weight",
///                          "density": 0.9, "layout": "dense"}], …}, …]}
/// ```
///
/// Layers are in the order they are computed; each sums `reduction(from) * weight` over its inputs (a convolution
/// with `padding` zeros and stride 1, or `x · weightᵀ` for a linear layer), adds its bias and applies ReLU when
/// `relu` is true. A layer without inputs is its bias, repeated over the positions of `outputShape`.
public struct CompactNetworkDescription: Codable, Equatable, Sendable {
    /// The version of this description, ``CompactNetworkDescription/formatVersion``.
    public var format: Int
    /// The input and how it is normalised.
    public var input: Input
    /// How the last convolutional stage feeds linear layers: `globalAveragePool` or `flatten`.
    public var headReduction: String
    /// The number of classes: the output layer's width.
    public var classes: Int
    /// The name of the layer whose values are the logits.
    public var output: String
    /// The layers in the order they are computed.
    public var layers: [Layer]

    /// The format version written now.
    public static let formatVersion = 1
    /// The key of the metadata entry that holds the description.
    public static let metadataKey = "compactNetwork"

    /// The network's input: one sample's shape, pixels in `pixelRange`, normalised per channel.
    public struct Input: Codable, Equatable, Sendable {
        /// One sample's shape: `[C, H, W]` or `[F]`.
        public var shape: [Int]
        /// The range of the pixels the network is fed before normalisation: `[0, 1]`.
        public var pixelRange: [Float]
        /// Each channel's mean, subtracted first.
        public var mean: [Float]
        /// Each channel's standard deviation, divided by next.
        public var standardDeviation: [Float]
    }

    /// One layer (node) of the network.
    public struct Layer: Codable, Equatable, Sendable {
        /// The layer's plain name: `conv1`, `linear1`, `output`.
        public var name: String
        /// `convolution` or `linear`.
        public var kind: String
        /// For convolutions, the (square) kernel size.
        public var kernelSize: Int?
        /// For convolutions, the zeros added on each side: `kernelSize / 2`, so that the size is kept.
        public var padding: Int?
        /// For convolutions, the stride: 1.
        public var stride: Int?
        /// For convolutions, the number of 2x2 max-pool reductions before the layer.
        public var stage: Int?
        /// The number of channels (or neurons).
        public var channels: Int
        /// One sample's output shape: `[C, H, W]` or `[C]`.
        public var outputShape: [Int]
        /// Whether ReLU follows the sum (every layer but the output).
        public var relu: Bool
        /// The name of the bias tensor, `[channels]`.
        public var bias: String
        /// The incoming connections, summed in this order.
        public var inputs: [LayerInput]
        /// The identifier of the growing network's node the layer comes from.
        public var sourceNode: Int
        /// For each channel, its index among the growing node's channels.
        public var keptChannels: [Int]
    }

    /// One incoming connection of a layer.
    public struct LayerInput: Codable, Equatable, Sendable {
        /// The name of the source layer, or `input`.
        public var from: String
        /// `identity`, `maxPool` (2x2, stride 2), `globalAveragePool` or `flatten`.
        public var reduction: String
        /// The name of the weight tensor: `[out, in, k, k]` or `[out, in]`.
        public var weight: String
        /// The fraction of the weight's entries that are not zero (absent kernels and weights are zeros).
        public var density: Double?
        /// How ``CompactInference`` stores the weight at ``WeightLayout/measuredSparseThreshold``: `dense` (GEMM) or
        /// `sparse` (CSR, when few entries are present); a runtime reading the file may follow it.
        public var layout: WeightLayout?
    }

    /// The description of `network`, whose inputs are normalised with `normalization`.
    public init(_ network: CompactNetwork, normalization: InputNormalization) {
        format = Self.formatVersion
        input = Input(shape: network.inputShape, pixelRange: [0, 1], mean: normalization.mean,
                      standardDeviation: normalization.standardDeviation)
        headReduction = network.headReduction.rawValue
        classes = network.classCount
        output = network.outputNode.name
        layers = network.nodes.dropFirst().map { node in
            Layer(name: node.name, kind: node.kernelSize == nil ? "linear" : "convolution", kernelSize: node.kernelSize,
                  padding: node.kernelSize.map { $0 / 2 }, stride: node.kernelSize.map { _ in 1 },
                  stage: node.kernelSize.map { _ in node.stage }, channels: node.channelCount,
                  outputShape: network.sampleShape(of: node), relu: !node.isOutput, bias: Self.biasName(of: node),
                  inputs: network.incomingEdges(of: node.id).map { edge in
                      let source = network.node(edge.source)?.name ?? "node\(edge.source)"
                      let density = SparseMatrix.density(of: edge.weight)
                      return LayerInput(from: source, reduction: edge.reduction.rawValue, weight: Self.weightName(from: source, to: node.name),
                                        density: density,
                                        layout: WeightLayout.chosen(density: density, sparseBelow: WeightLayout.measuredSparseThreshold))
                  },
                  sourceNode: node.id, keptChannels: node.keptChannels)
        }
    }

    /// The tensor name of `node`'s bias: `conv1.bias`.
    static func biasName(of node: CompactNode) -> String { "\(node.name).bias" }

    /// The tensor name of the weight from layer `source` into layer `target`: `conv2.from_conv1.weight`.
    static func weightName(from source: String, to target: String) -> String { "\(target).from_\(source).weight" }
}
