import ArchitectureSearch
import ArgumentParser
import Datasets
import Foundation
@testable import ilnas
import ModelExport
import TensorCore
import TestSupport
import Training
import XCTest

/// `ilnas evaluate` on the folders `ilnas search` writes: the same accuracy as the search's summary, and a one-line
/// error with exit status 1 for a model file that is missing or corrupt.
final class EvaluateCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var folder: String { directory.path }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// Runs `ilnas search` on the digits with a short schedule that still expands, and returns its summary.
    private func search(_ arguments: [String]) throws -> SearchSummary {
        try SearchCommand.parse(["--epochs", "1", "--expand-every", "0.25", "--frozen-fraction", "0.2", "--batch-size", "64", "--quiet", "--out", folder] + arguments).run()
        return try JSONDecoder().decode(SearchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: directory.file("summary.json"))))
    }

    func testEvaluationGivesTheSearchsFinalTestAccuracy() throws {
        let summary = try search(["--seed", "3"])
        XCTAssertGreaterThan(summary.expansions, 0)
        let evaluation = try RunEvaluation(folder: RunFolder(path: folder), dataDirectory: nil, engine: .masked)
        XCTAssertEqual(evaluation.testAccuracy, summary.testAccuracy)
        let top5 = try XCTUnwrap(evaluation.testTop5Accuracy, "ten digit classes: a top-5 accuracy")
        XCTAssertGreaterThanOrEqual(top5, evaluation.testAccuracy)
        XCTAssertLessThanOrEqual(top5, 1)
        let epochs = try String(contentsOfFile: directory.file("epochs.jsonl"), encoding: .utf8).split(separator: "\n")
        let lastEpoch = try JSONDecoder().decode(EpochReport.self, from: Data(try XCTUnwrap(epochs.last).utf8))
        XCTAssertEqual(Float(evaluation.testLoss), lastEpoch.testLoss)
        XCTAssertNil(evaluation.sparseConnections)
        // The compacted network (the default engine), all dense or sparse wherever a weight is absent, gives the same
        // predictions; its loss differs only by the rounding of sums over fewer terms.
        for threshold in [WeightLayout.measuredSparseThreshold, 0, 1] {
            let compact = try RunEvaluation(folder: RunFolder(path: folder), dataDirectory: nil, sparseBelowDensity: threshold)
            XCTAssertEqual(compact.engine, .compact)
            XCTAssertEqual(compact.testAccuracy, summary.testAccuracy, "threshold \(threshold)")
            XCTAssertEqual(compact.testTop5Accuracy, evaluation.testTop5Accuracy, "threshold \(threshold)")
            XCTAssertEqual(compact.testLoss, evaluation.testLoss, accuracy: 1e-5, "threshold \(threshold)")
            XCTAssertEqual(compact.parameterCount, evaluation.parameterCount)
            XCTAssertGreaterThan(try XCTUnwrap(compact.connections), 0)
        }
        XCTAssertEqual(try RunEvaluation(folder: RunFolder(path: folder), dataDirectory: nil, sparseBelowDensity: 0).sparseConnections, 0)
        XCTAssertEqual(evaluation.parameterCount, summary.parameterCount)
        XCTAssertEqual(evaluation.multiplyAccumulates, summary.multiplyAccumulates)
        XCTAssertEqual(evaluation.path, directory.file("model.safetensors"))
    }

    /// With several random-growth trials the top folder holds the kept trial's network, as its summary does.
    func testTheTopFolderOfTrialsHoldsTheKeptNetwork() throws {
        let summary = try search(["--baseline", "random", "--trials", "2", "--budget", "5000"])
        let kept = try XCTUnwrap(summary.keptTrial)
        let top = try RunEvaluation(folder: RunFolder(path: folder), dataDirectory: nil)
        let trial = try RunEvaluation(folder: RunFolder(path: directory.file("trial-\(kept)")), dataDirectory: nil)
        XCTAssertEqual(top.testAccuracy, summary.testAccuracy)
        XCTAssertEqual(top.parameterCount, trial.parameterCount)
        XCTAssertEqual(top.testLoss, trial.testLoss)
    }

    func testEngineOptions() throws {
        XCTAssertNil(try EvaluateCommand.parse(["run"]).engine, "compact for a single-task run, masked for a multi-task one")
        XCTAssertEqual(try EvaluateCommand.parse(["run", "--engine", "masked"]).engine, .masked)
        XCTAssertEqual(try EvaluateCommand.parse(["run", "--sparse-below", "0.1"]).sparseBelow, 0.1)
        for arguments in [["run", "--sparse-below", "1.5"], ["run", "--engine", "masked", "--sparse-below", "0.2"], ["run", "--engine", "dense"]] {
            XCTAssertThrowsError(try EvaluateCommand.parse(arguments), "\(arguments)")
        }
    }

    func testAMissingOrCorruptModelIsOneLineNamingThePathAndStatus1() throws {
        try "not a model".write(toFile: directory.file("model.safetensors"), atomically: true, encoding: .utf8)
        for (run, model) in [(directory.file("absent"), directory.file("absent/model.safetensors")), (folder, directory.file("model.safetensors"))] {
            XCTAssertThrowsError(try EvaluateCommand.parse([run]).run()) { error in
                let message = ILNASCommand.message(for: error)
                XCTAssertTrue(message.hasPrefix("\(model): "), message)
                XCTAssertFalse(message.contains("\n"), message)
                XCTAssertEqual(ILNASCommand.exitCode(for: error), .failure)
            }
        }
    }

    func testARunOnIDXDataNeedsItsFolder() throws {
        let network = try ConvolutionalTemplate().makeNetwork(inputShape: [1, 8, 8], classes: 10, seed: 1)
        let statistics = try ChannelStatistics(of: Tensor(shape: [1, 1, 1, 2], scalars: [0, 1]))
        try RunFolder(path: folder).save(network, preparation: DataPreparation(dataset: "idx:/data/mnist", digitsSplitSeed: nil, statistics: statistics))
        XCTAssertThrowsError(try RunEvaluation(folder: RunFolder(path: folder), dataDirectory: nil)) { error in
            XCTAssertEqual("\(error)", "the run was on idx:/data/mnist, not the embedded digits: give its folder with --data")
        }
    }
}
