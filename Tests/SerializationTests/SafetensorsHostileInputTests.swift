import Foundation
import Serialization
import XCTest

/// Damaged and malicious files: each is rejected with a `SafetensorsError` that says what is wrong, never a trap.
final class SafetensorsHostileInputTests: XCTestCase {
    /// A small valid file: two tensors, metadata, a padded header and 11 data bytes.
    private let valid = SafetensorsFile(
        tensors: [
            "w": StoredTensor(shape: [2], elements: .float32([0.5, -3])),
            "m": StoredTensor(shape: [3], elements: .bool([true, false, true])),
        ],
        metadata: ["epoch": "3"]
    )

    /// One F32 tensor `a` of shape [2], for variations of its entry.
    private func singleTensor(_ entry: String, dataBytes: Int = 8) -> Data {
        RawSafetensors.file("{\"a\":\(entry)}", data: Array(repeating: 0, count: dataBytes))
    }

    func testEveryTruncationThrows() throws {
        let bytes = try valid.encoded()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try SafetensorsFile(data: bytes.prefix(length)), "prefix of \(length) bytes")
        }
        assertRejects(bytes.prefix(7), mentioning: "7 bytes are too few for the 8-byte header length")
        assertRejects(bytes.prefix(20), mentioning: "runs past the end of the 20-byte file")
        assertRejects(bytes.dropLast(), mentioning: "run past the end of the 10-byte data section")
        assertRejects(bytes + [0], mentioning: "1 bytes at its end belong to no tensor")
    }

    func testFlippedBitsInTheHeaderLengthThrow() throws {
        let bytes = try valid.encoded()
        for bit in 0..<64 {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            XCTAssertThrowsError(try SafetensorsFile(data: damaged), "bit \(bit) of the header length flipped")
        }
    }

    /// A flipped bit in the JSON either makes the file invalid or renames a tensor or a metadata string;
    /// it never changes a tensor's type, shape or data unnoticed.
    func testFlippedBitsInTheJSONNeverChangeTensorsUnnoticed() throws {
        let bytes = try valid.encoded()
        let headerLength = Int(bytes[0])
        let tensorsWithoutNames = { (file: SafetensorsFile) in file.tensors.values.map { "\($0)" }.sorted() }
        var rejected = 0
        for index in 8..<(8 + headerLength) {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[index] ^= 1 << bit
                guard let decoded = try? SafetensorsFile(data: damaged) else {
                    rejected += 1
                    continue
                }
                XCTAssertNotEqual(decoded, valid, "byte \(index) bit \(bit)")
                XCTAssertEqual(tensorsWithoutNames(decoded), tensorsWithoutNames(valid), "byte \(index) bit \(bit)")
            }
        }
        XCTAssertGreaterThan(rejected, headerLength * 8 * 3 / 4)
    }

    func testHugeHeaderLengthThrows() {
        let json = "{}"
        assertRejects(RawSafetensors.file(json, headerLength: 1 << 63), mentioning: "header length 9223372036854775808 exceeds the limit of 100000000 bytes")
        assertRejects(RawSafetensors.file(json, headerLength: .max), mentioning: "header length 18446744073709551615 exceeds the limit")
        assertRejects(RawSafetensors.file(json, headerLength: 100_000_001), mentioning: "exceeds the limit")
        assertRejects(RawSafetensors.file(json, headerLength: 100_000_000), mentioning: "header length 100000000 runs past the end of the 10-byte file")
        assertRejects(RawSafetensors.file(json, headerLength: 3), mentioning: "runs past the end of the 10-byte file")
    }

    func testOffsetsOutOfRange() {
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, dataBytes: 4),
                      mentioning: "tensor \"a\": data_offsets [0, 8] run past the end of the 4-byte data section")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775808]}"#),
                      mentioning: "tensor \"a\": data_offsets must be two non-negative integers")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[0],"data_offsets":[8,0]}"#),
                      mentioning: "tensor \"a\": data_offsets [8, 0] end before they begin")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}"#),
                      mentioning: "data_offsets must be two non-negative integers")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}"#),
                      mentioning: "data_offsets must be two non-negative integers")
    }

    func testOverlappingOffsets() {
        let json = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        assertRejects(RawSafetensors.file(json, data: Array(repeating: 0, count: 12)),
                      mentioning: "tensor \"b\": data_offsets [4, 12] overlap those of tensor \"a\", [0, 8]")
        let twice = #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}"#
        assertRejects(RawSafetensors.file(twice, data: [1, 2, 3, 4]), mentioning: "overlap those of tensor")
    }

    func testGapBetweenTensors() {
        let json = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        assertRejects(RawSafetensors.file(json, data: Array(repeating: 0, count: 12)),
                      mentioning: "tensor \"b\": data_offsets [8, 12] leave a gap of 4 bytes after tensor \"a\", which ends at 4")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[1],"data_offsets":[4,8]}"#),
                      mentioning: "tensor \"a\": data_offsets [4, 8] leave a gap of 4 bytes at the start of the data section")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#),
                      mentioning: "the tensors cover 4 bytes of the 8-byte data section, 4 bytes at its end belong to no tensor")
    }

    func testShapeThatLiesAboutTheByteCount() {
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[3],"data_offsets":[0,8]}"#),
                      mentioning: "tensor \"a\": shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8")
        assertRejects(singleTensor(#"{"dtype":"F64","shape":[2],"data_offsets":[0,8]}"#),
                      mentioning: "shape [2] of F64 needs 16 bytes")
        assertRejects(singleTensor(#"{"dtype":"U8","shape":[],"data_offsets":[0,8]}"#),
                      mentioning: "shape [] of U8 needs 1 bytes")
    }

    func testShapeWhoseProductOverflowsInt() {
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}"#),
                      mentioning: "tensor \"a\": shape [4294967296, 4294967296] of F32 holds more bytes than Int can count")
        // The element count fits, the byte count does not.
        assertRejects(singleTensor(#"{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}"#),
                      mentioning: "holds more bytes than Int can count")
        // A dimension that is not an Int at all.
        assertRejects(singleTensor(#"{"dtype":"U8","shape":[18446744073709551624],"data_offsets":[0,8]}"#),
                      mentioning: "tensor \"a\": shape must be an array of non-negative integers")
    }

    func testUnknownDType() {
        assertRejects(singleTensor(#"{"dtype":"F16","shape":[4],"data_offsets":[0,8]}"#),
                      mentioning: "tensor \"a\": unknown dtype \"F16\", expected one of F32, F64, I64, U8, BOOL")
        assertRejects(singleTensor(#"{"dtype":"f32","shape":[2],"data_offsets":[0,8]}"#), mentioning: "unknown dtype \"f32\"")
        assertRejects(singleTensor(#"{"dtype":32,"shape":[2],"data_offsets":[0,8]}"#), mentioning: "dtype must be a string")
    }

    func testDuplicateNames() {
        let entry = #"{"dtype":"U8","shape":[1],"data_offsets":[0,1]}"#
        assertRejects(RawSafetensors.file("{\"a\":\(entry),\"a\":\(entry)}", data: [1]), mentioning: "tensor \"a\": the name appears twice")
        assertRejects(RawSafetensors.file(#"{"__metadata__":{},"__metadata__":{}}"#), mentioning: "__metadata__ appears twice")
        assertRejects(RawSafetensors.file(#"{"__metadata__":{"k":"1","k":"2"}}"#), mentioning: "__metadata__ key \"k\" appears twice")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2],"dtype":"F32","data_offsets":[0,8]}"#),
                      mentioning: "tensor \"a\": key \"dtype\" appears twice")
    }

    func testNonObjectJSON() {
        for (json, kind) in [("[]", "an array"), ("\"{}\"", "a string"), ("8", "a number"), ("null", "null"), ("true", "a Boolean")] {
            assertRejects(RawSafetensors.file(json), mentioning: "the header is \(kind), not a JSON object")
        }
        assertRejects(singleTensor("[0, 8]"), mentioning: "tensor \"a\": the entry is an array, not an object")
    }

    func testMetadataWithNonStringValues() {
        assertRejects(RawSafetensors.file(#"{"__metadata__":{"epoch":3}}"#),
                      mentioning: "__metadata__ value of \"epoch\" is a number, not a string")
        assertRejects(RawSafetensors.file(#"{"__metadata__":{"a":"1","b":{"c":"d"}}}"#), mentioning: "value of \"b\" is an object")
        assertRejects(RawSafetensors.file(#"{"__metadata__":{"a":null}}"#), mentioning: "value of \"a\" is null")
        assertRejects(RawSafetensors.file(#"{"__metadata__":["a","b"]}"#), mentioning: "__metadata__ is an array, not an object of strings")
    }

    func testMalformedEntries() {
        assertRejects(singleTensor(#"{"shape":[2],"data_offsets":[0,8]}"#), mentioning: "tensor \"a\": dtype must be a string")
        assertRejects(singleTensor(#"{"dtype":"F32","data_offsets":[0,8]}"#), mentioning: "shape must be an array of non-negative integers")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2]}"#), mentioning: "data_offsets must be two non-negative integers")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}"#), mentioning: "shape must be an array")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}"#), mentioning: "shape must be an array")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}"#), mentioning: "shape must be an array")
        assertRejects(singleTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}"#),
                      mentioning: "tensor \"a\": unexpected key \"extra\"")
    }

    func testInvalidJSONSyntax() {
        let cases = [
            (#"{"a":1"#, "expected ',' or '}', found the end of the header at header byte 6"),
            (#"{"a":{},}"#, "expected a string key, found '}'"),
            (#"{"a":[01]}"#, "expected ',' or ']', found '1'"),
            (#"{"a" 1}"#, "expected ':', found '1'"),
            (#"{"a":tru}"#, "invalid literal, expected true"),
            ("{\"a\":\"\u{01}\"}", "unescaped control character 0x01 in a string"),
            (#"{"\ud800":1}"#, "unpaired surrogate"),
            (#"{"\q":1}"#, "invalid escape sequence"),
            (#"{"a":"\u12"}"#, "expected four hexadecimal digits"),
            (#"{"a":-}"#, "expected a digit"),
            ("{} x", "unexpected 'x' after the JSON value"),
            ("{}\0", "unexpected 0x00 after the JSON value"),
            ("", "expected a value, found the end of the header"),
        ]
        for (json, message) in cases {
            assertRejects(RawSafetensors.file(json), mentioning: "the header is not valid JSON: \(message)")
        }
        assertRejects(Data(RawSafetensors.littleEndian(4) + [0x7B, 0x22, 0xC3, 0x22]), mentioning: "the header is not valid UTF-8")
    }

    func testDeepNestingIsRejectedWithoutExhaustingTheStack() {
        let json = "{\"a\":" + String(repeating: "[", count: 1_000_000)
        assertRejects(RawSafetensors.file(json), mentioning: "nested deeper than 16 levels at header byte 20")
    }

    func testBooleanBytesMustBeZeroOrOne() {
        let json = #"{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"#
        assertRejects(RawSafetensors.file(json, data: [1, 0, 2]), mentioning: "tensor \"m\": BOOL element 2 is the byte 2, not 0 or 1")
    }
}
