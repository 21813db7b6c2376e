import Foundation

/// The files of a published dataset with their sizes and, where recorded, SHA-256 digests: the single table that
/// `ilnas datasets verify` checks a folder against and that `Datasets.md` lists (a test keeps the two in agreement).
///
/// Each file may be present under several spellings (MNIST's four files gzipped or not, with either naming), each with
/// its own size and digest; a file counts as present when any spelling is.
public struct KnownDataset: Sendable, Equatable {
    /// One accepted spelling of a file: its name, size and SHA-256 (`nil` where no digest is recorded yet).
    public struct Spelling: Sendable, Equatable {
        public let name: String
        public let size: Int
        /// Lowercase hexadecimal, as `sha256sum` prints it.
        public let sha256: String?

        public init(name: String, size: Int, sha256: String?) {
            self.name = name
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The dataset's name, such as "MNIST".
    public let name: String
    /// The format `DatasetFormat.detect` finds in a folder of these files.
    public let format: DatasetFormat
    /// Each file's accepted spellings, the distributed one first.
    public let files: [[Spelling]]
    /// The archive the files are distributed in, where they come as one (`nil` for MNIST's separate files).
    public let archive: Spelling?

    public init(name: String, format: DatasetFormat, files: [[Spelling]], archive: Spelling? = nil) {
        self.name = name
        self.format = format
        self.files = files
        self.archive = archive
    }

    /// The datasets of the table: MNIST (sizes and SHA-256 of the distributed gzip files and of the files they
    /// inflate to, from `../shared/datasets/mnist`), CIFAR-10 and CIFAR-100 binary and STL-10 binary (the sizes of
    /// the unpacked files, whose digests are not recorded because no copy has been hashed in this project, and the
    /// size and SHA-256 of the distributed archive as TensorFlow Datasets publishes them in its `url_checksums`).
    public static let all: [KnownDataset] = [mnist, cifar10, cifar100, stl10]

    /// MNIST: each of the four files gzipped as distributed or inflated, under the distributed name or the one the
    /// gzip headers store (`train-images.idx3-ubyte`).
    public static let mnist = KnownDataset(name: "MNIST", format: .mnistIDX, files: [
        idx("train-images", 3, raw: (47_040_016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            gzip: (9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609")),
        idx("train-labels", 1, raw: (60_008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            gzip: (28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c")),
        idx("t10k-images", 3, raw: (7_840_016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            gzip: (1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6")),
        idx("t10k-labels", 1, raw: (10_008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
            gzip: (4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")),
    ])

    /// CIFAR-10 binary: five training batches and the test batch of 10,000 records of 3,073 bytes.
    public static let cifar10 = KnownDataset(
        name: "CIFAR-10 binary", format: .cifar10Binary,
        files: (CIFAR10.trainFileNames + [CIFAR10.testFileName]).map { [Spelling(name: $0, size: 30_730_000, sha256: nil)] },
        archive: Spelling(name: "cifar-10-binary.tar.gz", size: 170_052_171,
                          sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"))

    /// CIFAR-100 binary: 50,000 and 10,000 records of 3,074 bytes.
    public static let cifar100 = KnownDataset(name: "CIFAR-100 binary", format: .cifar100Binary, files: [
        [Spelling(name: CIFAR100.trainFileName, size: 153_700_000, sha256: nil)],
        [Spelling(name: CIFAR100.testFileName, size: 30_740_000, sha256: nil)],
    ], archive: Spelling(name: "cifar-100-binary.tar.gz", size: 168_513_733,
                         sha256: "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"))

    /// STL-10 binary, labelled part: 5,000 training and 8,000 test images of 27,648 bytes and their label bytes.
    public static let stl10 = KnownDataset(name: "STL-10 binary", format: .stl10Binary, files: [
        [Spelling(name: STL10.trainFileNames.images, size: 138_240_000, sha256: nil)],
        [Spelling(name: STL10.trainFileNames.labels, size: 5_000, sha256: nil)],
        [Spelling(name: STL10.testFileNames.images, size: 221_184_000, sha256: nil)],
        [Spelling(name: STL10.testFileNames.labels, size: 8_000, sha256: nil)],
    ], archive: Spelling(name: "stl10_binary.tar.gz", size: 2_640_397_119,
                         sha256: "f31fd99273a1acb8609c8db427cebb1de3f71de77758cdc0e22956e1289b9866"))

    /// The four spellings of one IDX file (`IDXDirectory.candidateNames`): two names, gzipped and raw.
    private static func idx(_ stem: String, _ rank: Int, raw: (Int, String), gzip: (Int, String)) -> [Spelling] {
        let parts = stem.split(separator: "-").map(String.init)
        let names = IDXDirectory.candidateNames(prefix: parts[0], kind: parts[1], rank: rank)
        // The distributed, gzipped spelling first: the one a missing file is reported under.
        return (names.filter { $0.hasSuffix(".gz") } + names.filter { !$0.hasSuffix(".gz") }).map { name in
            let (size, digest) = name.hasSuffix(".gz") ? gzip : raw
            return Spelling(name: name, size: size, sha256: digest)
        }
    }
}

/// The outcome of checking one file of a folder against `KnownDataset`.
public struct FileVerification: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        /// Size and digest as recorded.
        case matches
        /// The size is right and no digest is recorded; `actualSHA256` is the file's, for whoever fills the table in.
        case sizeMatchesDigestUnrecorded(actualSHA256: String)
        /// No accepted spelling of the file exists; the expected size (and digest) of the distributed one.
        case missing(expectedSize: Int, expectedSHA256: String?)
        case wrongSize(expected: Int, actual: Int)
        case wrongDigest(expected: String, actual: String)
    }

    /// The file checked, or the distributed spelling's path when none exists.
    public let path: String
    public let outcome: Outcome

    public init(path: String, outcome: Outcome) {
        self.path = path
        self.outcome = outcome
    }

    /// Whether the file is as published (a size that matches with no recorded digest counts).
    public var isValid: Bool {
        switch outcome {
        case .matches, .sizeMatchesDigestUnrecorded: true
        case .missing, .wrongSize, .wrongDigest: false
        }
    }

    /// One line: `ok`, `ok (size)`, `MISSING`, `WRONG SIZE` or `WRONG SHA-256`, the path, and expected against actual.
    public var description: String {
        switch outcome {
        case .matches: "ok             \(path)"
        case let .sizeMatchesDigestUnrecorded(actual): "ok (size only) \(path): size as published; SHA-256 not recorded, this file's is \(actual)"
        case let .missing(size, digest):
            "MISSING        \(path): expected \(size) bytes" + (digest.map { ", SHA-256 \($0)" } ?? "")
        case let .wrongSize(expected, actual): "WRONG SIZE     \(path): expected \(expected) bytes, found \(actual)"
        case let .wrongDigest(expected, actual): "WRONG SHA-256  \(path): expected \(expected), found \(actual)"
        }
    }
}

extension KnownDataset {
    /// Checks every file of the dataset in `directory` (for the binary formats, the archive's folder or the folder
    /// holding it): each present spelling's size, then its SHA-256; a file with no spelling present is missing.
    /// - Throws: `DatasetError.missingFile` if `directory` is not a folder or a file cannot be read.
    public func verify(directory: String) throws -> [FileVerification] {
        let folder: String
        if let archive = format.archiveFolderName {
            folder = try BinaryDatasetFolder(directory, archiveName: archive).path
        } else {
            guard FileManager.default.isDirectory(atPath: directory) else { throw DatasetError.missingFile(path: directory) }
            folder = directory
        }
        var results: [FileVerification] = []
        for spellings in files {
            let present = spellings.filter { FileManager.default.isFile(atPath: (folder as NSString).appendingPathComponent($0.name)) }
            guard !present.isEmpty else {
                let first = spellings[0]
                results.append(FileVerification(path: (folder as NSString).appendingPathComponent(first.name),
                                                outcome: .missing(expectedSize: first.size, expectedSHA256: first.sha256)))
                continue
            }
            for spelling in present {
                let path = (folder as NSString).appendingPathComponent(spelling.name)
                results.append(FileVerification(path: path, outcome: try Self.check(path: path, against: spelling)))
            }
        }
        return results
    }

    /// Checks a downloaded archive of this dataset (such as `cifar-10-binary.tar.gz`): its size, then its SHA-256.
    /// - Throws: `DatasetError.invalidArgument` if the dataset has no archive of the file's name;
    ///   `DatasetError.missingFile` if the file cannot be read.
    public func verify(archive path: String) throws -> FileVerification {
        guard let archive, archive.name == (path as NSString).lastPathComponent else {
            throw DatasetError.invalidArgument(operation: "verifying \(path)", reason: "not the \(name) archive")
        }
        guard FileManager.default.isFile(atPath: path) else { throw DatasetError.missingFile(path: path) }
        return FileVerification(path: path, outcome: try Self.check(path: path, against: archive))
    }

    /// Checks `path` against the table: a downloaded archive by its file name, a dataset folder by the format found in
    /// it. Returns the dataset and one result per file.
    /// - Throws: the errors of `matching(archive:in:)`, `matching(directory:in:)` and the two `verify` methods.
    public static func verify(path: String, in table: [KnownDataset] = all) throws -> (dataset: KnownDataset, results: [FileVerification]) {
        if FileManager.default.isFile(atPath: path) {
            let dataset = try matching(archive: path, in: table)
            return (dataset, [try dataset.verify(archive: path)])
        }
        let dataset = try matching(directory: path, in: table)
        return (dataset, try dataset.verify(directory: path))
    }

    /// The dataset of the table distributed as an archive of the file name of `path`.
    /// - Throws: `DatasetError.invalidArgument` if no dataset of `table` has an archive of that name.
    public static func matching(archive path: String, in table: [KnownDataset] = all) throws -> KnownDataset {
        let name = (path as NSString).lastPathComponent
        guard let dataset = table.first(where: { $0.archive?.name == name }) else {
            throw DatasetError.invalidArgument(
                operation: "verifying \(path)", reason: "not a known dataset archive (known: "
                    + table.compactMap(\.archive?.name).joined(separator: ", ") + ")")
        }
        return dataset
    }

    /// The dataset of the table whose format `DatasetFormat.detect` finds in `directory`.
    /// - Throws: the errors of `detect`; `DatasetError.invalidArgument` if the table has no dataset of that format.
    public static func matching(directory: String, in table: [KnownDataset] = all) throws -> KnownDataset {
        let format = try DatasetFormat.detect(directory: directory)
        guard let dataset = table.first(where: { $0.format == format }) else {
            throw DatasetError.invalidArgument(
                operation: "verifying \(directory)", reason: "no table of published files for \(format.name) (known: "
                    + table.map(\.name).joined(separator: ", ") + ")")
        }
        return dataset
    }

    /// Compares the file at `path` with `spelling`: the size first (a wrong size is reported without hashing).
    private static func check(path: String, against spelling: Spelling) throws -> FileVerification.Outcome {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else { throw DatasetError.missingFile(path: path) }
        guard size == spelling.size else { return .wrongSize(expected: spelling.size, actual: size) }
        let actual = try SHA256.fileDigest(path: path).hexDigest
        guard let expected = spelling.sha256 else { return .sizeMatchesDigestUnrecorded(actualSHA256: actual) }
        return actual == expected ? .matches : .wrongDigest(expected: expected, actual: actual)
    }
}
