import Datasets
import Foundation
import FuzzSupport

/// Fuzzes the IDX reader (raw and gzip) and the checks of `IDXDataset.load`: the input is read once as an images
/// file beside a valid labels file of two labels, and once as a labels file beside a valid images file of two images.

/// A valid images file: two images of 3 x 2 pixels.
private let validImages: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2] + (0..<12).map { UInt8($0 * 20) }
/// A valid labels file: the labels 7 and 0.
private let validLabels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 7, 0]

private let inputPath = FuzzInput.scratchPath("input")
private let imagesPath = FuzzInput.scratchPath("images")
private let labelsPath = FuzzInput.scratchPath("labels")

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    FuzzInput.write(validImages, to: imagesPath)
    FuzzInput.write(validLabels, to: labelsPath)
    FuzzInput.writeSeeds([
        "images": validImages,
        "labels": validLabels,
        "huge-count": [0, 0, 8, 3, 0x80, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 1, count: 64),
        "huge-image": [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF] + [UInt8](repeating: 1, count: 64),
    ])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzInput.write(FuzzInput.bytes(start, count), to: inputPath)
    if let dataset = try? IDXDataset.load(imagesPath: inputPath, labelsPath: labelsPath, classCount: 10) {
        precondition(dataset.count == 2 && dataset.images.scalars.allSatisfy { (0...1).contains($0) }, "an invalid images file loaded")
    }
    if let dataset = try? IDXDataset.load(imagesPath: imagesPath, labelsPath: inputPath, classCount: 10) {
        precondition(dataset.labels.allSatisfy { (0..<10).contains($0) }, "a label outside the classes loaded")
    }
    return 0
}
