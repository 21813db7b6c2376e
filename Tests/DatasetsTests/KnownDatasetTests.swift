import Datasets
import Foundation
import XCTest

final class KnownDatasetTests: XCTestCase {
    /// A test-only table: CIFAR-100's two file names with the sizes and digests of small files the test writes.
    private func table(train: [UInt8], test: [UInt8]?) -> KnownDataset {
        KnownDataset(name: "tiny CIFAR-100", format: .cifar100Binary, files: [
            [.init(name: "train.bin", size: train.count, sha256: SHA256.hexDigest(of: train))],
            [.init(name: "test.bin", size: test?.count ?? 3074, sha256: test.map { SHA256.hexDigest(of: $0) })],
        ])
    }

    func testFilesAsRecordedPass() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR100()
        let (train, test) = (try fixtures.read("train.bin"), try fixtures.read("test.bin"))
        let results = try table(train: train, test: test).verify(directory: fixtures.directory)
        XCTAssertEqual(results.map(\.outcome), [.matches, .matches])
        XCTAssertTrue(results.allSatisfy(\.isValid))
        // With no digest recorded the size decides, and the file's digest is reported for the table.
        let sizeOnly = try table(train: train, test: nil).verify(directory: fixtures.directory)
        XCTAssertEqual(sizeOnly[1].outcome, .sizeMatchesDigestUnrecorded(actualSHA256: SHA256.hexDigest(of: test)))
        XCTAssertTrue(sizeOnly[1].isValid)
    }

    func testEachWrongOrMissingFileIsNamedWithExpectedAndActual() throws {
        let fixtures = try Fixtures(self)
        try fixtures.writeCIFAR100()
        let (train, test) = (try fixtures.read("train.bin"), try fixtures.read("test.bin"))
        let dataset = table(train: train, test: test)

        var flipped = train
        flipped[10] ^= 1
        try fixtures.writeRaw("train.bin", flipped)
        try fixtures.writeRaw("test.bin", test + [0])
        let results = try dataset.verify(directory: fixtures.directory)
        XCTAssertEqual(results[0], FileVerification(path: fixtures.path("train.bin"),
                                                    outcome: .wrongDigest(expected: SHA256.hexDigest(of: train), actual: SHA256.hexDigest(of: flipped))))
        XCTAssertEqual(results[1].outcome, .wrongSize(expected: test.count, actual: test.count + 1))
        XCTAssertFalse(results.contains(where: \.isValid))
        XCTAssertTrue(results[0].description.contains("WRONG SHA-256") && results[0].description.contains(fixtures.path("train.bin")))
        XCTAssertTrue(results[1].description.contains("expected \(test.count) bytes, found \(test.count + 1)"), results[1].description)

        try fixtures.remove("test.bin")
        let missing = try dataset.verify(directory: fixtures.directory)[1]
        XCTAssertEqual(missing, FileVerification(path: fixtures.path("test.bin"),
                                                 outcome: .missing(expectedSize: test.count, expectedSHA256: SHA256.hexDigest(of: test))))
        XCTAssertTrue(missing.description.hasPrefix("MISSING"))
    }

    /// The archive's folder inside the given one is checked, as the loaders read it.
    func testTheArchiveFolderInsideIsVerified() throws {
        let parent = try Fixtures(self)
        let folder = try parent.folder("cifar-100-binary")
        try folder.writeCIFAR100()
        let results = try table(train: try folder.read("train.bin"), test: try folder.read("test.bin")).verify(directory: parent.directory)
        XCTAssertEqual(results.map(\.path), [folder.path("train.bin"), folder.path("test.bin")])
        XCTAssertTrue(results.allSatisfy(\.isValid))
        XCTAssertEqual(try KnownDataset.matching(directory: parent.directory), .cifar100)
    }

    /// A downloaded archive is recognised by its name and checked by size, then digest; other files are refused.
    func testArchivesAreCheckedBySizeAndDigest() throws {
        let fixtures = try Fixtures(self)
        let bytes: [UInt8] = Array("not really a tar.gz".utf8)
        let dataset = KnownDataset(name: "tiny CIFAR-100", format: .cifar100Binary, files: [],
                                   archive: .init(name: "cifar-100-binary.tar.gz", size: bytes.count, sha256: SHA256.hexDigest(of: bytes)))
        try fixtures.writeRaw("cifar-100-binary.tar.gz", bytes)
        let path = fixtures.path("cifar-100-binary.tar.gz")
        let checked = try KnownDataset.verify(path: path, in: [dataset])
        XCTAssertEqual(checked.dataset, dataset)
        XCTAssertEqual(checked.results, [FileVerification(path: path, outcome: .matches)])

        var flipped = bytes
        flipped[0] ^= 1
        try fixtures.writeRaw("cifar-100-binary.tar.gz", flipped)
        XCTAssertEqual(try KnownDataset.verify(path: path, in: [dataset]).results[0].outcome,
                       .wrongDigest(expected: SHA256.hexDigest(of: bytes), actual: SHA256.hexDigest(of: flipped)))
        try fixtures.writeRaw("cifar-100-binary.tar.gz", bytes + [0])
        XCTAssertEqual(try KnownDataset.verify(path: path, in: [dataset]).results[0].outcome,
                       .wrongSize(expected: bytes.count, actual: bytes.count + 1))

        try fixtures.writeRaw("cifar-10-python.tar.gz", bytes)
        XCTAssertThrowsError(try KnownDataset.verify(path: fixtures.path("cifar-10-python.tar.gz"), in: [dataset])) { error in
            XCTAssertTrue("\(error)".contains("not a known dataset archive"), "\(error)")
        }
        // The real table knows the three archives by their distributed names.
        XCTAssertEqual(try KnownDataset.matching(archive: "/x/stl10_binary.tar.gz"), .stl10)
        XCTAssertEqual(try KnownDataset.matching(archive: "cifar-10-binary.tar.gz"), .cifar10)
    }

    /// MNIST's real files, where this project keeps them: every one matches the table, gzipped as distributed.
    func testTheSharedMNISTFilesMatchTheTable() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/datasets/mnist").standardizedFileURL.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: directory), "no MNIST files at \(directory)")
        XCTAssertEqual(try KnownDataset.matching(directory: directory), .mnist)
        let results = try KnownDataset.mnist.verify(directory: directory)
        XCTAssertEqual(results.count, 4)
        XCTAssertEqual(results.map(\.outcome), Array(repeating: .matches, count: 4), "\(results)")
    }

    /// Datasets.md lists every size and digest of the table (the table is the source; the document must agree).
    func testDatasetsDocumentListsTheTable() throws {
        let document = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Datasets.md").standardizedFileURL.path, encoding: .utf8)
        let rows = document.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for dataset in KnownDataset.all {
            for spelling in dataset.files.joined() + (dataset.archive.map { [$0] } ?? []) where !spelling.name.contains(".idx") {
                let row = rows.first { $0.hasPrefix("| `\(spelling.name)` |") }
                XCTAssertNotNil(row, "Datasets.md has no row for \(spelling.name) of \(dataset.name)")
                guard let row else { continue }
                let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                XCTAssertEqual(Int(cells[1].replacingOccurrences(of: ",", with: "")), spelling.size, String(row))
                XCTAssertTrue(row.contains(spelling.sha256 ?? "not recorded"), "\(row) does not hold \(spelling.sha256 ?? "not recorded")")
            }
        }
    }
}
