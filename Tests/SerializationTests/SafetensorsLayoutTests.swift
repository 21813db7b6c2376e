import Foundation
import Serialization
import XCTest

/// The exact bytes the writer produces, computed by hand.
final class SafetensorsLayoutTests: XCTestCase {
    func testByteExactLayoutOfASmallFile() throws {
        let file = SafetensorsFile(
            tensors: [
                "b": StoredTensor(shape: [3], elements: .uint8([1, 2, 3])),
                "a": StoredTensor(shape: [2], elements: .float32([1, -2])),
            ],
            metadata: ["k": "v"]
        )
        // 132 bytes of JSON, padded with 4 spaces to 136 = 0x88.
        let json = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}"#
        XCTAssertEqual(json.utf8.count, 132)
        let expected: [UInt8] = [0x88, 0, 0, 0, 0, 0, 0, 0]
            + Array(json.utf8) + [0x20, 0x20, 0x20, 0x20]
            + [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]  // 1.0 and -2.0 as little-endian F32
            + [0x01, 0x02, 0x03]
        let bytes = try file.encoded()
        XCTAssertEqual([UInt8](bytes), expected)
        XCTAssertEqual(try SafetensorsFile(data: bytes), file)
    }

    func testAllElementTypesAreLittleEndian() throws {
        let file = SafetensorsFile(tensors: [
            "a": StoredTensor(shape: [1], elements: .float64([-2])),
            "b": StoredTensor(shape: [1], elements: .int64([0x0102_0304_0506_0708])),
            "c": StoredTensor(shape: [2], elements: .bool([true, false])),
        ])
        let bytes = [UInt8](try file.encoded())
        XCTAssertEqual(Array(bytes.suffix(18)), [0, 0, 0, 0, 0, 0, 0, 0xC0, 8, 7, 6, 5, 4, 3, 2, 1, 1, 0])
    }

    func testNamesAreEscapedAsSerdeJSONEscapesThem() throws {
        let name = "q\"b\\n\n\u{01}\u{7F}é"
        let bytes = try SafetensorsFile(tensors: [name: StoredTensor(shape: [0], elements: .uint8([]))]).encoded()
        let header = String(decoding: bytes.dropFirst(8), as: UTF8.self)
        XCTAssertEqual(header, #"{"q\"b\\n\n\u0001"# + "\u{7F}é" + #"":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"# + "  ")
        XCTAssertEqual(try SafetensorsFile(data: bytes).tensors.keys.first, name)
    }

    func testReadsHeadersThatOtherWritersFormat() throws {
        // Whitespace, another key order, escapes a writer may choose (\/, \u00e9, a surrogate pair) and a 0-size tensor.
        let json = " {\n \"x\\/\\u00e9\\ud83d\\ude00\" : { \"shape\" : [ 1 ] , \"data_offsets\" : [ 0 , 4 ], \"dtype\" : \"F32\" },"
            + "\"z\":{\"dtype\":\"BOOL\",\"shape\":[2,0],\"data_offsets\":[4,4]}, \"__metadata__\":{} }\t\r\n"
        let file = try SafetensorsFile(data: RawSafetensors.file(json, data: RawSafetensors.float32([7])))
        XCTAssertEqual(file, SafetensorsFile(tensors: [
            "x/é😀": StoredTensor(shape: [1], elements: .float32([7])),
            "z": StoredTensor(shape: [2, 0], elements: .bool([])),
        ]))
    }
}
