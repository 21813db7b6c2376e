import Datasets
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4's example vectors and the empty message.
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hexDigest(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Pieces of any length give the digest of the whole, across block boundaries and the 55/56-byte padding edge.
    func testIncrementalUpdatesMatchOneShot() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            let whole = SHA256.hexDigest(of: message.prefix(length))
            for piece in [1, 3, 17, 64, 100] {
                var hash = SHA256()
                var start = 0
                while start < length {
                    hash.update(message[start..<min(length, start + piece)])
                    start += piece
                }
                XCTAssertEqual(hash.hexDigest(), whole, "length \(length), pieces of \(piece)")
            }
        }
    }

    func testFileDigestReadsInChunks() throws {
        let fixtures = try Fixtures(self)
        let bytes = (0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let path = try fixtures.writeRaw("big.bin", bytes)
        let digest = try SHA256.fileDigest(path: path)
        XCTAssertEqual(digest.size, bytes.count)
        XCTAssertEqual(digest.hexDigest, SHA256.hexDigest(of: bytes))
        XCTAssertThrowsError(try SHA256.fileDigest(path: fixtures.path("absent")))
    }
}
