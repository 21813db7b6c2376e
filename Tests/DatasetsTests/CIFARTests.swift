import Datasets
import Foundation
import TensorCore
import XCTest

final class CIFARTests: XCTestCase {
    /// Checks every pixel of `dataset`'s image `index` against `BinaryLayout.pattern` of `image`.
    private func assertImage(_ dataset: LabeledDataset, _ index: Int, holdsPattern image: Int, line: UInt = #line) {
        for channel in 0..<3 {
            for row in 0..<32 {
                for column in 0..<32 {
                    let expected = Float(BinaryLayout.pattern(image: image, channel: channel, row: row, column: column)) / 255
                    guard dataset.images[index, channel, row, column] == expected else {
                        return XCTFail("image \(index) [\(channel), \(row), \(column)] is \(dataset.images[index, channel, row, column]), "
                                       + "expected \(expected)", line: line)
                    }
                }
            }
        }
    }

    func testCIFAR10RecordsLandWhereTheyShould() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR10()
        let (train, test) = try CIFAR10.load(directory: fixtures.directory)
        XCTAssertEqual(train.images.shape, [5, 3, 32, 32])
        XCTAssertEqual(train.labels, [1, 2, 3, 4, 5], "batches in order 1...5")
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(test.images.shape, [2, 3, 32, 32])
        XCTAssertEqual(test.labels, [0, 9])
        for index in 0..<5 { assertImage(train, index, holdsPattern: index + 1) }
        assertImage(test, 0, holdsPattern: 0)
        assertImage(test, 1, holdsPattern: 9)
        // By hand: test record 1 (image 9) has byte 1 + 1024 + 2 * 32 + 5 at green, row 2, column 5: 9*11 + 100 + 14 + 15.
        let record = try fixtures.read("test_batch.bin")[3073..<6146]
        XCTAssertEqual(record[record.startIndex + 1 + 1024 + 2 * 32 + 5], 228)
        XCTAssertEqual(test.images[1, 1, 2, 5], Float(228) / 255)
        XCTAssertEqual(test.images[1, 1, 5, 2], Float(9 * 11 + 100 + 35 + 6) / 255)
    }

    func testCIFAR10AcceptsTheArchiveFolderOrItsParent() throws {
        let parent = try Fixtures(self)
        let archive = try parent.folder("cifar-10-batches-bin")
        try archive.writeCIFAR10()
        let fromArchive = try CIFAR10.load(directory: archive.directory)
        let fromParent = try CIFAR10.load(directory: parent.directory)
        XCTAssertEqual(fromParent.train, fromArchive.train)
        XCTAssertEqual(fromParent.test, fromArchive.test)
    }

    func testCIFAR100FineAndCoarseLabels() throws {
        let parent = try Fixtures(self)
        try parent.folder("cifar-100-binary").writeCIFAR100()
        let fine = try CIFAR100.load(directory: parent.directory)
        XCTAssertEqual(fine.train.labels, [42, 99])
        XCTAssertEqual(fine.train.classCount, 100)
        XCTAssertEqual(fine.test.labels, [7])
        let coarse = try CIFAR100.load(directory: parent.directory, labels: .coarse)
        XCTAssertEqual(coarse.train.labels, [3, 19])
        XCTAssertEqual(coarse.train.classCount, 20)
        XCTAssertEqual(coarse.test.labels, [0])
        XCTAssertEqual(coarse.train.images, fine.train.images)
        XCTAssertEqual(fine.train.images.shape, [2, 3, 32, 32])
        assertImage(fine.train, 0, holdsPattern: 0)
        assertImage(fine.train, 1, holdsPattern: 1)
    }

    // MARK: - Hostile files: every error names the file and says what is wrong.

    func testTruncatedRecord() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR10()
        let batch = try fixtures.read("test_batch.bin")
        try fixtures.writeRaw("test_batch.bin", Array(batch.dropLast(73)))
        assertThrows(try CIFAR10.load(directory: fixtures.directory), naming: "test_batch.bin",
                     mentioning: "size 6073 bytes is not a multiple of the 3073-byte record: 1 whole record, then 3000 bytes of a truncated one")
    }

    func testSizeNotAMultipleOfTheRecord() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR100()
        try fixtures.writeRaw("train.bin", try fixtures.read("train.bin") + [0])
        assertThrows(try CIFAR100.load(directory: fixtures.directory), naming: "train.bin",
                     mentioning: "size 6149 bytes is not a multiple of the 3074-byte record")
    }

    func testEmptyFile() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR10()
        try fixtures.writeRaw("data_batch_2.bin", [])
        assertThrows(try CIFAR10.load(directory: fixtures.directory), naming: "data_batch_2.bin", mentioning: "empty file")
    }

    func testLabelOutOfRange() throws {
        let cifar10 = try Fixtures(self)
        try cifar10.writeCIFAR10()
        try cifar10.writeRaw("data_batch_4.bin", BinaryLayout.cifarRecord(labels: [4], image: 0) + BinaryLayout.cifarRecord(labels: [10], image: 1))
        assertThrows(try CIFAR10.load(directory: cifar10.directory), naming: "data_batch_4.bin",
                     mentioning: "label 10 at index 1 is outside 0...9")

        let cifar100 = try Fixtures(self)
        try cifar100.writeCIFAR100()
        try cifar100.writeRaw("test.bin", BinaryLayout.cifarRecord(labels: [20, 7], image: 0))
        // The coarse label is checked even when the fine labels are loaded, and the other way round.
        assertThrows(try CIFAR100.load(directory: cifar100.directory), naming: "test.bin", mentioning: "coarse label 20 at index 0 is outside 0...19")
        try cifar100.writeRaw("test.bin", BinaryLayout.cifarRecord(labels: [19, 100], image: 0))
        assertThrows(try CIFAR100.load(directory: cifar100.directory, labels: .coarse), naming: "test.bin",
                     mentioning: "fine label 100 at index 0 is outside 0...99")
    }

    func testMissingFile() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR10()
        try assertLoad(try CIFAR10.load(directory: fixtures.directory), failsWithout: "data_batch_3.bin", in: fixtures)
        try fixtures.writeCIFAR100()
        try assertLoad(try CIFAR100.load(directory: fixtures.directory), failsWithout: "test.bin", in: fixtures)
    }

    func testMissingDirectory() throws {
        let absent = try Fixtures(self).path("no-such-dir")
        assertThrows(try CIFAR10.load(directory: absent), naming: "no-such-dir", mentioning: "not found")
    }
}
