/// Adam with decoupled weight decay: the update rule of PyTorch's `torch.optim.AdamW` (without AMSGrad).
///
/// Every present value first decays as `w ← w · (1 − learningRate · weightDecay)`, then takes the
/// Adam step of the plain gradient (see ``Adam``). Absent entries neither decay nor move. The
/// optimizer state, with per-entry bias corrections, is the same as ``Adam``'s and uses its slots.
public final class AdamW: Optimizer {
    /// The step size of the next ``step(_:)``.
    public var learningRate: Float
    /// The decay rate β₁ of the first-moment estimate.
    public let beta1: Float
    /// The decay rate β₂ of the second-moment estimate.
    public let beta2: Float
    /// The term ε added to the denominator for numerical stability.
    public let epsilon: Float
    /// The decoupled weight-decay coefficient: each step multiplies present values by `1 − learningRate · weightDecay`.
    public let weightDecay: Float

    /// Creates the optimizer with PyTorch's defaults.
    /// - Parameters:
    ///   - learningRate: The step size, finite and non-negative.
    ///   - beta1: The first-moment decay rate, in [0, 1).
    ///   - beta2: The second-moment decay rate, in [0, 1).
    ///   - epsilon: The denominator term, finite and positive.
    ///   - weightDecay: The decoupled weight-decay coefficient, finite and non-negative.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 1e-2) throws {
        try AdamRule.validate(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                              weightDecay: weightDecay, owner: "AdamW")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) throws {
        let rule = AdamRule(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                            l2Decay: 0, decoupledDecay: Float(1 - Double(learningRate) * Double(weightDecay)))
        for parameter in try OptimizerStepSupport.validated(parameters, learningRate: learningRate, owner: "AdamW") {
            rule.update(parameter)
        }
    }
}
