import ArchitectureSearch
import ModelExport
import TensorCore
import XCTest

/// The compacted network with its weights dense or sparse: the layout follows each connection's density and the
/// threshold, and every layout mix gives the masked network's logits within 1e-5.
final class CompactInferenceTests: XCTestCase {
    private func networks() throws -> [GrowingNetwork] {
        [try ExportFixtures.convolutionalNetwork(), try ExportFixtures.convolutionalNetwork(seed: 2, head: .flatten),
         try ExportFixtures.perceptron()]
    }

    func testLayoutsFollowEachConnectionsDensity() throws {
        for network in try networks() {
            let compact = try network.compacted()
            let densities = compact.edges.map { SparseMatrix.density(of: $0.weight) }
            XCTAssertTrue(densities.contains { $0 < 1 }, "the fixtures have absent kernels or weights")
            for threshold in [0, 0.3, 0.6, 1] {
                let inference = try CompactInference(compact, sparseBelowDensity: threshold)
                XCTAssertEqual(inference.layouts, densities.map { $0 < threshold ? .sparse : .dense }, "threshold \(threshold)")
            }
            XCTAssertEqual(try CompactInference(compact, sparseBelowDensity: 0).layouts, compact.edges.map { _ in .dense })
            XCTAssertEqual(try CompactInference(compact, sparseBelowDensity: 1).layouts,
                           densities.map { $0 < 1 ? .sparse : .dense })
        }
    }

    func testEveryLayoutGivesTheMaskedNetworksLogits() throws {
        for network in try networks() {
            let batches = ExportFixtures.batches(inputShape: network.inputShape)
            try ExportFixtures.train(network, on: batches, steps: 4)
            let compact = try network.compacted()
            for threshold in [0, 0.5, 1, WeightLayout.measuredSparseThreshold] {
                let inference = try CompactInference(compact, sparseBelowDensity: threshold)
                for batch in batches {
                    let expected = try network.forward(batch.inputs, mode: .inference)
                    let actual = try inference.logits(batch.inputs)
                    XCTAssertEqual(actual.shape, expected.shape)
                    XCTAssertLessThanOrEqual(ExportFixtures.maximumDifference(actual, expected), 1e-5, "threshold \(threshold)")
                }
            }
        }
    }

    func testAThresholdOutsideTheUnitIntervalAndAWrongInputThrow() throws {
        let compact = try ExportFixtures.perceptron().compacted()
        XCTAssertThrowsError(try CompactInference(compact, sparseBelowDensity: 1.5)) { error in
            XCTAssertTrue("\(error)".contains("0...1"), "\(error)")
        }
        XCTAssertThrowsError(try CompactInference(compact, sparseBelowDensity: 1).logits(Tensor(zeros: [2, 6]))) { error in
            XCTAssertEqual(error as? ModelExportError, .inputShapeMismatch(expected: [2, 7], actual: [2, 6]))
        }
    }
}
