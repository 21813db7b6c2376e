import Foundation
import Serialization
import Training
import XCTest

/// JSON files written through `AtomicFile`: whole files only, missing folders created, and errors that name the path.
final class AtomicJSONTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func testWritesCreateMissingFoldersAndReplaceWholeFiles() throws {
        let path = directory.appendingPathComponent("nested/deeper/summary.json").path
        try AtomicFile.writeJSON(["a": 1], to: path)
        try AtomicFile.writeJSON(["a": 2], to: path)
        let decoded = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(decoded, ["a": 2])
        let lines = directory.appendingPathComponent("other/epochs.jsonl").path
        try AtomicFile.writeJSONLines([["epoch": 0], ["epoch": 1]], to: lines)
        XCTAssertEqual(try String(contentsOfFile: lines, encoding: .utf8), "{\"epoch\":0}\n{\"epoch\":1}\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("nested/deeper").path)
        XCTAssertEqual(leftovers, ["summary.json"])
    }

    func testAFileInTheWayOfAFolderIsNamed() throws {
        let blocker = directory.appendingPathComponent("blocker").path
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let path = (blocker as NSString).appendingPathComponent("run/summary.json")
        XCTAssertThrowsError(try AtomicFile.writeJSON(["a": 1], to: path)) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: path, reason: "\(blocker) is not a folder"))
        }
    }

    func testAValueThatJSONCannotHoldIsNamedAndNothingIsWritten() throws {
        let path = directory.appendingPathComponent("epochs.jsonl").path
        XCTAssertThrowsError(try AtomicFile.writeJSONLines([["loss": Float.nan]], to: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): cannot encode the JSON at "), "\(error)")
            XCTAssertTrue("\(error)".contains("loss"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }
}
