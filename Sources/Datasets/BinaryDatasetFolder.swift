import Foundation

/// The folder of a dataset distributed as a tar archive of binary files (CIFAR-10, CIFAR-100, STL-10),
/// given either that folder or the folder it was unpacked into, which holds it under its archive name
/// (`cifar-10-batches-bin`, `cifar-100-binary`, `stl10_binary`).
struct BinaryDatasetFolder {
    /// The folder that holds the data files.
    let path: String

    /// Uses `directory/archiveName` if that is a folder, otherwise `directory` itself.
    /// - Throws: `DatasetError.missingFile` naming `directory` if it is not a folder.
    init(_ directory: String, archiveName: String) throws {
        guard FileManager.default.isDirectory(atPath: directory) else {
            throw DatasetError.missingFile(path: directory)
        }
        let nested = (directory as NSString).appendingPathComponent(archiveName)
        path = FileManager.default.isDirectory(atPath: nested) ? nested : directory
    }

    /// The path of the file `name` in the folder.
    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Whether any of `names` is a file in the folder.
    func holdsAny(of names: [String]) -> Bool {
        names.contains { FileManager.default.isFile(atPath: file($0)) }
    }
}
