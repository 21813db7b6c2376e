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

    /// Back-propagates through the layers after ``firstLayerWithParameters`` and lets that layer accumulate its
    /// parameter gradients without an input gradient. The layers before it have no parameters, so nothing
    /// reads a gradient that would reach them: they are skipped.
    public func accumulateParameterGradients(_ outputGradient: Tensor) throws {
        guard let first = firstLayerWithParameters else { return }
        let gradient = try layers[(first + 1)...].reversed().reduce(outputGradient) { try $1.backward($0) }
        try layers[first].accumulateParameterGradients(gradient)
    }

    /// The index of the first layer with parameters, where ``accumulateParameterGradients(_:)`` stops
    /// (`nil` when no layer has any).
    public var firstLayerWithParameters: Int? {
        layers.firstIndex { !$0.parameters.isEmpty }
    }

    /// Inserts `layer` at `index` (used by the search to deepen a network).
    public func insert(_ layer: Layer, at index: Int) {
        layers.insert(layer, at: index)
    }
}
