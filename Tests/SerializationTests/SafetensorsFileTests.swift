import Foundation
import Serialization
import TestSupport
import XCTest

/// Reading from and writing to paths: atomic replacement, and errors that name the file.
final class SafetensorsFileTests: XCTestCase {
    private let contents = SafetensorsFile(
        tensors: ["w": StoredTensor(shape: [2, 2], elements: .float32([1, 2, 3, 4])),
                  "step": StoredTensor(shape: [], elements: .int64([7]))],
        metadata: ["epoch": "2"]
    )

    func testWriteThenReadLeavesOnlyTheFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("model.safetensors")
        try contents.write(toFile: path)
        XCTAssertEqual(try SafetensorsFile(contentsOfFile: path), contents)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), try contents.encoded())
        XCTAssertEqual(try directory.contents(), ["model.safetensors"])
    }

    func testWriteReplacesAnExistingFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("model.safetensors")
        try Data(repeating: 0xAB, count: 10_000).write(to: URL(fileURLWithPath: path))
        try contents.write(toFile: path)
        XCTAssertEqual(try SafetensorsFile(contentsOfFile: path), contents)
        XCTAssertEqual(try directory.contents(), ["model.safetensors"])
    }

    func testErrorsFromAFileNameItsPathAndTensor() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("lying.safetensors")
        let json = #"{"conv.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#
        try RawSafetensors.file(json, data: Array(repeating: 0, count: 20)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafetensorsFile(contentsOfFile: path)) { error in
            XCTAssertEqual("\(error)", "\(path): tensor \"conv.weight\": shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] hold 20")
        }
        let truncated = directory.file("truncated.safetensors")
        try contents.encoded().dropLast(3).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try SafetensorsFile(contentsOfFile: truncated)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(truncated): tensor "), "\(error)")
        }
    }

    func testUnreadablePaths() throws {
        let directory = try TemporaryDirectory(self)
        let missing = directory.file("absent.safetensors")
        XCTAssertThrowsError(try SafetensorsFile(contentsOfFile: missing)) { error in
            XCTAssertEqual(error as? SafetensorsError, .fileAccess(path: missing, reason: "cannot open the file: No such file or directory"))
        }
        XCTAssertThrowsError(try SafetensorsFile(contentsOfFile: directory.path)) { error in
            XCTAssertEqual(error as? SafetensorsError, .fileAccess(path: directory.path, reason: "not a regular file"))
        }
    }

    func testWriteIntoAMissingFolderFailsNamingThePath() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("absent/model.safetensors")
        XCTAssertThrowsError(try contents.write(toFile: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): cannot create the temporary file"), "\(error)")
        }
    }

    func testWriteRejectsTheMetadataNameNamingThePath() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("bad.safetensors")
        let file = SafetensorsFile(tensors: ["__metadata__": StoredTensor(shape: [0], elements: .bool([]))])
        XCTAssertThrowsError(try file.write(toFile: path)) { error in
            XCTAssertEqual(error as? SafetensorsError, .invalidTensor(path: path, name: "__metadata__", reason: "the name is reserved for the metadata"))
        }
        XCTAssertEqual(try directory.contents(), [])
    }
}
