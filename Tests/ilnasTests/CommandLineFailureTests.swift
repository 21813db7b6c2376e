import ArchitectureSearch
import Datasets
import Foundation
@testable import ilnas
import TensorCore
import TestSupport
import XCTest

/// Every way `ilnas` can fail, run as a child process: an exit status in 1...125 (64 for a usage error, 1 for a
/// failed run; never a trap or a signal) and one line on standard error that says what is wrong and names the file.
final class CommandLineFailureTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// Runs `ilnas arguments` and checks that it failed with `status` and one line `Error: …` holding every one of `texts`.
    private func assertFails(_ arguments: [String], status: Int32, saying texts: [String], line: UInt = #line) throws {
        let outcome = try ILNASExecutable().run(arguments, scratch: directory.path)
        let message = outcome.standardError
        XCTAssertTrue(outcome.exited, "ilnas \(arguments) was killed by signal \(outcome.status): \(message)", line: line)
        XCTAssertEqual(outcome.status, status, "ilnas \(arguments): \(message)", line: line)
        XCTAssertTrue((1...125).contains(outcome.status), line: line)
        XCTAssertTrue(message.hasPrefix("Error: ") && message.hasSuffix("\n"), message, line: line)
        XCTAssertEqual(message.filter(\.isNewline).count, 1, "not one line: \(message)", line: line)
        XCTAssertFalse(message.contains("Error Domain"), "a raw Foundation error: \(message)", line: line)
        for text in texts {
            XCTAssertTrue(message.contains(text), "\"\(message)\" does not say \"\(text)\"", line: line)
        }
    }

    /// Writes an MNIST-format folder `name`: two training images of `trainSide` x `trainSide` pixels, one test
    /// image of `testSide` x `testSide` pixels labelled `testLabel`.
    private func writeIDXFolder(_ name: String, trainSide: Int = 8, testSide: Int = 8, testLabel: UInt8 = 1) throws -> String {
        let folder = directory.file(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let files = [
            ("train-images-idx3-ubyte", IDX.images([UInt8](repeating: 9, count: 2 * trainSide * trainSide), count: 2, height: trainSide, width: trainSide)),
            ("train-labels-idx1-ubyte", IDX.labels([0, 1])),
            ("t10k-images-idx3-ubyte", IDX.images([UInt8](repeating: 9, count: testSide * testSide), count: 1, height: testSide, width: testSide)),
            ("t10k-labels-idx1-ubyte", IDX.labels([testLabel])),
        ]
        for (file, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)))
        }
        return folder
    }

    func testBadArgumentsAreUsageErrors() throws {
        try assertFails(["search", "--budget", "lots"], status: 64, saying: ["'lots'", "--budget", "ilnas search --help"])
        try assertFails(["search", "--epochs", "0"], status: 64, saying: ["--epochs must be at least 1"])
        try assertFails(["search", "--frobnicate"], status: 64, saying: ["'--frobnicate'"])
        try assertFails(["evaluate"], status: 64, saying: ["<run>", "ilnas evaluate --help"])
    }

    func testAnUnknownGranularityIsNamed() throws {
        try assertFails(["search", "--granularity", "filter", "--out", directory.file("out")], status: 1, saying: ["unknown granularity 'filter'"])
    }

    func testAMissingDataFolderIsNamed() throws {
        let absent = directory.file("absent")
        try assertFails(["search", "--data", absent, "--out", directory.file("out")], status: 1, saying: ["\(absent): file not found"])
    }

    func testAFolderWithNoDatasetSaysWhatEachFormatNeeds() throws {
        let empty = directory.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try assertFails(["search", "--data", empty, "--out", directory.file("out")], status: 1,
                        saying: ["\(empty): no known dataset format found", "CIFAR-10 binary needs"])
    }

    func testALabelOutsideTheClassesNamesTheLabelsFile() throws {
        let folder = try writeIDXFolder("labels", testLabel: 10)
        try assertFails(["search", "--data", folder, "--out", directory.file("out")], status: 1,
                        saying: ["\(folder)/t10k-labels-idx1-ubyte: label 10 at index 0 is not below the class count 10"])
    }

    func testTrainingAndTestImagesOfDifferentSizesFailBeforeTraining() throws {
        let folder = try writeIDXFolder("sizes", trainSide: 28, testSide: 32)
        let out = directory.file("out")
        try assertFails(["search", "--data", folder, "--out", out], status: 1,
                        saying: ["\(folder)/t10k-images-idx3-ubyte: test images of 32 x 32 pixels", "are 28 x 28"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "a run started")
    }

    /// A regular file where a folder of the output path should be: no folder can be made there, even by root.
    func testAnOutputFolderThatCannotBeCreatedIsNamedBeforeTheDataIsLoaded() throws {
        let file = directory.file("file")
        try Data("previous".utf8).write(to: URL(fileURLWithPath: file))
        let out = (file as NSString).appendingPathComponent("run")
        try assertFails(["search", "--data", directory.file("absent"), "--out", out], status: 1, saying: ["\(out): \(file) is not a folder"])
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "previous")
    }

    func testAMissingModelAndADamagedDataPreparationAreNamed() throws {
        let absent = directory.file("absent")
        try assertFails(["evaluate", absent], status: 1, saying: ["\(absent)/model.safetensors: cannot open the file"])
        let run = directory.file("run")
        let network = try ConvolutionalTemplate().makeNetwork(inputShape: [1, 8, 8], classes: 10, seed: 1)
        let statistics = try ChannelStatistics(of: Tensor(shape: [1, 1, 1, 2], scalars: [0, 1]))
        try RunFolder(path: run).save(network, preparation: DataPreparation(dataset: "digits", digitsSplitSeed: 0, statistics: statistics))
        try Data("{\"dataset\": 3}".utf8).write(to: URL(fileURLWithPath: RunFolder(path: run).preparationPath))
        try assertFails(["evaluate", run], status: 1, saying: ["\(run)/data.json: ", "dataset"])
    }

    /// Foundation's file errors (a trial folder `FileManager` cannot make) become the path and the system's reason.
    func testAFoundationFileErrorBecomesThePathAndTheReason() throws {
        let file = directory.file("file")
        try Data().write(to: URL(fileURLWithPath: file))
        let folder = (file as NSString).appendingPathComponent("trial-0")
        XCTAssertThrowsError(try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) { error in
            XCTAssertEqual(CommandFailure(error).message, "\(folder): Not a directory")
        }
    }

    func testNestedLineBreaksDoNotBreakTheErrorLine() {
        let failure = CommandFailure(message: "first\nsecond")
        XCTAssertEqual(ILNASCommand.errorLine(for: failure, arguments: ["ilnas"]), "Error: first second")
    }
}
