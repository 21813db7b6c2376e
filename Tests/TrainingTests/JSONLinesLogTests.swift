import Foundation
import Serialization
import TestSupport
import Training
import XCTest

/// `JSONLinesLog`: the file starts as the lines a run already has and then grows one synced line at a time, which is
/// what the whole-file rewrite it replaces produced.
final class JSONLinesLogTests: XCTestCase {
    func testStartingLinesThenAppendsGiveTheFileAWholeRewriteGives() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("run/expansions.jsonl"), reference = directory.file("reference.jsonl")
        let lines = [["epoch": 0, "added": 12], ["epoch": 1, "added": 7], ["epoch": 2, "added": 0]]
        let log = try JSONLinesLog(path: path, startingWith: Array(lines.prefix(1)))
        for line in lines.dropFirst() { try log.append(line) }
        try AtomicFile.writeJSONLines(lines, to: reference)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), try String(contentsOfFile: reference, encoding: .utf8))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "{\"added\":12,\"epoch\":0}\n{\"added\":7,\"epoch\":1}\n{\"added\":0,\"epoch\":2}\n")
    }

    func testStartingAgainReplacesATornLastLine() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("epochs.jsonl")
        try "{\"epoch\":0}\n{\"epoch\":1}\n{\"epo".write(toFile: path, atomically: true, encoding: .utf8)
        let log = try JSONLinesLog(path: path, startingWith: [["epoch": 0], ["epoch": 1]])
        try log.append(["epoch": 2])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"epoch\":0}\n{\"epoch\":1}\n{\"epoch\":2}\n")
    }

    func testAnAppendThatCannotBeEncodedOrWrittenIsNamedAndKeepsTheLinesBefore() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("epochs.jsonl")
        let log = try JSONLinesLog(path: path, startingWith: [["loss": Float(0.5)]])
        XCTAssertThrowsError(try log.append(["loss": Float.nan])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): cannot encode the JSON at "), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"loss\":0.5}\n")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertThrowsError(try log.append(["loss": Float(0.25)])) { error in
            XCTAssertEqual("\(error)", "\(path): cannot open the file to append to it: No such file or directory")
        }
    }
}
