import TensorCore

/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay:
/// the update rule of PyTorch's `torch.optim.SGD` with dampening 0.
///
/// For every present entry with value `w`, gradient `g` and momentum buffer `b`:
/// ```
/// d ← g + weightDecay · w
/// b ← momentum · b + d                       (only when momentum > 0)
/// d ← nesterov ? d + momentum · b : b        (only when momentum > 0)
/// w ← w − learningRate · d
/// ```
/// The buffer is stored per entry in ``Parameter/optimizerState`` under ``momentumSlot`` and
/// starts at zero, so an entry's first step sets `b = d`, exactly PyTorch's initialisation. This
/// holds for entries the search activates later too: their reset buffer makes them start as new.
/// Dampening is fixed at 0 because a non-zero dampening would make the first step differ from
/// the following ones, which needs per-entry step counting that the search's recipes do not use.
public final class SGD: Optimizer {
    /// The key of the momentum buffer in ``Parameter/optimizerState`` (present only when ``momentum`` > 0).
    public static let momentumSlot = "sgd.momentum"

    /// The step size of the next ``step(_:)``.
    public var learningRate: Float
    /// The momentum factor μ; 0 disables the momentum buffer.
    public let momentum: Float
    /// Whether the step uses Nesterov momentum `d + μ·b` instead of the buffer `b`.
    public let nesterov: Bool
    /// The L2 penalty coefficient added to the gradient as `weightDecay · w`.
    public let weightDecay: Float

    /// Creates the optimizer.
    /// - Parameters:
    ///   - learningRate: The step size, finite and non-negative.
    ///   - momentum: The momentum factor, finite and non-negative (0 for plain SGD).
    ///   - nesterov: Whether to use Nesterov momentum; requires `momentum > 0`.
    ///   - weightDecay: The L2 penalty coefficient, finite and non-negative.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
        try OptimizerError.requireNonNegative(learningRate, "learning rate", of: "SGD")
        try OptimizerError.requireNonNegative(momentum, "momentum", of: "SGD")
        try OptimizerError.requireNonNegative(weightDecay, "weight decay", of: "SGD")
        guard !nesterov || momentum > 0 else {
            throw OptimizerError.invalidHyperparameter(owner: "SGD", reason: "Nesterov momentum requires a momentum greater than 0")
        }
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) throws {
        let rule = Rule(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        for parameter in try OptimizerStepSupport.validated(parameters, learningRate: learningRate, owner: "SGD") {
            if momentum > 0 {
                var buffer = parameter.takeOptimizerSlot(Self.momentumSlot)
                rule.update(parameter, buffer: &buffer)
                parameter.optimizerState[Self.momentumSlot] = buffer
            } else {
                rule.update(parameter)
            }
        }
    }

    /// The hyper-parameters of one step and its element-wise loops.
    private struct Rule {
        let learningRate: Float
        let momentum: Float
        let nesterov: Bool
        let weightDecay: Float

        /// Plain SGD (no momentum buffer).
        func update(_ parameter: Parameter) {
            let flags = parameter.mask.isFull ? nil : parameter.mask.flags
            parameter.value.withUnsafeMutableBufferPointer { value in
                parameter.gradient.withUnsafeBufferPointer { gradient in
                    let (w, g) = (value, gradient)
                    guard let flags else {
                        OptimizerStepSupport.forEachRange(w.count) { range in
                            for i in range { w[i] = newValue(w[i], g[i]) }
                        }
                        return
                    }
                    flags.withUnsafeBufferPointer { f in
                        OptimizerStepSupport.forEachRange(w.count) { range in
                            for i in range {
                                w[i] = OptimizerStepSupport.kept(newValue(w[i], g[i]), OptimizerStepSupport.keepBits(f[i]))
                            }
                        }
                    }
                }
            }
        }

        /// SGD with the momentum buffer `buffer`, shaped like the value.
        func update(_ parameter: Parameter, buffer: inout Tensor) {
            let flags = parameter.mask.isFull ? nil : parameter.mask.flags
            parameter.value.withUnsafeMutableBufferPointer { value in
                parameter.gradient.withUnsafeBufferPointer { gradient in
                    buffer.withUnsafeMutableBufferPointer { momentumBuffer in
                        let (w, g, b) = (value, gradient, momentumBuffer)
                        guard let flags else {
                            OptimizerStepSupport.forEachRange(w.count) { range in
                                for i in range { (w[i], b[i]) = newValueAndBuffer(w[i], g[i], b[i]) }
                            }
                            return
                        }
                        flags.withUnsafeBufferPointer { f in
                            OptimizerStepSupport.forEachRange(w.count) { range in
                                for i in range {
                                    let bits = OptimizerStepSupport.keepBits(f[i])
                                    let (newW, newB) = newValueAndBuffer(w[i], g[i], b[i])
                                    w[i] = OptimizerStepSupport.kept(newW, bits)
                                    b[i] = OptimizerStepSupport.kept(newB, bits)
                                }
                            }
                        }
                    }
                }
            }
        }

        @inline(__always) private func newValue(_ w: Float, _ g: Float) -> Float {
            w - learningRate * (g + weightDecay * w)
        }

        @inline(__always) private func newValueAndBuffer(_ w: Float, _ g: Float, _ b: Float) -> (Float, Float) {
            let d = g + weightDecay * w
            let newB = momentum * b + d
            let direction = nesterov ? d + momentum * newB : newB
            return (w - learningRate * direction, newB)
        }
    }
}
