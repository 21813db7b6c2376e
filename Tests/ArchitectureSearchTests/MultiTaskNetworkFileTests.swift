@testable import ArchitectureSearch
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import TestSupport
import Training
import XCTest

/// A multi-task network written to a safetensors file and loaded back computes every task's outputs bit for bit, with
/// the same owners; files that do not hold such a network are refused with a message naming the file and the tensor.
final class MultiTaskNetworkFileTests: XCTestCase {
    private typealias Part = MultiTaskNetwork.Part

    /// A network of `trunk` on `inputShape`, searched for a few epochs so that every part has grown and trained.
    private func searched(_ trunk: MultiTaskTrunk, inputShape: [Int]) throws -> MultiTaskNetwork {
        let model = try trunk.makeNetwork(inputShape: inputShape, classCounts: [3, 4],
                                          startingCounts: [.shared: 20, .task(0): 20, .task(1): 20], seed: 7)
        let data = (0..<2).map { task in
            SearchFixtures.batches(inputShape: inputShape, classes: 3 + task, count: 3, batchSize: 8, seed: 9 &+ UInt64(task) &* 101)
        }
        let settings = MultiTaskSearch.Settings(epochs: 2, schedule: try ExpansionSchedule(interval: 0.5, frozenFraction: 0.2), seed: 7)
        let search = try MultiTaskSearch(model: model, budget: model.parameterCount + 150, sharedFraction: 0.3,
                                         train: data.map { FixedBatches($0) }, settings: settings)
        try search.run()
        XCTAssertFalse(search.expansions.isEmpty, "the parts grew")
        return model
    }

    /// Each task's outputs on `inputs`, in its view.
    private func outputs(_ model: MultiTaskNetwork, _ inputs: Tensor) throws -> [[Float]] {
        defer { model.installUnion() }
        return try (0..<model.taskCount).map { task in
            try model.installView(task: task)
            return try model.taskNetworks[task].forward(inputs, mode: .inference).scalars
        }
    }

    private func assertRoundTrip(_ trunk: MultiTaskTrunk, inputShape: [Int]) throws {
        let directory = try TemporaryDirectory(self)
        let model = try searched(trunk, inputShape: inputShape)
        let path = directory.file("model.safetensors")
        try model.write(toFile: path)
        let loaded = try MultiTaskNetwork.load(contentsOfFile: path)
        XCTAssertEqual(loaded.family, trunk)
        XCTAssertEqual(loaded.inputShape, inputShape)
        XCTAssertEqual(MultiTaskGrowthCheck.ownership(loaded), MultiTaskGrowthCheck.ownership(model))
        for part in [Part.shared, .task(0), .task(1)] { XCTAssertEqual(loaded.ownCount(of: part), model.ownCount(of: part), "\(part)") }
        var generator = RandomGenerator(seed: 3)
        let inputs = generator.normalTensor(shape: [5] + inputShape)
        XCTAssertEqual(try outputs(loaded, inputs), try outputs(model, inputs), "the same arithmetic on the same values")
        let again = directory.file("again.safetensors")
        try loaded.write(toFile: again)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: again)), try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func testAFullyConnectedNetworkComesBackAsItWasSaved() throws {
        try assertRoundTrip(.fullyConnected(hiddenWidths: [12, 6]), inputShape: [5])
    }

    func testAConvolutionalNetworkComesBackAsItWasSaved() throws {
        try assertRoundTrip(.convolutional(channels: [3, 4], kernelSize: 3), inputShape: [2, 6, 6])
    }

    func testFilesThatDoNotHoldSuchANetworkAreRefusedByName() throws {
        let directory = try TemporaryDirectory(self)
        let trunk = MultiTaskTrunk.fullyConnected(hiddenWidths: [4])
        let model = try trunk.makeNetwork(inputShape: [3], classCounts: [2, 2], startingCounts: [.shared: 2, .task(0): 2], seed: 1)
        let path = directory.file("model.safetensors")
        try model.write(toFile: path)
        let good = try SafetensorsFile(contentsOfFile: path)
        let description = good.metadata["multiTaskNetwork"]!
        let weight = model.trunkParameters.first { $0.role == .weight }!
        let owners = weight.name + ".owner"
        guard case let .uint8(codes) = good.tensors[owners]!.elements else { return XCTFail("owners are U8") }
        let unowned = codes.firstIndex(of: 0)!

        func refusal(_ change: (inout SafetensorsFile) -> Void) throws -> String {
            var file = good
            change(&file)
            let broken = directory.file("broken.safetensors")
            try file.write(toFile: broken)
            do {
                _ = try MultiTaskNetwork.load(contentsOfFile: broken)
                return "loaded"
            } catch {
                return "\(error)".replacingOccurrences(of: broken, with: "FILE")
            }
        }
        XCTAssertEqual(try refusal { $0.metadata = [:] }, "FILE: not a multi-task network of this build: its metadata has no \"multiTaskNetwork\" entry")
        XCTAssertEqual(try refusal { $0.metadata["multiTaskNetwork"] = $0.metadata["multiTaskNetwork"]!
                           .replacingOccurrences(of: "\"formatVersion\":1", with: "\"formatVersion\":9") },
                       "FILE: not a multi-task network of this build: format version 9, but this build reads version 1 only")
        XCTAssertTrue(try refusal { $0.metadata["multiTaskNetwork"] = "{\"formatVersion\":1," }
                        .hasPrefix("FILE: not a multi-task network of this build: the description is not valid: "))
        let hugeInput = description.replacingOccurrences(of: "\"inputShape\":[3]", with: "\"inputShape\":[4294967296,4294967296]")
        XCTAssertEqual(try refusal { $0.metadata["multiTaskNetwork"] = hugeInput }, "FILE: not a multi-task network of this build: inputShape "
                       + "[4294967296, 4294967296] is not [C, H, W] or [F] with positive sizes and at most \(GrowingNetwork.maximumInputSize) values")
        let hugeHead = description.replacingOccurrences(of: "\"classCounts\":[2,2]", with: "\"classCounts\":[2,1099511627776]")
        XCTAssertTrue(try refusal { $0.metadata["multiTaskNetwork"] = hugeHead }.hasPrefix("FILE: not a multi-task network of this build: "
                      + "its trunk fullyConnected(hiddenWidths: [4]) with classes [2, 1099511627776] needs more parameters than the "),
                      "checked before anything is allocated")
        let overflow = description.replacingOccurrences(of: "\"classCounts\":[2,2]", with: "\"classCounts\":[2,\(Int.max)]")
        XCTAssertTrue(try refusal { $0.metadata["multiTaskNetwork"] = overflow }.contains("needs more parameters than the "))
        XCTAssertEqual(try refusal { $0.tensors[owners] = nil }, "FILE: tensor \"\(owners)\": missing")
        XCTAssertEqual(try refusal { $0.tensors["head1.bias"] = nil }, "FILE: tensor \"head1.bias\": missing")
        XCTAssertEqual(try refusal { $0.tensors[owners] = StoredTensor(shape: [codes.count], elements: .uint8(codes)) },
                       "FILE: tensor \"\(owners)\": shape [\(codes.count)], the network needs \(weight.shape)")
        var badCodes = codes
        badCodes[unowned] = 4
        XCTAssertEqual(try refusal { $0.tensors[owners] = StoredTensor(shape: weight.shape, elements: .uint8(badCodes)) },
                       "FILE: tensor \"\(owners)\": owner code 4, but the network has 2 tasks (codes 0...3)")
        var values = weight.value
        values[flat: unowned] = 0.5
        XCTAssertEqual(try refusal { $0.tensors[weight.name] = StoredTensor(values) },
                       "FILE: tensor \"\(weight.name)\": entry \(unowned) is 0.5 but nobody owns it")
        XCTAssertEqual(try refusal { $0.tensors[weight.name] = StoredTensor(shape: weight.shape, elements: .uint8(codes)) },
                       "FILE: tensor \"\(weight.name)\": type U8, not F32")
        XCTAssertEqual(try refusal { $0.tensors["extra"] = StoredTensor(Tensor(zeros: [1])) },
                       "FILE: tensor \"extra\": the network has no such tensor")
        XCTAssertEqual(try refusal { _ in }, "loaded")
    }

    func testOnlyANetworkThatATrunkFamilyBuiltWithDistinctNamesIsWritten() throws {
        let directory = try TemporaryDirectory(self)
        var generator = RandomGenerator(seed: 2)
        let trunk = Sequential(name: "trunk", [Flatten(name: "flatten"), Linear(name: "fc", inputFeatures: 3, outputFeatures: 4, generator: &generator)])
        let heads = [Linear(name: "fc", inputFeatures: 4, outputFeatures: 2, generator: &generator)]
        let network = try MultiTaskNetwork(trunk: trunk, heads: heads, inputShape: [3])
        let path = directory.file("model.safetensors")
        XCTAssertThrowsError(try network.write(toFile: path)) { error in
            XCTAssertEqual("\(error)", "\(SearchError.invalidSetting("only a network that MultiTaskTrunk built can be saved: its file describes the trunk by family"))")
        }
        network.family = .fullyConnected(hiddenWidths: [4])
        XCTAssertThrowsError(try network.write(toFile: path)) { error in
            XCTAssertEqual("\(error)", "\(SearchError.invalidSetting("two tensors of the multi-task network would be stored as \"fc.weight\""))")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testTheParameterCountATrunkFamilyDeclaresIsTheOneItBuilds() throws {
        let cases: [(MultiTaskTrunk, [Int])] = [
            (.fullyConnected(hiddenWidths: [7, 5]), [2, 3, 3]), (.fullyConnected(hiddenWidths: [4]), [6]),
            (.convolutional(channels: [3, 4], kernelSize: 3), [2, 6, 6]), (.convolutional(channels: [5], kernelSize: 5), [1, 4, 4]),
        ]
        for (trunk, inputShape) in cases {
            let network = try trunk.makeNetwork(inputShape: inputShape, classCounts: [3, 2, 4], startingCounts: [:], seed: 0)
            XCTAssertEqual(trunk.parameterCount(inputShape: inputShape, classCounts: [3, 2, 4]),
                           network.allParameters.reduce(0) { $0 + $1.count }, "\(trunk)")
        }
        XCTAssertNil(MultiTaskTrunk.fullyConnected(hiddenWidths: [Int.max / 2]).parameterCount(inputShape: [3], classCounts: [2]))
        XCTAssertNil(MultiTaskTrunk.convolutional(channels: [2], kernelSize: 1 << 40).parameterCount(inputShape: [1, 4, 4], classCounts: [2]))
    }
}
