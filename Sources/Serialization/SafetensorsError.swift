/// Errors raised while reading or writing a safetensors file.
///
/// Every message names the file (or `safetensors data` for bytes in memory), the tensor when one is concerned,
/// and what is wrong, for example
/// `run/model.safetensors: tensor "conv.weight": shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] hold 20`.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened, sized, read, written, synced or renamed.
    case fileAccess(path: String, reason: String)
    /// The header length, the JSON header or its `__metadata__` is malformed, or the tensors do not cover
    /// the data section exactly. `path` is `nil` for bytes in memory.
    case invalidHeader(path: String?, reason: String)
    /// One tensor's entry or data is malformed, or its bytes collide with another tensor's.
    /// `path` is `nil` for bytes in memory.
    case invalidTensor(path: String?, name: String, reason: String)

    /// The message: the file first, then the tensor, then what is wrong.
    public var description: String {
        switch self {
        case let .fileAccess(path, reason): "\(path): \(reason)"
        case let .invalidHeader(path, reason): "\(path ?? "safetensors data"): \(reason)"
        case let .invalidTensor(path, name, reason): "\(path ?? "safetensors data"): tensor \(name.debugDescription): \(reason)"
        }
    }
}

extension SafetensorsError {
    /// A `fileAccess` error for a failed system call: what was attempted, then the reason from `errno`.
    static func systemCallFailed(path: String, _ action: String) -> SafetensorsError {
        .fileAccess(path: path, reason: failedSystemCall(action))
    }
}
