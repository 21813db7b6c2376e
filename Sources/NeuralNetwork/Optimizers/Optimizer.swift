/// An update rule that moves parameters against their gradients.
///
/// An optimizer keeps no per-parameter data of its own: every buffer it needs (momentum,
/// moment estimates, bias corrections) lives in ``Parameter/optimizerState``, shaped like the
/// parameter's value. The architecture search can therefore grow a parameter
/// (``Parameter/grow(to:embedding:)``) or activate single entries
/// (``Parameter/activate(_:initialValue:)``) between steps and the buffers stay aligned; an entry
/// whose state was reset starts exactly as a newly created parameter would. Missing buffers are
/// created as zeros on the first step, and a buffer whose shape no longer matches the value
/// (the value was replaced without ``Parameter/grow(to:embedding:)``) is restarted from zeros.
///
/// Only present entries are updated. Absent entries (see ``ArchitectureMask``) keep the value
/// exactly zero and their optimizer state exactly zero, even though their gradient, which the
/// search uses as a score, is non-zero: they receive neither a gradient step nor weight decay.
///
/// A step reads gradients and does not clear them: the training loop zeros them with
/// ``Parameter/zeroGradient()`` before the next backward pass, after the search has read them.
public protocol Optimizer: AnyObject {
    /// The step size of the next ``step(_:)``; a ``LearningRateSchedule`` typically sets it before each step.
    /// It must be finite and non-negative when ``step(_:)`` runs.
    var learningRate: Float { get set }

    /// Updates the present entries of every parameter from its current gradient.
    ///
    /// A parameter listed more than once is updated once. Nothing is updated when an error is thrown.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` when ``learningRate`` is
    ///   negative or not finite, ``OptimizerError/shapeMismatch(parameter:tensor:expected:actual:)``
    ///   when a parameter's gradient or mask does not have the shape of its value.
    func step(_ parameters: [Parameter]) throws
}
