import NeuralNetwork

/// A network together with what the architecture search may change in it.
///
/// ``GrowingNetwork`` is a search space with structure (connections, nodes and layers can be
/// added); ``LayerSearchSpace`` makes any network built from the framework's layers searchable
/// at the level of kernels and weights.
public protocol SearchSpace: AnyObject {
    /// The network as the training loop runs it.
    var network: Layer { get }
    /// The number of present weights and biases, |α|.
    var parameterCount: Int { get }
    /// The parameter tensors whose absent entries may be added, with those entries.
    func searchRegions() -> [SearchRegion]
    /// Connections and layers that may be added (empty for spaces without structure).
    func structuralUnits() -> [SearchUnit]
    /// When enabled, backward passes also compute the gradients of structural candidates.
    func setCandidateGradients(_ enabled: Bool)
    /// Every parameter by key, including the would-be weights of structural candidates.
    func parameterTable() -> [String: Parameter]
    /// The exact number of entries that adding `unit` now would make present (including, for
    /// example, a placeholder node it promotes).
    func cost(of unit: SearchUnit) -> Int
    /// Multiply-accumulates of one sample's forward pass as the network is computed now.
    var multiplyAccumulates: Int { get }
    /// Multiply-accumulates per sample once the current round of growth is finished (``finishAdding()``
    /// restores the placeholder margins), with `unit` added as well when given.
    func projectedMultiplyAccumulates(adding unit: SearchUnit?) -> Int
    /// Adds `unit` to the architecture without changing the network's output; new weights are zero.
    func add(_ unit: SearchUnit) throws
    /// Called after a round of additions, to restore growth margins (placeholders). Function-preserving.
    func finishAdding()
    /// Captures the architecture, weights and optimizer state; calling the returned closure restores them.
    func snapshot() -> () -> Void
}

extension SearchSpace {
    /// Every weight and bias of the network and every would-be weight: what a scoring pass writes to.
    public var scoredParameters: [Parameter] { Array(parameterTable().values) }
}
