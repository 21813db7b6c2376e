/// A checkpoint that cannot be written or read back. Every message names the file, the tensor when one is concerned,
/// and what is wrong, for example `run/checkpoints/epoch-3.safetensors: tensor "optimizer/sgd.momentum/edge7.weight":
/// missing: the checkpoint lists it`.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file's `__metadata__` has no checkpoint entry: it is some other safetensors file.
    case notACheckpoint(path: String)
    /// The checkpoint was written in a format version this build does not read.
    case unsupportedVersion(path: String, version: Int)
    /// The checkpoint's description is not valid JSON of the expected form, or its parts contradict each other.
    case invalidContents(path: String, reason: String)
    /// A tensor is missing, not listed, of the wrong type or shape, or (when writing) not finite.
    case invalidTensor(path: String, name: String, reason: String)

    /// The message: the file first, then the tensor, then what is wrong.
    public var description: String {
        switch self {
        case let .notACheckpoint(path):
            "\(path): not a checkpoint: its metadata has no checkpoint description"
        case let .unsupportedVersion(path, version):
            "\(path): checkpoint format version \(version), but this build reads its own version only"
        case let .invalidContents(path, reason):
            "\(path): invalid checkpoint: \(reason)"
        case let .invalidTensor(path, name, reason):
            "\(path): tensor \(name.debugDescription): \(reason)"
        }
    }
}
