import Foundation

/// The four files of an MNIST-layout directory (MNIST, Fashion-MNIST), found under any accepted spelling.
///
/// For each file both the distributed name (`train-images-idx3-ubyte`) and the name stored in the
/// original gzip headers (`train-images.idx3-ubyte`) are accepted, each uncompressed or with `.gz`.
/// Uncompressed files are preferred when several spellings exist, because they load faster.
public struct IDXDirectory: Sendable, Equatable {
    /// The path of the training images (60,000 x 28 x 28 for MNIST).
    public let trainImages: String
    /// The path of the training labels.
    public let trainLabels: String
    /// The path of the test images (10,000 x 28 x 28 for MNIST).
    public let testImages: String
    /// The path of the test labels.
    public let testLabels: String

    /// Locates the four files in `directory`.
    /// - Throws: `DatasetError.missingFile` if `directory` is not a directory;
    ///   `DatasetError.noMatchingFile` naming the accepted spellings of the first file that is absent.
    public init(path directory: String) throws {
        guard FileManager.default.isDirectory(atPath: directory) else {
            throw DatasetError.missingFile(path: directory)
        }
        let paths = try IDXDirectory.acceptedNames.map { try IDXDirectory.locate($0, in: directory) }
        (trainImages, trainLabels, testImages, testLabels) = (paths[0], paths[1], paths[2], paths[3])
    }

    /// The accepted spellings of each file: training images and labels, then test images and labels.
    private static let acceptedNames = [("train", "images", 3), ("train", "labels", 1), ("t10k", "images", 3), ("t10k", "labels", 1)]
        .map { candidateNames(prefix: $0.0, kind: $0.1, rank: $0.2) }

    /// The distributed name of each file, uncompressed: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
    /// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`.
    public static let distributedNames = acceptedNames.map { $0[0] }

    /// Whether `directory` holds any accepted spelling of any of the four files (others may still be missing).
    static func holdsAnyFile(_ directory: String) -> Bool {
        acceptedNames.joined().contains { FileManager.default.isFile(atPath: (directory as NSString).appendingPathComponent($0)) }
    }

    /// The accepted file names for one file, in order of preference,
    /// e.g. `train-images-idx3-ubyte`, `train-images.idx3-ubyte`, then both with `.gz`.
    public static func candidateNames(prefix: String, kind: String, rank: Int) -> [String] {
        let stems = ["\(prefix)-\(kind)-idx\(rank)-ubyte", "\(prefix)-\(kind).idx\(rank)-ubyte"]
        return stems + stems.map { $0 + ".gz" }
    }

    /// The path of the first of `names` that exists as a file in `directory`.
    private static func locate(_ names: [String], in directory: String) throws -> String {
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isFile(atPath: path) { return path }
        }
        throw DatasetError.noMatchingFile(directory: directory, candidates: names)
    }
}
