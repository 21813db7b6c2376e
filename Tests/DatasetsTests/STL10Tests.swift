import Datasets
import Foundation
import TensorCore
import XCTest

final class STL10Tests: XCTestCase {
    func testColumnMajorPlanesBecomeRowsAndColumns() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeSTL10()
        let (train, test) = try STL10.load(directory: fixtures.directory)
        XCTAssertEqual(train.images.shape, [2, 3, 96, 96])
        XCTAssertEqual(test.images.shape, [1, 3, 96, 96])
        // Channel 0 holds each pixel's row, channel 1 its column, channel 2 the image number.
        for image in 0..<2 {
            for row in 0..<96 {
                for column in 0..<96 {
                    let pixel = [0, 1, 2].map { train.images[image, $0, row, column] * 255 }
                    guard pixel == [Float(row), Float(column), Float(image)] else {
                        return XCTFail("image \(image) at row \(row), column \(column) holds \(pixel)")
                    }
                }
            }
        }
        // By hand: byte 96 of the file is column 1, row 0 of the first channel, so it holds row 0; byte 1 holds row 1.
        let bytes = try fixtures.read("train_X.bin")
        XCTAssertEqual([bytes[96], bytes[1]], [0, 1])
        XCTAssertEqual(train.images[0, 0, 0, 1], 0)
        XCTAssertEqual(train.images[0, 0, 1, 0], Float(1) / 255)
        XCTAssertEqual(test.images[0, 1, 5, 70], Float(70) / 255)
    }

    func testLabelsOneToTenBecomeZeroToNine() throws {
        let parent = try Fixtures(self)
        try parent.folder("stl10_binary").writeSTL10()
        let (train, test) = try STL10.load(directory: parent.directory)
        XCTAssertEqual(train.labels, [0, 9])
        XCTAssertEqual(test.labels, [4])
        XCTAssertEqual(train.classCount, 10)
    }

    // MARK: - Hostile files: every error names the file and says what is wrong.

    func testImageAndLabelCountsDiffer() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeSTL10()
        try fixtures.writeRaw("train_y.bin", [1, 2, 3])
        assertThrows(try STL10.load(directory: fixtures.directory), naming: "train_y.bin",
                     mentioning: "holds 3 labels but \(fixtures.path("train_X.bin")) holds 2 images")
    }

    func testLabelOutOfRange() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeSTL10()
        for label: UInt8 in [0, 11] {
            try fixtures.writeRaw("test_y.bin", [label])
            assertThrows(try STL10.load(directory: fixtures.directory), naming: "test_y.bin",
                         mentioning: "label \(label) at index 0 is outside 1...10")
        }
    }

    func testTruncatedImage() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeSTL10()
        try fixtures.writeRaw("train_X.bin", Array(try fixtures.read("train_X.bin").dropLast(1)))
        assertThrows(try STL10.load(directory: fixtures.directory), naming: "train_X.bin",
                     mentioning: "size 55295 bytes is not a multiple of the 27648-byte image: 1 whole image, then 27647 bytes")
    }

    func testMissingFile() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeSTL10()
        try assertLoad(try STL10.load(directory: fixtures.directory), failsWithout: "test_y.bin", in: fixtures)
    }
}
