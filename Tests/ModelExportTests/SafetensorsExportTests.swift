import ArchitectureSearch
import Foundation
@testable import ModelExport
import Serialization
import TensorCore
import TestSupport
import XCTest

/// The safetensors export: plain names, no masks, the graph as JSON metadata from which the network runs again.
final class SafetensorsExportTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// The network that a reader builds from the file alone, as `Scripts/interop/check_onnx.py` does in numpy.
    static func network(from file: SafetensorsFile) throws -> (CompactNetwork, CompactNetworkDescription) {
        let json = try XCTUnwrap(file.metadata[CompactNetworkDescription.metadataKey])
        let description = try JSONDecoder().decode(CompactNetworkDescription.self, from: Data(json.utf8))
        func tensor(_ name: String) throws -> Tensor { try XCTUnwrap(file.tensors[name]?.tensor, "no tensor \(name)") }
        var nodes = [CompactNode(id: 0, kind: .input, stage: 0, isOutput: false, keptChannels: Array(0..<description.input.shape[0]),
                                 bias: nil, name: "input")]
        var edges: [CompactEdge] = []
        for (index, layer) in description.layers.enumerated() {
            let kind: GrowingNode.Kind = layer.kind == "convolution" ? .convolution(kernelSize: try XCTUnwrap(layer.kernelSize)) : .linear
            nodes.append(CompactNode(id: index + 1, kind: kind, stage: layer.stage ?? -1, isOutput: layer.name == description.output,
                                     keptChannels: Array(0..<layer.channels), bias: try tensor(layer.bias), name: layer.name))
            for input in layer.inputs {
                let source = try XCTUnwrap(nodes.first { $0.name == input.from })
                edges.append(CompactEdge(source: source.id, target: index + 1, reduction: try XCTUnwrap(CompactEdge.Reduction(rawValue: input.reduction)),
                                         weight: try tensor(input.weight)))
            }
        }
        let head = try XCTUnwrap(HeadReduction(rawValue: description.headReduction))
        return (try CompactNetwork(inputShape: description.input.shape, headReduction: head, nodes: nodes, edges: edges), description)
    }

    func testTheFileRunsAgainFromItsTensorsAndDescription() throws {
        for network in [try ExportFixtures.convolutionalNetwork(), try ExportFixtures.convolutionalNetwork(seed: 3, head: .flatten),
                        try ExportFixtures.perceptron()] {
            let batches = ExportFixtures.batches(inputShape: network.inputShape)
            try ExportFixtures.train(network, on: batches, steps: 3)
            ExportFixtures.grow(network)
            let compact = try network.compacted()
            let channels = network.inputShape[0]
            let normalization = try InputNormalization(mean: (0..<channels).map { Float($0) / 10 },
                                                       standardDeviation: (0..<channels).map { 0.5 + Float($0) / 10 })
            let path = directory.file("compact.safetensors")
            try compact.writeSafetensors(toFile: path, normalization: normalization)
            let file = try SafetensorsFile(contentsOfFile: path)
            XCTAssertEqual(file.tensors.count, compact.nodes.count - 1 + compact.edges.count, "one bias per layer, one weight per connection")
            XCTAssertFalse(file.tensors.keys.contains { $0.hasSuffix(".mask") })
            let (reread, description) = try Self.network(from: file)
            XCTAssertEqual(description.format, 1)
            XCTAssertEqual(description.input.mean, normalization.mean)
            XCTAssertEqual(description.input.standardDeviation, normalization.standardDeviation)
            XCTAssertEqual(description.input.pixelRange, [0, 1])
            XCTAssertEqual(description.classes, 3)
            XCTAssertEqual(description.layers.map(\.sourceNode), compact.nodes.dropFirst().map(\.id))
            // Each connection records its density, counted here from the file's tensor, and the layout the compact
            // engine gives it.
            let inference = try CompactInference(compact)
            var layouts: [String: WeightLayout] = [:]
            for (edge, layout) in zip(compact.edges, inference.layouts) {
                layouts[CompactNetworkDescription.weightName(from: try XCTUnwrap(compact.node(edge.source)).name,
                                                             to: try XCTUnwrap(compact.node(edge.target)).name)] = layout
            }
            for input in description.layers.flatMap(\.inputs) {
                let weight = try XCTUnwrap(file.tensors[input.weight]?.tensor)
                let nonZeros = weight.scalars.filter { $0 != 0 }.count
                XCTAssertEqual(try XCTUnwrap(input.density), Double(nonZeros) / Double(weight.count), accuracy: 1e-12)
                XCTAssertEqual(input.layout, layouts[input.weight])
            }
            for batch in batches {
                XCTAssertEqual(try reread.forward(batch.inputs), try compact.forward(batch.inputs))
            }
        }
    }

    func testNamesArePlain() throws {
        let compact = try ExportFixtures.convolutionalNetwork().compacted()
        let names = try compact.safetensors(normalization: .identity(channels: 2)).tensors.keys.sorted()
        XCTAssertTrue(names.contains("conv1.bias"), "\(names)")
        XCTAssertTrue(names.contains("conv1.from_input.weight"), "\(names)")
        XCTAssertTrue(names.contains("output.bias"), "\(names)")
        XCTAssertTrue(names.allSatisfy { $0.range(of: #"^(conv\d+|linear\d+|output)\.(bias|from_(input|conv\d+|linear\d+)\.weight)$"#, options: .regularExpression) != nil },
                      "\(names)")
    }

    func testANormalizationOfAnotherChannelCountIsRefused() throws {
        let compact = try ExportFixtures.convolutionalNetwork().compacted()
        XCTAssertThrowsError(try compact.safetensors(normalization: .identity(channels: 3))) { error in
            XCTAssertTrue("\(error)".contains("3 channels"), "\(error)")
        }
        XCTAssertThrowsError(try InputNormalization(mean: [0], standardDeviation: [0]))
        XCTAssertThrowsError(try InputNormalization(mean: [0, 1], standardDeviation: [1]))
    }
}
