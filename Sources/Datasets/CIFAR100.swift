/// CIFAR-100 (A. Krizhevsky, V. Nair, G. Hinton): 50,000 training and 10,000 test colour images of
/// 32 x 32 pixels in 100 classes grouped into 20 superclasses, in its binary version (`cifar-100-binary.tar.gz`).
///
/// Expects the folder `cifar-100-binary` (or the folder that holds it) with `train.bin` and `test.bin`,
/// records of a coarse label byte (0-19), a fine label byte (0-99) and the image; see `Datasets.md`.
public enum CIFAR100 {
    /// Which of its two labels each image is given.
    public enum Labels: Sendable {
        /// The 100 classes (the second label byte), the usual benchmark.
        case fine
        /// The 20 superclasses (the first label byte).
        case coarse

        /// The number of classes: 100 fine, 20 coarse.
        public var classCount: Int {
            switch self {
            case .fine: 100
            case .coarse: 20
            }
        }
    }

    /// The name of the folder the archive unpacks to.
    public static let archiveFolderName = "cifar-100-binary"
    /// The training file.
    public static let trainFileName = "train.bin"
    /// The test file.
    public static let testFileName = "test.bin"

    /// Loads both parts from `directory` (the archive's folder or its parent): images `[N, 3, 32, 32]` with
    /// pixels scaled to [0, 1] (byte / 255) and the `labels` chosen. Both label bytes are checked either way.
    /// - Throws: `DatasetError` naming the folder or the file that is missing or invalid.
    public static func load(directory: String, labels: Labels = .fine) throws -> (train: LabeledDataset, test: LabeledDataset) {
        let folder = try BinaryDatasetFolder(directory, archiveName: archiveFolderName)
        let fields = [
            CIFARBinary.LabelField(name: "coarse label", classCount: Labels.coarse.classCount),
            CIFARBinary.LabelField(name: "fine label", classCount: Labels.fine.classCount),
        ]
        let kept = labels == .coarse ? 0 : 1
        let train = try CIFARBinary.load(paths: [folder.file(trainFileName)], fields: fields, kept: kept)
        let test = try CIFARBinary.load(paths: [folder.file(testFileName)], fields: fields, kept: kept)
        return (train, test)
    }
}
