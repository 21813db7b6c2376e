import Datasets
import ExperimentSupport
import Foundation
import TensorCore
import XCTest

final class ImageFolderWritingTests: XCTestCase {
    /// Images written as PNG class folders read back through `ImageFolder` (libpng decoding, at their own size) with
    /// every pixel and label as written, classes in folder-name order.
    func testWrittenFoldersReadBackExactly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image-folder-writing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (count, side) = (7, 5)
        let bytes = (0..<(count * side * side)).map { UInt8(($0 * 37) % 256) }
        let labels = [2, 0, 1, 2, 0, 1, 2]
        let dataset = try LabeledDataset(images: Tensor(shape: [count, 1, side, side], scalars: bytes.map { Float($0) / 255 }),
                                         labels: labels, classCount: 3)
        try ImageFolderWriting.write(dataset, count: count, part: "train", to: folder) { "class-\($0)" }
        try ImageFolderWriting.write(dataset, count: 3, part: "val", to: folder) { "class-\($0)" }

        let loaded = try ImageFolder(directory: folder.path, side: side, cacheDirectory: folder.appendingPathComponent("cache").path)
        XCTAssertEqual(loaded.classNames, ["class-0", "class-1", "class-2"])
        XCTAssertEqual(loaded.train.count, count)
        XCTAssertEqual(loaded.test.count, 3)
        // The loader orders images by class, then by file name: compare as sets of (label, pixels).
        func samples(_ data: LabeledDataset) -> [String] {
            let scalars = data.images.scalars, size = data.sampleSize
            return (0..<data.count).map { index in
                // Grey PNGs are read as three equal channels; the first holds the image.
                let pixels = scalars[(index * size)..<(index * size + side * side)].map { UInt8(($0 * 255).rounded()) }
                return "\(data.labels[index]):\(pixels)"
            }.sorted()
        }
        let written = (0..<count).map { index in "\(labels[index]):\(Array(bytes[(index * side * side)..<((index + 1) * side * side)]))" }
        XCTAssertEqual(samples(loaded.train), written.sorted())
        XCTAssertEqual(samples(loaded.test), Array(written.prefix(3)).sorted())
    }

    func testWrongShapesAreErrors() throws {
        XCTAssertThrowsError(try ImageFolderWriting.greyPNG([1, 2, 3], width: 2, height: 2))
        let colour = try LabeledDataset(images: Tensor(shape: [1, 3, 2, 2], scalars: Array(repeating: 0, count: 12)), labels: [0], classCount: 1)
        XCTAssertThrowsError(try ImageFolderWriting.write(colour, count: 1, part: "train", to: FileManager.default.temporaryDirectory) { "\($0)" })
    }
}
