import TensorCore

/// STL-10 (A. Coates, H. Lee, A. Y. Ng): 5,000 training and 8,000 test colour images of 96 x 96 pixels,
/// 10 classes, in its binary version (`stl10_binary.tar.gz`). The 100,000 unlabelled images are not read.
///
/// Expects the folder `stl10_binary` (or the folder that holds it) with `train_X.bin`, `train_y.bin`,
/// `test_X.bin` and `test_y.bin`; see `Datasets.md`. Nothing is downloaded.
public enum STL10 {
    /// The number of classes.
    public static let classCount = 10
    /// The image side length in pixels.
    public static let side = 96
    /// The name of the folder the archive unpacks to.
    public static let archiveFolderName = "stl10_binary"
    /// The training images and labels files.
    public static let trainFileNames = (images: "train_X.bin", labels: "train_y.bin")
    /// The test images and labels files.
    public static let testFileNames = (images: "test_X.bin", labels: "test_y.bin")

    /// Loads both parts from `directory` (the archive's folder or its parent): images `[N, 3, 96, 96]` with
    /// pixels scaled to [0, 1] (byte / 255), labels 0-9.
    /// - Throws: `DatasetError` naming the folder or the file that is missing or invalid.
    public static func load(directory: String) throws -> (train: LabeledDataset, test: LabeledDataset) {
        let folder = try BinaryDatasetFolder(directory, archiveName: archiveFolderName)
        let train = try load(imagesPath: folder.file(trainFileNames.images), labelsPath: folder.file(trainFileNames.labels))
        let test = try load(imagesPath: folder.file(testFileNames.images), labelsPath: folder.file(testFileNames.labels))
        return (train, test)
    }

    /// Loads one images file and its labels file.
    ///
    /// The images file holds 27,648 bytes per image: the red, green and blue planes, each stored column by
    /// column, so the pixel at row `r`, column `c` of channel `ch` of image `i` is byte `i*27648 + ch*9216 + c*96 + r`.
    /// It becomes `images[i, ch, r, c]`. The labels file holds one byte per image, 1-10, which become 0-9.
    /// - Throws: `DatasetError.missingFile`; `.corrupt` naming the file that is empty, whose size is not a whole
    ///   number of images, or that holds a label outside 1...10; `.mismatch` naming the labels file if the counts differ.
    public static func load(imagesPath: String, labelsPath: String) throws -> LabeledDataset {
        let labelFile = try RecordFile(path: labelsPath, recordSize: 1, recordName: "label")
        let labels = try labelFile.labels(atOffset: 0, first: 1, classCount: classCount, name: "label")
        let plane = side * side
        let imageFile = try RecordFile(path: imagesPath, recordSize: 3 * plane, recordName: "image")
        guard imageFile.count == labels.count else {
            throw DatasetError.mismatch(
                path: labelsPath, reason: "holds \(labels.count) labels but \(imagesPath) holds \(imageFile.count) images")
        }
        let pixels = imageFile.bytes.withUnsafeBufferPointer { source in
            PixelBytes.scaled(source, count: source.count) { position in
                let offsetInPlane = position % plane
                let (row, column) = offsetInPlane.quotientAndRemainder(dividingBy: side)
                return position - offsetInPlane + column * side + row
            }
        }
        let images = Tensor(shape: [labels.count, 3, side, side], scalars: pixels)
        return try LabeledDataset(images: images, labels: labels, classCount: classCount)
    }
}
