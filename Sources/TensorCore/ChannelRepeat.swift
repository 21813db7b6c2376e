/// Tiling of the channels (dimension 1) `times` times, as PyTorch's `x.repeat(1, times, 1, 1)`:
/// output channel `j` is input channel `j mod C`. With one input channel and `times = 3` this turns
/// grey images into RGB ones.
public enum ChannelRepeat {
    /// `input` `[N, C, ...]` tiled to `[N, C · times, ...]`.
    public static func forward(input: Tensor, times: Int) throws -> Tensor {
        let (batch, length) = try validate(input.shape, times: times, operation: "repeat channels")
        var shape = input.shape
        shape[1] *= times
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: shape) { y, _ in
                for n in 0..<batch {
                    let source = x.baseAddress! + n * length
                    for copy in 0..<times { (y + (n * times + copy) * length).update(from: source, count: length) }
                }
            }
        }
    }

    /// `∂L/∂input`: the gradients of all copies of each channel summed. `outputGradient` is `[N, C · times, ...]`.
    public static func backward(outputGradient: Tensor, times: Int) throws -> Tensor {
        guard times >= 1, outputGradient.rank >= 2, outputGradient.shape[1] % times == 0 else {
            throw TensorError.invalidArgument(operation: "repeat channels backward",
                reason: "output gradient \(outputGradient.shape) does not hold \(times) copies of its channels")
        }
        var shape = outputGradient.shape
        shape[1] /= times
        let (batch, length) = try validate(shape, times: times, operation: "repeat channels backward")
        return outputGradient.withUnsafeBufferPointer { dy in
            Tensor(shape: shape) { dx, _ in
                for n in 0..<batch {
                    let target = dx + n * length
                    let copies = dy.baseAddress! + n * times * length
                    target.update(from: copies, count: length)
                    for copy in 1..<times {
                        let source = copies + copy * length
                        for i in 0..<length { target[i] += source[i] }
                    }
                }
            }
        }
    }

    /// The batch size and the elements per sample of an input of `shape`.
    private static func validate(_ shape: [Int], times: Int, operation: String) throws -> (Int, Int) {
        guard times >= 1 else {
            throw TensorError.invalidArgument(operation: operation, reason: "times must be at least 1, got \(times)")
        }
        guard shape.count >= 2 else {
            throw TensorError.shapeMismatch(operation: "\(operation) input [N, C, ...]", expected: [-1, -1], actual: shape)
        }
        return (shape[0], shape.dropFirst().reduce(1, *))
    }
}
