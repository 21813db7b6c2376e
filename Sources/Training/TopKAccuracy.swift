import NeuralNetwork
import TensorCore

extension Evaluation {
    /// The fraction of the examples of `data` whose label is among the `k` largest outputs of `model` (inference mode,
    /// every batch), ties ranked as `Classification.argmax` ranks them: ImageNet's top-5 accuracy with `k` = 5.
    public static func topKAccuracy(_ model: Layer, on data: BatchSource, k: Int) throws -> Float {
        try topKAccuracy(on: data, k: k) { try model.forward($0, mode: .inference) }
    }

    /// The same top-`k` accuracy of the outputs `outputs(inputs)`, for a model that is not a `Layer`.
    public static func topKAccuracy(on data: BatchSource, k: Int, outputs: (Tensor) throws -> Tensor) throws -> Float {
        var correct = 0, seen = 0
        for batch in data.batches(epoch: 0) {
            let logits = try outputs(batch.inputs)
            correct += try Classification.topKCorrectCount(scores: logits, labels: batch.labels, k: k)
            seen += batch.labels.count
        }
        return Float(correct) / Float(max(1, seen))
    }
}
