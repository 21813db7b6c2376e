import TensorCore

/// What a network is trained and scored against: a loss of the network's output for a batch's labels, its gradient
/// with respect to that output, and how many samples the output gets right.
///
/// ``TrainingLoop``, ``Evaluation`` and the architecture search's optimizer take an objective instead of computing
/// softmax cross-entropy themselves; ``SoftmaxCrossEntropyObjective`` is the default, so that code which does not
/// name one computes exactly what it computed before. Another objective (the multi-task search's, which sums the
/// cross-entropies of the tasks whose samples share one batch) changes what is minimised without touching the loop.
public protocol Objective {
    /// The loss of `outputs` (one row per sample) for `labels` and `∂loss/∂outputs`, shaped like `outputs`.
    func lossAndGradient(outputs: Tensor, labels: [Int]) throws -> (loss: Float, outputGradient: Tensor)
    /// The number of samples whose prediction from `outputs` is right.
    func correctCount(outputs: Tensor, labels: [Int]) throws -> Int
}

/// Mean softmax cross-entropy of `[N, K]` logits and accuracy by the largest logit: the classifier's objective and the
/// default everywhere (`SoftmaxCrossEntropy` and `Classification`, unchanged).
public struct SoftmaxCrossEntropyObjective: Objective, Sendable {
    public init() {}

    public func lossAndGradient(outputs: Tensor, labels: [Int]) throws -> (loss: Float, outputGradient: Tensor) {
        let result = try SoftmaxCrossEntropy.lossAndGradient(logits: outputs, labels: labels)
        return (result.loss, result.logitsGradient)
    }

    public func correctCount(outputs: Tensor, labels: [Int]) throws -> Int {
        try Classification.correctCount(scores: outputs, labels: labels)
    }
}
