import Foundation
import Serialization
import TensorCore

extension CompactNetwork {
    /// The network as a safetensors file: every bias (`conv1.bias`) and weight (`conv2.from_conv1.weight`) as F32,
    /// and the graph as the JSON metadata entry ``CompactNetworkDescription/metadataKey`` (a
    /// ``CompactNetworkDescription``, with the input's normalisation). Python's `safetensors` reads it.
    /// - Throws: ``ModelExportError/invalidNormalization(_:)`` when `normalization` does not fit the input.
    public func safetensors(normalization: InputNormalization) throws -> SafetensorsFile {
        try normalization.check(for: self)
        let description = CompactNetworkDescription(self, normalization: normalization)
        var tensors: [String: StoredTensor] = [:]
        for node in nodes.dropFirst() {
            if let bias = node.bias { tensors[CompactNetworkDescription.biasName(of: node)] = StoredTensor(bias) }
        }
        for edge in edges {
            guard let source = node(edge.source), let target = node(edge.target) else { continue }
            tensors[CompactNetworkDescription.weightName(from: source.name, to: target.name)] = StoredTensor(edge.weight)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(description), as: UTF8.self)
        return SafetensorsFile(tensors: tensors, metadata: [CompactNetworkDescription.metadataKey: json])
    }

    /// Writes ``safetensors(normalization:)`` to `path` atomically (temporary file, sync, rename).
    /// - Throws: ``ModelExportError`` as ``safetensors(normalization:)``; `SafetensorsError` naming `path` when
    ///   the file cannot be written.
    public func writeSafetensors(toFile path: String, normalization: InputNormalization) throws {
        try safetensors(normalization: normalization).write(toFile: path)
    }
}
