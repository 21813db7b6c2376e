/// Rescaling of gradients whose global L2 norm exceeds a limit, so that one step cannot throw the weights far
/// (a sparse, unnormalised network at its peak learning rate can otherwise kill its ReLUs in one step).
public enum GradientClipping {
    /// The L2 norm of the gradients of the present entries of `parameters`, taken together (absent entries are
    /// not trained, so their gradients do not count).
    public static func globalNorm(of parameters: [Parameter]) -> Double {
        var sumOfSquares = 0.0
        for parameter in parameters {
            let flags = parameter.mask.isFull ? nil : parameter.mask.flags
            parameter.gradient.withUnsafeBufferPointer { gradient in
                if let flags {
                    for i in gradient.indices where flags[i] != 0 { sumOfSquares += Double(gradient[i]) * Double(gradient[i]) }
                } else {
                    for g in gradient { sumOfSquares += Double(g) * Double(g) }
                }
            }
        }
        return sumOfSquares.squareRoot()
    }

    /// Scales the gradients of `parameters` by `maximumNorm / norm` when their ``globalNorm(of:)`` exceeds
    /// `maximumNorm`, and returns the norm before clipping. A norm that is not finite (an infinite or NaN
    /// gradient) leaves the gradients as they are: no rescaling can repair them.
    @discardableResult
    public static func clip(_ parameters: [Parameter], maximumNorm: Float) throws -> Double {
        guard maximumNorm > 0, maximumNorm.isFinite else {
            throw OptimizerError.invalidHyperparameter(owner: "GradientClipping", reason: "maximumNorm must be positive and finite, got \(maximumNorm)")
        }
        let norm = globalNorm(of: parameters)
        guard norm.isFinite, norm > Double(maximumNorm) else { return norm }
        let scale = Float(Double(maximumNorm) / norm)
        for parameter in parameters {
            parameter.gradient.withUnsafeMutableBufferPointer { gradient in
                for i in gradient.indices { gradient[i] *= scale }
            }
        }
        return norm
    }
}
