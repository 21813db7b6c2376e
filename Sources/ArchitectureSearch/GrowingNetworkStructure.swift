import Foundation
import Serialization
import TensorCore

/// Everything of a ``GrowingNetwork`` but its tensors: the versioned JSON that its safetensors file keeps in the
/// `__metadata__` entry ``metadataKey``. Nodes and edges are listed in the network's order, which the forward pass
/// follows (summation order included); the tensors are named by the structure, each mask after its parameter
/// (``maskName(of:)``).
struct GrowingNetworkStructure: Codable {
    /// The `__metadata__` entry that holds the structure.
    static let metadataKey = "growingNetwork"
    /// The version this build writes and reads; any change to the structure's fields or meaning needs a new one.
    static let formatVersion = 1

    /// One node, in topological order.
    struct Node: Codable {
        enum Kind: String, Codable {
            case input, convolution, linear
        }

        var id: Int
        var kind: Kind
        /// The square kernel's side, for convolutional nodes only.
        var kernelSize: Int?
        /// Reductions before a convolutional node; -1 for linear nodes, 0 for the input.
        var stage: Int
        /// All channels, real and placeholder.
        var channels: Int
        var placeholderChannels: [Int]
        var isOutput: Bool
        /// The name of the bias tensor, `[channels]`; `nil` for the input node.
        var bias: String?
    }

    /// One connection, in creation order.
    struct Edge: Codable {
        var id: Int
        var source: Int
        var target: Int
        /// Whether any entry of the weight is present (the weight's mask says the same).
        var isActive: Bool
        /// The name of the weight tensor, shaped as ``GrowingEdge`` describes.
        var weight: String
        /// The algorithm chosen when the connection was made, for connections into convolutional nodes only.
        var convolutionAlgorithm: ConvolutionAlgorithm?
    }

    var formatVersion: Int
    var name: String
    var inputShape: [Int]
    var headReduction: HeadReduction
    var limits: GrowthLimits
    /// The identifier the next node or edge gets; nodes and edges share one sequence.
    var nextIdentifier: Int
    /// The state of the probe-weight generator, four words of 16 hexadecimal digits (JSON numbers lose bits past 2^53).
    var generatorState: [String]
    var nodes: [Node]
    var edges: [Edge]

    /// The name of the Boolean tensor that holds the architecture mask of tensor `name`.
    static func maskName(of name: String) -> String { "\(name).mask" }

    /// The structure of `network`.
    init(_ network: GrowingNetwork) {
        formatVersion = Self.formatVersion
        name = network.name
        inputShape = network.inputShape
        headReduction = network.headReduction
        limits = network.limits
        nextIdentifier = network.nextIdentifier
        generatorState = network.generator.hexadecimalState
        nodes = network.nodes.map { node in
            let kind: Node.Kind = switch node.kind {
            case .input: .input
            case .convolution: .convolution
            case .linear: .linear
            }
            return Node(id: node.id, kind: kind, kernelSize: node.isConvolution ? node.kernelSize : nil, stage: node.stage,
                        channels: node.channelCount, placeholderChannels: node.placeholderChannels, isOutput: node.isOutput,
                        bias: node.bias?.name)
        }
        edges = network.edges.map { edge in
            Edge(id: edge.id, source: edge.source, target: edge.target, isActive: edge.isActive, weight: edge.weight.name,
                 convolutionAlgorithm: edge.weight.shape.count == 4 ? edge.convolutionAlgorithm : nil)
        }
    }

    /// The structure in the `__metadata__` of the file at `path`, in this build's format version.
    init(metadata: [String: String], path: String) throws(GrowingNetworkFileError) {
        guard let json = metadata[Self.metadataKey] else { throw .noStructure(path: path) }
        self = try FormatVersion.decode(json, as: Self.self, version: Self.formatVersion,
                                        unsupported: { GrowingNetworkFileError.unsupportedVersion(path: path, version: $0) },
                                        invalid: { GrowingNetworkFileError.invalidStructure(path: path, reason: $0) })
    }

    /// The structure as compact JSON with sorted keys.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The probe-weight generator the structure stores.
    func generator(path: String) throws(GrowingNetworkFileError) -> RandomGenerator {
        guard let generator = RandomGenerator(hexadecimalState: generatorState) else {
            throw .invalidStructure(path: path, reason: "generatorState \(generatorState) is not four words of 16 hexadecimal digits, not all zero")
        }
        return generator
    }
}
