// The Swift side of check_safetensors.py (see its docstring for how to run the check).
//
//   SafetensorsInterop write PATH   writes the reference tensors below to PATH and prints them as a listing
//   SafetensorsInterop read PATH    reads PATH and prints its tensors and metadata as a listing
//
// A listing is JSON: {"metadata": {...}, "tensors": {name: {"dtype", "shape", "values"}}}, where the values
// of F32 and F64 tensors are their IEEE bit patterns (F64 as signed 64-bit integers), so that Python compares
// NaN payloads, -0 and subnormals exactly. Errors go to standard error with exit status 1.
import Foundation
import Serialization
import TensorCore

/// What a file holds, in a form Python compares exactly.
struct Listing: Encodable {
    struct Entry: Encodable {
        let dtype: String
        let shape: [Int]
        let values: [Int64]
    }

    let metadata: [String: String]
    let tensors: [String: Entry]

    init(_ file: SafetensorsFile) {
        metadata = file.metadata
        tensors = file.tensors.mapValues { tensor in
            let values: [Int64] = switch tensor.elements {
            case let .float32(values): values.map { Int64($0.bitPattern) }
            case let .float64(values): values.map { Int64(bitPattern: $0.bitPattern) }
            case let .int64(values): values
            case let .uint8(values): values.map(Int64.init)
            case let .bool(values): values.map { $0 ? 1 : 0 }
            }
            return Entry(dtype: tensor.elements.elementType.rawValue, shape: tensor.shape, values: values)
        }
    }
}

/// Every element type, a `Tensor`, a scalar, an empty tensor, special floats, and names and metadata that need escaping.
let reference = SafetensorsFile(
    tensors: [
        "conv.weight": StoredTensor(Tensor(shape: [2, 1, 3, 3], generator: { Float($0) / 7 - 1 })),
        "specials": StoredTensor(shape: [8], elements: .float32([
            0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, Float(bitPattern: 0x7FC0_1234),
        ])),
        "bn.running_var": StoredTensor(shape: [2, 2], elements: .float64([.pi, -1e-300, .leastNonzeroMagnitude, -0.0])),
        "step": StoredTensor(shape: [], elements: .int64([9_007_199_254_740_993])),
        "counts": StoredTensor(shape: [3], elements: .int64([.min, -1, .max])),
        "pixels": StoredTensor(shape: [2, 3], elements: .uint8([0, 1, 127, 128, 254, 255])),
        "mask": StoredTensor(shape: [5], elements: .bool([true, false, false, true, true])),
        "empty": StoredTensor(shape: [0, 4], elements: .float32([])),
        "stage.β/\"quoted\"\n": StoredTensor(shape: [1, 1], elements: .float32([42])),
    ],
    metadata: ["format": "ilnas", "note": "tab\t, quote \", backslash \\, control \u{01}, snowman ☃"]
)

let arguments = CommandLine.arguments
guard arguments.count == 3, ["write", "read"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: SafetensorsInterop write|read PATH\n".utf8))
    exit(2)
}
do {
    let file: SafetensorsFile
    if arguments[1] == "write" {
        try reference.write(toFile: arguments[2])
        file = reference
    } else {
        file = try SafetensorsFile(contentsOfFile: arguments[2])
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    FileHandle.standardOutput.write(try encoder.encode(Listing(file)))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
