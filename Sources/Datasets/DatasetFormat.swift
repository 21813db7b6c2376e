import Foundation

/// The on-disk dataset formats a data folder may hold, recognised from the files present.
///
/// ```swift
/// let format = try DatasetFormat.detect(directory: "data")   // "data" holds cifar-10-batches-bin
/// print(format.name)                                         // "CIFAR-10 binary"
/// let (train, test) = try format.load(directory: "data")
/// ```
public enum DatasetFormat: String, CaseIterable, Sendable {
    /// Four IDX files named as MNIST's (MNIST, Fashion-MNIST), 10 classes; see `IDXDirectory`.
    case mnistIDX = "MNIST-format IDX"
    /// The CIFAR-10 binary batches; see `CIFAR10`.
    case cifar10Binary = "CIFAR-10 binary"
    /// The CIFAR-100 binary files, loaded with their fine labels; see `CIFAR100`.
    case cifar100Binary = "CIFAR-100 binary"
    /// The STL-10 binary files (labelled part); see `STL10`.
    case stl10Binary = "STL-10 binary"
    /// ImageNet-style `train/` and `val/` folders with one folder of JPEG or PNG files per class; see `ImageFolder`.
    case imageFolders = "image folders"

    /// The human name, such as "CIFAR-10 binary".
    public var name: String { rawValue }

    /// What a folder must hold for this format, such as
    /// "STL-10 binary needs train_X.bin, train_y.bin, test_X.bin, test_y.bin (in the folder or in stl10_binary/)".
    public var requirement: String {
        if self == .imageFolders {
            return "\(name) need train/ and val/ with one folder of JPEG or PNG files per class"
        }
        guard let archive else {
            return "\(name) needs \(IDXDirectory.distributedNames.joined(separator: ", ")) "
                + "(each may be gzipped or spelt like train-images.idx3-ubyte)"
        }
        return "\(name) needs \(archive.fileNames.joined(separator: ", ")) (in the folder or in \(archive.folderName)/)"
    }

    /// Loads the training and test parts from `directory`; image folders are decoded at `imageSide` x `imageSide`
    /// (`ImageFolder.defaultSide` when `nil`) and cached in `cacheDirectory` (see `ImageFolder`). The other formats
    /// have one image size and ignore both.
    /// - Throws: `DatasetError` naming the folder or the file that is missing or invalid.
    public func load(directory: String, imageSide: Int? = nil, cacheDirectory: String? = nil)
        throws -> (train: LabeledDataset, test: LabeledDataset) {
        switch self {
        case .imageFolders:
            let folders = try ImageFolder(directory: directory, side: imageSide ?? ImageFolder.defaultSide, cacheDirectory: cacheDirectory)
            return (folders.train, folders.test)
        case .mnistIDX: return try MNIST.load(directory: directory)
        case .cifar10Binary: return try CIFAR10.load(directory: directory)
        case .cifar100Binary: return try CIFAR100.load(directory: directory)
        case .stl10Binary: return try STL10.load(directory: directory)
        }
    }

    /// Whether the folder `directory` holds at least one file of this format (in it or, for the binary
    /// formats, in the archive's folder inside it). Missing companions are reported by `load(directory:)`.
    public func isPresent(in directory: String) -> Bool {
        if self == .imageFolders { return ImageFolder.isPresent(in: directory) }
        guard let archive else { return IDXDirectory.holdsAnyFile(directory) }
        guard let folder = try? BinaryDatasetFolder(directory, archiveName: archive.folderName) else { return false }
        return folder.holdsAny(of: archive.fileNames)
    }

    /// The one format whose files the folder `directory` holds.
    /// - Throws: `DatasetError.missingFile` if `directory` is not a folder; `.unrecognizedFormat` listing what each
    ///   format needs if no format's files are there; `.ambiguousFormat` if several formats' files are.
    public static func detect(directory: String) throws -> DatasetFormat {
        guard FileManager.default.isDirectory(atPath: directory) else {
            throw DatasetError.missingFile(path: directory)
        }
        let present = allCases.filter { $0.isPresent(in: directory) }
        guard present.count <= 1 else {
            throw DatasetError.ambiguousFormat(directory: directory, formats: present.map(\.name))
        }
        guard let format = present.first else {
            throw DatasetError.unrecognizedFormat(directory: directory, requirements: allCases.map(\.requirement))
        }
        return format
    }

    /// The folder a binary format's archive unpacks to (`cifar-10-batches-bin`), `nil` for the other formats.
    var archiveFolderName: String? { archive?.folderName }

    /// The folder a binary format's archive unpacks to and the data files in it; `nil` for IDX.
    private var archive: (folderName: String, fileNames: [String])? {
        switch self {
        case .mnistIDX, .imageFolders: nil
        case .cifar10Binary: (CIFAR10.archiveFolderName, CIFAR10.trainFileNames + [CIFAR10.testFileName])
        case .cifar100Binary: (CIFAR100.archiveFolderName, [CIFAR100.trainFileName, CIFAR100.testFileName])
        case .stl10Binary:
            (STL10.archiveFolderName, [STL10.trainFileNames.images, STL10.trainFileNames.labels,
                                       STL10.testFileNames.images, STL10.testFileNames.labels])
        }
    }
}
