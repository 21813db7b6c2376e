import Foundation
import Serialization
import TensorCore
import XCTest

/// A checksummed file passes its check as written, and a copy with any one bit flipped does not read back: the
/// damage breaks the header, or the checksum no longer matches.
final class SafetensorsChecksumTests: XCTestCase {
    private let key = "crc32c"

    private func contents() throws -> SafetensorsFile {
        try SafetensorsFile(tensors: ["w": StoredTensor(Tensor(shape: [2, 3], scalars: [1, -2, 0.5, 3e-8, 7, 0])),
                                      "w.mask": StoredTensor(shape: [2], elements: .bool([true, false]))],
                            metadata: ["about": "{\"epoch\":12,\"rate\":0.05}"]).checksummed(under: key)
    }

    func testAChecksummedFilePassesItsCheckAndTheChecksumIsThatOfTheRest() throws {
        let file = try contents()
        let stored = try XCTUnwrap(file.metadata[key])
        XCTAssertEqual(stored.count, 8)
        XCTAssertNotNil(UInt32(stored, radix: 16))
        let read = try SafetensorsFile(data: try file.encoded())
        XCTAssertNoThrow(try read.verifyChecksum(under: key, path: "f.safetensors"))
        var rest = read
        rest.metadata[key] = nil
        XCTAssertEqual(UInt32(stored, radix: 16), CRC32C.checksum(try rest.encoded()))
    }

    func testEverySingleFlippedBitIsFound() throws {
        let bytes = [UInt8](try contents().encoded())
        for bit in 0..<(8 * bytes.count) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            do {
                try SafetensorsFile(data: Data(damaged)).verifyChecksum(under: key, path: "f.safetensors")
                XCTFail("bit \(bit % 8) of byte \(bit / 8) flipped, and the file passes")
            } catch {
                XCTAssertFalse("\(error)".isEmpty)
            }
        }
    }

    func testAMissingOrWrongChecksumIsNamed() throws {
        var file = try contents()
        file.metadata[key] = "00000000"
        XCTAssertThrowsError(try file.verifyChecksum(under: key, path: "f.safetensors")) { error in
            XCTAssertTrue("\(error)".hasPrefix("f.safetensors: the contents do not match their checksum (crc32c 00000000, computed "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("): the file is damaged"), "\(error)")
        }
        file.metadata[key] = nil
        XCTAssertThrowsError(try file.verifyChecksum(under: key, path: "f.safetensors")) { error in
            XCTAssertEqual("\(error)", "f.safetensors: no \"crc32c\" entry in the metadata to check the contents against")
        }
    }
}
