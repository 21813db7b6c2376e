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
        trainImages = try IDXDirectory.locate(prefix: "train", kind: "images", rank: 3, in: directory)
        trainLabels = try IDXDirectory.locate(prefix: "train", kind: "labels", rank: 1, in: directory)
        testImages = try IDXDirectory.locate(prefix: "t10k", kind: "images", rank: 3, in: directory)
        testLabels = try IDXDirectory.locate(prefix: "t10k", kind: "labels", rank: 1, in: directory)
    }

    /// The accepted file names for one file, in order of preference,
    /// e.g. `train-images-idx3-ubyte`, `train-images.idx3-ubyte`, then both with `.gz`.
    public static func candidateNames(prefix: String, kind: String, rank: Int) -> [String] {
        let stems = ["\(prefix)-\(kind)-idx\(rank)-ubyte", "\(prefix)-\(kind).idx\(rank)-ubyte"]
        return stems + stems.map { $0 + ".gz" }
    }

    /// The path of the first candidate name that exists as a file in `directory`.
    private static func locate(prefix: String, kind: String, rank: Int, in directory: String) throws -> String {
        let names = candidateNames(prefix: prefix, kind: kind, rank: rank)
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isFile(atPath: path) { return path }
        }
        throw DatasetError.noMatchingFile(directory: directory, candidates: names)
    }
}
