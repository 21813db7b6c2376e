import TensorCore

/// PyTorch's default initialisation of `Linear` and `Conv2d`, which the paper's networks start from.
public enum DefaultInitialization {
    /// Kaiming-uniform with `a = sqrt(5)`: U(-b, b) with `b = sqrt(6 / ((1 + a²) fan_in)) = 1 / sqrt(fan_in)`.
    public static func weight(shape: [Int], fanIn: Int, generator: inout RandomGenerator) -> Tensor {
        let gain = (2.0 / (1.0 + 5.0)).squareRoot()
        let bound = Float(gain * (3.0 / Double(max(1, fanIn))).squareRoot())
        return generator.uniformTensor(shape: shape, low: -bound, high: bound)
    }

    /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    public static func bias(count: Int, fanIn: Int, generator: inout RandomGenerator) -> Tensor {
        let bound = Float(1.0 / Double(max(1, fanIn)).squareRoot())
        return generator.uniformTensor(shape: [count], low: -bound, high: bound)
    }
}
