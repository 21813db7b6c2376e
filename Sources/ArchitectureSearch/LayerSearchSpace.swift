import NeuralNetwork
import TensorCore

/// Makes any network built from the framework's layers searchable at the level of kernels and
/// weights: every searchable parameter's absent entries are candidates. Its structure is fixed.
///
/// ```swift
/// var generator = RandomGenerator(seed: 1)
/// let network = Sequential.leNet5(generator: &generator)
/// // ... give the weights absent entries with `parameter.applyMask(_:)` ...
/// let space = try LayerSearchSpace(network: network, inputShape: [1, 28, 28])
/// ```
///
/// The space reads the network's layers and parameters once, when it is created: layers must not be
/// added to or removed from the network afterwards (masks and values may change freely).
public final class LayerSearchSpace: SearchSpace {
    public let network: Layer
    /// The shape of one sample, without the batch dimension (for example `[1, 28, 28]`).
    public let inputShape: [Int]

    /// A searchable parameter with its key in ``parameterTable()`` and the multiply-accumulates per
    /// present entry (see ``multiplyAccumulates``).
    private struct Site {
        let key: String
        let parameter: Parameter
        let positions: Int
    }

    /// The layers of the network in the order they run, nested `Sequential` networks flattened.
    private let layers: [Layer]
    /// Every parameter of the network, searchable or not.
    private let parameters: [Parameter]
    /// Every searchable parameter, in the network's order.
    private let sites: [Site]
    private let sitesByKey: [String: Site]
    /// Every parameter that costs multiply-accumulates, with its cost per present entry.
    private let computingParameters: [(parameter: Parameter, positions: Int)]
    private var savedStatistics: [(layer: BatchNorm2d, mean: Tensor, variance: Tensor)] = []

    /// Wraps `network`, whose samples have shape `inputShape` (without the batch dimension).
    ///
    /// Throws ``SearchError/invalidSetting(_:)`` naming the network and the layer that does not fit when
    /// `inputShape` is not an input of `network`.
    public init(network: Layer, inputShape: [Int]) throws {
        self.network = network
        self.inputShape = inputShape
        layers = Self.flattened(network)
        parameters = network.parameters

        // Output positions per weight entry, found by running the shapes through the layers.
        var positions: [ObjectIdentifier: Int] = [:]
        var shape = [1] + inputShape
        do {
            for layer in layers {
                shape = try layer.outputShape(forInput: shape)
                if let convolution = layer as? Conv2d {
                    positions[ObjectIdentifier(convolution.weight), default: 0] += shape[2] * shape[3]
                } else if let linear = layer as? Linear {
                    positions[ObjectIdentifier(linear.weight), default: 0] += 1
                }
            }
        } catch {
            throw SearchError.invalidSetting("input shape \(inputShape) does not fit network '\(network.name)': \(error)")
        }

        var seen = Set<ObjectIdentifier>()
        computingParameters = parameters.compactMap { parameter in
            let id = ObjectIdentifier(parameter)
            guard let cost = positions[id], seen.insert(id).inserted else { return nil }
            return (parameter, cost)
        }
        sites = parameters.enumerated().filter(\.element.isSearchable).map { offset, parameter in
            Site(key: "\(offset):\(parameter.name)", parameter: parameter, positions: positions[ObjectIdentifier(parameter)] ?? 0)
        }
        sitesByKey = Dictionary(uniqueKeysWithValues: sites.map { ($0.key, $0) })
    }

    /// The layers of `layer` in the order they run, nested `Sequential` networks flattened.
    static func flattened(_ layer: Layer) -> [Layer] {
        guard let sequential = layer as? Sequential else { return [layer] }
        return sequential.layers.flatMap { flattened($0) }
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.activeCount } }

    public func searchRegions() -> [SearchRegion] {
        sites.compactMap { site in
            let parameter = site.parameter
            let candidates = parameter.mask.absentIndices
            guard !candidates.isEmpty else { return nil }
            let shape = parameter.shape
            let layout: RegionLayout
            switch shape.count {
            case 1: layout = .bias(count: shape[0])
            case 4: layout = .convolution(outputs: shape[0], inputs: shape[1], kernelArea: shape[2] * shape[3])
            default: layout = .dense(outputs: shape.first ?? 1, inputs: parameter.value.count / max(1, shape.first ?? 1))
            }
            return SearchRegion(key: site.key, label: parameter.name, layout: layout, candidates: candidates)
        }
    }

    public func structuralUnits() -> [SearchUnit] { [] }

    /// Multiply-accumulates of one sample's forward pass, counting present weights only: a present
    /// `Conv2d` weight entry costs the number of output positions (H_out · W_out) of its layer, a present
    /// `Linear` weight entry costs 1, and biases, batch norm, pooling, activations and every other layer
    /// cost 0.
    ///
    /// This is what a sparse or compacted network computes. The framework's dense kernels compute every
    /// entry, present or absent, so the time a training step takes does not follow this count.
    public var multiplyAccumulates: Int {
        computingParameters.reduce(0) { $0 + $1.parameter.activeCount * $1.positions }
    }

    /// The absent entries of `unit` times the output positions of their layer (0 for biases and parameters of
    /// other layers).
    public func multiplyAccumulatesAdded(by unit: SearchUnit) -> Int {
        guard let site = sitesByKey[unit.key], site.positions > 0 else { return 0 }
        return absentEntries(of: unit, in: site.parameter) * site.positions
    }

    /// The structure is fixed: there are no structural candidates whose gradients could be computed.
    public func setCandidateGradients(_ enabled: Bool) {}

    /// Saves the running statistics of every batch-norm layer: scoring passes run in training mode and would move them.
    public func beginScoring() {
        savedStatistics = layers.compactMap { $0 as? BatchNorm2d }.map { ($0, $0.runningMean, $0.runningVariance) }
    }

    /// Puts the batch-norm running statistics back as they were before scoring.
    public func endScoring() {
        for (layer, mean, variance) in savedStatistics {
            layer.runningMean = mean
            layer.runningVariance = variance
        }
        savedStatistics = []
    }

    /// Channels after a `ReLU` layer of a `Sequential` network that are zero for every sample of `inputs`.
    public func deadChannels(on inputs: Tensor) throws -> Int {
        var dead = 0
        var activation = inputs
        for layer in layers {
            activation = try layer.forward(activation, mode: .inference)
            guard layer is ReLU, activation.shape.count >= 2 else { continue }
            dead += (0..<activation.shape[1]).filter { !activation.isActive(channel: $0) }.count
        }
        return dead
    }

    /// Returns 0: the channels of an arbitrary network have no known incoming and outgoing weights to re-initialise.
    public func reviveDeadChannels(on inputs: [Tensor]) throws -> Int { 0 }

    public func parameterTable() -> [String: Parameter] {
        sitesByKey.mapValues(\.parameter)
    }

    public func cost(of unit: SearchUnit) -> Int {
        guard let site = sitesByKey[unit.key] else { return 0 }
        return absentEntries(of: unit, in: site.parameter)
    }

    public func add(_ unit: SearchUnit) throws {
        guard let parameter = sitesByKey[unit.key]?.parameter else {
            throw SearchError.invalidSetting("no parameter '\(unit.key)' in network \(network.name)")
        }
        for entry in unit.entries where !parameter.mask.isActive(entry) { parameter.activate(entry) }
    }

    /// Nothing to restore: the space has no placeholders.
    public func finishAdding() {}

    public func snapshot() -> () -> Void {
        let saved = parameters.map { ($0, $0.copy()) }
        return {
            for (parameter, copy) in saved {
                parameter.value = copy.value
                parameter.gradient = copy.gradient
                parameter.mask = copy.mask
                parameter.optimizerState = copy.optimizerState
            }
        }
    }

    /// The entries of `unit` that are absent in `parameter`.
    private func absentEntries(of unit: SearchUnit, in parameter: Parameter) -> Int {
        let mask = parameter.mask
        return unit.entries.reduce(0) { $0 + (mask.isActive($1) ? 0 : 1) }
    }
}
