import NeuralNetwork
import TensorCore

extension Evaluation {
    /// The fraction of the examples of `data` whose label is among the `k` largest outputs of `model` (inference mode,
    /// every batch), ties ranked as `Classification.argmax` ranks them: ImageNet's top-5 accuracy with `k` = 5.
    public static func topKAccuracy(_ model: Layer, on data: BatchSource, k: Int) throws -> Float {
        var correct = 0, seen = 0
        for batch in data.batches(epoch: 0) {
            let logits = try model.forward(batch.inputs, mode: .inference)
            correct += try Classification.topKCorrectCount(scores: logits, labels: batch.labels, k: k)
            seen += batch.labels.count
        }
        return Float(correct) / Float(max(1, seen))
    }
}
