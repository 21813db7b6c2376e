import Foundation

/// The contents of a safetensors file: named tensors and a string-to-string metadata map.
///
/// The format, as Python's `safetensors` reads and writes it: an 8-byte little-endian header length `N`,
/// `N` bytes of UTF-8 JSON mapping each tensor name to `{"dtype", "shape", "data_offsets"}` (offsets relative
/// to the data section) plus an optional `"__metadata__"` object of strings, then the little-endian data.
///
/// Reading validates the whole header before allocating or reading any tensor data, and never traps on
/// hostile input: every problem is a `SafetensorsError` naming the file, the tensor and what is wrong.
public struct SafetensorsFile: Equatable, Sendable {
    /// The largest header length the reader accepts, 100 MB, the same limit as Python's safetensors.
    public static let maximumHeaderLength = 100_000_000

    /// The tensors by name. No tensor may be named `__metadata__`.
    public var tensors: [String: StoredTensor]
    /// Free-form string metadata, stored in the header's `__metadata__` object.
    public var metadata: [String: String]

    /// Creates file contents from tensors and metadata.
    public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and validates safetensors bytes held in memory.
    /// - Throws: `SafetensorsError.invalidHeader` or `.invalidTensor`, with `path` `nil`.
    public init(data: Data) throws(SafetensorsError) {
        try self.init(reading: data, path: nil)
    }

    /// Reads and validates the safetensors file at `path`, reading no more than the file's size.
    /// - Throws: `SafetensorsError.fileAccess`, `.invalidHeader` or `.invalidTensor`, each naming `path`.
    public init(contentsOfFile path: String) throws(SafetensorsError) {
        self = try ReadOnlyFile.withFile(atPath: path) { file throws(SafetensorsError) in
            try SafetensorsFile(reading: file, path: path)
        }
    }

    /// Validates the header length and the header of `source`, then reads each tensor's bytes.
    private init(reading source: some ByteSource, path: String?) throws(SafetensorsError) {
        func invalid(_ reason: String) -> SafetensorsError { .invalidHeader(path: path, reason: reason) }
        guard source.count >= 8 else { throw invalid("\(source.count) bytes are too few for the 8-byte header length") }
        let headerLength = try source.bytes(in: 0..<8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw invalid("header length \(headerLength) exceeds the limit of \(Self.maximumHeaderLength) bytes")
        }
        guard headerLength <= UInt64(source.count - 8) else {
            throw invalid("header length \(headerLength) runs past the end of the \(source.count)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        let header = try SafetensorsHeader(json: source.bytes(in: 8..<dataStart), dataLength: source.count - dataStart, path: path)
        var tensors: [String: StoredTensor] = [:]
        for entry in header.entries {
            let bytes = try source.bytes(in: (dataStart + entry.offsets.lowerBound)..<(dataStart + entry.offsets.upperBound))
            if entry.elementType == .bool, let index = bytes.firstIndex(where: { $0 > 1 }) {
                throw .invalidTensor(path: path, name: entry.name, reason: "BOOL element \(index) is the byte \(bytes[index]), not 0 or 1")
            }
            tensors[entry.name] = StoredTensor(shape: entry.shape, elements: TensorElements(littleEndian: bytes, as: entry.elementType))
        }
        self.init(tensors: tensors, metadata: header.metadata)
    }
}
