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

    /// The number of rows whose label is among the `k` largest scores, ties ranked as `argmax` ranks them (the lower
    /// index first), so that `k` = 1 counts what `correctCount` counts: class j ranks before the label l when
    /// s[j] > s[l], or s[j] = s[l] and j < l. A row whose label's score is NaN counts as wrong.
    public static func topKCorrectCount(scores: Tensor, labels: [Int], k: Int) throws -> Int {
        let (rows, classes) = try Softmax.validate(scores, "top-k accuracy")
        guard labels.count == rows else {
            throw TensorError.shapeMismatch(operation: "top-k accuracy labels (one per scores row)", expected: [rows], actual: [labels.count])
        }
        guard k >= 1 else { throw TensorError.invalidArgument(operation: "top-k accuracy", reason: "k must be at least 1, got \(k)") }
        if let label = labels.first(where: { !(0..<classes).contains($0) }) {
            throw TensorError.invalidArgument(operation: "top-k accuracy", reason: "label \(label) outside 0..<\(classes)")
        }
        return scores.withUnsafeBufferPointer { s in
            (0..<rows).reduce(0) { count, row in
                let values = s.baseAddress! + row * classes
                let label = labels[row], score = values[label]
                guard !score.isNaN else { return count }
                var before = 0
                for j in 0..<classes where values[j] > score || (values[j] == score && j < label) { before += 1 }
                return count + (before < k ? 1 : 0)
            }
        }
    }

    /// The fraction of rows whose argmax equals the label, in [0, 1] (0 for an empty batch).
    public static func accuracy(scores: Tensor, labels: [Int]) throws -> Double {
        let correct = try correctCount(scores: scores, labels: labels)
        return labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
    }
}
