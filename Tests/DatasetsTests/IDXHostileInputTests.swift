import Datasets
import TestSupport
import XCTest

/// IDX files written to mislead the loader: headers that declare far more data than the file holds, gzip streams
/// that inflate far beyond what the header needs, parts that do not fit together. Each ends in an error naming the
/// file, without allocating what the header claims.
final class IDXHostileInputTests: XCTestCase {
    private let pixels: [UInt8] = (0..<(2 * 28 * 28)).map { UInt8(truncatingIfNeeded: $0 * 37) }

    /// A valid set of two 28 x 28 training images and one test image, written raw or gzipped.
    private func writeValidSet(_ fixtures: Fixtures, gzip: Bool) throws {
        let write = gzip ? fixtures.writeGzip : fixtures.writeRaw
        let suffix = gzip ? ".gz" : ""
        _ = try write("train-images-idx3-ubyte\(suffix)", IDX.images(pixels, count: 2, height: 28, width: 28))
        _ = try write("train-labels-idx1-ubyte\(suffix)", IDX.labels([4, 9]))
        _ = try write("t10k-images-idx3-ubyte\(suffix)", IDX.images(Array(pixels.prefix(784)), count: 1, height: 28, width: 28))
        _ = try write("t10k-labels-idx1-ubyte\(suffix)", IDX.labels([0]))
    }

    /// Replaces the training images of a valid set with `contents` and checks that loading fails naming that file.
    private func assertTrainingImagesRejected(_ contents: [UInt8], gzip: Bool, mentioning text: String, line: UInt = #line) throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: gzip)
        let name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "")
        _ = try (gzip ? fixtures.writeGzip : fixtures.writeRaw)(name, contents)
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: fixtures.path(name), mentioning: text, line: line)
    }

    /// 2^31 images, or one image of 65535 x 65535 pixels, declared by a file of a few hundred bytes: a loader that
    /// trusted the header would reserve 1.6 TB or 4 GB and die.
    func testHugeDeclaredSizesInASmallRawFileAreTruncatedData() throws {
        for dimensions in [[1 << 31, 28, 28], [1, 65535, 65535]] {
            try assertTrainingImagesRejected(IDX.header(dimensions) + pixels.prefix(300), gzip: false,
                                             mentioning: "need \(dimensions.reduce(1, *)) bytes after the 16-byte header, found 300")
        }
    }

    /// The same headers gzipped: no gzip file of that size can inflate to what they declare (deflate expands at most
    /// 1032 times), so the loader refuses before inflating anything.
    func testHugeDeclaredSizesInASmallGzipFileAreRejectedBeforeInflating() throws {
        for dimensions in [[1 << 31, 28, 28], [1, 65535, 65535]] {
            try assertTrainingImagesRejected(IDX.header(dimensions) + pixels.prefix(300), gzip: true,
                                             mentioning: "need \(dimensions.reduce(1, *)) bytes after the 16-byte header, found at most")
        }
    }

    /// A gzip bomb behind a valid header: 784 bytes of values, then 64 MB of zeros that compress to about 64 KB.
    /// The loader inflates the values and one probe of the rest, not the 64 MB.
    func testAGzipStreamIsInflatedOnlyAsFarAsTheHeaderNeeds() throws {
        let bomb = IDX.images(Array(pixels.prefix(784)), count: 1, height: 28, width: 28) + [UInt8](repeating: 0, count: 64 << 20)
        try assertTrainingImagesRejected(bomb, gzip: true, mentioning: "trailing garbage: at least 65536 unexpected bytes after the 784 bytes")
    }

    func testTrainingAndTestImagesOfDifferentSizesAreRejectedWhenLoaded() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: false)
        try fixtures.writeRaw("t10k-images-idx3-ubyte", IDX.images([UInt8](repeating: 7, count: 32 * 32), count: 1, height: 32, width: 32))
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: fixtures.path("t10k-images-idx3-ubyte"),
                     mentioning: "test images of 32 x 32 pixels, but the training images of \(fixtures.path("train-images-idx3-ubyte")) are 28 x 28")
    }

    func testLabelsOutsideTheTenClassesOfMNISTFormatDataAreRejected() throws {
        for label: UInt8 in [10, 255] {
            let fixtures = try Fixtures(self)
            try writeValidSet(fixtures, gzip: true)
            try fixtures.writeGzip("t10k-labels-idx1-ubyte.gz", IDX.labels([label]))
            for load in [{ try MNIST.load(directory: $0) }, { try DatasetFormat.mnistIDX.load(directory: $0) }] as [(String) throws -> Any] {
                assertThrows(try load(fixtures.directory), naming: fixtures.path("t10k-labels-idx1-ubyte.gz"),
                             mentioning: "label \(label) at index 0 is not below the class count 10")
            }
        }
    }

    func testALabelFileLongerThanItsImagesFileIsRejected() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: false)
        try fixtures.writeRaw("t10k-labels-idx1-ubyte", IDX.labels([0, 1, 2]))
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: fixtures.path("t10k-labels-idx1-ubyte"),
                     mentioning: "holds 3 labels but \(fixtures.path("t10k-images-idx3-ubyte")) holds 1 images")
    }

    func testAnImagesFileWithNoImagesIsRejected() throws {
        let fixtures = try Fixtures(self)
        try writeValidSet(fixtures, gzip: false)
        try fixtures.writeRaw("t10k-images-idx3-ubyte", IDX.header([0, 28, 28]))
        try fixtures.writeRaw("t10k-labels-idx1-ubyte", IDX.labels([]))
        assertThrows(try MNIST.load(directory: fixtures.directory), naming: fixtures.path("t10k-images-idx3-ubyte"), mentioning: "holds no images")
    }
}
