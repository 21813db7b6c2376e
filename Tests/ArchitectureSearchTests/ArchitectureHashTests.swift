import ArchitectureSearch
import TensorCore
import XCTest

/// The hash that data-parallel ranks compare after every expansion follows the architecture, not the weights.
final class ArchitectureHashTests: XCTestCase {
    func testTheHashChangesWithTheMasksAndNotWithTheWeights() throws {
        let network = try SearchFixtures.convolutionalNetwork()
        let twin = try SearchFixtures.convolutionalNetwork()
        XCTAssertEqual(network.architectureHash, twin.architectureHash)

        try SearchFixtures.train(twin, on: SearchFixtures.batches(inputShape: [2, 6, 6], classes: 3, count: 2, batchSize: 4, seed: 1), steps: 2)
        XCTAssertNotEqual(network.parameterTable().values.map(\.value.scalars).sorted { $0.count < $1.count },
                          twin.parameterTable().values.map(\.value.scalars).sorted { $0.count < $1.count })
        XCTAssertEqual(network.architectureHash, twin.architectureHash, "training changes weights, not the architecture")

        let unit = try XCTUnwrap(KernelGranularity().allUnits(in: twin).first { twin.cost(of: $0) > 0 })
        try twin.add(unit)
        twin.finishAdding()
        XCTAssertNotEqual(network.architectureHash, twin.architectureHash, "adding \(unit.label) changes the masks")
    }
}
