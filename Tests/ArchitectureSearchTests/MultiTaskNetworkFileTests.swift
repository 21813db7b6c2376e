import ArchitectureSearch
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
        try model.write(toFile: path, trunk: trunk)
        let (loaded, loadedTrunk) = try MultiTaskNetwork.load(contentsOfFile: path)
        XCTAssertEqual(loadedTrunk, trunk)
        XCTAssertEqual(loaded.inputShape, inputShape)
        XCTAssertEqual(MultiTaskGrowthCheck.ownership(loaded), MultiTaskGrowthCheck.ownership(model))
        for part in [Part.shared, .task(0), .task(1)] { XCTAssertEqual(loaded.ownCount(of: part), model.ownCount(of: part), "\(part)") }
        var generator = RandomGenerator(seed: 3)
        let inputs = generator.normalTensor(shape: [5] + inputShape)
        XCTAssertEqual(try outputs(loaded, inputs), try outputs(model, inputs), "the same arithmetic on the same values")
        let again = directory.file("again.safetensors")
        try loaded.write(toFile: again, trunk: loadedTrunk)
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
        try model.write(toFile: path, trunk: trunk)
        let good = try SafetensorsFile(contentsOfFile: path)
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
        XCTAssertEqual(try refusal { $0.tensors[owners] = nil }, "FILE: tensor \"\(owners)\": missing")
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
}
