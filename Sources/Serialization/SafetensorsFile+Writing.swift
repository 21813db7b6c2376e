import Foundation

extension SafetensorsFile {
    /// The file's bytes, deterministic for equal contents.
    ///
    /// The header lists `__metadata__` first (omitted when empty), then the tensors sorted by name (byte order
    /// of their UTF-8), whose data follows in the same order without gaps; it is padded with spaces to a
    /// multiple of 8 bytes, so that the data section is 8-byte aligned.
    /// - Throws: `SafetensorsError.invalidTensor` for a tensor named `__metadata__`;
    ///   `.invalidHeader` if the header would exceed `maximumHeaderLength`, which no reader would accept.
    public func encoded() throws(SafetensorsError) -> Data {
        try encoded(path: nil)
    }

    /// Writes the file to `path` with ``AtomicFile/replace(_:with:creatingFolders:)``: to a temporary file in the same
    /// folder, synced to disk and renamed over `path`, then the folder is synced. A crash leaves the old file or the
    /// new one, never a torn one.
    /// - Throws: the errors of `encoded()`, or `SafetensorsError.fileAccess`, each naming `path`. When only
    ///   syncing the folder fails, the new file is in place but may not survive a crash.
    public func write(toFile path: String) throws(SafetensorsError) {
        let data = try encoded(path: path)
        do {
            try AtomicFile.replace(path, with: data)
        } catch {
            throw .fileAccess(path: error.path, reason: error.reason)
        }
    }

    /// The file's bytes; errors name `path`, the file they are meant for (`nil` if none).
    private func encoded(path: String?) throws(SafetensorsError) -> Data {
        if tensors[SafetensorsHeader.metadataKey] != nil {
            throw .invalidTensor(path: path, name: SafetensorsHeader.metadataKey, reason: "the name is reserved for the metadata")
        }
        let byteOrder: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let sortedTensors = tensors.sorted { byteOrder($0.key, $1.key) }
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { byteOrder($0.key, $1.key) }.map { "\(JSONValue.quoted($0.key)):\(JSONValue.quoted($0.value))" }
            members.append("\(JSONValue.quoted(SafetensorsHeader.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var dataLength = 0
        for (name, tensor) in sortedTensors {
            let end = dataLength + tensor.elements.count * tensor.elements.elementType.byteWidth
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append("\(JSONValue.quoted(name)):{\"dtype\":\"\(tensor.elements.elementType.rawValue)\","
                + "\"shape\":[\(shape)],\"data_offsets\":[\(dataLength),\(end)]}")
            dataLength = end
        }
        var header = Array("{\(members.joined(separator: ","))}".utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        guard header.count <= Self.maximumHeaderLength else {
            throw .invalidHeader(path: path, reason: "the header would take \(header.count) bytes, "
                + "more than the \(Self.maximumHeaderLength) a reader accepts")
        }
        var data = Data(capacity: 8 + header.count + dataLength)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, tensor) in sortedTensors {
            tensor.elements.appendLittleEndian(to: &data)
        }
        return data
    }
}
