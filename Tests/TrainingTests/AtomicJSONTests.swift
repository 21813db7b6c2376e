import Foundation
import Serialization
import TestSupport
import Training
import XCTest

/// JSON files written through `AtomicFile`: whole files only, missing folders created, and errors that name the path.
final class AtomicJSONTests: XCTestCase {
    func testWritesCreateMissingFoldersAndReplaceWholeFiles() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("nested/deeper/summary.json")
        try AtomicFile.writeJSON(["a": 1], to: path)
        try AtomicFile.writeJSON(["a": 2], to: path)
        let decoded = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(decoded, ["a": 2])
        let lines = directory.file("other/epochs.jsonl")
        try AtomicFile.writeJSONLines([["epoch": 0], ["epoch": 1]], to: lines)
        XCTAssertEqual(try String(contentsOfFile: lines, encoding: .utf8), "{\"epoch\":0}\n{\"epoch\":1}\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.file("nested/deeper")), ["summary.json"])
    }

    func testAFileInTheWayOfAFolderIsNamed() throws {
        let directory = try TemporaryDirectory(self)
        let blocker = directory.file("blocker")
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let path = (blocker as NSString).appendingPathComponent("run/summary.json")
        XCTAssertThrowsError(try AtomicFile.writeJSON(["a": 1], to: path)) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: path, reason: "\(blocker) is not a folder"))
        }
    }

    func testAValueThatJSONCannotHoldIsNamedAndNothingIsWritten() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("epochs.jsonl")
        XCTAssertThrowsError(try AtomicFile.writeJSONLines([["loss": Float.nan]], to: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): cannot encode the JSON at "), "\(error)")
            XCTAssertTrue("\(error)".contains("loss"), "\(error)")
        }
        XCTAssertEqual(try directory.contents(), [])
    }
}
