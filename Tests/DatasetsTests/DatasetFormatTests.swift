import Datasets
import Foundation
import TestSupport
import XCTest

final class DatasetFormatTests: XCTestCase {
    /// Writes a gzipped MNIST-format set: one training image labelled 3, one test image labelled 8.
    private func writeMNIST(_ fixtures: Fixtures) throws {
        try fixtures.writeGzip("train-images-idx3-ubyte.gz", IDX.images([0, 255], count: 1, height: 1, width: 2))
        try fixtures.writeGzip("train-labels-idx1-ubyte.gz", IDX.labels([3]))
        try fixtures.writeGzip("t10k-images-idx3-ubyte.gz", IDX.images([255, 0], count: 1, height: 1, width: 2))
        try fixtures.writeGzip("t10k-labels-idx1-ubyte.gz", IDX.labels([8]))
    }

    func testDetectsEachFormatAndLoadsIt() throws {
        let cases: [(format: DatasetFormat, name: String, write: (Fixtures) throws -> Void,
                     load: (String) throws -> (train: LabeledDataset, test: LabeledDataset))] = [
            (.mnistIDX, "MNIST-format IDX", writeMNIST, { try MNIST.load(directory: $0) }),
            (.cifar10Binary, "CIFAR-10 binary", { try $0.writeCIFAR10() }, { try CIFAR10.load(directory: $0) }),
            (.cifar100Binary, "CIFAR-100 binary", { try $0.writeCIFAR100() }, { try CIFAR100.load(directory: $0) }),
            (.stl10Binary, "STL-10 binary", { try $0.writeSTL10() }, { try STL10.load(directory: $0) }),
        ]
        for (format, name, write, load) in cases {
            let fixtures = try Fixtures(self)
            try write(fixtures)
            let detected = try DatasetFormat.detect(directory: fixtures.directory)
            XCTAssertEqual(detected, format)
            XCTAssertEqual(detected.name, name)
            let loaded = try detected.load(directory: fixtures.directory)
            let expected = try load(fixtures.directory)
            XCTAssertEqual(loaded.train, expected.train, name)
            XCTAssertEqual(loaded.test, expected.test, name)
        }
    }

    func testDetectsTheArchiveFolderInsideTheGivenOne() throws {
        let cases: [(folder: String, format: DatasetFormat, write: (Fixtures) throws -> Void)] = [
            ("cifar-10-batches-bin", .cifar10Binary, { try $0.writeCIFAR10() }),
            ("cifar-100-binary", .cifar100Binary, { try $0.writeCIFAR100() }),
            ("stl10_binary", .stl10Binary, { try $0.writeSTL10() }),
        ]
        for (folder, format, write) in cases {
            let parent = try Fixtures(self)
            try write(parent.folder(folder))
            XCTAssertEqual(try DatasetFormat.detect(directory: parent.directory), format, folder)
            XCTAssertEqual(try format.load(directory: parent.directory).train.count, try format.load(directory: parent.path(folder)).train.count)
        }
    }

    func testUnrecognizedFolderSaysWhatEachFormatNeeds() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeRaw("readme.txt", Array("not a dataset".utf8))
        try fixtures.folder("cifar-10-batches-bin").writeRaw("batches.meta.txt", Array("airplane\n".utf8))
        XCTAssertThrowsError(try DatasetFormat.detect(directory: fixtures.directory)) { error in
            guard case let .unrecognizedFormat(directory, requirements)? = error as? DatasetError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(directory, fixtures.directory)
            XCTAssertEqual(requirements, DatasetFormat.allCases.map(\.requirement))
            let message = String(describing: error)
            for needed in ["MNIST-format IDX needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte",
                           "CIFAR-10 binary needs data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, "
                               + "data_batch_5.bin, test_batch.bin (in the folder or in cifar-10-batches-bin/)",
                           "CIFAR-100 binary needs train.bin, test.bin (in the folder or in cifar-100-binary/)",
                           "STL-10 binary needs train_X.bin, train_y.bin, test_X.bin, test_y.bin (in the folder or in stl10_binary/)"] {
                XCTAssertTrue(message.contains(needed), "\"\(message)\" does not say \"\(needed)\"")
            }
        }
    }

    func testFilesOfSeveralFormatsAreAmbiguous() throws {
        let parent = try Fixtures(self)
        try parent.folder("cifar-10-batches-bin").writeCIFAR10()
        try parent.folder("stl10_binary").writeSTL10()
        assertThrows(try DatasetFormat.detect(directory: parent.directory), naming: parent.directory,
                     mentioning: "several dataset formats (CIFAR-10 binary, STL-10 binary)")
    }

    func testAnIncompleteFolderIsDetectedAndItsLoadNamesTheMissingFile() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeSTL10()
        try fixtures.remove("test_X.bin")
        let format = try DatasetFormat.detect(directory: fixtures.directory)
        XCTAssertEqual(format, .stl10Binary)
        assertThrows(try format.load(directory: fixtures.directory), naming: fixtures.path("test_X.bin"), mentioning: "not found")
    }

    func testMissingFolder() throws {
        let absent = try Fixtures(self).path("no-such-dir")
        XCTAssertThrowsError(try DatasetFormat.detect(directory: absent)) { error in
            XCTAssertEqual(error as? DatasetError, .missingFile(path: absent))
        }
    }
}
