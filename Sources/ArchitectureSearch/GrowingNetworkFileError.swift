/// A safetensors file that does not hold a ``GrowingNetwork`` this build can load. Every message names the file,
/// the tensor when one is concerned, and what is wrong, for example
/// `run/model.safetensors: tensor "edge7.weight": shape [8, 4, 3, 3], the structure needs [8, 6, 3, 3]`.
public enum GrowingNetworkFileError: Error, Equatable, CustomStringConvertible {
    /// The file's `__metadata__` has no structure entry: it was not written by ``GrowingNetwork/write(toFile:)``.
    case noStructure(path: String)
    /// The structure was written in a format version this build does not read.
    case unsupportedVersion(path: String, version: Int)
    /// The structure is not valid JSON of the expected form, or its parts contradict each other.
    case invalidStructure(path: String, reason: String)
    /// A tensor the structure names is missing or has the wrong type or shape, or a tensor is not named at all.
    case invalidTensor(path: String, name: String, reason: String)

    /// The message: the file first, then the tensor, then what is wrong.
    public var description: String {
        switch self {
        case let .noStructure(path):
            "\(path): not a growing network: its metadata has no \(GrowingNetworkStructure.metadataKey.debugDescription) entry"
        case let .unsupportedVersion(path, version):
            "\(path): structure format version \(version), but this build reads version \(GrowingNetworkStructure.formatVersion) only"
        case let .invalidStructure(path, reason):
            "\(path): invalid structure: \(reason)"
        case let .invalidTensor(path, name, reason):
            "\(path): tensor \(name.debugDescription): \(reason)"
        }
    }
}
