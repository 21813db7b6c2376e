import Foundation
import Serialization
import TensorCore
import XCTest

final class SafetensorsRoundTripTests: XCTestCase {
    /// One tensor of each element type, a scalar and an empty tensor, with metadata that needs escaping.
    private let contents = SafetensorsFile(
        tensors: [
            "conv.weight": StoredTensor(Tensor(shape: [2, 1, 2, 2], generator: { Float($0) * 0.25 - 1 })),
            "bn.running_var": StoredTensor(shape: [3], elements: .float64([1e-300, .pi, -2.5])),
            "step": StoredTensor(shape: [], elements: .int64([1_234_567_890_123])),
            "counts": StoredTensor(shape: [2, 2], elements: .int64([.min, -1, 0, .max])),
            "pixels": StoredTensor(shape: [4], elements: .uint8([0, 1, 128, 255])),
            "mask": StoredTensor(shape: [2, 3], elements: .bool([true, false, false, true, true, false])),
            "empty": StoredTensor(shape: [0, 3], elements: .float32([])),
            "β/ü \"quoted\"\n": StoredTensor(shape: [1], elements: .float32([42])),
        ],
        metadata: ["format": "ilnas", "note": "tab\there, quote \" backslash \\ bell \u{07} snow ☃"]
    )

    func testRoundTripOfSeveralElementTypesAndMetadata() throws {
        let decoded = try SafetensorsFile(data: contents.encoded())
        XCTAssertEqual(decoded, contents)
        XCTAssertEqual(decoded.tensors["mask"]?.elements.elementType, .bool)
        XCTAssertEqual(decoded.tensors["step"]?.shape, [])
    }

    func testSpecialFloatsKeepTheirBits() throws {
        let floats: [Float] = [-0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                               Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFF80_0001)]
        let doubles: [Double] = [-0.0, .leastNonzeroMagnitude, Double(bitPattern: 0x7FF8_0000_0000_BEEF), -.infinity]
        let file = SafetensorsFile(tensors: [
            "floats": StoredTensor(shape: [floats.count], elements: .float32(floats)),
            "doubles": StoredTensor(shape: [doubles.count], elements: .float64(doubles)),
        ])
        let decoded = try SafetensorsFile(data: file.encoded())
        guard case let .float32(decodedFloats)? = decoded.tensors["floats"]?.elements,
              case let .float64(decodedDoubles)? = decoded.tensors["doubles"]?.elements else {
            return XCTFail("wrong element types in \(decoded)")
        }
        XCTAssertEqual(decodedFloats.map(\.bitPattern), floats.map(\.bitPattern))
        XCTAssertEqual(decodedDoubles.map(\.bitPattern), doubles.map(\.bitPattern))
    }

    func testTensorConversion() throws {
        let tensor = Tensor(shape: [2, 3], generator: { Float($0) - 2.5 })
        let stored = StoredTensor(tensor)
        XCTAssertEqual(stored.shape, [2, 3])
        XCTAssertEqual(stored.elements, .float32(tensor.scalars))
        XCTAssertEqual(stored.tensor, tensor)
        XCTAssertNil(StoredTensor(shape: [1], elements: .float64([1])).tensor)
    }

    func testEncodingIsDeterministicAndPadded() throws {
        var rebuilt = SafetensorsFile(metadata: contents.metadata)
        rebuilt.tensors.reserveCapacity(64)
        for (name, tensor) in contents.tensors.sorted(by: { $0.key > $1.key }) {
            rebuilt.tensors[name] = tensor
        }
        let bytes = try contents.encoded()
        XCTAssertEqual(try rebuilt.encoded(), bytes)
        let headerLength = Int(bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual(headerLength % 8, 0)
        let header = String(decoding: bytes.dropFirst(8).prefix(headerLength), as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{\"format\":\"ilnas\",\"note\":"), header)
        let namePositions = ["bn.running_var", "conv.weight", "counts", "empty", "mask", "pixels", "step", "β/ü"].map {
            header.range(of: "\"\($0)")?.lowerBound
        }
        XCTAssertEqual(namePositions.compactMap { $0 }, namePositions.compactMap { $0 }.sorted())
        XCTAssertEqual(namePositions.compactMap { $0 }.count, namePositions.count)
    }

    func testEmptyFile() throws {
        let bytes = try SafetensorsFile().encoded()
        XCTAssertEqual([UInt8](bytes), RawSafetensors.littleEndian(8) + Array("{}      ".utf8))
        XCTAssertEqual(try SafetensorsFile(data: bytes), SafetensorsFile())
    }

    func testWriterRejectsTheMetadataName() {
        let file = SafetensorsFile(tensors: ["__metadata__": StoredTensor(shape: [], elements: .uint8([1]))])
        XCTAssertThrowsError(try file.encoded()) { error in
            XCTAssertEqual(error as? SafetensorsError,
                           .invalidTensor(path: nil, name: "__metadata__", reason: "the name is reserved for the metadata"))
        }
    }
}
