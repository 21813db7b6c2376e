import ArchitectureSearch
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import TestSupport
import XCTest

/// A grown network saved to a safetensors file and loaded back computes the same bits, describes the same
/// architecture and keeps growing as the saved one would; a file that does not hold one is refused by name.
final class GrowingNetworkFileTests: XCTestCase {
    private let batches = SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 2, batchSize: 16, seed: 41)
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// The convolutional fixture trained, given an identity layer after its stem (moving the stem's edges), grown by
    /// layers and connections, then by kernels (promoted placeholders), trained again, with fresh probe weights in
    /// its placeholder rows.
    private func grownNetwork(head: HeadReduction) throws -> GrowingNetwork {
        let network = try SearchFixtures.convolutionalNetwork(head: head)
        try SearchFixtures.train(network, on: batches, steps: 6)
        try network.insertIdentityLayer(after: network.nodes[1].id)
        let optimizer = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 5)
        let added = try [LayerGranularity(), KernelGranularity()].map { (granularity: any SearchGranularity) in
            try optimizer.expand(network, granularity: granularity, batches: batches, targetParameters: 60, stepSize: 0.05).addedParameters
        }
        XCTAssertGreaterThan(added.reduce(0, +), 0, "the expansions added nothing")
        try SearchFixtures.train(network, on: batches, steps: 2)
        network.beginScoring()
        network.endScoring()
        return network
    }

    private func assertSameNetwork(_ loaded: GrowingNetwork, _ saved: GrowingNetwork, file: StaticString = #filePath, line: UInt = #line) throws {
        var generator = RandomGenerator(seed: 11)
        let input = generator.normalTensor(shape: [5] + saved.inputShape)
        XCTAssertEqual(try loaded.forward(input, mode: .inference).scalars, try saved.forward(input, mode: .inference).scalars,
                       "the forward pass is not bit for bit the same", file: file, line: line)
        XCTAssertEqual(ArchitectureDescription(loaded), ArchitectureDescription(saved), file: file, line: line)
        XCTAssertEqual(loaded.parameterCount, saved.parameterCount, file: file, line: line)
        XCTAssertEqual(loaded.multiplyAccumulates, saved.multiplyAccumulates, file: file, line: line)
        XCTAssertEqual(loaded.name, saved.name, file: file, line: line)
        XCTAssertEqual(loaded.nodes.map(\.isPlaceholder), saved.nodes.map(\.isPlaceholder), file: file, line: line)
        XCTAssertEqual(loaded.edges.map(\.convolutionAlgorithm), saved.edges.map(\.convolutionAlgorithm), file: file, line: line)
        XCTAssertEqual(loaded.parameters.map(\.name), saved.parameters.map(\.name), file: file, line: line)
        for (restored, original) in zip(loaded.parameters, saved.parameters) {
            XCTAssertEqual(restored.value.scalars, original.value.scalars, original.name, file: file, line: line)
            XCTAssertEqual(restored.mask, original.mask, original.name, file: file, line: line)
            XCTAssertEqual(restored.role, original.role, original.name, file: file, line: line)
        }
    }

    func testLoadingRestoresTheForwardPassBitForBitAndTheArchitecture() throws {
        let fixture = try SearchFixtures.convolutionalNetwork()
        let grown = try grownNetwork(head: .globalAveragePool)
        XCTAssertGreaterThan(grown.nodes.count, fixture.nodes.count)
        XCTAssertTrue(grown.parameters.contains { parameter in parameter.mask.absentIndices.contains { parameter.value[flat: $0] != 0 } },
                      "no probe weight to save")
        let perceptron = try SearchFixtures.perceptron()
        perceptron.name = "perceptron"
        for network in [grown, try grownNetwork(head: .flatten), perceptron] {
            let path = directory.file("\(network.headReduction)-\(network.inputShape.count).safetensors")
            try network.write(toFile: path)
            try assertSameNetwork(try GrowingNetwork(contentsOfFile: path), network)
        }
    }

    /// Growth draws probe weights from the network's generator: the loaded one draws what the saved one would have.
    func testTheLoadedNetworkGrowsAsTheSavedOneWould() throws {
        let network = try grownNetwork(head: .globalAveragePool)
        let path = directory.file("model.safetensors")
        try network.write(toFile: path)
        let loaded = try GrowingNetwork(contentsOfFile: path)
        let before = network.parameterCount
        for candidate in [network, loaded] {
            let optimizer = try ArchitectureOptimizer(budget: SearchBudget(parameters: 100_000), seed: 9)
            for granularity in [LayerGranularity(), WeightGranularity()] as [any SearchGranularity] {
                _ = try optimizer.expand(candidate, granularity: granularity, batches: batches, targetParameters: 40, stepSize: 0.05)
            }
            candidate.beginScoring()
            candidate.endScoring()
        }
        XCTAssertGreaterThan(loaded.parameterCount, before)
        try assertSameNetwork(loaded, network)
    }

    /// A connection keeps the algorithm it was made with when growth makes its shape one that would choose another.
    func testEveryConnectionKeepsItsConvolutionAlgorithm() throws {
        let network = try GrowingNetwork(inputShape: [8, 6, 6], limits: GrowthLimits(placeholderRange: 1...1), seed: 3)
        let convolution = try network.appendNode(kind: .convolution(kernelSize: 3), stage: 0, channels: 14)
        let output = try network.appendNode(kind: .linear, stage: -1, channels: 3, isOutput: true)
        try network.connect(from: 0, to: convolution)
        try network.connect(from: convolution, to: output)
        network.promote(node: convolution, channel: 14)
        network.replenishPlaceholders(node: convolution)
        XCTAssertEqual(network.edges[0].weight.shape, [16, 8, 3, 3])
        XCTAssertEqual(network.edges[0].convolutionAlgorithm, .im2col)
        XCTAssertEqual(try ConvolutionAlgorithm.automatic.resolved(for: ConvolutionGeometry(inputChannels: 8, outputChannels: 16, kernelSize: 3, padding: 1)),
                       .winograd, "a connection of this shape made now would use Winograd")
        let path = directory.file("model.safetensors")
        try network.write(toFile: path)
        try assertSameNetwork(try GrowingNetwork(contentsOfFile: path), network)
    }

    /// A 5x5 connection from 6 channels runs the implicit GEMM, and its file brings it back with that algorithm and
    /// the same outputs, bit for bit.
    func testAnImplicitGEMMConnectionIsSavedAndLoaded() throws {
        let network = try GrowingNetwork(inputShape: [6, 9, 9], limits: GrowthLimits(placeholderRange: 1...1), seed: 5)
        let convolution = try network.appendNode(kind: .convolution(kernelSize: 5), stage: 0, channels: 17)
        let output = try network.appendNode(kind: .linear, stage: -1, channels: 3, isOutput: true)
        try network.connect(from: 0, to: convolution)
        try network.connect(from: convolution, to: output)
        XCTAssertEqual(network.edges[0].convolutionAlgorithm, .implicitGEMM)
        let path = directory.file("model.safetensors")
        try network.write(toFile: path)
        try assertSameNetwork(try GrowingNetwork(contentsOfFile: path), network)
    }

    // MARK: Files that do not hold a growing network

    /// The fixture network written, then its safetensors contents changed by `change` and written to another file.
    private func tamperedFile(_ change: (inout SafetensorsFile) throws -> Void) throws -> String {
        let original = directory.file("model.safetensors")
        try SearchFixtures.convolutionalNetwork().write(toFile: original)
        var contents = try SafetensorsFile(contentsOfFile: original)
        try change(&contents)
        let path = directory.file("tampered.safetensors")
        try contents.write(toFile: path)
        return path
    }

    /// The fixture network written with its structure JSON changed by `change`.
    private func tamperedStructure(_ change: (inout [String: Any]) throws -> Void) throws -> String {
        try tamperedFile { contents in
            var structure = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(XCTUnwrap(contents.metadata["growingNetwork"]).utf8)) as? [String: Any])
            try change(&structure)
            contents.metadata["growingNetwork"] = String(decoding: try JSONSerialization.data(withJSONObject: structure), as: UTF8.self)
        }
    }

    private func assertRefused(_ path: String, _ expected: GrowingNetworkFileError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GrowingNetwork(contentsOfFile: path), file: file, line: line) { error in
            XCTAssertEqual(error as? GrowingNetworkFileError, expected, file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix("\(path): "), "\(error)", file: file, line: line)
        }
    }

    private func assertRefused(_ path: String, reasonStartingWith prefix: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GrowingNetwork(contentsOfFile: path), file: file, line: line) { error in
            guard case let .invalidStructure(errorPath, reason) = error as? GrowingNetworkFileError else {
                return XCTFail("\(error) is not an invalid structure", file: file, line: line)
            }
            XCTAssertEqual(errorPath, path, file: file, line: line)
            XCTAssertTrue(reason.hasPrefix(prefix), "\"\(reason)\" does not start with \"\(prefix)\"", file: file, line: line)
        }
    }

    func testAMissingTensorIsNamed() throws {
        let weight = try SearchFixtures.convolutionalNetwork().edges[1].weight.name
        assertRefused(try tamperedFile { $0.tensors[weight] = nil },
                      .invalidTensor(path: directory.file("tampered.safetensors"), name: weight, reason: "missing: the structure names it"))
        assertRefused(try tamperedFile { $0.tensors["\(weight).mask"] = nil },
                      .invalidTensor(path: directory.file("tampered.safetensors"), name: "\(weight).mask", reason: "missing: the structure names it"))
    }

    func testAWrongShapeOrTypeIsNamed() throws {
        let weight = try SearchFixtures.convolutionalNetwork().edges[1].weight
        assertRefused(try tamperedFile { $0.tensors[weight.name] = StoredTensor(Tensor(zeros: [2, 3])) },
                      .invalidTensor(path: directory.file("tampered.safetensors"), name: weight.name, reason: "shape [2, 3], the structure needs \(weight.shape)"))
        assertRefused(try tamperedFile { $0.tensors["\(weight.name).mask"] = StoredTensor(Tensor(zeros: weight.shape)) },
                      .invalidTensor(path: directory.file("tampered.safetensors"), name: "\(weight.name).mask", reason: "F32 elements, the structure needs BOOL"))
    }

    func testAMaskThatContradictsTheStructureIsRefused() throws {
        let edge = try SearchFixtures.convolutionalNetwork().edges[1]
        assertRefused(try tamperedFile { $0.tensors["\(edge.weight.name).mask"] = StoredTensor(shape: edge.weight.shape, elements: .bool(
            [Bool](repeating: false, count: edge.weight.count))) },
                      reasonStartingWith: "edge \(edge.id): isActive is true, but the mask of \(edge.weight.name) has 0 present entries")
    }

    func testATensorTheStructureDoesNotNameIsRefused() throws {
        assertRefused(try tamperedFile { $0.tensors["stray"] = StoredTensor(Tensor(zeros: [1])) },
                      .invalidTensor(path: directory.file("tampered.safetensors"), name: "stray", reason: "the structure names no such tensor"))
    }

    func testAnotherFormatVersionIsRefusedClearly() throws {
        let path = try tamperedStructure { $0["formatVersion"] = 2 }
        assertRefused(path, .unsupportedVersion(path: path, version: 2))
        XCTAssertThrowsError(try GrowingNetwork(contentsOfFile: path)) { error in
            XCTAssertEqual("\(error)", "\(path): structure format version 2, but this build reads version \(GrowingNetwork.fileFormatVersion) only")
        }
    }

    func testAMalformedStructureSaysWhereItIsWrong() throws {
        assertRefused(try tamperedFile { $0.metadata["growingNetwork"] = "{\"formatVersion\": 1, " }, reasonStartingWith: "")
        assertRefused(try tamperedStructure { $0["nodes"] = nil }, reasonStartingWith: "the key \"nodes\" is missing")
        assertRefused(try tamperedStructure { structure in
            var nodes = try XCTUnwrap(structure["nodes"] as? [[String: Any]])
            nodes[1]["kind"] = "conv"
            structure["nodes"] = nodes
        }, reasonStartingWith: "nodes[1].kind: ")
        assertRefused(try tamperedStructure { $0["generatorState"] = ["0", "0", "0", "0"] }, reasonStartingWith: "generatorState")
    }

    func testInconsistentIdentifiersAreRefused() throws {
        assertRefused(try tamperedStructure { structure in
            var edges = try XCTUnwrap(structure["edges"] as? [[String: Any]])
            edges[1]["id"] = edges[0]["id"]
            structure["edges"] = edges
        }, reasonStartingWith: "identifier ")
        assertRefused(try tamperedStructure { structure in
            var edges = try XCTUnwrap(structure["edges"] as? [[String: Any]])
            edges[0]["target"] = 999
            structure["edges"] = edges
        }, reasonStartingWith: "edge ")
        assertRefused(try tamperedStructure { structure in
            var edges = try XCTUnwrap(structure["edges"] as? [[String: Any]])
            (edges[0]["source"], edges[0]["target"]) = (edges[0]["target"], edges[0]["source"])
            structure["edges"] = edges
        }, reasonStartingWith: "edge ")
    }

    /// An input of 2^40 channels (a terabyte of per-channel state) or of 2^32 x 2^32 pixels (whose positions
    /// overflow `Int` when multiplied): found while writing the structure fuzz target, refused before anything is sized by it.
    func testAnInputShapeBeyondTheMaximumSizeIsRefused() throws {
        for shape in [[1 << 40, 6, 6], [2, 1 << 32, 1 << 32], [1 << 26, 1 << 26, 1 << 26], [2, GrowingNetwork.maximumInputSize, 2]] {
            assertRefused(try tamperedStructure { structure in
                structure["inputShape"] = shape
                var nodes = try XCTUnwrap(structure["nodes"] as? [[String: Any]])
                nodes[0]["channels"] = shape[0]
                structure["nodes"] = nodes
            }, reasonStartingWith: "inputShape \(shape) is not [C, H, W] or [F] with positive sizes and at most 67108864 values")
        }
        XCTAssertThrowsError(try GrowingNetwork(inputShape: [3, 8192, 8192], seed: 1))
        XCTAssertNoThrow(try GrowingNetwork(inputShape: [3, 4096, 4096], seed: 1))
    }

    func testFilesThatAreNoGrowingNetworkAreNamed() throws {
        let path = try tamperedFile { $0.metadata = [:] }
        assertRefused(path, .noStructure(path: path))
        let missing = directory.file("absent.safetensors")
        XCTAssertThrowsError(try GrowingNetwork(contentsOfFile: missing)) { error in
            XCTAssertEqual(error as? SafetensorsError, .fileAccess(path: missing, reason: "cannot open the file: No such file or directory"))
        }
        let corrupt = directory.file("corrupt.safetensors")
        try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: corrupt))
        XCTAssertThrowsError(try GrowingNetwork(contentsOfFile: corrupt)) { error in
            XCTAssertTrue(error is SafetensorsError && "\(error)".hasPrefix("\(corrupt): "), "\(error)")
        }
    }
}
