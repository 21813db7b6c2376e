import Foundation
import FuzzSupport
import Serialization

/// Fuzzes the safetensors reader on bytes in memory. Whatever it accepts must survive a round trip: written again and
/// read back, the file's bytes are the same (compared as bytes, so that NaN payloads count as equal).

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzInput.writeSeeds(try [
        "empty": SafetensorsFile().encoded(),
        "every-type": SafetensorsFile(tensors: [
            "weight": StoredTensor(shape: [2, 3], elements: .float32([1, -2, 0.5, .infinity, -0, .leastNonzeroMagnitude])),
            "weight.mask": StoredTensor(shape: [2, 3], elements: .bool([true, false, true, true, false, false])),
            "steps": StoredTensor(shape: [], elements: .int64([42])),
            "bytes": StoredTensor(shape: [4], elements: .uint8([0, 1, 254, 255])),
            "double": StoredTensor(shape: [1, 1], elements: .float64([.pi])),
            "none": StoredTensor(shape: [0, 5], elements: .float32([])),
        ], metadata: ["format": "pt", "growingNetwork": "{\"formatVersion\":1}"]).encoded(),
    ].mapValues { [UInt8]($0) })
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let file = try? SafetensorsFile(data: Data(FuzzInput.bytes(start, count))) else { return 0 }
    do {
        let written = try file.encoded()
        let rewritten = try SafetensorsFile(data: written).encoded()
        precondition(rewritten == written, "a file read, written and read again changed")
    } catch {
        fatalError("a file that was read cannot be written or read back: \(error)")
    }
    return 0
}
