import Foundation
import TensorCore

/// The scikit-learn "digits" set: 1,797 images of 8 x 8 pixels, classes 0-9 (UCI optical recognition of
/// handwritten digits, test part). A copy is embedded in the module, so it needs no download or directory.
///
/// File format (`digits.csv.gz`, as shipped by scikit-learn): gzipped CSV without a header, one row per
/// sample of 65 integers: 64 pixel values 0...16 (row-major 8 x 8), then the label 0...9.
/// There is no train/test split in the file; use `LabeledDataset.split(testFraction:seed:)`.
public enum Digits {
    /// The number of classes.
    public static let classCount = 10
    /// The image side length in pixels.
    public static let side = 8
    /// The largest pixel value in the file; images are divided by it.
    public static let maximumPixelValue = 16

    /// Loads the embedded copy: images `[1797, 1, 8, 8]` with values scaled to [0, 1] (value / 16).
    /// - Throws: `DatasetError.missingFile` if the resource is not in the bundle, or the errors of `load(path:)`.
    public static func loadEmbedded() throws -> LabeledDataset {
        guard let url = Bundle.module.url(forResource: "digits.csv", withExtension: "gz") else {
            throw DatasetError.missingFile(path: "digits.csv.gz (resource of the Datasets module)")
        }
        return try load(path: url.path)
    }

    /// Loads a digits CSV file, gzipped or not: images `[N, 1, 8, 8]` with values scaled to [0, 1] (value / 16).
    /// - Throws: `DatasetError.missingFile`, or `DatasetError.corrupt` naming the file and line for a row
    ///   without 65 fields, a non-integer field, a pixel above 16 or a label above 9.
    public static func load(path: String) throws -> LabeledDataset {
        let pixelCount = side * side
        let table = try IntegerCSV(path: path, bytes: GzipFile.readAll(path: path), columns: pixelCount + 1,
                                   maximumValue: maximumPixelValue)
        var pixels: [Float] = []
        pixels.reserveCapacity(table.rowCount * pixelCount)
        var labels: [Int] = []
        labels.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            let values = table.row(row)
            pixels.append(contentsOf: values.prefix(pixelCount).map { Float($0) / Float(maximumPixelValue) })
            let label = values[values.startIndex + pixelCount]
            guard label < classCount else {
                throw DatasetError.corrupt(path: path, reason: "line \(row + 1): label \(label) is not below the class count \(classCount)")
            }
            labels.append(label)
        }
        let images = Tensor(shape: [table.rowCount, 1, side, side], scalars: pixels)
        return try LabeledDataset(images: images, labels: labels, classCount: classCount)
    }
}
