import NeuralNetwork
import TensorCore

/// Makes any network built from the framework's layers searchable at the level of kernels and
/// weights: every searchable parameter's absent entries are candidates. Its structure is fixed.
public final class LayerSearchSpace: SearchSpace {
    public let network: Layer

    public init(network: Layer) {
        self.network = network
    }

    private var searchable: [(key: String, parameter: Parameter)] {
        network.parameters.enumerated().filter(\.element.isSearchable).map { ("\($0.offset):\($0.element.name)", $0.element) }
    }

    public var parameterCount: Int { network.parameters.reduce(0) { $0 + $1.activeCount } }

    public func searchRegions() -> [SearchRegion] {
        searchable.compactMap { key, parameter in
            let candidates = parameter.mask.absentIndices
            guard !candidates.isEmpty else { return nil }
            let shape = parameter.shape
            let layout: RegionLayout
            switch shape.count {
            case 1: layout = .bias(count: shape[0])
            case 4: layout = .convolution(outputs: shape[0], inputs: shape[1], kernelArea: shape[2] * shape[3])
            default: layout = .dense(outputs: shape.first ?? 1, inputs: parameter.value.count / max(1, shape.first ?? 1))
            }
            return SearchRegion(key: key, label: parameter.name, layout: layout, candidates: candidates)
        }
    }

    public func structuralUnits() -> [SearchUnit] { [] }

    /// Dense layers compute every entry, present or not, so adding entries costs no compute.
    public var multiplyAccumulates: Int { 0 }
    public func projectedMultiplyAccumulates(adding unit: SearchUnit?) -> Int { 0 }

    public func setCandidateGradients(_ enabled: Bool) {}

    /// Saves the running statistics of every batch-norm layer: scoring passes run in training mode and would move them.
    public func beginScoring() {
        savedStatistics = layers(of: network).compactMap { $0 as? BatchNorm2d }.map { ($0, $0.runningMean, $0.runningVariance) }
    }

    /// Puts the batch-norm running statistics back as they were before scoring.
    public func endScoring() {
        for (layer, mean, variance) in savedStatistics {
            layer.runningMean = mean
            layer.runningVariance = variance
        }
        savedStatistics = []
    }

    /// Channels after a ``ReLU`` layer of a ``Sequential`` network that are zero for every sample of `inputs`.
    public func deadChannels(on inputs: Tensor) throws -> Int {
        var dead = 0
        var activation = inputs
        for layer in layers(of: network) {
            activation = try layer.forward(activation, mode: .inference)
            guard layer is ReLU, activation.shape.count >= 2 else { continue }
            let batch = activation.shape[0], channels = activation.shape[1]
            let plane = activation.count / max(1, batch * channels)
            activation.withUnsafeBufferPointer { values in
                for channel in 0..<channels {
                    let alive = (0..<batch).contains { sample in
                        let start = (sample * channels + channel) * plane
                        return values[start..<(start + plane)].contains { $0 != 0 }
                    }
                    if !alive { dead += 1 }
                }
            }
        }
        return dead
    }

    /// Returns 0: the channels of an arbitrary network have no known incoming and outgoing weights to re-initialise.
    public func reviveDeadChannels(on inputs: [Tensor]) throws -> Int { 0 }

    private var savedStatistics: [(BatchNorm2d, Tensor, Tensor)] = []

    /// The layers of `layer` in the order they run, nested ``Sequential`` networks flattened.
    private func layers(of layer: Layer) -> [Layer] {
        guard let sequential = layer as? Sequential else { return [layer] }
        return sequential.layers.flatMap { layers(of: $0) }
    }

    public func parameterTable() -> [String: Parameter] {
        Dictionary(uniqueKeysWithValues: searchable.map { ($0.key, $0.parameter) })
    }

    public func cost(of unit: SearchUnit) -> Int {
        guard let parameter = parameterTable()[unit.key] else { return 0 }
        return unit.entries.filter { !parameter.mask.isActive($0) }.count
    }

    public func add(_ unit: SearchUnit) throws {
        guard let parameter = parameterTable()[unit.key] else {
            throw SearchError.invalidSetting("no parameter '\(unit.key)' in network \(network.name)")
        }
        for entry in unit.entries where !parameter.mask.isActive(entry) { parameter.activate(entry) }
    }

    public func finishAdding() {}

    public func snapshot() -> () -> Void {
        let saved = network.parameters.map { ($0, $0.copy()) }
        return {
            for (parameter, copy) in saved {
                parameter.value = copy.value
                parameter.gradient = copy.gradient
                parameter.mask = copy.mask
                parameter.optimizerState = copy.optimizerState
            }
        }
    }
}
