/// Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28 x 28 grey clothing photos, 10 classes.
///
/// Same IDX format and file names as MNIST (see `IDXDirectory`, `Datasets.md`); kept in its own directory.
public enum FashionMNIST {
    /// The number of classes.
    public static let classCount = 10

    /// The class names, indexed by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Loads both parts from `directory`; images `[N, 1, 28, 28]` with pixels scaled to [0, 1] (byte / 255).
    /// - Throws: `DatasetError` naming the missing or invalid file.
    public static func load(directory: String) throws -> (train: LabeledDataset, test: LabeledDataset) {
        try IDXDataset.loadSplits(directory: directory, classCount: classCount)
    }
}
