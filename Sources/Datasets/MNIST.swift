/// The MNIST handwritten digits: 60,000 training and 10,000 test images of 28 x 28 grey pixels, classes 0-9.
///
/// Expects the four IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`, also with the
/// `train-images.idx3-ubyte` spelling) in one directory; see `Datasets.md`. Nothing is downloaded.
public enum MNIST {
    /// The number of classes (digits 0-9).
    public static let classCount = 10

    /// Loads both parts from `directory`; images `[N, 1, 28, 28]` with pixels scaled to [0, 1] (byte / 255).
    /// - Throws: `DatasetError` naming the missing or invalid file.
    public static func load(directory: String) throws -> (train: LabeledDataset, test: LabeledDataset) {
        try IDXDataset.loadSplits(directory: directory, classCount: classCount)
    }
}
