import ArchitectureSearch
import Foundation
import FuzzSupport
import Serialization

/// Fuzzes the structure JSON of saved growing networks: the input replaces the structure in the metadata of a real
/// network's file, whose tensors stay, and the file is loaded with `GrowingNetwork(contentsOfFile:)`. Whatever loads
/// must save and load again.

/// The metadata entry that holds the structure (README, "The saved network").
private let structureKey = "growingNetwork"
private let inputPath = FuzzInput.scratchPath("network.safetensors")
private let savedPath = FuzzInput.scratchPath("saved.safetensors")

/// The file of a small convolutional network from the search template, and its structure JSON.
private let reference: SafetensorsFile = {
    do {
        let network = try ConvolutionalTemplate(stages: 1, layersPerStage: 1...1, channels: 2...3, hiddenWidth: 4...4)
            .makeNetwork(inputShape: [1, 6, 6], classes: 3, seed: 1)
        try network.write(toFile: savedPath)
        return try SafetensorsFile(contentsOfFile: savedPath)
    } catch {
        fatalError("cannot make the reference network file: \(error)")
    }
}()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzInput.writeSeeds(["structure.json": Array((reference.metadata[structureKey] ?? "").utf8)])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var file = reference
    file.metadata[structureKey] = String(decoding: FuzzInput.bytes(start, count), as: UTF8.self)
    guard let encoded = try? file.encoded() else { return 0 }   // metadata too long for a header: no file to load
    FuzzInput.write(encoded, to: inputPath)
    guard let network = try? GrowingNetwork(contentsOfFile: inputPath) else { return 0 }
    do {
        try network.write(toFile: savedPath)
        _ = try GrowingNetwork(contentsOfFile: savedPath)
    } catch {
        fatalError("a network that loaded cannot be saved and loaded again: \(error)")
    }
    return 0
}
