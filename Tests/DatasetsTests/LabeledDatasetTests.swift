import Datasets
import TensorCore
import XCTest

final class LabeledDatasetTests: XCTestCase {
    /// `count` images of shape [1, 2, 2] whose four values all equal the sample index.
    private func indexed(count: Int, classCount: Int = 3) throws -> LabeledDataset {
        try LabeledDataset(images: Tensor(shape: [count, 1, 2, 2], generator: { Float($0 / 4) }),
                           labels: (0..<count).map { $0 % classCount }, classCount: classCount)
    }

    func testInitValidatesParts() {
        let images = Tensor(zeros: [2, 1, 2, 2])
        XCTAssertThrowsError(try LabeledDataset(images: Tensor(zeros: [2, 4]), labels: [0, 1], classCount: 2))
        XCTAssertThrowsError(try LabeledDataset(images: images, labels: [0], classCount: 2))
        XCTAssertThrowsError(try LabeledDataset(images: images, labels: [0, 2], classCount: 2))
        XCTAssertThrowsError(try LabeledDataset(images: images, labels: [0, -1], classCount: 2))
        XCTAssertThrowsError(try LabeledDataset(images: images, labels: [0, 0], classCount: 0))
        XCTAssertNoThrow(try LabeledDataset(images: images, labels: [0, 1], classCount: 2))
    }

    func testShapeAccessorsAndClassCounts() throws {
        let dataset = try indexed(count: 7)
        XCTAssertEqual(dataset.count, 7)
        XCTAssertEqual(dataset.sampleShape, [1, 2, 2])
        XCTAssertEqual(dataset.sampleSize, 4)
        XCTAssertEqual(dataset.classCounts(), [3, 2, 2])
    }

    func testSubsetCopiesImagesAndLabelsInOrder() throws {
        let dataset = try indexed(count: 5)
        let subset = try dataset.subset([4, 1, 1])
        XCTAssertEqual(subset.images.shape, [3, 1, 2, 2])
        XCTAssertEqual(subset.images.scalars, [4, 4, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(subset.labels, [1, 1, 1])
        XCTAssertEqual(try dataset.subset([]).images.shape, [0, 1, 2, 2])
        XCTAssertThrowsError(try dataset.subset([0, 5]))
        XCTAssertThrowsError(try dataset.subset([-1]))
    }

    func testSplitIsStratifiedDisjointCompleteAndSeeded() throws {
        let dataset = try indexed(count: 30)
        let (train, test) = try dataset.split(testFraction: 0.2, seed: 42)
        XCTAssertEqual(test.classCounts(), [2, 2, 2])
        XCTAssertEqual(train.classCounts(), [8, 8, 8])
        let trainIndices = stride(from: 0, to: train.images.count, by: 4).map { Int(train.images[flat: $0]) }
        let testIndices = stride(from: 0, to: test.images.count, by: 4).map { Int(test.images[flat: $0]) }
        XCTAssertEqual(trainIndices, trainIndices.sorted(), "order is kept")
        XCTAssertEqual(Set(trainIndices + testIndices), Set(0..<30))
        XCTAssertTrue(Set(trainIndices).isDisjoint(with: testIndices))
        XCTAssertEqual(train.labels, trainIndices.map { $0 % 3 })

        let again = try dataset.split(testFraction: 0.2, seed: 42)
        XCTAssertEqual(again.test, test)
        XCTAssertEqual(again.train, train)
        XCTAssertNotEqual(try dataset.split(testFraction: 0.2, seed: 43).test, test)
    }

    func testSplitEdgeFractions() throws {
        let dataset = try indexed(count: 6)
        XCTAssertEqual(try dataset.split(testFraction: 0, seed: 1).train, dataset)
        XCTAssertEqual(try dataset.split(testFraction: 1, seed: 1).test, dataset)
        XCTAssertThrowsError(try dataset.split(testFraction: 1.5, seed: 1))
        XCTAssertThrowsError(try dataset.split(testFraction: -0.1, seed: 1))
        XCTAssertThrowsError(try dataset.split(testFraction: .nan, seed: 1))
    }
}
