import Foundation

/// A dataset the paper uses, the files an experiment needs of it below `--data-root`, and where `Datasets.md` says to
/// get them.
public struct PaperDataset: Sendable, Equatable {
    public let name: String
    /// The folder below the data root, as the archive unpacks.
    public let folder: String
    /// Each needed file; any of the spellings listed for it will do.
    public let files: [[String]]
    /// Where to get it, from `Datasets.md`.
    public let source: String

    public static let cifar10 = PaperDataset(
        name: "CIFAR-10", folder: "cifar-10-batches-bin",
        files: (1...5).map { ["data_batch_\($0).bin"] } + [["test_batch.bin"]],
        source: "Datasets.md, section CIFAR-10: the archive cifar-10-binary.tar.gz (\"CIFAR-10 binary version (suitable for C programs)\") "
            + "from the authors' page \"CIFAR-10 and CIFAR-100 datasets\"; check its MD5 there; it unpacks to cifar-10-batches-bin/")
    public static let stl10 = PaperDataset(
        name: "STL-10", folder: "stl10_binary",
        files: ["train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin"].map { [$0] },
        source: "Datasets.md, section STL-10: the archive stl10_binary.tar.gz from the authors' page \"STL-10 dataset\"; "
            + "it unpacks to stl10_binary/")
    public static let mnist = PaperDataset(
        name: "MNIST", folder: "mnist",
        files: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
            .map { [$0, $0 + ".gz"] },
        source: "Datasets.md, section MNIST: the four IDX files (gzipped or not), as in ../shared/datasets/mnist")

    public static let fashionMNIST = PaperDataset(
        name: "Fashion-MNIST", folder: "fashion-mnist",
        files: mnist.files,
        source: "Datasets.md, section Fashion-MNIST: the four .gz IDX files of the project's repository "
            + "(zalandoresearch/fashion-mnist, data/fashion/), checked against the MD5 values listed there; "
            + "they have MNIST's file names, so keep them in their own folder")
    public static let imageNet = PaperDataset(
        name: "ImageNet", folder: "imagenet",
        files: [["train"], ["val"]],
        source: "Datasets.md, section Image folders (ImageNet layout): ILSVRC2012's training and validation images, "
            + "one folder per class below train/ and val/ (sort the validation images into class folders first, e.g. with valprep.sh)")

    /// The dataset's folder below `root`.
    public func directory(root: String) -> String {
        URL(fileURLWithPath: root).appendingPathComponent(folder).path
    }

    /// The files (first spelling) that are not below `root`.
    public func missingFiles(root: String) -> [String] {
        let directory = directory(root: root)
        return files.filter { spellings in
            !spellings.contains { FileManager.default.fileExists(atPath: directory + "/" + $0) }
        }.map { directory + "/" + $0[0] + ($0.count > 1 ? " (or .gz)" : "") }
    }
}

/// The data of an experiment is not all there: which files are needed and where to get them.
public struct MissingData: Error, CustomStringConvertible, Equatable {
    public let experiment: String
    public let scale: Scale
    public let missing: [(dataset: PaperDataset, files: [String])]

    public static func == (a: MissingData, b: MissingData) -> Bool {
        a.description == b.description
    }

    /// Checks `datasets` below `root`; `nil` when every file is there.
    public static func check(_ datasets: [PaperDataset], root: String, experiment: String, scale: Scale = .paper) -> MissingData? {
        let missing = datasets.map { ($0, $0.missingFiles(root: root)) }.filter { !$0.1.isEmpty }
        return missing.isEmpty ? nil : MissingData(experiment: experiment, scale: scale, missing: missing)
    }

    public var description: String {
        var lines = ["\(experiment) --scale \(scale.rawValue) needs data that is not there:"]
        for (dataset, files) in missing {
            lines.append("  \(dataset.name): \(files.count) missing file(s):")
            lines += files.map { "    \($0)" }
            lines.append("    get it from \(dataset.source)")
        }
        lines.append("Give the folder holding them with --data-root" + (scale == .paper ? ", or run --scale quick (stand-in data, minutes)." : "."))
        return lines.joined(separator: "\n")
    }
}
