/// The mean cross-entropy of the softmax of `[N, K]` logits against integer class labels
/// (PyTorch's `F.cross_entropy` with mean reduction), with its gradient.
public enum SoftmaxCrossEntropy {
    /// The loss and its gradient with respect to the logits.
    public struct Result: Sendable {
        /// `-(1/N) Σ_n log softmax(z_n)[label_n]`.
        public let loss: Float
        /// `∂loss/∂logits = (softmax(z) - onehot(labels)) / N`, `[N, K]`.
        public let logitsGradient: Tensor
    }

    /// The mean loss over the batch and its gradient, computed with log-sum-exp so that logits of any
    /// magnitude stay finite. Throws when the label count differs from `N` or a label lies outside `0..<K`.
    public static func lossAndGradient(logits: Tensor, labels: [Int]) throws -> Result {
        let (rows, classes) = try Softmax.validate(logits, "cross-entropy")
        guard labels.count == rows else {
            throw TensorError.shapeMismatch(operation: "cross-entropy labels (one per logits row)", expected: [rows], actual: [labels.count])
        }
        if let index = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw TensorError.invalidArgument(operation: "cross-entropy",
                                              reason: "label \(labels[index]) at index \(index) is outside 0..<\(classes)")
        }
        guard rows > 0 else {
            throw TensorError.invalidArgument(operation: "cross-entropy", reason: "the batch is empty")
        }
        var total = 0.0
        let inverseRows = 1 / Float(rows)
        let gradient = logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { labels in
                Tensor(shape: logits.shape) { g, _ in
                    for row in 0..<rows {
                        let logitsRow = z.baseAddress! + row * classes, gradientRow = g + row * classes
                        let logSumExp = Softmax.normalize(logitsRow, into: gradientRow, count: classes)
                        let label = labels[row]
                        total += logSumExp - Double(logitsRow[label])
                        gradientRow[label] -= 1
                        for k in 0..<classes { gradientRow[k] *= inverseRows }
                    }
                }
            }
        }
        return Result(loss: Float(total / Double(rows)), logitsGradient: gradient)
    }
}
