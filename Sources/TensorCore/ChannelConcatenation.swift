/// Concatenation of tensors along dimension 1 (the channels of NCHW data, the features of `[N, F]`).
///
/// All inputs share every dimension except the second; the backward pass splits the gradient back.
/// Per sample, each input occupies one contiguous run of the joined row, so both directions are
/// plain block copies.
public enum ChannelConcatenation {
    /// The inputs joined along dimension 1, in order.
    public static func forward(_ inputs: [Tensor]) throws -> Tensor {
        guard let first = inputs.first else {
            throw TensorError.invalidArgument(operation: "concat", reason: "needs at least one tensor")
        }
        guard first.rank >= 2 else {
            throw TensorError.shapeMismatch(operation: "concat input [N, C, ...]", expected: [-1, -1], actual: first.shape)
        }
        for (index, input) in inputs.enumerated().dropFirst() {
            var expected = first.shape
            if input.rank == first.rank { expected[1] = input.shape[1] }
            try ensureShape(input, expected, "concat input \(index)")
        }
        var shape = first.shape
        shape[1] = inputs.reduce(0) { $0 + $1.shape[1] }
        let batch = shape[0], inner = shape.dropFirst(2).reduce(1, *), rowLength = shape[1] * inner
        return Tensor(shape: shape) { y, _ in
            var offset = 0
            for input in inputs {
                let length = input.shape[1] * inner
                input.withUnsafeBufferPointer { x in
                    guard let x = x.baseAddress, length > 0 else { return }
                    for n in 0..<batch { (y + n * rowLength + offset).update(from: x + n * length, count: length) }
                }
                offset += length
            }
        }
    }

    /// Splits `∂L/∂output` into the gradients of the inputs, which had `channelCounts` channels each.
    public static func backward(outputGradient: Tensor, channelCounts: [Int]) throws -> [Tensor] {
        let total = channelCounts.reduce(0, +)
        guard outputGradient.rank >= 2, channelCounts.allSatisfy({ $0 >= 0 }), total == outputGradient.shape[1] else {
            var expected = outputGradient.shape
            if expected.count >= 2 { expected[1] = total }
            throw TensorError.shapeMismatch(operation: "concat backward (output gradient for channels \(channelCounts))",
                                            expected: expected, actual: outputGradient.shape)
        }
        let shape = outputGradient.shape
        let batch = shape[0], inner = shape.dropFirst(2).reduce(1, *), rowLength = total * inner
        var offset = 0
        return outputGradient.withUnsafeBufferPointer { dy in
            channelCounts.map { channels in
                var inputShape = shape
                inputShape[1] = channels
                let length = channels * inner, start = offset
                offset += length
                return Tensor(shape: inputShape) { dx, _ in
                    for n in 0..<batch { (dx + n * length).update(from: dy.baseAddress! + n * rowLength + start, count: length) }
                }
            }
        }
    }
}
