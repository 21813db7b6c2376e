/// CIFAR-10 (A. Krizhevsky, V. Nair, G. Hinton): 50,000 training and 10,000 test colour images of
/// 32 x 32 pixels, 10 classes, in its binary version (`cifar-10-binary.tar.gz`).
///
/// Expects the folder `cifar-10-batches-bin` (or the folder that holds it) with `data_batch_1.bin` ...
/// `data_batch_5.bin` and `test_batch.bin`, each 10,000 records of a label byte (0-9) and the image;
/// see `Datasets.md`. Nothing is downloaded.
public enum CIFAR10 {
    /// The number of classes.
    public static let classCount = 10
    /// The name of the folder the archive unpacks to.
    public static let archiveFolderName = "cifar-10-batches-bin"
    /// The training files, loaded in this order.
    public static let trainFileNames = (1...5).map { "data_batch_\($0).bin" }
    /// The test file.
    public static let testFileName = "test_batch.bin"

    /// Loads both parts from `directory` (the archive's folder or its parent): images `[N, 3, 32, 32]` with
    /// pixels scaled to [0, 1] (byte / 255).
    /// - Throws: `DatasetError` naming the folder or the file that is missing or invalid.
    public static func load(directory: String) throws -> (train: LabeledDataset, test: LabeledDataset) {
        let folder = try BinaryDatasetFolder(directory, archiveName: archiveFolderName)
        let fields = [CIFARBinary.LabelField(name: "label", classCount: classCount)]
        let train = try CIFARBinary.load(paths: trainFileNames.map(folder.file), fields: fields, kept: 0)
        let test = try CIFARBinary.load(paths: [folder.file(testFileName)], fields: fields, kept: 0)
        return (train, test)
    }
}
