import Foundation
import TestSupport
import XCTest

/// `ilnas search --data DIR` on image folders, run as a user runs it: the format is named, and a damaged image ends the
/// run with one line naming it.
final class ImageFolderCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    private func write(_ bytes: [UInt8], to name: String) throws {
        let path = directory.file(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testTheFormatIsPrintedAndADamagedImageIsNamed() throws {
        for part in ["train", "val"] {
            for (label, name) in ["a", "b"].enumerated() {
                let pixels = (0..<(6 * 6 * 3)).map { UInt8(($0 * 7 + label * 90) % 256) }
                try write(PreprocessingOptionsTests.png(pixels, side: 6), to: "data/\(part)/\(name)/0.png")
            }
        }
        let ilnas = try ILNASExecutable()
        let good = try ilnas.run(["search", "--data", directory.file("data"), "--image-size", "6", "--epochs", "1", "--budget", "3000",
                                  "--batch-size", "2", "--out", directory.file("run")], scratch: directory.path)
        XCTAssertEqual(good.status, 0, good.standardError)
        XCTAssertTrue(good.standardOutput.contains("data: image folders (\(directory.file("data"))), 2 training and 2 test images of shape [3, 6, 6], 2 classes"),
                      good.standardOutput)
        XCTAssertTrue(good.standardOutput.contains("augmentation: random crops (padding 4) and horizontal flips"), good.standardOutput)

        try write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], to: "data/train/b/1.png")
        let bad = try ilnas.run(["search", "--data", directory.file("data"), "--out", directory.file("run2")], scratch: directory.path)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.standardError.hasPrefix("Error: \(directory.file("data/train/b/1.png")): not a readable PNG image"), bad.standardError)
        XCTAssertEqual(bad.standardError.filter(\.isNewline).count, 1, bad.standardError)
    }
}
