import ArchitectureSearch
import ArgumentParser
import Foundation
@testable import ilnas
@testable import ModelExport
import Serialization
import TensorCore
import TestSupport
import XCTest

/// `ilnas export` on a real search run on the digits: the compacted network gives the masked network's logits on the
/// test set, both formats are written where they belong; bad input ends with one line naming the path, status 1 or 64.
final class ExportCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// A short search on the digits that expands, in `folder`.
    private func search(into folder: String) throws {
        try SearchCommand.parse(["--epochs", "1", "--expand-every", "0.25", "--frozen-fraction", "0.2", "--batch-size", "64", "--budget", "8000", "--seed", "2",
                                 "--quiet", "--out", folder]).run()
    }

    func testARealSearchCompactsToTheSameLogitsAndExportsBothFormats() throws {
        let folder = directory.file("run")
        try search(into: folder)
        let run = RunFolder(path: folder)
        let network = try run.network()
        let test = try SearchData.testSet(directory: nil, preparation: run.preparation(), adaptingTo: network.inputShape)
        let compact = try network.compacted()
        let expected = try network.forward(test.images, mode: .inference)
        XCTAssertLessThanOrEqual(ExportFixtures.maximumDifference(try compact.forward(test.images), expected), 1e-5)
        XCTAssertGreaterThan(network.parameters.reduce(0) { $0 + $1.count }, compact.storedParameterCount, "nothing taken out")

        try ExportCommand.parse([folder, "--format", "onnx"]).run()
        try ExportCommand.parse([folder, "--format", "safetensors"]).run()
        let model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: run.file("model.onnx"))))
        XCTAssertEqual(model.opsetImport.first?.version, 13)
        let preparation = try run.preparation()
        let meanInitializer = try XCTUnwrap(model.graph.initializer.first { $0.name == "input_mean" })
        XCTAssertEqual(meanInitializer.rawData.count, 4 * preparation.channelMean.count)
        let file = try SafetensorsFile(contentsOfFile: run.file("model-compact.safetensors"))
        let (reread, description) = try SafetensorsExportTests.network(from: file)
        XCTAssertEqual(description.input.mean, preparation.channelMean.map(Float.init))
        XCTAssertEqual(try reread.forward(test.images), try compact.forward(test.images))

        let out = directory.file("elsewhere/exported.onnx")
        try ExportCommand.parse([folder, "--out", out]).run()
        XCTAssertTrue(FileManager.default.fileExists(atPath: out), "--format defaults to onnx; folders are made")
    }

    /// Runs `ilnas export arguments` in process and checks the one line it would print and its exit status.
    private func assertFails(_ arguments: [String], status: Int32, saying texts: [String], line: UInt = #line) {
        do {
            var command = try ILNASCommand.parseAsRoot(["export"] + arguments)
            try command.run()
            XCTFail("ilnas export \(arguments) did not fail", line: line)
        } catch {
            let message = ILNASCommand.errorLine(for: error, arguments: ["ilnas", "export"] + arguments)
            XCTAssertEqual(ILNASCommand.exitCode(for: error).rawValue, status, message, line: line)
            XCTAssertTrue(message.hasPrefix("Error: "), message, line: line)
            XCTAssertFalse(message.contains("\n"), message, line: line)
            for text in texts { XCTAssertTrue(message.contains(text), "\"\(message)\" does not say \"\(text)\"", line: line) }
        }
    }

    func testBadInputIsOneLineNamingThePath() throws {
        let missing = directory.file("missing")
        assertFails([missing], status: 1, saying: ["\(missing)/model.safetensors"])

        let folder = directory.file("run")
        let network = try ExportFixtures.convolutionalNetwork()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try network.write(toFile: RunFolder(path: folder).modelPath)
        assertFails([folder], status: 1, saying: ["\(folder)/data.json"])

        try #"{"dataset":"x","channelMean":[0.5],"channelStandardDeviation":[0.25]}"#
            .write(toFile: RunFolder(path: folder).preparationPath, atomically: true, encoding: .utf8)
        assertFails([folder], status: 1, saying: ["\(folder)/data.json", "1 channels", "[2, 7, 7]"])
        try #"{"dataset":"x","channelMean":[0.5,0.5],"channelStandardDeviation":[0.25,0]}"#
            .write(toFile: RunFolder(path: folder).preparationPath, atomically: true, encoding: .utf8)
        assertFails([folder], status: 1, saying: ["\(folder)/data.json", "standard deviations positive"])
        try #"{"dataset":"x","channelMean":[0.5,0.5],"channelStandardDeviation":[0.25,0.5]}"#
            .write(toFile: RunFolder(path: folder).preparationPath, atomically: true, encoding: .utf8)

        assertFails([folder, "--format", "tflite"], status: 64, saying: ["tflite", "--format", "ilnas export --help"])
        let blocker = directory.file("file")
        try "not a folder".write(toFile: blocker, atomically: true, encoding: .utf8)
        assertFails([folder, "--out", "\(blocker)/model.onnx"], status: 1, saying: ["\(blocker)/model.onnx"])
        assertFails([folder, "--format", "safetensors", "--out", directory.path], status: 1, saying: [directory.path])

        try ExportCommand.parse([folder, "--format", "safetensors"]).run()
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunFolder(path: folder).file("model-compact.safetensors")))
    }
}
