import Datasets
import TensorCore
import XCTest

/// Images brought to another network's input shape (Section 5.2), checked on hand-computed values.
final class InputAdaptationTests: XCTestCase {
    private func dataset(_ shape: [Int], _ scalars: [Float]) throws -> LabeledDataset {
        try LabeledDataset(images: Tensor(shape: shape, scalars: scalars), labels: [Int](repeating: 1, count: shape[0]), classCount: 3)
    }

    func testGreyIsRepeatedIntoEveryColourChannel() throws {
        let grey = try dataset([1, 1, 2, 2], [0.1, 0.2, 0.3, 0.4])
        let colour = try grey.adapted(to: [3, 2, 2])
        XCTAssertEqual(colour.images.shape, [1, 3, 2, 2])
        XCTAssertEqual(colour.images.scalars, [0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4])
        XCTAssertEqual(colour.labels, grey.labels)
        XCTAssertEqual(colour.classCount, 3)
    }

    func testColourIsAveragedIntoGrey() throws {
        let colour = try dataset([1, 3, 1, 2], [0.3, 0.0, 0.6, 0.3, 0.0, 0.9])
        let grey = try colour.adapted(to: [1, 1, 2])
        XCTAssertEqual(grey.images.shape, [1, 1, 1, 2])
        XCTAssertEqual(grey.images.scalars[0], 0.3, accuracy: 1e-6)
        XCTAssertEqual(grey.images.scalars[1], 0.4, accuracy: 1e-6)
    }

    /// Halving 4 pixels to 2 samples at 0.5 and 2.5 (`(o + 0.5) · 2 - 0.5`): the means of pixel pairs.
    func testImagesAreResizedBilinearly() throws {
        let wide = try dataset([1, 1, 1, 4], [0, 1, 2, 3])
        let narrow = try wide.adapted(to: [1, 1, 2])
        XCTAssertEqual(narrow.images.shape, [1, 1, 1, 2])
        XCTAssertEqual(narrow.images.scalars, [0.5, 2.5])
        let both = try wide.adapted(to: [3, 1, 2])
        XCTAssertEqual(both.images.scalars, [0.5, 2.5, 0.5, 2.5, 0.5, 2.5])
    }

    func testTheSameShapeIsLeftAloneAndImpossibleChangesThrow() throws {
        let images = try dataset([2, 2, 1, 1], [1, 2, 3, 4])
        XCTAssertEqual(try images.adapted(to: [2, 1, 1]), images)
        XCTAssertThrowsError(try images.adapted(to: [3, 1, 1]))
        XCTAssertThrowsError(try images.adapted(to: [2, 0, 1]))
        XCTAssertThrowsError(try images.adapted(to: [2, 1]))
    }
}
