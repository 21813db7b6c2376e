import NeuralNetwork
import TensorCore

/// A network together with what the architecture search may change in it.
///
/// ``GrowingNetwork`` is a search space with structure (connections, nodes and layers can be
/// added); ``LayerSearchSpace`` makes any network built from the framework's layers searchable
/// at the level of kernels and weights.
///
/// An expansion by the ``ArchitectureOptimizer`` takes a ``snapshot()``, calls ``beginScoring()`` and
/// ``reviveDeadChannels(on:)``, takes a second snapshot for the hyper-architecture step, then runs its scoring passes
/// (forward in training mode and backward, with ``setCandidateGradients(_:)`` on for structural
/// granularities), adds units, calls ``finishAdding()`` and finally ``endScoring()``.
public protocol SearchSpace: AnyObject {
    /// The network as the training loop runs it.
    var network: Layer { get }
    /// The number of present weights and biases, |α|.
    var parameterCount: Int { get }
    /// The parameter tensors whose absent entries may be added, with those entries.
    func searchRegions() -> [SearchRegion]
    /// Connections and layers that may be added (empty for spaces without structure).
    func structuralUnits() -> [SearchUnit]
    /// Prepares the scoring passes of one expansion: every placeholder gets fresh random incoming
    /// weights, so that the units it would feed score a real signal, and state that a training-mode
    /// forward pass moves (batch-norm running statistics) is saved. Function-preserving.
    func beginScoring()
    /// Ends the scoring of one expansion: restores what ``beginScoring()`` saved and drops the
    /// would-be weights of structural candidates.
    func endScoring()
    /// When enabled, backward passes also compute the gradients of structural candidates.
    func setCandidateGradients(_ enabled: Bool)
    /// Every parameter by key, including the would-be weights of structural candidates.
    func parameterTable() -> [String: Parameter]
    /// The exact number of entries that adding `unit` now would make present (including, for
    /// example, a placeholder node it promotes); 0 when the unit cannot be added now (it is present
    /// already, or a growth limit such as the number of layers is reached).
    func cost(of unit: SearchUnit) -> Int
    /// Multiply-accumulates of one sample's forward pass as the network is computed now.
    var multiplyAccumulates: Int { get }
    /// The multiply-accumulates per sample that adding `unit` now would add to ``multiplyAccumulates``
    /// (0 for a unit inside computation that is counted already). Called for every scored unit of an
    /// expansion, so it costs little where ``multiplyAccumulates`` would recount the whole network.
    func multiplyAccumulatesAdded(by unit: SearchUnit) -> Int
    /// Adds `unit` to the architecture without changing the network's output; new weights are zero.
    func add(_ unit: SearchUnit) throws
    /// Called after a round of additions, to restore growth margins (placeholders). Function-preserving.
    func finishAdding()
    /// Captures the architecture, weights and optimizer state; calling the returned closure restores them.
    func snapshot() -> () -> Void
    /// Re-initialises the hidden channels that output zero for every sample of `inputs` so that they train
    /// again, without changing the architecture or the output on `inputs`; returns how many. A space that
    /// cannot re-initialise channels of the network it holds returns 0 and leaves them.
    func reviveDeadChannels(on inputs: [Tensor]) throws -> Int
    /// The number of hidden channels (or neurons) that are part of the architecture and output exactly
    /// zero for every sample of `inputs`: channels that no longer take part in the network's function.
    func deadChannels(on inputs: Tensor) throws -> Int
}

extension SearchSpace {
    /// Every weight and bias of the network and every would-be weight: what a scoring pass writes to.
    public var scoredParameters: [Parameter] { Array(parameterTable().values) }
}
