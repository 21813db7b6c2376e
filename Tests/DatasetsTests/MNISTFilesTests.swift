import Datasets
import Foundation
import XCTest

/// Checks the real MNIST files if `../shared/datasets/mnist` exists beside the package; skipped otherwise.
final class MNISTFilesTests: XCTestCase {
    /// `<package root>/../shared/datasets/mnist`, found from this file's location.
    private var directory: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // DatasetsTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("../shared/datasets/mnist")
            .standardizedFileURL.path
    }

    func testRealMNISTFilesIfPresent() throws {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw XCTSkip("no MNIST files at \(directory)")
        }
        let (train, test) = try MNIST.load(directory: directory)
        XCTAssertEqual(train.images.shape, [60000, 1, 28, 28])
        XCTAssertEqual(test.images.shape, [10000, 1, 28, 28])
        XCTAssertEqual(train.classCounts(), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(test.classCounts(), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        let statistics = try ChannelStatistics(of: train.images)
        XCTAssertEqual(statistics.mean[0], 0.1306605, accuracy: 1e-6)
        XCTAssertEqual(statistics.standardDeviation[0], 0.3081078, accuracy: 1e-6)
    }
}
