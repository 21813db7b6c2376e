import Foundation
import TensorCore
import TestSupport
import XCTest

final class SoftmaxCrossEntropyTests: XCTestCase {
    /// The mean cross-entropy in Double, by log-sum-exp with the maximum factored out.
    private func referenceLoss(_ logits: [[Double]], _ labels: [Int]) -> Double {
        zip(logits, labels).map { row, label in
            let largest = row.max() ?? 0
            return largest + log(row.map { exp($0 - largest) }.reduce(0, +)) - row[label]
        }.reduce(0, +) / Double(labels.count)
    }

    func testKnownLogitsIncludingHugeOnes() throws {
        let rows: [[Double]] = [[1, 2, 3], [1000, 0, -1000], [-1000, 1000, 999], [0.5, 0.5, 0.5]]
        let labels = [2, 0, 2, 1]
        let logits = Tensor(shape: [4, 3], scalars: rows.flatMap { $0.map(Float.init) })
        let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels)
        XCTAssertTrue(result.loss.isFinite)
        XCTAssertEqual(Double(result.loss), referenceLoss(rows, labels), accuracy: 1e-5)
        // The third row loses 1 + ln(1 + e⁻¹) without overflowing; its gradient row, exactly:
        let third = [0.0, 1 / (1 + exp(-1.0)), exp(-1.0) / (1 + exp(-1.0))]
        for k in 0..<3 {
            XCTAssertEqual(Double(result.logitsGradient[2, k]), (third[k] - (k == 2 ? 1 : 0)) / 4, accuracy: 1e-6)
        }
        XCTAssertTrue(result.logitsGradient.scalars.allSatisfy(\.isFinite))
    }

    func testGradientMatchesFiniteDifferencesAndRowsSumToZero() throws {
        var rng = RandomGenerator(seed: 71)
        for (rows, classes) in [(4, 5), (1, 2), (6, 10)] {
            let logits = rng.normalTensor(shape: [rows, classes], standardDeviation: 2)
            let labels = (0..<rows).map { _ in rng.nextIndex(below: classes) }
            let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels)
            let numeric = try GradientCheck.numericGradient(of: logits, step: 1e-3) {
                Double(try SoftmaxCrossEntropy.lossAndGradient(logits: $0, labels: labels).loss)
            }
            XCTAssertLessThan(GradientCheck.maxError(result.logitsGradient, numeric), 2e-3, "\(rows)x\(classes)")
            for row in 0..<rows {
                let sum = (0..<classes).reduce(Float(0)) { $0 + result.logitsGradient[row, $1] }
                XCTAssertEqual(sum, 0, accuracy: 1e-6)
            }
        }
    }

    func testRejectsLabelsOutOfRangeNamingLabelAndIndex() {
        let logits = Tensor(zeros: [3, 4])
        XCTAssertThrowsError(try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: [0, 7, 1])) {
            XCTAssertEqual($0 as? TensorError, .invalidArgument(operation: "cross-entropy", reason: "label 7 at index 1 is outside 0..<4"))
        }
        XCTAssertThrowsError(try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: [0, 1, -1])) {
            XCTAssertTrue("\($0)".contains("label -1 at index 2"), "\($0)")
        }
        XCTAssertThrowsError(try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: [0, 1])) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(operation: "cross-entropy labels (one per logits row)", expected: [3], actual: [2]))
        }
        XCTAssertThrowsError(try SoftmaxCrossEntropy.lossAndGradient(logits: Tensor(zeros: [12]), labels: [0]))
    }

    func testSoftmaxRowsAreProbabilitiesEvenForHugeLogits() throws {
        let p = try Softmax.forward(Tensor(shape: [2, 3], scalars: [1000, 1000, -1000, 1, 2, 3]))
        XCTAssertEqual(p[0, 0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(p[0, 1], 0.5, accuracy: 1e-6)
        XCTAssertEqual(p[0, 2], 0)
        let e = [exp(1.0), exp(2.0), exp(3.0)], total = e.reduce(0, +)
        for k in 0..<3 { XCTAssertEqual(Double(p[1, k]), e[k] / total, accuracy: 1e-6) }
    }

    func testArgmaxAndAccuracy() throws {
        let scores = Tensor(shape: [4, 3], scalars: [0.1, 0.7, 0.2, 5, 5, 1, -1, -3, -2, 0, 0, 9])
        XCTAssertEqual(try Classification.argmax(scores), [1, 0, 0, 2])
        XCTAssertEqual(try Classification.correctCount(scores: scores, labels: [1, 0, 2, 2]), 3)
        XCTAssertEqual(try Classification.accuracy(scores: scores, labels: [1, 0, 2, 2]), 0.75)
        XCTAssertThrowsError(try Classification.accuracy(scores: scores, labels: [1]))
    }

    /// Top-k by hand: the label's rank is the number of classes with a larger score, or an equal one at a lower index.
    func testTopKCountsLabelsAmongTheLargestScores() throws {
        let scores = Tensor(shape: [3, 4], scalars: [0.1, 0.5, 0.3, 0.2,   // order: classes 1, 2, 3, 0
                                                     1, 1, 1, 1,           // all tied: rank = index
                                                     -2, 4, 4, 0])         // 1 and 2 tied: 1 first, then 2, 3, 0
        // Labels 3, 2, 0 have ranks 2, 2, 3.
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [3, 2, 0], k: 1), 0)
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [3, 2, 0], k: 2), 0)
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [3, 2, 0], k: 3), 2)
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [3, 2, 0], k: 4), 3)
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [1, 0, 1], k: 1), 3)
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [1, 1, 2], k: 1), 1)
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: [1, 1, 2], k: 2), 3)
        XCTAssertThrowsError(try Classification.topKCorrectCount(scores: scores, labels: [1, 1, 2], k: 0))
        XCTAssertThrowsError(try Classification.topKCorrectCount(scores: scores, labels: [1, 1, 4], k: 1))
        XCTAssertThrowsError(try Classification.topKCorrectCount(scores: scores, labels: [1, 1], k: 1))
    }

    /// With k = 1, top-k is the accuracy of the argmax, ties included.
    func testTopOneIsTheArgmaxCount() throws {
        var generator = RandomGenerator(seed: 7)
        let scalars = (0..<600).map { _ in Float(generator.nextIndex(below: 4)) }   // many ties
        let scores = Tensor(shape: [60, 10], scalars: scalars)
        let labels = (0..<60).map { $0 % 10 }
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: labels, k: 1),
                       try Classification.correctCount(scores: scores, labels: labels))
        XCTAssertEqual(try Classification.topKCorrectCount(scores: scores, labels: labels, k: 10), 60)
    }
}
