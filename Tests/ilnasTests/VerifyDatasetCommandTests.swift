import Foundation
import TestSupport
import XCTest

/// `ilnas datasets verify DIR`, run as a user runs it: one line per file, exit status 0 only when every file is as
/// published, and a one-line error naming what is missing or wrong.
final class VerifyDatasetCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!
    /// This project's MNIST files, whose digests the table records.
    private static let mnist = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/datasets/mnist").standardizedFileURL.path

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    func testPublishedFilesPassAndDamagedOnesAreNamed() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.mnist), "no MNIST files at \(Self.mnist)")
        let ilnas = try ILNASExecutable()
        let good = try ilnas.run(["datasets", "verify", Self.mnist], scratch: directory.path)
        XCTAssertEqual(good.status, 0, good.standardError)
        XCTAssertEqual(good.standardOutput.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count, 4, good.standardOutput)
        XCTAssertTrue(good.standardOutput.contains("the MNIST files are as published"), good.standardOutput)

        // A copy with the training labels cut short, the test labels' last byte changed and the test images missing.
        let copy = directory.file("mnist")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: "\(Self.mnist)/\(name)", toPath: "\(copy)/\(name)")
        }
        let labels = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/train-labels-idx1-ubyte.gz"))
        try labels.prefix(1000).write(to: URL(fileURLWithPath: "\(copy)/train-labels-idx1-ubyte.gz"))
        var testLabels = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/t10k-labels-idx1-ubyte.gz"))
        testLabels[testLabels.count - 1] ^= 0xFF
        try testLabels.write(to: URL(fileURLWithPath: "\(copy)/t10k-labels-idx1-ubyte.gz"))

        let bad = try ilnas.run(["datasets", "verify", copy], scratch: directory.path)
        XCTAssertEqual(bad.status, 1)
        let lines = bad.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("ok ") && $0.hasSuffix("train-images-idx3-ubyte.gz") }, bad.standardOutput)
        XCTAssertTrue(lines.contains("WRONG SIZE     \(copy)/train-labels-idx1-ubyte.gz: expected 28881 bytes, found 1000"), bad.standardOutput)
        XCTAssertTrue(lines.contains("MISSING        \(copy)/t10k-images-idx3-ubyte.gz: expected 1648877 bytes, SHA-256 "
            + "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"), bad.standardOutput)
        XCTAssertTrue(lines.contains { $0.hasPrefix("WRONG SHA-256  \(copy)/t10k-labels-idx1-ubyte.gz: expected "
            + "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6, found ") }, bad.standardOutput)
        XCTAssertEqual(bad.standardError, "Error: \(copy): 3 of the MNIST files missing or not as published: "
            + "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz\n")
    }

    /// Small CIFAR-100 files: each has the wrong size, and says so without being hashed.
    func testWrongSizesAreNamedWithoutHashing() throws {
        let folder = directory.file("cifar-100-binary")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(repeating: 1, count: 3074).write(to: URL(fileURLWithPath: "\(folder)/train.bin"))
        let outcome = try ILNASExecutable().run(["datasets", "verify", directory.path], scratch: directory.path)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.standardOutput.contains("WRONG SIZE     \(folder)/train.bin: expected 153700000 bytes, found 3074"), outcome.standardOutput)
        XCTAssertTrue(outcome.standardOutput.contains("MISSING        \(folder)/test.bin: expected 30740000 bytes\n"), outcome.standardOutput)
        XCTAssertTrue(outcome.standardError.hasPrefix("Error: \(directory.path): 2 of the CIFAR-100 binary files"), outcome.standardError)
    }

    func testAFolderOfNoTabledDatasetIsAnError() throws {
        try FileManager.default.createDirectory(atPath: directory.file("train/cat"), withIntermediateDirectories: true)
        let outcome = try ILNASExecutable().run(["datasets", "verify", directory.path], scratch: directory.path)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.standardError.contains("no table of published files for image folders"), outcome.standardError)
        let absent = try ILNASExecutable().run(["datasets", "verify", directory.file("absent")], scratch: directory.path)
        XCTAssertEqual(absent.status, 1)
        XCTAssertTrue(absent.standardError.contains(directory.file("absent")), absent.standardError)
    }
}
