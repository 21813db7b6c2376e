import TensorCore

/// Central finite differences, the independent computation every backward pass is checked against.
public enum GradientCheck {
    /// `∂f/∂x_i` for every element of `x`, by `(f(x + h e_i) - f(x - h e_i)) / 2h`, with `f` evaluated in Double.
    public static func numericGradient(of x: Tensor, step h: Float = 1e-2, _ f: (Tensor) throws -> Double) rethrows -> Tensor {
        var gradient = Tensor(zeros: x.shape)
        var probe = x
        for i in 0..<x.count {
            let original = probe[flat: i]
            probe[flat: i] = original + h
            let plus = try f(probe)
            probe[flat: i] = original - h
            let minus = try f(probe)
            probe[flat: i] = original
            gradient[flat: i] = Float((plus - minus) / (2 * Double(h)))
        }
        return gradient
    }

    /// A scalar loss `Σ y_i r_i` with fixed random weights `r`; its gradient with respect to `y` is `r`.
    public static func projection(_ y: Tensor, _ r: Tensor) -> Double {
        var sum = 0.0
        for i in 0..<y.count { sum += Double(y[flat: i]) * Double(r[flat: i]) }
        return sum
    }

    /// The largest `|a_i - b_i| / max(1, |a_i|, |b_i|)`: absolute error for small values, relative for large ones.
    public static func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "compared tensors differ in shape: \(a.shape) vs \(b.shape)")
        var worst: Float = 0
        for i in 0..<a.count {
            let scale = max(1, abs(a[flat: i]), abs(b[flat: i]))
            worst = max(worst, abs(a[flat: i] - b[flat: i]) / scale)
        }
        return worst
    }
}
