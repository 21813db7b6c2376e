@testable import ilnas
import TestSupport
import XCTest

/// A run file that is missing or malformed gives one line naming the file (and the line of a JSON-lines file).
final class JSONFileTests: XCTestCase {
    private struct Record: Decodable {
        var epoch: Int
        var loss: Double
    }

    private func message(_ read: () throws -> Any) -> String {
        do {
            _ = try read()
            XCTFail("no error")
            return ""
        } catch {
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), text)
            return text
        }
    }

    func testMissingUnreadableAndMalformedFilesAreNamed() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("summary.json")
        XCTAssertEqual(message { try JSONFile.decode(Record.self, at: path) }, "\(path): missing")
        XCTAssertEqual(message { try JSONFile.decode(Record.self, at: directory.path) }, "\(directory.path): cannot be read")
        let cases = [
            ("{\"epoch\": 1, \"loss\": ", "not valid JSON"),
            ("{\"epoch\": 1}", "missing \"loss\""),
            ("{\"epoch\": \"one\", \"loss\": 1}", "at epoch: Expected to decode Int but found a string instead."),
            ("{\"epoch\": null, \"loss\": 1}", "at epoch: Cannot get value of type Int -- found null value instead"),
        ]
        for (text, reason) in cases {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertEqual(message { try JSONFile.decode(Record.self, at: path) }, "\(path): \(reason)")
        }
    }

    func testJSONLinesNameTheLineAndSkipBlankOnes() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("epochs.jsonl")
        try "{\"epoch\": 0, \"loss\": 2}\n\n{\"epoch\": 1, \"loss\": 1}\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try JSONFile.decodeLines(Record.self, at: path).map(\.epoch), [0, 1])
        try "{\"epoch\": 0, \"loss\": 2}\n{\"epoch\": 1, \"loss\": [1]}\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(message { try JSONFile.decodeLines(Record.self, at: path) },
                       "\(path): line 2: at loss: Expected to decode Double but found an array instead.")
        try "{\"epoch\": 0, \"loss\": 2}\n{\"epoch\": 1, \"loss\"".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(message { try JSONFile.decodeLines(Record.self, at: path) }, "\(path): line 2: not valid JSON")
    }
}
