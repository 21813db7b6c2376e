/// Adam with L2 weight decay added to the gradient: the update rule of PyTorch's `torch.optim.Adam`
/// (without AMSGrad).
///
/// For every present entry, with gradient `g` (plus `weightDecay · w`), moments `m`, `v` and
/// bias corrections `c₁ = 1 − β₁ᵗ`, `c₂ = 1 − β₂ᵗ`:
/// `w ← w − learningRate · (m / c₁) / (√(v / c₂) + ε)`.
///
/// The step count `t` is per entry: the state holds the bias corrections themselves, per entry, in
/// ``firstBiasCorrectionSlot`` and ``secondBiasCorrectionSlot``, next to the moments in
/// ``firstMomentSlot`` and ``secondMomentSlot``. Entries of a grown parameter and entries the search
/// activates start from zero state, so their first update is bias-corrected exactly like the first
/// update of a new parameter (its size is close to `learningRate`), independent of how long the rest
/// of the parameter has trained. ``AdamW`` uses the same slots.
public final class Adam: Optimizer {
    /// The key of the first-moment estimate `m` in ``Parameter/optimizerState``.
    public static let firstMomentSlot = "adam.firstMoment"
    /// The key of the second-moment estimate `v` in ``Parameter/optimizerState``.
    public static let secondMomentSlot = "adam.secondMoment"
    /// The key of the per-entry bias correction `1 − β₁ᵗ` in ``Parameter/optimizerState``.
    public static let firstBiasCorrectionSlot = "adam.firstBiasCorrection"
    /// The key of the per-entry bias correction `1 − β₂ᵗ` in ``Parameter/optimizerState``.
    public static let secondBiasCorrectionSlot = "adam.secondBiasCorrection"

    /// The step size of the next ``step(_:)``.
    public var learningRate: Float
    /// The decay rate β₁ of the first-moment estimate.
    public let beta1: Float
    /// The decay rate β₂ of the second-moment estimate.
    public let beta2: Float
    /// The term ε added to the denominator for numerical stability.
    public let epsilon: Float
    /// The L2 penalty coefficient added to the gradient as `weightDecay · w`.
    public let weightDecay: Float

    /// Creates the optimizer with PyTorch's defaults.
    /// - Parameters:
    ///   - learningRate: The step size, finite and non-negative.
    ///   - beta1: The first-moment decay rate, in [0, 1).
    ///   - beta2: The second-moment decay rate, in [0, 1).
    ///   - epsilon: The denominator term, finite and positive.
    ///   - weightDecay: The L2 penalty coefficient, finite and non-negative.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) throws {
        try AdamRule.validate(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                              weightDecay: weightDecay, owner: "Adam")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) throws {
        let rule = AdamRule(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                            l2Decay: weightDecay, decoupledDecay: 1)
        for parameter in try OptimizerStepSupport.validated(parameters, learningRate: learningRate, owner: "Adam") {
            rule.update(parameter)
        }
    }
}
