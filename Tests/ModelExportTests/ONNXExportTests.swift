import ArchitectureSearch
import Foundation
@testable import ModelExport
import SwiftProtobuf
import TensorCore
import XCTest

/// The ONNX export decodes back through the generated types: IR and opset versions, the input and output, the
/// normalisation in the graph, one operator per connection and an initializer per weight with its shape.
final class ONNXExportTests: XCTestCase {
    private func decoded(_ compact: CompactNetwork, _ normalization: InputNormalization) throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: compact.onnxModel(normalization: normalization, producerVersion: "test"))
    }

    private func dimensions(_ value: Onnx_ValueInfoProto) -> [String] {
        value.type.tensorType.shape.dim.map { dimension in
            if case let .dimParam(name)? = dimension.value { return name }
            return "\(dimension.dimValue)"
        }
    }

    private func floats(_ tensor: Onnx_TensorProto) -> [Float] {
        tensor.rawData.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    func testTheModelDecodesWithItsOpsetInputOutputAndNormalization() throws {
        let compact = try ExportFixtures.convolutionalNetwork().compacted()
        let normalization = try InputNormalization(mean: [0.25, 0.5], standardDeviation: [0.5, 2])
        let model = try decoded(compact, normalization)
        XCTAssertEqual(model.irVersion, 7)
        XCTAssertEqual(model.opsetImport.map(\.domain), [""])
        XCTAssertEqual(model.opsetImport.map(\.version), [13])
        XCTAssertEqual(model.producerName, "ilnas")
        XCTAssertEqual(model.producerVersion, "test")
        let graph = model.graph
        XCTAssertEqual(graph.input.map(\.name), ["pixels"])
        XCTAssertEqual(dimensions(graph.input[0]), ["batch", "2", "7", "7"])
        XCTAssertEqual(graph.input[0].type.tensorType.elemType, Int32(Onnx_TensorProto.DataType.float.rawValue))
        XCTAssertEqual(graph.output.map(\.name), ["logits"])
        XCTAssertEqual(dimensions(graph.output[0]), ["batch", "3"])
        XCTAssertEqual(graph.node.prefix(2).map(\.opType), ["Sub", "Div"])
        XCTAssertEqual(graph.node[0].input, ["pixels", "input_mean"])
        let initializers = Dictionary(uniqueKeysWithValues: graph.initializer.map { ($0.name, $0) })
        XCTAssertEqual(initializers["input_mean"]?.dims, [1, 2, 1, 1])
        XCTAssertEqual(initializers["input_mean"].map(floats), [0.25, 0.5])
        XCTAssertEqual(initializers["input_std"].map(floats), [0.5, 2])
        XCTAssertEqual(graph.node.last?.opType, "Identity")
        XCTAssertEqual(graph.node.last?.output, ["logits"])
    }

    func testEveryConnectionIsOneOperatorWithItsWeight() throws {
        for network in [try ExportFixtures.convolutionalNetwork(seed: 4), try ExportFixtures.convolutionalNetwork(seed: 5, head: .flatten),
                        try ExportFixtures.perceptron()] {
            ExportFixtures.grow(network)
            let compact = try network.compacted()
            let graph = try decoded(compact, .identity(channels: network.inputShape[0])).graph
            let initializers = Dictionary(uniqueKeysWithValues: graph.initializer.map { ($0.name, $0) })
            let convolutions = compact.edges.filter { compact.node($0.target)?.kernelSize != nil }
            XCTAssertEqual(graph.node.filter { $0.opType == "Conv" }.count, convolutions.count)
            XCTAssertEqual(graph.node.filter { $0.opType == "Gemm" }.count, compact.edges.count - convolutions.count)
            XCTAssertEqual(graph.node.filter { $0.opType == "Relu" }.count, compact.nodes.count - 2)
            for edge in compact.edges {
                let source = try XCTUnwrap(compact.node(edge.source)), target = try XCTUnwrap(compact.node(edge.target))
                let name = "\(target.name).from_\(source.name).weight"
                let initializer = try XCTUnwrap(initializers[name], name)
                XCTAssertEqual(initializer.dims, edge.weight.shape.map(Int64.init))
                XCTAssertEqual(floats(initializer), edge.weight.scalars)
            }
            for node in compact.nodes.dropFirst() {
                XCTAssertEqual(initializers["\(node.name).bias"]?.dims, [Int64(node.channelCount)])
            }
            // Every operator reads the graph input, an initializer, or the output of an operator before it.
            var known = Set(graph.initializer.map(\.name) + ["pixels"])
            for node in graph.node {
                for input in node.input { XCTAssertTrue(known.contains(input), "\(node.name) reads \(input) before it is made") }
                XCTAssertTrue(known.insert(node.output[0]).inserted, "\(node.output[0]) made twice")
            }
            for node in graph.node where node.opType == "Conv" {
                let attributes = Dictionary(uniqueKeysWithValues: node.attribute.map { ($0.name, $0) })
                XCTAssertEqual(attributes["pads"]?.ints, [1, 1, 1, 1])
                XCTAssertEqual(attributes["kernel_shape"]?.ints, [3, 3])
            }
        }
    }

    func testANodeWithoutConnectionsIsItsBiasExpandedToTheBatch() throws {
        let network = try ExportFixtures.perceptron(seed: 6)
        let hidden = try XCTUnwrap(network.nodes.first { $0.kind == .linear && !$0.isOutput })
        for edge in network.incomingEdges(of: hidden.id) {
            for index in 0..<edge.weight.count { edge.weight.deactivate(index) }
        }
        for channel in hidden.realChannels { hidden.bias?.activate(channel, initialValue: 1) }
        let graph = try decoded(try network.compacted(), .identity(channels: 7)).graph
        XCTAssertEqual(graph.node.filter { $0.opType == "Expand" }.count, 1)
        XCTAssertEqual(graph.node.filter { $0.opType == "Shape" }.map(\.input), [["pixels"]])
    }
}

/// What the ONNX graph computes, run by ``ONNXReferenceInterpreter`` on raw pixels: the masked network's logits on
/// the normalised pixels.
final class ONNXGraphComputationTests: XCTestCase {
    func testTheGraphNormalisesPixelsAndGivesTheMaskedNetworksLogits() throws {
        let constant = try ExportFixtures.perceptron(seed: 6)
        let hidden = try XCTUnwrap(constant.nodes.first { $0.kind == .linear && !$0.isOutput })
        for edge in constant.incomingEdges(of: hidden.id) {
            for index in 0..<edge.weight.count { edge.weight.deactivate(index) }
        }
        for channel in hidden.realChannels { hidden.bias?.activate(channel, initialValue: 1) }
        let grown = try ExportFixtures.convolutionalNetwork(seed: 8, head: .flatten)
        try ExportFixtures.train(grown, on: ExportFixtures.batches(inputShape: grown.inputShape), steps: 3)
        ExportFixtures.grow(grown)
        for network in [try ExportFixtures.convolutionalNetwork(), grown, try ExportFixtures.perceptron(), constant] {
            let channels = network.inputShape[0]
            let mean = (0..<channels).map { 0.4 + Float($0) / 20 }, deviation = (0..<channels).map { 0.25 + Float($0) / 40 }
            let normalization = try InputNormalization(mean: mean, standardDeviation: deviation)
            let model = try Onnx_ModelProto(serializedBytes: try network.compacted().onnxModel(normalization: normalization))
            var generator = RandomGenerator(seed: 5)
            let pixels = Tensor(shape: [5] + network.inputShape) { _ in generator.uniform(0, 1) }
            let plane = network.inputShape.dropFirst().reduce(1, *)
            let normalised = Tensor(shape: pixels.shape) { (pixels[flat: $0] - mean[($0 / plane) % channels]) / deviation[($0 / plane) % channels] }
            let logits = try XCTUnwrap(try ONNXReferenceInterpreter(model: model).run(pixels: pixels)["logits"])
            let expected = try network.forward(normalised, mode: .inference)
            XCTAssertEqual(logits.shape, expected.shape)
            XCTAssertLessThanOrEqual(ExportFixtures.maximumDifference(logits, expected), 1e-5)
        }
    }
}
