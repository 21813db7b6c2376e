import TensorCore
import Training
import XCTest

final class EvaluationTests: XCTestCase {
    /// Two batches whose inputs are taken as the logits themselves, so every count is known by hand.
    private let batches = FixedBatches([
        LabeledBatch(inputs: Tensor(shape: [2, 4], scalars: [4, 3, 2, 1,
                                                              1, 2, 3, 4]), labels: [0, 2]),
        LabeledBatch(inputs: Tensor(shape: [1, 4], scalars: [0, 5, 1, 3]), labels: [0]),
    ])

    func testOnePassGivesTopKAccuracyWithTheSameLossAndAccuracy() throws {
        // Row 1: label 0 is the largest (top-1, top-2). Row 2: label 2 is second (top-2 only). Row 3: label 0 is last.
        let topTwo = try Evaluation.evaluate(on: batches, topK: 2) { $0 }
        let plain = try Evaluation.evaluate(on: batches) { $0 }
        XCTAssertEqual(topTwo.accuracy, Float(1) / 3)
        XCTAssertEqual(topTwo.topKAccuracy, Float(2) / 3)
        XCTAssertEqual(topTwo.accuracy, plain.accuracy)
        XCTAssertEqual(topTwo.loss, plain.loss)
        // The loss is the mean cross-entropy over the three rows, computed here in Double.
        func crossEntropy(_ row: [Double], _ label: Int) -> Double {
            log(row.map { exp($0) }.reduce(0, +)) - row[label]
        }
        let expected = (crossEntropy([4, 3, 2, 1], 0) + crossEntropy([1, 2, 3, 4], 2) + crossEntropy([0, 5, 1, 3], 0)) / 3
        XCTAssertEqual(Double(topTwo.loss), expected, accuracy: 1e-5)
        XCTAssertEqual(try Evaluation.evaluate(on: batches, topK: 4) { $0 }.topKAccuracy, 1)
        XCTAssertThrowsError(try Evaluation.evaluate(on: batches, topK: 0) { $0 })
    }
}
