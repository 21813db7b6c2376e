import NeuralNetwork

/// A readable, serialisable description of a network's architecture: what `architecture.json` holds.
public struct ArchitectureDescription: Codable, Sendable, Equatable {
    /// One node of a ``GrowingNetwork``.
    public struct Node: Codable, Sendable, Equatable {
        public var id: Int
        public var kind: String
        public var stage: Int
        public var realChannels: Int
        public var placeholders: Int
        public var presentBiases: Int
    }

    /// One connection of a ``GrowingNetwork``, or one parameter tensor of another network.
    public struct Connection: Codable, Sendable, Equatable {
        public var name: String
        public var source: Int?
        public var target: Int?
        public var shape: [Int]
        public var presentEntries: Int
        /// Present `k x k` kernels (convolutions only): kernels with at least one present tap.
        public var presentKernels: Int?
    }

    public var nodes: [Node]
    public var connections: [Connection]
    public var parameterCount: Int

    /// Describes a growing network node by node and connection by connection.
    public init(_ network: GrowingNetwork) {
        nodes = network.nodes.map { node in
            let kind: String
            switch node.kind {
            case .input: kind = "input"
            case let .convolution(size): kind = "conv\(size)x\(size)"
            case .linear: kind = node.isOutput ? "linear (output)" : "linear"
            }
            return Node(id: node.id, kind: kind, stage: node.stage, realChannels: node.realChannelCount,
                        placeholders: node.placeholderChannels.count, presentBiases: node.bias?.activeCount ?? 0)
        }
        connections = network.edges.map { edge in
            Connection(name: edge.weight.name, source: edge.source, target: edge.target, shape: edge.weight.shape,
                       presentEntries: edge.weight.activeCount, presentKernels: Self.presentKernels(edge.weight))
        }
        parameterCount = network.parameterCount
    }

    /// Describes any network by its parameter tensors.
    public init(parametersOf network: Layer) {
        nodes = []
        connections = network.parameters.map { parameter in
            Connection(name: parameter.name, source: nil, target: nil, shape: parameter.shape,
                       presentEntries: parameter.activeCount, presentKernels: Self.presentKernels(parameter))
        }
        parameterCount = network.parameters.reduce(0) { $0 + $1.activeCount }
    }

    private static func presentKernels(_ weight: Parameter) -> Int? {
        guard weight.shape.count == 4 else { return nil }
        let area = weight.shape[2] * weight.shape[3]
        return stride(from: 0, to: weight.value.count, by: area).filter { start in
            (start..<(start + area)).contains { weight.mask.isActive($0) }
        }.count
    }
}
