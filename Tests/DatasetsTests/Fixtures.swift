import CZlib
import Foundation
import XCTest

/// Writes small dataset files into a fresh temporary directory, removed when the test ends.
struct Fixtures {
    /// The temporary directory.
    let directory: String

    /// Creates the directory and registers its removal with `testCase`.
    init(_ testCase: XCTestCase) throws {
        directory = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("DatasetsTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory
        testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Fixtures writing into `directory`, which exists and is removed by whoever created it.
    private init(directory: String) {
        self.directory = directory
    }

    /// Creates the folder `name` inside the directory (removed with it) and returns fixtures that write into it.
    func folder(_ name: String) throws -> Fixtures {
        let folder = path(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return Fixtures(directory: folder)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// Writes `bytes` uncompressed and returns the path.
    @discardableResult
    func writeRaw(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Writes `bytes` gzip-compressed through zlib and returns the path.
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path(name)
        let handle = try XCTUnwrap(gzopen(file, "wb"))
        let written = bytes.withUnsafeBytes { gzwrite(handle, $0.baseAddress, UInt32($0.count)) }
        XCTAssertEqual(gzclose(handle), Z_OK)
        XCTAssertEqual(Int(written), bytes.count)
        return file
    }

    /// Deletes the file `name`, for tests of a missing file.
    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path(name))
    }

    /// Reads a file back, for tests that damage one.
    func read(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}
