import Datasets
import XCTest

final class GzipFileTests: XCTestCase {
    func testReadsRawAndGzippedFilesIdentically() throws {
        let fixtures = try Fixtures(self)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 1000) }
        let raw = try fixtures.writeRaw("data.bin", bytes)
        let gzipped = try fixtures.writeGzip("data.bin.gz", bytes)
        XCTAssertEqual(try GzipFile.readAll(path: raw), bytes)
        XCTAssertEqual(try GzipFile.readAll(path: gzipped), bytes)
    }

    func testReadsEmptyFile() throws {
        let fixtures = try Fixtures(self)
        XCTAssertEqual(try GzipFile.readAll(path: fixtures.writeRaw("empty", [])), [])
        XCTAssertEqual(try GzipFile.readAll(path: fixtures.writeGzip("empty.gz", [])), [])
    }

    func testMissingFileThrowsMissingFile() throws {
        let fixtures = try Fixtures(self)
        let path = fixtures.path("absent.gz")
        XCTAssertThrowsError(try GzipFile.readAll(path: path)) { error in
            XCTAssertEqual(error as? DatasetError, .missingFile(path: path))
            XCTAssertTrue(String(describing: error).contains("absent.gz"))
        }
    }

    func testTruncatedGzipStreamThrowsCorrupt() throws {
        let fixtures = try Fixtures(self)
        let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 5) }
        try fixtures.writeGzip("whole.gz", bytes)
        let compressed = try fixtures.read("whole.gz")
        let path = try fixtures.writeRaw("cut.gz", Array(compressed.prefix(compressed.count / 2)))
        assertCorrupt(path, mentioning: "truncated")
        let headerOnly = try fixtures.writeRaw("header-only.gz", Array(compressed.prefix(10)))
        assertCorrupt(headerOnly, mentioning: "truncated")
    }

    func testDamagedGzipDataThrowsCorrupt() throws {
        let fixtures = try Fixtures(self)
        let bytes = [UInt8](repeating: 42, count: 10_000) + (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        try fixtures.writeGzip("whole.gz", bytes)
        var compressed = try fixtures.read("whole.gz")
        // The last 8 bytes are the CRC-32 and length of the uncompressed data.
        compressed[compressed.count - 8] ^= 0xFF
        let path = try fixtures.writeRaw("bad-crc.gz", compressed)
        assertCorrupt(path, mentioning: "cannot decompress")
    }

    func testDirectoryIsNotReadable() throws {
        let fixtures = try Fixtures(self)
        XCTAssertThrowsError(try GzipFile.readAll(path: fixtures.directory)) { error in
            XCTAssertTrue(String(describing: error).contains(fixtures.directory), "\(error)")
        }
    }

    private func assertCorrupt(_ path: String, mentioning text: String, line: UInt = #line) {
        XCTAssertThrowsError(try GzipFile.readAll(path: path), line: line) { error in
            guard case let .corrupt(errorPath, reason)? = error as? DatasetError else {
                return XCTFail("expected .corrupt, got \(error)", line: line)
            }
            XCTAssertEqual(errorPath, path, line: line)
            XCTAssertTrue(reason.contains(text), "\(reason)", line: line)
        }
    }
}
