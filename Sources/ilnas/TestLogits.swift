import Foundation
import Serialization
import TensorCore

/// What `ilnas evaluate RUN --logits FILE` writes: the first test images as an exported network takes them (pixels in
/// [0, 1], before normalisation), their labels, and the logits the run's masked network gives them, as a safetensors
/// file (`images` F32, `labels` I64, `logits` F32): what `Scripts/interop/check_onnx.py` compares exports with.
enum TestLogits {
    /// Writes the first `count` test images of `dataDirectory` (the embedded digits when `nil`) prepared as the run
    /// of `folder` prepared its own, with the logits of its network, to `path`.
    static func write(folder: RunFolder, dataDirectory: String?, count: Int, to path: String) throws {
        let network = try folder.network()
        let preparation = try folder.preparation()
        let test = try SearchData.unnormalizedTestSet(directory: dataDirectory, preparation: preparation, adaptingTo: network.inputShape)
        let first = try test.subset(Array(0..<min(count, test.count)))
        let normalized = try SearchData.normalized(first, preparation.normalization())
        let logits = try network.forward(normalized.images, mode: .inference)
        let file = SafetensorsFile(tensors: [
            "images": StoredTensor(first.images),
            "labels": StoredTensor(shape: [first.count], elements: .int64(first.labels.map(Int64.init))),
            "logits": StoredTensor(logits),
        ])
        try AtomicFile.replace(path, with: file.encoded(), creatingFolders: true)
    }
}
