import TensorCore

/// The element-wise update shared by ``Adam`` and ``AdamW``; they differ only in how weight decay enters.
///
/// For every present entry with value `w` and gradient `g`, following PyTorch's `torch.optim.Adam`
/// and `torch.optim.AdamW` (without AMSGrad):
/// ```
/// g  ← g + l2Decay · w                     (Adam's weight decay; 0 for AdamW)
/// m  ← m + (1 − β₁)(g − m)
/// v  ← β₂ v + (1 − β₂) g²
/// c₁ ← c₁ + (1 − β₁)(1 − c₁)               (= 1 − β₁ᵗ after t steps of this entry)
/// c₂ ← c₂ + (1 − β₂)(1 − c₂)               (= 1 − β₂ᵗ)
/// w  ← w · decoupledDecay − lr · (m / c₁) / (√(v / c₂) + ε)   (decoupledDecay = 1 − lr·wd for AdamW, 1 for Adam)
/// ```
/// The bias corrections `c₁`, `c₂` are kept per entry instead of a step count: each is a moving
/// average of the constant 1 that starts at zero, so it equals `1 − βᵗ` where `t` counts the steps
/// this entry has taken. An entry whose state is zero (new, grown or re-activated) therefore gets
/// exactly the bias correction of a first step, and no power has to be evaluated per entry.
struct AdamRule {
    let learningRate: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    /// The coefficient of the L2 term added to the gradient (Adam's weight decay).
    let l2Decay: Float
    /// The factor every present value is multiplied by before the step (AdamW's `1 − lr·wd`).
    let decoupledDecay: Float

    /// Throws unless the hyper-parameters shared by ``Adam`` and ``AdamW`` are valid for `owner`.
    static func validate(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
                         owner: String) throws {
        try OptimizerError.requireNonNegative(learningRate, "learning rate", of: owner)
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] where !(beta >= 0 && beta < 1) {
            throw OptimizerError.invalidHyperparameter(owner: owner, reason: "\(name) must be in [0, 1), got \(beta)")
        }
        guard epsilon.isFinite, epsilon > 0 else {
            throw OptimizerError.invalidHyperparameter(
                owner: owner, reason: "epsilon must be finite and positive (it keeps steps finite where the gradient is zero), got \(epsilon)")
        }
        try OptimizerError.requireNonNegative(weightDecay, "weight decay", of: owner)
    }

    /// Updates the present entries of `parameter` and its four state slots.
    func update(_ parameter: Parameter) {
        var m = parameter.takeOptimizerSlot(Adam.firstMomentSlot)
        var v = parameter.takeOptimizerSlot(Adam.secondMomentSlot)
        var c1 = parameter.takeOptimizerSlot(Adam.firstBiasCorrectionSlot)
        var c2 = parameter.takeOptimizerSlot(Adam.secondBiasCorrectionSlot)
        let flags = parameter.mask.isFull ? nil : parameter.mask.flags
        parameter.value.withUnsafeMutableBufferPointer { value in
            parameter.gradient.withUnsafeBufferPointer { gradient in
                m.withUnsafeMutableBufferPointer { firstMoment in
                    v.withUnsafeMutableBufferPointer { secondMoment in
                        c1.withUnsafeMutableBufferPointer { firstCorrection in
                            c2.withUnsafeMutableBufferPointer { secondCorrection in
                                let buffers = Buffers(w: value, g: gradient, m: firstMoment, v: secondMoment,
                                                      c1: firstCorrection, c2: secondCorrection)
                                guard let flags else {
                                    OptimizerStepSupport.forEachRange(value.count) { range in updateAll(range, buffers) }
                                    return
                                }
                                flags.withUnsafeBufferPointer { f in
                                    OptimizerStepSupport.forEachRange(value.count) { range in updatePresent(range, f, buffers) }
                                }
                            }
                        }
                    }
                }
            }
        }
        parameter.optimizerState[Adam.firstMomentSlot] = m
        parameter.optimizerState[Adam.secondMomentSlot] = v
        parameter.optimizerState[Adam.firstBiasCorrectionSlot] = c1
        parameter.optimizerState[Adam.secondBiasCorrectionSlot] = c2
    }

    /// The value, gradient and state of one parameter, all of the same length.
    private struct Buffers {
        let w: UnsafeMutableBufferPointer<Float>
        let g: UnsafeBufferPointer<Float>
        let m: UnsafeMutableBufferPointer<Float>
        let v: UnsafeMutableBufferPointer<Float>
        let c1: UnsafeMutableBufferPointer<Float>
        let c2: UnsafeMutableBufferPointer<Float>
    }

    /// The fast path for a full mask.
    private func updateAll(_ range: Range<Int>, _ b: Buffers) {
        for i in range {
            let new = updated(b, i)
            b.w[i] = new.w
            b.m[i] = new.m
            b.v[i] = new.v
            b.c1[i] = new.c1
            b.c2[i] = new.c2
        }
    }

    /// Updates present entries and leaves absent ones at exactly zero, value and state alike.
    private func updatePresent(_ range: Range<Int>, _ flags: UnsafeBufferPointer<UInt8>, _ b: Buffers) {
        for i in range {
            let bits = OptimizerStepSupport.keepBits(flags[i])
            let new = updated(b, i)
            b.w[i] = OptimizerStepSupport.kept(new.w, bits)
            b.m[i] = OptimizerStepSupport.kept(new.m, bits)
            b.v[i] = OptimizerStepSupport.kept(new.v, bits)
            b.c1[i] = OptimizerStepSupport.kept(new.c1, bits)
            b.c2[i] = OptimizerStepSupport.kept(new.c2, bits)
        }
    }

    @inline(__always) private func updated(_ b: Buffers, _ i: Int) -> (w: Float, m: Float, v: Float, c1: Float, c2: Float) {
        let w = b.w[i]
        let g = b.g[i] + l2Decay * w
        let m = b.m[i] + (1 - beta1) * (g - b.m[i])
        let v = beta2 * b.v[i] + (1 - beta2) * g * g
        let c1 = b.c1[i] + (1 - beta1) * (1 - b.c1[i])
        let c2 = b.c2[i] + (1 - beta2) * (1 - b.c2[i])
        // v / c₂ is never negative; `magnitude` tells the compiler so, which drops libm's error path
        // from the square root and lets the loop vectorise (4× faster, measured).
        let newW = w * decoupledDecay - learningRate * (m / c1) / ((v / c2).magnitude.squareRoot() + epsilon)
        return (newW, m, v, c1, c2)
    }
}
