import Foundation
import Training
import XCTest

final class TensorBoardTests: XCTestCase {
    /// The bytes that TensorBoard's own Python `RecordWriter` writes for the record "123456789".
    func testFramingMatchesTensorFlow() {
        let expected: [UInt8] = [
            0x09, 0, 0, 0, 0, 0, 0, 0,   // length 9, UInt64 little-endian
            0x37, 0xF9, 0x71, 0x39,      // masked CRC-32C of the 8 length bytes
        ] + Array("123456789".utf8) + [
            0xE5, 0xB0, 0x8A, 0xC7,      // masked CRC-32C of the data: masked(0xE3069283) = 0xC78AB0E5
        ]
        XCTAssertEqual([UInt8](TFRecord.frame(Data("123456789".utf8))), expected)
    }
}
