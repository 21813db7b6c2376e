import Foundation

/// The softmax of each row of `[N, K]` logits, computed stably by subtracting the row maximum first.
public enum Softmax {
    /// Row-wise `exp(z_k - max z) / Σ_j exp(z_j - max z)`: probabilities that sum to 1 per row.
    public static func forward(_ logits: Tensor) throws -> Tensor {
        let (rows, classes) = try validate(logits, "softmax")
        return logits.withUnsafeBufferPointer { z in
            Tensor(shape: logits.shape) { p, _ in
                for row in 0..<rows {
                    _ = normalize(z.baseAddress! + row * classes, into: p + row * classes, count: classes)
                }
            }
        }
    }

    /// Writes the softmax of `count` logits into `probabilities` and returns `log Σ_j exp(z_j)`,
    /// computed as `max z + log Σ_j exp(z_j - max z)` so that large logits do not overflow.
    static func normalize(_ logits: UnsafePointer<Float>, into probabilities: UnsafeMutablePointer<Float>, count: Int) -> Double {
        var largest = logits[0]
        for k in 1..<count where logits[k] > largest { largest = logits[k] }
        var sum: Float = 0
        for k in 0..<count {
            let e = exp(logits[k] - largest)
            probabilities[k] = e
            sum += e
        }
        let inverse = 1 / sum
        for k in 0..<count { probabilities[k] *= inverse }
        return Double(largest) + log(Double(sum))
    }

    /// The rows and classes of rank-2 logits with at least one class.
    static func validate(_ logits: Tensor, _ operation: String) throws -> (rows: Int, classes: Int) {
        guard logits.rank == 2, logits.shape[1] >= 1 else {
            throw TensorError.shapeMismatch(operation: "\(operation) logits [N, K]", expected: [-1, -1], actual: logits.shape)
        }
        return (logits.shape[0], logits.shape[1])
    }
}
