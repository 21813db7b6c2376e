import TensorCore

/// The binary layout shared by CIFAR-10 and CIFAR-100 (A. Krizhevsky, 2009): headerless files of records,
/// each one or more label bytes followed by a 32 x 32 colour image of 3,072 bytes (1,024 red, 1,024 green,
/// then 1,024 blue, each plane row-major).
enum CIFARBinary {
    /// One label byte of a record: its name in error messages and its number of classes.
    struct LabelField {
        let name: String
        let classCount: Int
    }

    /// The image side length in pixels.
    static let side = 32
    /// The number of image bytes in a record, 3 x 32 x 32.
    static let imageSize = 3 * side * side

    /// Loads the records of the files at `paths`, in order, into one dataset: images `[N, 3, 32, 32]` with
    /// bytes divided by 255, labels from the byte `fields[kept]`. Every label byte of every record is checked.
    /// - Throws: `DatasetError.missingFile`, or `DatasetError.corrupt` naming the file that is empty, whose size is
    ///   not a whole number of records or that holds a label outside its field's classes.
    static func load(paths: [String], fields: [LabelField], kept: Int) throws -> LabeledDataset {
        let recordSize = fields.count + imageSize
        let files = try paths.map { try RecordFile(path: $0, recordSize: recordSize, recordName: "record") }
        var labels: [Int] = []
        for file in files {
            for (offset, field) in fields.enumerated() {
                let values = try file.labels(atOffset: offset, first: 0, classCount: field.classCount, name: field.name)
                if offset == kept { labels += values }
            }
        }
        let total = labels.count * imageSize
        let pixels = [Float](unsafeUninitializedCapacity: total) { destination, initialized in
            var start = 0
            for file in files {
                let end = start + file.count * imageSize
                file.bytes.withUnsafeBufferPointer { source in
                    PixelBytes.scale(source, into: UnsafeMutableBufferPointer(rebasing: destination[start..<end])) { position in
                        let (record, pixel) = position.quotientAndRemainder(dividingBy: imageSize)
                        return record * recordSize + fields.count + pixel
                    }
                }
                start = end
            }
            initialized = total
        }
        let images = Tensor(shape: [labels.count, 3, side, side], scalars: pixels)
        return try LabeledDataset(images: images, labels: labels, classCount: fields[kept].classCount)
    }
}
