import TensorCore

/// Layers applied one after another.
public final class Sequential: Layer {
    public var name: String
    public private(set) var layers: [Layer]

    public init(name: String = "sequential", _ layers: [Layer]) {
        self.name = name
        self.layers = layers
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try layers.reduce(shape) { try $1.outputShape(forInput: $0) }
    }

    public func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
        try layers.reduce(input) { try $1.forward($0, mode: mode) }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try layers.reversed().reduce(outputGradient) { try $1.backward($0) }
    }

    /// Inserts `layer` at `index` (used by the search to deepen a network).
    public func insert(_ layer: Layer, at index: Int) {
        layers.insert(layer, at: index)
    }
}
