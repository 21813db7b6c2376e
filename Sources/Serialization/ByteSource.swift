import Foundation

/// Bytes of known count that the reader fetches range by range, so that it reads (and allocates) only
/// what the header, once validated, says is there.
protocol ByteSource {
    /// The total number of bytes.
    var count: Int { get }
    /// The bytes in `range`, which lies within `0..<count`.
    func bytes(in range: Range<Int>) throws(SafetensorsError) -> [UInt8]
}

extension Data: ByteSource {
    func bytes(in range: Range<Int>) -> [UInt8] {
        [UInt8](self[(startIndex + range.lowerBound)..<(startIndex + range.upperBound)])
    }
}

/// A regular file open for reading; `count` is its size when it was opened.
struct ReadOnlyFile: ByteSource {
    let path: String
    let count: Int
    private let descriptor: Int32

    /// Opens the regular file at `path`, calls `body` with it and closes it.
    static func withFile<Result>(
        atPath path: String, _ body: (ReadOnlyFile) throws(SafetensorsError) -> Result
    ) throws(SafetensorsError) -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .systemCallFailed(path: path, "cannot open the file") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .systemCallFailed(path: path, "cannot read the file's size") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .fileAccess(path: path, reason: "not a regular file")
        }
        return try body(ReadOnlyFile(path: path, count: Int(status.st_size), descriptor: descriptor))
    }

    private init(path: String, count: Int, descriptor: Int32) {
        self.path = path
        self.count = count
        self.descriptor = descriptor
    }

    func bytes(in range: Range<Int>) throws(SafetensorsError) -> [UInt8] {
        var failure: SafetensorsError?
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, filled in
            while filled < range.count {
                let read = pread(descriptor, buffer.baseAddress! + filled, range.count - filled, off_t(range.lowerBound + filled))
                if read > 0 {
                    filled += read
                } else if read < 0, errno == EINTR {
                    continue
                } else {
                    failure = read < 0
                        ? SafetensorsError.systemCallFailed(path: path, "cannot read bytes \(range.lowerBound + filled)..<\(range.upperBound)")
                        : .fileAccess(path: path, reason: "the file ends at byte \(range.lowerBound + filled), "
                            + "it was \(count) bytes when opened")
                    return
                }
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
