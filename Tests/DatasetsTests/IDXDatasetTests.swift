import Datasets
import TensorCore
import TestSupport
import XCTest

final class IDXDatasetTests: XCTestCase {
    /// Three training images of 2 x 3 pixels: image k holds bytes 51 * ((k + j) % 6) for pixel j.
    private let trainPixels: [UInt8] = (0..<3).flatMap { k in (0..<6).map { j in UInt8(51 * ((k + j) % 6)) } }
    private let trainLabels: [UInt8] = [7, 0, 9]
    private let testPixels: [UInt8] = [255, 0, 0, 0, 0, 255]
    private let testLabels: [UInt8] = [3]

    /// Writes a valid four-file set; `gzip` compresses it, `dotted` uses the `train-images.idx3-ubyte` spelling.
    private func writeValidSet(_ fixtures: Fixtures, gzip: Bool = false, dotted: Bool = false) throws {
        let write = gzip ? fixtures.writeGzip : fixtures.writeRaw
        let suffix = gzip ? ".gz" : ""
        let separator = dotted ? "." : "-"
        _ = try write("train-images\(separator)idx3-ubyte\(suffix)", IDX.images(trainPixels, count: 3, height: 2, width: 3))
        _ = try write("train-labels\(separator)idx1-ubyte\(suffix)", IDX.labels(trainLabels))
        _ = try write("t10k-images\(separator)idx3-ubyte\(suffix)", IDX.images(testPixels, count: 1, height: 2, width: 3))
        _ = try write("t10k-labels\(separator)idx1-ubyte\(suffix)", IDX.labels(testLabels))
    }

    func testParsesRawFilesByHand() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures)
        let (train, test) = try MNIST.load(directory: fixtures.directory)
        XCTAssertEqual(train.images.shape, [3, 1, 2, 3])
        XCTAssertEqual(train.labels, [7, 0, 9])
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(Array(train.images.scalars[0..<6]), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(Array(train.images.scalars[6..<12]), [0.2, 0.4, 0.6, 0.8, 1, 0])
        XCTAssertEqual(train.images[2, 0, 1, 2], 0.2)
        XCTAssertEqual(test.images, Tensor(shape: [1, 1, 2, 3], scalars: [1, 0, 0, 0, 0, 1]))
        XCTAssertEqual(test.labels, [3])
    }

    func testGzippedAndDottedSpellingsGiveTheSameData() throws {
        let raw = try Fixtures(self)
        try writeValidSet(raw)
        let expected = try MNIST.load(directory: raw.directory)
        for (gzip, dotted) in [(true, false), (true, true), (false, true)] {
            let fixtures = try Fixtures(self)
            try writeValidSet(fixtures, gzip: gzip, dotted: dotted)
            let loaded = try MNIST.load(directory: fixtures.directory)
            XCTAssertEqual(loaded.train, expected.train, "gzip \(gzip), dotted \(dotted)")
            XCTAssertEqual(loaded.test, expected.test, "gzip \(gzip), dotted \(dotted)")
        }
    }

    func testLocatesMixedSpellingsAndPrefersUncompressed() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: true, dotted: true)
        try fixtures.writeRaw("train-images-idx3-ubyte", IDX.images(trainPixels, count: 3, height: 2, width: 3))
        let files = try IDXDirectory(path: fixtures.directory)
        XCTAssertEqual(files.trainImages, fixtures.path("train-images-idx3-ubyte"))
        XCTAssertEqual(files.trainLabels, fixtures.path("train-labels.idx1-ubyte.gz"))
        XCTAssertEqual(files.testImages, fixtures.path("t10k-images.idx3-ubyte.gz"))
        XCTAssertEqual(files.testLabels, fixtures.path("t10k-labels.idx1-ubyte.gz"))
        XCTAssertEqual(IDXDirectory.candidateNames(prefix: "t10k", kind: "labels", rank: 1), [
            "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte", "t10k-labels-idx1-ubyte.gz", "t10k-labels.idx1-ubyte.gz",
        ])
    }

    func testFashionMNISTUsesTheSameLayout() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: true)
        let (train, _) = try FashionMNIST.load(directory: fixtures.directory)
        XCTAssertEqual(train.labels, [7, 0, 9])
        XCTAssertEqual(FashionMNIST.classNames.count, FashionMNIST.classCount)
    }

    // MARK: - Invalid input: every error names the file and says what is wrong.

    func testWrongMagicNumber() throws {
        try assertLoadFails(file: "train-images-idx3-ubyte", mentioning: "wrong magic number 0x00000801, expected 0x00000803") {
            IDX.header([3, 2, 3], magic: 0x0801) + self.trainPixels
        }
        try assertLoadFails(file: "t10k-labels-idx1-ubyte", mentioning: "wrong magic number 0x00000803, expected 0x00000801") {
            IDX.header([1], magic: 0x0803) + self.testLabels
        }
    }

    func testTooShortForHeader() throws {
        try assertLoadFails(file: "train-labels-idx1-ubyte", mentioning: "too short") { [0, 0] }
        try assertLoadFails(file: "train-images-idx3-ubyte", mentioning: "truncated header") {
            Array(IDX.header([3, 2, 3]).prefix(10))
        }
    }

    func testTruncatedData() throws {
        try assertLoadFails(file: "train-images-idx3-ubyte", mentioning: "truncated data: dimensions 3 x 2 x 3 need 18 bytes") {
            IDX.images(Array(self.trainPixels.dropLast()), count: 3, height: 2, width: 3)
        }
        try assertLoadFails(file: "t10k-labels-idx1-ubyte", mentioning: "truncated data") { IDX.header([2]) + [1] }
    }

    func testTrailingGarbage() throws {
        try assertLoadFails(file: "train-images-idx3-ubyte", mentioning: "trailing garbage: 2 unexpected bytes") {
            IDX.images(self.trainPixels + [1, 2], count: 3, height: 2, width: 3)
        }
        try assertLoadFails(file: "train-labels-idx1-ubyte", mentioning: "trailing garbage") { IDX.labels(self.trainLabels) + [0] }
    }

    func testImageAndLabelCountsDiffer() throws {
        try assertLoadFails(file: "train-labels-idx1-ubyte", mentioning: "holds 2 labels but") { IDX.labels([1, 2]) }
    }

    func testLabelOutOfRange() throws {
        try assertLoadFails(file: "train-labels-idx1-ubyte", mentioning: "label 10 at index 1 is not below the class count 10") {
            IDX.labels([1, 10, 2])
        }
    }

    func testEmptyImages() throws {
        try assertLoadFails(file: "t10k-images-idx3-ubyte", mentioning: "empty") { IDX.images([], count: 1, height: 0, width: 3) }
    }

    func testHugeDimensionsAreRejected() throws {
        try assertLoadFails(file: "train-images-idx3-ubyte", mentioning: "truncated data") {
            IDX.header([0xFFFF_FFFF, 0xFFFF, 0x10]) + [1, 2, 3]
        }
        try assertLoadFails(file: "train-images-idx3-ubyte", mentioning: "too large") {
            IDX.header([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]) + [1, 2, 3]
        }
    }

    func testTruncatedGzipFile() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: true)
        let compressed = try fixtures.read("train-images-idx3-ubyte.gz")
        try fixtures.writeRaw("train-images-idx3-ubyte.gz", Array(compressed.dropLast(6)))
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: "train-images-idx3-ubyte.gz", mentioning: "truncated")
    }

    func testMissingFile() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures)
        try fixtures.remove("t10k-labels-idx1-ubyte")
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: "t10k-labels-idx1-ubyte.gz", mentioning: fixtures.directory)
        assertThrows(try IDXDataset.load(imagesPath: fixtures.path("t10k-images-idx3-ubyte"),
                                         labelsPath: fixtures.path("t10k-labels-idx1-ubyte"), classCount: 10),
                     naming: "t10k-labels-idx1-ubyte", mentioning: "not found")
    }

    func testMissingDirectory() throws {
        let fixtures = try Fixtures(self)
        let absent = fixtures.path("no-such-dir")
        assertThrows(try MNIST.load(directory: absent), naming: "no-such-dir", mentioning: "not found")
    }

    func testInvalidClassCount() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures)
        XCTAssertThrowsError(try IDXDataset.loadSplits(directory: fixtures.directory, classCount: 0))
        assertThrows(try IDXDataset.loadSplits(directory: fixtures.directory, classCount: 8),
                     naming: "train-labels-idx1-ubyte", mentioning: "label 9 at index 2 is not below the class count 8")
    }

    // MARK: - Helpers

    /// Writes a valid set, replaces `file` with `contents()`, and checks that loading fails naming `file`.
    private func assertLoadFails(file: String, mentioning text: String, line: UInt = #line,
                                 _ contents: () -> [UInt8]) throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures)
        try fixtures.writeRaw(file, contents())
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: file, mentioning: text, line: line)
    }
}
