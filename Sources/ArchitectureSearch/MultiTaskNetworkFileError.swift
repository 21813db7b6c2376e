/// A safetensors file that does not hold a ``MultiTaskNetwork`` this build can load. Every message names the file, the
/// tensor when one is concerned, and what is wrong, for example
/// `run/model.safetensors: tensor "conv2.weight.owner": owner code 7, but the network has 2 tasks (codes 0...3)`.
public enum MultiTaskNetworkFileError: Error, Equatable, CustomStringConvertible {
    /// The description in the file's metadata is missing, of another format version, or not what it should be.
    case invalidDescription(path: String, reason: String)
    /// A tensor is missing or has the wrong type, shape or contents, or the description names no such tensor.
    case invalidTensor(path: String, name: String, reason: String)

    /// The message: the file first, then the tensor, then what is wrong.
    public var description: String {
        switch self {
        case let .invalidDescription(path, reason): "\(path): not a multi-task network of this build: \(reason)"
        case let .invalidTensor(path, name, reason): "\(path): tensor \(name.debugDescription): \(reason)"
        }
    }
}
