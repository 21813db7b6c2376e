import CPNG
import Datasets
import Foundation

/// Grey images written as ImageNet-style image folders (`train/` and `val/`, one folder of PNG files per class), so
/// that the quick scale of an ImageNet experiment reads its stand-in through the same image-folder loader (libpng
/// decoding, resizing, the decoded cache) as the paper scale reads ImageNet.
public enum ImageFolderWriting {
    /// An image that cannot be written: what and why.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One grey image (`width * height` bytes, row by row) as a PNG file, encoded by libpng.
    public static func greyPNG(_ pixels: [UInt8], width: Int, height: Int) throws -> Data {
        guard width > 0, height > 0, pixels.count == width * height else {
            throw Failure(description: "a grey image of \(width)x\(height) needs \(max(0, width * height)) bytes, got \(pixels.count)")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_GRAY)
        var size = 0
        guard png_image_write_to_memory(&image, nil, &size, 0, pixels, Int32(width), nil) != 0 else {
            throw Failure(description: "libpng: " + message(of: image))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        guard png_image_write_to_memory(&image, &bytes, &size, 0, pixels, Int32(width), nil) != 0 else {
            throw Failure(description: "libpng: " + message(of: image))
        }
        return Data(bytes.prefix(size))
    }

    /// Writes the first `count` images of `dataset` (one channel, pixels in [0, 1] as loaded from bytes) below `folder/part/`, each class's
    /// images in the folder `className(label)`, named by their index in `dataset`.
    public static func write(_ dataset: LabeledDataset, count: Int, part: String, to folder: URL,
                             className: (Int) -> String) throws {
        guard dataset.sampleShape.count == 3, dataset.sampleShape[0] == 1 else {
            throw Failure(description: "only grey images [1, H, W] are written as PNG folders, got \(dataset.sampleShape)")
        }
        let (height, width) = (dataset.sampleShape[1], dataset.sampleShape[2])
        let partFolder = folder.appendingPathComponent(part)
        for label in Set(dataset.labels.prefix(count)) {
            try FileManager.default.createDirectory(at: partFolder.appendingPathComponent(className(label)),
                                                    withIntermediateDirectories: true)
        }
        let scalars = dataset.images.scalars
        for index in 0..<min(count, dataset.count) {
            let pixels = scalars[(index * dataset.sampleSize)..<((index + 1) * dataset.sampleSize)]
                .map { UInt8(($0 * 255).rounded()) }
            try greyPNG(pixels, width: width, height: height).write(
                to: partFolder.appendingPathComponent(className(dataset.labels[index])).appendingPathComponent("\(index).png"))
        }
    }

    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

