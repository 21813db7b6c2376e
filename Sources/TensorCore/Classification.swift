/// Predicted classes of `[N, K]` scores (logits or probabilities) and how many match the labels.
public enum Classification {
    /// The index of the largest score of each row; ties go to the lowest index.
    public static func argmax(_ scores: Tensor) throws -> [Int] {
        let (rows, classes) = try Softmax.validate(scores, "argmax")
        return scores.withUnsafeBufferPointer { s in
            (0..<rows).map { row in
                let values = s.baseAddress! + row * classes
                var best = 0
                for k in 1..<classes where values[k] > values[best] { best = k }
                return best
            }
        }
    }

    /// The number of rows whose argmax equals the label.
    public static func correctCount(scores: Tensor, labels: [Int]) throws -> Int {
        let predictions = try argmax(scores)
        guard labels.count == predictions.count else {
            throw TensorError.shapeMismatch(operation: "accuracy labels (one per scores row)", expected: [predictions.count], actual: [labels.count])
        }
        return zip(predictions, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    }

    /// The fraction of rows whose argmax equals the label, in [0, 1] (0 for an empty batch).
    public static func accuracy(scores: Tensor, labels: [Int]) throws -> Double {
        let correct = try correctCount(scores: scores, labels: labels)
        return labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
    }
}
