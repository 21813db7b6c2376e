import TensorCore

/// Loads image-classification data stored as a pair of IDX files (images and labels),
/// the format shared by MNIST and Fashion-MNIST.
///
/// Images become a `[N, 1, H, W]` tensor with pixel bytes divided by 255, so values lie in [0, 1].
public enum IDXDataset {
    /// Loads the training and test parts of an MNIST-layout directory (see `IDXDirectory`).
    /// - Throws: `DatasetError` naming the directory or the file that is missing or wrong; `.mismatch` naming both
    ///   images files and their sizes if the test images are not the size of the training images.
    public static func loadSplits(directory: String, classCount: Int) throws -> (train: LabeledDataset, test: LabeledDataset) {
        let files = try IDXDirectory(path: directory)
        let train = try load(imagesPath: files.trainImages, labelsPath: files.trainLabels, classCount: classCount)
        let test = try load(imagesPath: files.testImages, labelsPath: files.testLabels, classCount: classCount)
        guard test.sampleShape == train.sampleShape else {
            func size(_ part: LabeledDataset) -> String { "\(part.sampleShape[1]) x \(part.sampleShape[2])" }
            throw DatasetError.mismatch(
                path: files.testImages,
                reason: "test images of \(size(test)) pixels, but the training images of \(files.trainImages) are \(size(train)); "
                    + "both parts must have one image size")
        }
        return (train, test)
    }

    /// Loads one images file (magic `0x00000803`, N x H x W bytes) and its labels file
    /// (magic `0x00000801`, N bytes), each optionally gzipped.
    /// - Throws: `DatasetError.missingFile` or `.corrupt` (wrong magic, truncated data, trailing bytes,
    ///   empty images, no images, a label not below `classCount`) naming the file, or `.mismatch` naming the labels
    ///   file if the counts differ; `.invalidArgument` if `classCount` is not in 1...256.
    public static func load(imagesPath: String, labelsPath: String, classCount: Int) throws -> LabeledDataset {
        guard classCount >= 1, classCount <= 256 else {
            throw DatasetError.invalidArgument(
                operation: "IDXDataset.load", reason: "class count must be in 1...256 for byte labels, got \(classCount)")
        }
        let imageFile = try IDXFile(path: imagesPath, rank: 3)
        let (count, height, width) = (imageFile.dimensions[0], imageFile.dimensions[1], imageFile.dimensions[2])
        guard height > 0, width > 0 else {
            throw DatasetError.corrupt(path: imagesPath, reason: "images of \(height) x \(width) pixels are empty")
        }
        guard count > 0 else {
            throw DatasetError.corrupt(path: imagesPath, reason: "holds no images")
        }
        let labelFile = try IDXFile(path: labelsPath, rank: 1)
        guard labelFile.dimensions[0] == count else {
            throw DatasetError.mismatch(
                path: labelsPath, reason: "holds \(labelFile.dimensions[0]) labels but \(imagesPath) holds \(count) images")
        }
        if let index = labelFile.values.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError.corrupt(
                path: labelsPath, reason: "label \(labelFile.values[index]) at index \(index) is not below the class count \(classCount)")
        }
        let labels = labelFile.values.map { Int($0) }
        let pixels = imageFile.values.withUnsafeBufferPointer { PixelBytes.scaled($0, count: $0.count) { $0 } }
        let images = Tensor(shape: [count, 1, height, width], scalars: pixels)
        return try LabeledDataset(images: images, labels: labels, classCount: classCount)
    }
}
