import CPNG
import Datasets
import Foundation
@testable import ilnas
import TensorCore
import TestSupport
import XCTest

/// The paper's preprocessing as options of `ilnas search`: per-channel normalisation (always), random crops and flips
/// (`--augment`, `--crop-padding`, on by default for photographs), resizing (`--image-size`) and grey to colour
/// (`--channels`); recorded in config.json and data.json, so that `ilnas resume` and `ilnas evaluate` rebuild them.
final class PreprocessingOptionsTests: XCTestCase {
    private var directory: TemporaryDirectory!
    /// A short run: one epoch that expands, a small budget.
    private static let short = ["--epochs", "1", "--expand-every", "0.5", "--batch-size", "16", "--budget", "5000", "--quiet"]

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    /// A CIFAR-10 binary folder: 48 training and 16 test records with labels k % 10 and seeded random pixels.
    private func writeCIFAR10() throws -> String {
        let folder = directory.file("cifar-10-batches-bin")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = RandomGenerator(seed: 11)
        let names = (1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]
        for (index, name) in names.enumerated() {
            let count = index < 5 ? 48 / 5 + (index < 48 % 5 ? 1 : 0) : 16
            let bytes = (0..<count).flatMap { record in
                [UInt8(record % 10)] + (0..<3072).map { _ in UInt8(generator.nextIndex(below: 256)) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
        }
        return folder
    }

    /// Image folders: classes `cat` and `dog`, 12 x 12 PNGs, 8 training and 2 test images per class.
    private func writeImageFolders() throws -> String {
        let root = directory.file("images")
        var generator = RandomGenerator(seed: 5)
        for (part, count) in [("train", 8), ("val", 2)] {
            for (label, name) in ["cat", "dog"].enumerated() {
                let folder = "\(root)/\(part)/\(name)"
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for index in 0..<count {
                    let pixels = (0..<(12 * 12 * 3)).map { _ in UInt8(label * 100 + generator.nextIndex(below: 100)) }
                    try Data(Self.png(pixels, side: 12)).write(to: URL(fileURLWithPath: "\(folder)/\(index).png"))
                }
            }
        }
        return root
    }

    /// `pixels` (RGB, `side` x `side`) as a PNG file, encoded through libpng.
    static func png(_ pixels: [UInt8], side: Int) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(side)
        image.height = UInt32(side)
        image.format = UInt32(PNG_FORMAT_RGB)
        var size = 0
        _ = png_image_write_to_memory(&image, nil, &size, 0, pixels, Int32(side * 3), nil)
        var bytes = [UInt8](repeating: 0, count: size)
        XCTAssertNotEqual(png_image_write_to_memory(&image, &bytes, &size, 0, pixels, Int32(side * 3), nil), 0)
        return Array(bytes.prefix(size))
    }

    private func search(_ arguments: [String], out: String) throws -> (options: SearchOptions, preparation: DataPreparation, summary: SearchSummary) {
        try SearchCommand.parse(Self.short + arguments + ["--out", out]).run()
        let folder = RunFolder(path: out)
        return (try RunConfiguration(folder: folder).options, try folder.preparation(),
                try JSONDecoder().decode(SearchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: folder.summaryPath))))
    }

    func testAugmentationDefaultsByFormatAndIsRecorded() throws {
        let digits = try search(["--epochs", "1"], out: directory.file("digits"))
        XCTAssertEqual(digits.options.augment, .none)
        XCTAssertEqual(digits.preparation.augmentation, Augmentation.none)
        XCTAssertNil(digits.options.imageSize)

        let cifar = try search(["--data", try writeCIFAR10()], out: directory.file("cifar"))
        XCTAssertEqual(cifar.options.augment, Augmentation(cropPadding: 4, horizontalFlip: true))
        XCTAssertEqual(cifar.preparation.augmentation, cifar.options.augment)
        XCTAssertTrue(cifar.summary.dataset.hasPrefix("CIFAR-10 binary ("), cifar.summary.dataset)
        XCTAssertEqual(try RunEvaluation(folder: RunFolder(path: directory.file("cifar")), dataDirectory: directory.file("cifar-10-batches-bin")).testAccuracy,
                       cifar.summary.testAccuracy, "evaluate applies no augmentation, as the search's test pass")

        let chosen = try search(["--augment", "flip", "--crop-padding", "2", "--epochs", "1"], out: directory.file("flip"))
        XCTAssertEqual(chosen.options.augment, Augmentation(cropPadding: 0, horizontalFlip: true))
    }

    /// Four expansions an epoch on any data and the paper's freeze at 0.2, except that growth on the digits stops after
    /// epoch 10 (0.75 of their default 40 epochs); a value given wins; a search whose schedule has no expansion before
    /// the freeze is refused.
    func testScheduleDefaultsByData() throws {
        let digits = try SearchData.load(directory: nil, seed: 0)
        func resolved(_ arguments: [String], data: SearchData = digits) throws -> SearchOptions {
            try SearchCommand.parse(arguments).resolvedOptions(for: data, start: nil)
        }
        let standard = try resolved([])
        XCTAssertEqual([standard.epochs], [40])
        XCTAssertEqual([standard.expandEvery, standard.frozenFraction], [0.25, 0.75])
        XCTAssertEqual(try resolved(["--epochs", "20"]).frozenFraction, 0.5)
        XCTAssertEqual(try resolved(["--epochs", "3"]).frozenFraction, 0.2)
        XCTAssertEqual(try resolved(["--frozen-fraction", "0.3"]).frozenFraction, 0.3)

        let folder = try writeCIFAR10()
        let cifar = try resolved(["--data", folder], data: SearchData.load(directory: folder, seed: 0))
        XCTAssertEqual([cifar.epochs], [6])
        XCTAssertEqual([cifar.expandEvery, cifar.frozenFraction], [0.25, 0.2])

        XCTAssertThrowsError(try SearchCommand.parse(["--epochs", "1", "--expand-every", "1"])) { error in
            let message = SearchCommand.message(for: error)
            XCTAssertTrue(message.contains("no expansion falls before the architecture freezes at epoch 0.8 of 1"), message)
        }
        XCTAssertNoThrow(try SearchCommand.parse(["--epochs", "1", "--expand-every", "1", "--baseline", "fixed"]), "the fixed network does not grow")
        XCTAssertNoThrow(try SearchCommand.parse(["--epochs", "1", "--expand-every", "1", "--plateau"]), "it may expand on a plateau")
        XCTAssertThrowsError(try SearchCommand.parse(["--frozen-fraction", "1"]), "nothing would be trained after the search")
    }

    func testImageSizeAndChannelsShapeTheInputAndEvaluateRebuildsThem() throws {
        let data = try writeCIFAR10()
        let run = directory.file("small-grey")
        let result = try search(["--data", data, "--image-size", "16", "--channels", "1", "--augment", "crop"], out: run)
        XCTAssertEqual(try RunFolder(path: run).network().inputShape, [1, 16, 16])
        XCTAssertEqual([result.options.imageSize, result.options.channels], [16, 1])
        XCTAssertEqual([result.preparation.imageSize, result.preparation.channels], [16, 1])
        XCTAssertEqual(result.options.augment, Augmentation(cropPadding: 4, horizontalFlip: false))
        XCTAssertEqual(result.preparation.channelMean.count, 1, "statistics of the grey images")
        XCTAssertEqual(try RunEvaluation(folder: RunFolder(path: run), dataDirectory: data).testAccuracy, result.summary.testAccuracy)

        // Grey to colour: the digits with three equal channels, and larger.
        let loaded = try SearchData.load(directory: nil, seed: 0, images: ImagePreparation(imageSize: 12, channels: 3, imageCache: nil))
        XCTAssertEqual(loaded.train.sampleShape, [3, 12, 12])
        let image = Array(loaded.train.images.scalars.prefix(3 * 144))
        XCTAssertEqual(Array(image[0..<144]), Array(image[144..<288]))
        XCTAssertEqual(loaded.preparation.channelMean.count, 3)
    }

    func testImageFoldersAreSearchedEvaluatedAndResized() throws {
        let data = try writeImageFolders()
        let run = directory.file("images-run")
        let result = try search(["--data", data, "--image-size", "8"], out: run)
        XCTAssertTrue(result.summary.dataset.hasPrefix("image folders ("), result.summary.dataset)
        XCTAssertEqual(try RunFolder(path: run).network().inputShape, [3, 8, 8])
        XCTAssertEqual(result.options.imageSize, 8)
        XCTAssertEqual(result.preparation.classNames, ["cat", "dog"], "label order recorded in data.json")
        XCTAssertEqual(result.options.augment, Augmentation(cropPadding: 4, horizontalFlip: true))
        XCTAssertEqual(try RunEvaluation(folder: RunFolder(path: run), dataDirectory: data).testAccuracy, result.summary.testAccuracy)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: "\(data)/.ilnas-cache").contains { $0.hasPrefix("train-8px-") })

        // Without --image-size image folders are decoded at 32, and that side is recorded; --image-cache moves the cache.
        let cache = directory.file("cache")
        let loaded = try SearchData.load(directory: data, seed: 0, images: ImagePreparation(imageSize: nil, channels: nil, imageCache: cache))
        XCTAssertEqual(loaded.train.sampleShape, [3, 32, 32])
        XCTAssertEqual(loaded.preparation.imageSize, 32)
        XCTAssertEqual(loaded.format, .imageFolders)
        XCTAssertEqual(loaded.train.classCount, 2)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: cache).contains { $0.hasPrefix("train-32px-") })
    }

    /// A CIFAR run with crops and flips, killed after its first epoch, resumes to the uninterrupted run's model.
    func testResumeWithAugmentationIsBitExact() throws {
        let data = try writeCIFAR10()
        let arguments = ["--data", data, "--image-size", "16", "--epochs", "2", "--expand-every", "0.5"]
        let reference = directory.file("reference")
        _ = try search(arguments, out: reference)
        let interrupted = directory.file("interrupted")
        try FileManager.default.copyItem(atPath: reference, toPath: interrupted)
        let checkpoints = RunFolder(path: interrupted).checkpoints
        let files = try checkpoints.files()
        XCTAssertEqual(files.count, 2)
        try FileManager.default.removeItem(atPath: files[0])   // the newest: after epoch 2
        for name in ["model.safetensors", "summary.json"] { try FileManager.default.removeItem(atPath: "\(interrupted)/\(name)") }
        try ResumeCommand.parse([interrupted, "--quiet"]).run()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(interrupted)/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: "\(reference)/model.safetensors")))
        XCTAssertEqual(try RunFolder(path: interrupted).preparation(), try RunFolder(path: reference).preparation())
    }

    /// Crops then flips from one generator: the same seed gives the same images, of the same shape.
    func testAugmentationIsDeterministicAndKeepsTheShape() throws {
        let transform = try XCTUnwrap(try Augmentation(mode: .cropFlip, cropPadding: 4).transform())
        var source = RandomGenerator(seed: 1)
        let batch = Tensor(shape: [6, 3, 8, 8], scalars: (0..<(6 * 3 * 64)).map { _ in source.nextUnitFloat() + 0.5 })
        var first = RandomGenerator(seed: 9), second = RandomGenerator(seed: 9), other = RandomGenerator(seed: 10)
        let augmented = try transform.applied(to: batch, using: &first)
        XCTAssertEqual(augmented.shape, batch.shape)
        XCTAssertEqual(augmented, try transform.applied(to: batch, using: &second))
        XCTAssertNotEqual(augmented, batch)
        XCTAssertNotEqual(augmented, try transform.applied(to: batch, using: &other))
        XCTAssertNil(try Augmentation.none.transform())
    }

    /// config.json of runs made when `--augment` was a flag (crops with padding 2) reads as what it was.
    func testTheFormerAugmentFlagStillReads() throws {
        XCTAssertEqual(try JSONDecoder().decode([Augmentation].self, from: Data("[true, false]".utf8)),
                       [Augmentation(cropPadding: 2, horizontalFlip: false), .none])
        let current = Augmentation(cropPadding: 4, horizontalFlip: true)
        XCTAssertEqual(try JSONDecoder().decode(Augmentation.self, from: JSONEncoder().encode(current)), current)

        // A whole config.json of such a run: `"augment": true` and none of the image options.
        let run = directory.file("run")
        try SearchCommand.parse(Self.short + ["--out", run]).run()
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: RunFolder(path: run).configurationPath))) as? [String: Any])
        var options = try XCTUnwrap(object["options"] as? [String: Any])
        options["augment"] = true
        for key in ["imageSize", "channels", "imageCache"] { options[key] = nil }
        object["options"] = options
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: RunFolder(path: run).configurationPath))
        let former = try RunConfiguration(folder: RunFolder(path: run)).options
        XCTAssertEqual(former.augment, Augmentation(cropPadding: 2, horizontalFlip: false))
        XCTAssertNil(former.imageSize)
    }

    func testBadValuesAreUsageErrors() {
        for arguments in [["--channels", "2"], ["--image-size", "0"], ["--crop-padding", "-1"], ["--augment", "rotate"]] {
            XCTAssertThrowsError(try SearchCommand.parse(arguments), "\(arguments)")
        }
    }
}
