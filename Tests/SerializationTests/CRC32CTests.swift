import Foundation
import Serialization
import XCTest

final class CRC32CTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Data("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testMaskedCRC() {
        // 0xE3069283 >> 15 = 0x0001C60D, 0xE3069283 << 17 = 0x25060000 (in 32 bits), together 0x2507C60D;
        // 0x2507C60D + 0xA282EAD8 = 0xC78AB0E5.
        XCTAssertEqual(CRC32C.masked(0xE306_9283), 0xC78A_B0E5)
        // A rotation of all ones is all ones; 0xFFFFFFFF + 0xA282EAD8 wraps to 0xA282EAD7.
        XCTAssertEqual(CRC32C.masked(0xFFFF_FFFF), 0xA282_EAD7)
    }
}
