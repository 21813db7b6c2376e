import Foundation
import Serialization
import TestSupport
import XCTest

/// `AtomicFile.replace`: the new contents or an error naming the path, and never a temporary file left behind.
final class AtomicFileTests: XCTestCase {
    func testReplaceCreatesMissingFoldersWhenAsked() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("run/trial-0/model.bin")
        XCTAssertThrowsError(try AtomicFile.replace(path, with: Data([1, 2, 3]))) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): cannot create the temporary file"), "\(error)")
        }
        try AtomicFile.replace(path, with: Data([1, 2, 3]), creatingFolders: true)
        try AtomicFile.replace(path, with: Data([4, 5]), creatingFolders: true)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([4, 5]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.file("run/trial-0")), ["model.bin"])
    }

    func testCreateFolderMakesTheMissingFoldersOrNamesTheFileInTheWay() throws {
        let directory = try TemporaryDirectory(self)
        let folder = directory.file("runs/digits")
        try AtomicFile.createFolder(folder)
        try AtomicFile.createFolder(folder)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        try Data([1]).write(to: URL(fileURLWithPath: directory.file("file")))
        let blocked = directory.file("file/run/trial-0")
        XCTAssertThrowsError(try AtomicFile.createFolder(blocked)) { error in
            XCTAssertEqual(error as? FileWriteError, FileWriteError(path: blocked, reason: "\(directory.file("file")) is not a folder"))
        }
    }

    func testAFailedRenameNamesThePathAndRemovesTheTemporaryFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.file("occupied")
        try FileManager.default.createDirectory(atPath: (path as NSString).appendingPathComponent("inside"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.replace(path, with: Data([1]))) { error in
            let failure = error as? FileWriteError
            XCTAssertEqual(failure?.path, path)
            XCTAssertTrue(failure?.reason.hasPrefix("cannot rename ") ?? false, "\(error)")
            XCTAssertEqual("\(error)", "\(path): \(failure?.reason ?? "")")
        }
        XCTAssertEqual(try directory.contents(), ["occupied"])
    }
}
