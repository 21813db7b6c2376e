import Foundation
@testable import ilnas
import TestSupport
import XCTest

/// The processes of a data-parallel run compare their options before the first step: only the options that decide
/// what is computed, so that ranks on machines with other core counts or folder paths still agree.
final class AgreementFieldsTests: XCTestCase {
    func testOnlyOptionsThatDecideTheResultAreCompared() throws {
        let directory = try TemporaryDirectory(self)
        let out = directory.file("run")
        try SearchCommand.parse(["--epochs", "1", "--budget", "5000", "--batch-size", "64", "--quiet", "--out", out]).run()
        let options = try RunConfiguration(folder: RunFolder(path: out)).options
        var elsewhere = options
        elsewhere.threads = options.threads + 7
        elsewhere.out = "/elsewhere/run"
        elsewhere.quiet.toggle()
        elsewhere.checkpointEvery += 1
        XCTAssertEqual(elsewhere.agreementFields, options.agreementFields)
        for change in [{ (o: inout SearchOptions) in o.learningRate *= 2 }, { $0.seed += 1 }, { $0.batchSize += 1 },
                       { $0.budget += 1 }, { $0.data = "/data/mnist" }] {
            var changed = options
            change(&changed)
            XCTAssertNotEqual(changed.agreementFields, options.agreementFields)
        }
        var onOtherPath = options
        onOtherPath.data = "/data/mnist"
        var onThisPath = options
        onThisPath.data = "/mnt/shared/mnist"
        XCTAssertEqual(onOtherPath.agreementFields, onThisPath.agreementFields, "the data is compared by content, not path")
    }
}
