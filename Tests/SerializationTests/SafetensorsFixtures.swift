import Foundation
import Serialization
import XCTest

/// Hand-made safetensors bytes for tests.
enum RawSafetensors {
    /// A file of the 8-byte little-endian `headerLength` (the length of `json` by default), `json` and `data`.
    static func file(_ json: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
        let header = Array(json.utf8)
        return Data(littleEndian(headerLength ?? UInt64(header.count)) + header + data)
    }

    /// The eight little-endian bytes of `value`.
    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// The little-endian bytes of `values` as F32.
    static func float32(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
    }
}

/// Asserts that decoding `data` throws a `SafetensorsError` whose message contains every fragment of `fragments`.
func assertRejects(_ data: Data, mentioning fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
    do {
        let decoded = try SafetensorsFile(data: data)
        XCTFail("accepted \(decoded)", file: file, line: line)
    } catch {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    }
}
