import Foundation

/// A CRC-32C of a file's whole contents kept in its own metadata, so that damage anywhere (a flipped bit in a weight,
/// in a number of the metadata, a truncated tensor) is found when the file is read.
///
/// The checksum is that of the bytes ``encoded()`` gives for the contents without the checksum's entry: encoding is
/// deterministic, so the reader recomputes it from what it parsed. It is stored as 8 lowercase hexadecimal digits.
extension SafetensorsFile {
    /// These contents with the metadata entry `key` set to their checksum.
    /// - Throws: the errors of ``encoded()``.
    public func checksummed(under key: String) throws(SafetensorsError) -> SafetensorsFile {
        var copy = self
        copy.metadata[key] = try checksumText(without: key)
        return copy
    }

    /// Checks that the metadata entry `key` holds the checksum of the rest of the contents, read from `path`.
    /// - Throws: `SafetensorsError.invalidHeader` naming `path` when the entry is missing or does not match.
    public func verifyChecksum(under key: String, path: String) throws(SafetensorsError) {
        guard let stored = metadata[key] else {
            throw .invalidHeader(path: path, reason: "no \(key.debugDescription) entry in the metadata to check the contents against")
        }
        let computed = try checksumText(without: key)
        guard stored == computed else {
            throw .invalidHeader(path: path, reason: "the contents do not match their checksum (\(key) \(stored), "
                + "computed \(computed)): the file is damaged")
        }
    }

    /// The checksum of the contents without the metadata entry `key`, as 8 hexadecimal digits.
    private func checksumText(without key: String) throws(SafetensorsError) -> String {
        var rest = self
        rest.metadata[key] = nil
        let digits = String(CRC32C.checksum(try rest.encoded()), radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
