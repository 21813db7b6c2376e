import ArchitectureSearch
import Foundation
@testable import ilnas
import TestSupport
import XCTest

/// `ilnas search --baseline retrained --from RUN`: the architecture a search found, trained from fresh weights
/// without growth.
final class RetrainedBaselineCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    func testTheFoundArchitectureIsTrainedAnewWithoutGrowth() throws {
        let source = directory.file("search")
        try SearchCommand.parse(["--epochs", "2", "--budget", "6000", "--quiet", "--out", source]).run()
        let found = try RunFolder(path: source).network()

        let target = directory.file("retrained")
        try SearchCommand.parse(["--from", source, "--baseline", "retrained", "--epochs", "1", "--budget", "6000",
                                 "--quiet", "--out", target]).run()
        let folder = RunFolder(path: target)
        let retrained = try folder.network()
        XCTAssertEqual(retrained.parameterCount, found.parameterCount)
        XCTAssertEqual(retrained.nodes.map(\.realChannelCount), found.nodes.map(\.realChannelCount))
        XCTAssertEqual(retrained.edges.map(\.weight.activeCount), found.edges.filter(\.isActive).map(\.weight.activeCount))
        XCTAssertTrue(retrained.nodes.allSatisfy { $0.placeholderChannels.isEmpty })
        let summary = try JSONFile.decode(SearchSummary.self, at: folder.summaryPath)
        XCTAssertEqual(summary.baseline, "retrained")
        XCTAssertEqual(summary.expansions, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.expansionsPath), "nothing grew")

        // A budget the architecture does not fit is refused, not exceeded.
        XCTAssertThrowsError(try SearchCommand.parse(["--from", source, "--baseline", "retrained", "--epochs", "1",
                                                      "--budget", "\(found.parameterCount - 1)", "--quiet",
                                                      "--out", directory.file("small")]).run()) { error in
            XCTAssertTrue("\(error)".contains("\(found.parameterCount)"), "\(error)")
        }
    }

    func testTheBaselineNeedsARunToRetrain() {
        XCTAssertThrowsError(try SearchCommand.parse(["--baseline", "retrained"])) { error in
            XCTAssertTrue(SearchCommand.message(for: error).contains("--from"), SearchCommand.message(for: error))
        }
    }
}
