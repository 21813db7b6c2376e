import ArchitectureSearch
import Foundation
@testable import ilnas
import TestSupport
import XCTest

/// `ilnas search --from RUN`: a digits network ([1, 8, 8], 10 classes) keeps evolving on CIFAR-100-format data
/// ([3, 32, 32], 100 classes): the images are adapted to its input, its classifier is replaced, and the rest of the
/// network is where growth starts from.
final class TransferCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// A CIFAR-100 binary folder of `train` and `test` random records (coarse label, fine label, 3072 pixel bytes).
    private func writeCIFAR100(train: Int, test: Int) throws -> String {
        let folder = directory.file("cifar-100-binary")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        for (name, count) in [("train.bin", train), ("test.bin", test)] {
            var bytes: [UInt8] = []
            for record in 0..<count {
                bytes += [UInt8(record % 20), UInt8(record % 100)] + (0..<3072).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
        }
        return folder
    }

    func testARunKeepsEvolvingOnDataOfAnotherShapeAndClassCount() throws {
        let source = directory.file("digits")
        try SearchCommand.parse(["--epochs", "1", "--budget", "6000", "--quiet", "--out", source]).run()
        let trained = try RunFolder(path: source).network()
        let data = try writeCIFAR100(train: 64, test: 16)

        let target = directory.file("evolved")
        try SearchCommand.parse(["--from", source, "--data", data, "--epochs", "1", "--expand-every", "0.5", "--batch-size", "16",
                                 "--budget", "9000", "--quiet", "--out", target]).run()
        let evolved = try RunFolder(path: target).network()
        XCTAssertEqual(evolved.inputShape, [1, 8, 8], "the data was adapted to the network, not the network to the data")
        XCTAssertEqual(evolved.outputNode?.realChannelCount, 100)
        XCTAssertGreaterThan(evolved.parameterCount, trained.parameterCount - (trained.outputNode?.realChannelCount ?? 0) * 100)
        XCTAssertLessThanOrEqual(evolved.parameterCount, 9000)
        let trainedHidden = trained.nodes.dropFirst().dropLast().map(\.id)
        XCTAssertEqual(Array(evolved.nodes.dropFirst().map(\.id).prefix(trainedHidden.count)), trainedHidden, "hidden nodes kept")

        // The source network is evaluated on the same images as they are, without training, once the class counts agree.
        let evaluation = try RunEvaluation(folder: RunFolder(path: target), dataDirectory: data)
        XCTAssertEqual(evaluation.parameterCount, evolved.parameterCount)
        XCTAssertThrowsError(try RunEvaluation(folder: RunFolder(path: source), dataDirectory: data)) { error in
            XCTAssertTrue("\(error)".contains("100"), "\(error)")
        }
        XCTAssertThrowsError(try SearchCommand.parse(["--from", source, "--baseline", "fixed"]))
    }
}
