import Foundation
import Serialization
import SwiftProtobuf

extension CompactNetwork {
    /// The opset of the exported ONNX graph (the default domain).
    public static let onnxOpset = 13
    /// The ONNX IR version of the exported model: 7, the first with opset 13.
    public static let onnxIRVersion = 7
    /// The name of the exported graph's input: float pixels in [0, 1], `[batch] + inputShape` (NCHW for images).
    public static let onnxInputName = "pixels"
    /// The name of the exported graph's output: the logits `[batch, classes]` (no softmax).
    public static let onnxOutputName = "logits"

    /// The network as an ONNX model (opset ``onnxOpset``), serialised.
    ///
    /// - Input ``onnxInputName``: float `[batch, C, H, W]` (or `[batch, F]`), pixels in [0, 1] (byte images / 255),
    ///   any batch size.
    /// - The graph first normalises them as training did, `(pixels - mean) / standardDeviation` per channel, then
    ///   computes the network: per layer one `Conv` or `Gemm` per incoming connection (after `MaxPool`,
    ///   `GlobalAveragePool` + `Flatten` or `Flatten` of its source), `Sum`, `Relu` (not on the output).
    /// - Output ``onnxOutputName``: float `[batch, classes]`, the logits; softmax them for probabilities.
    ///
    /// The input normalisation is also recorded in the model's metadata (`input_mean`, `input_std`).
    /// - Throws: ``ModelExportError/invalidNormalization(_:)`` when `normalization` does not fit the input.
    public func onnxModel(normalization: InputNormalization, producerVersion: String = "") throws -> Data {
        try normalization.check(for: self)
        var builder = ONNXGraphBuilder()
        let channelShape = inputShape.count == 3 ? [1, inputShape[0], 1, 1] : [1, inputShape[0]]
        let mean = builder.addInitializer("input_mean", shape: channelShape, scalars: normalization.mean)
        let deviation = builder.addInitializer("input_std", shape: channelShape, scalars: normalization.standardDeviation)
        let centred = builder.add("Sub", [Self.onnxInputName, mean], output: "input_centred")
        var outputs: [Int: String] = [nodes[0].id: builder.add("Div", [centred, deviation], output: nodes[0].name)]
        var reduced: [String: String] = [:]
        for node in nodes.dropFirst() {
            var terms: [String] = []
            for edge in incomingEdges(of: node.id) {
                guard let source = self.node(edge.source), let sourceOutput = outputs[source.id] else { continue }
                let key = "\(sourceOutput)/\(edge.reduction.rawValue)"
                if reduced[key] == nil { reduced[key] = Self.reduce(sourceOutput, edge.reduction, builder: &builder) }
                let weight = builder.addInitializer(CompactNetworkDescription.weightName(from: source.name, to: node.name),
                                                    shape: edge.weight.shape, scalars: edge.weight.scalars)
                var inputs = [reduced[key]!, weight]
                if terms.isEmpty, let bias = node.bias {
                    inputs.append(builder.addInitializer(CompactNetworkDescription.biasName(of: node), shape: bias.shape, scalars: bias.scalars))
                }
                let output = "\(node.name)_from_\(source.name)"
                if let kernelSize = node.kernelSize {
                    let padding = kernelSize / 2
                    terms.append(builder.add("Conv", inputs, output: output, attributes: [
                        "kernel_shape": .ints([kernelSize, kernelSize]), "pads": .ints([padding, padding, padding, padding]),
                        "strides": .ints([1, 1]), "dilations": .ints([1, 1]), "group": .int(1),
                    ]))
                } else {
                    terms.append(builder.add("Gemm", inputs, output: output, attributes: ["transB": .int(1)]))
                }
            }
            let sum: String
            switch terms.count {
            case 0: sum = constant(node, builder: &builder)
            case 1: sum = terms[0]
            default: sum = builder.add("Sum", terms, output: "\(node.name)_sum")
            }
            outputs[node.id] = node.isOutput
                ? builder.add("Identity", [sum], output: Self.onnxOutputName)
                : builder.add("Relu", [sum], output: node.name)
        }
        return try model(builder, normalization: normalization, producerVersion: producerVersion).serializedData()
    }

    /// The tensor that a connection reads from the output `source` reduced by `reduction`.
    private static func reduce(_ source: String, _ reduction: CompactEdge.Reduction, builder: inout ONNXGraphBuilder) -> String {
        switch reduction {
        case .identity:
            return source
        case .maxPool:
            return builder.add("MaxPool", [source], output: "\(source)_maxpool",
                               attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
        case .globalAveragePool:
            let pooled = builder.add("GlobalAveragePool", [source], output: "\(source)_gap")
            return builder.add("Flatten", [pooled], output: "\(source)_gap_flat", attributes: ["axis": .int(1)])
        case .flatten:
            return builder.add("Flatten", [source], output: "\(source)_flat", attributes: ["axis": .int(1)])
        }
    }

    /// A node without connections: its bias repeated over `[batch] + sampleShape`, the batch taken from the input.
    private func constant(_ node: CompactNode, builder: inout ONNXGraphBuilder) -> String {
        let shape = sampleShape(of: node)
        let plane = shape.dropFirst().reduce(1, *)
        let bias = node.bias?.scalars ?? [Float](repeating: 0, count: node.channelCount)
        let value = builder.addInitializer("\(node.name)_constant", shape: [1] + shape,
                                           scalars: (0..<(node.channelCount * plane)).map { bias[$0 / plane] })
        let inputShape = builder.add("Shape", [Self.onnxInputName], output: "\(node.name)_input_shape")
        let batch = builder.add("Slice", [inputShape, builder.addInitializer("\(node.name)_slice_start", integers: [0]),
                                          builder.addInitializer("\(node.name)_slice_end", integers: [1])],
                                output: "\(node.name)_batch")
        let target = builder.add("Concat", [batch, builder.addInitializer("\(node.name)_sample_shape", integers: shape)],
                                 output: "\(node.name)_shape", attributes: ["axis": .int(0)])
        return builder.add("Expand", [value, target], output: "\(node.name)_expanded")
    }

    /// The model around the graph of `builder`.
    private func model(_ builder: ONNXGraphBuilder, normalization: InputNormalization, producerVersion: String) -> Onnx_ModelProto {
        var input = Onnx_ValueInfoProto()
        input.name = Self.onnxInputName
        input.type = ONNXGraphBuilder.floatType(batch: "batch", shape: inputShape)
        input.docString = "pixels in [0, 1] (bytes / 255), \(inputShape.count == 3 ? "NCHW" : "N x features"); normalised inside the graph"
        var output = Onnx_ValueInfoProto()
        output.name = Self.onnxOutputName
        output.type = ONNXGraphBuilder.floatType(batch: "batch", shape: [classCount])
        output.docString = "logits, one per class (no softmax)"
        var graph = Onnx_GraphProto()
        graph.name = "ilnas"
        graph.node = builder.nodes
        graph.initializer = builder.initializers
        graph.input = [input]
        graph.output = [output]
        graph.docString = "A network grown by ILNAS, compacted: input pixels in [0, 1], normalised per channel with the "
            + "training set's mean and standard deviation inside the graph; output the logits."
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.onnxOpset)
        var model = Onnx_ModelProto()
        model.irVersion = Int64(Self.onnxIRVersion)
        model.opsetImport = [opset]
        model.producerName = "ilnas"
        model.producerVersion = producerVersion
        model.graph = graph
        model.metadataProps = [("input_mean", normalization.mean), ("input_std", normalization.standardDeviation)].map { key, values in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = values.map { "\($0)" }.joined(separator: ",")
            return entry
        }
        return model
    }
}
