import CZlib
import Foundation

/// A file read through zlib, which decompresses gzip files and passes other files through unchanged.
///
/// Foundation on Linux cannot decompress, so every dataset file is read here: the same calls read
/// `train-images-idx3-ubyte.gz` and an uncompressed `train-images-idx3-ubyte`. Reading is sequential and
/// bounded by the caller, so a reader that knows how many bytes it needs (the IDX header says so) never inflates
/// more than that, whatever the file would decompress to.
public final class GzipFile {
    /// The size of each `gzread` call, and of zlib's input buffer for files at least that large.
    static let chunkSize = 1 << 20
    /// The most bytes deflate can expand one byte of compressed data to (zlib's technical notes: 1032:1).
    static let maximumExpansion = 1032

    /// The file, for error messages.
    let path: String
    /// Whether the file holds gzip data, decompressed while reading, rather than plain bytes.
    let isCompressed: Bool
    /// The file's size on disk (compressed if `isCompressed`).
    let storedSize: Int
    private let file: gzFile
    private var isClosed = false

    /// Opens the file at `path` for reading.
    /// - Throws: `DatasetError.missingFile` if the file cannot be opened.
    init(path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0, let file = gzopen(path, "rb") else {
            throw DatasetError.missingFile(path: path)
        }
        storedSize = Int(status.st_size)
        gzbuffer(file, UInt32(min(Self.chunkSize, max(storedSize, 1 << 13))))   // a small file needs no 1 MB buffer
        self.path = path
        self.file = file
        isCompressed = gzdirect(file) == 0
    }

    deinit {
        if !isClosed { gzclose_r(file) }
    }

    /// The most bytes the file can hold once decompressed: its size, times deflate's largest expansion if it is
    /// compressed.
    var maximumContentSize: Int {
        guard isCompressed else { return storedSize }
        let (product, overflow) = storedSize.multipliedReportingOverflow(by: Self.maximumExpansion)
        return overflow ? .max : product
    }

    /// Reads up to `count` more bytes of the (decompressed) contents and appends them to `bytes`, a chunk at a
    /// time, so that memory grows with what the file holds, not with `count`.
    /// - Returns: the number of bytes appended, fewer than `count` only at the end of the contents.
    /// - Throws: `DatasetError.corrupt` if the gzip stream is damaged or truncated, or the file cannot be read.
    @discardableResult
    func read(_ count: Int, appendingTo bytes: inout [UInt8]) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: min(count, Self.chunkSize))
        var total = 0
        while total < count {
            let wanted = min(count - total, chunk.count)
            let got = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(wanted)) }
            if got < 0 { throw corrupt(errorMessage() ?? "read error") }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(got)])
            total += Int(got)
        }
        if total < count, let message = errorMessage() { throw corrupt(message) }
        return total
    }

    /// Closes the file; the contents read so far are complete.
    /// - Throws: `DatasetError.corrupt` if the gzip stream ended in the middle or zlib reports another failure.
    func close() throws {
        isClosed = true
        let status = gzclose_r(file)
        if status == Z_BUF_ERROR { throw corrupt("truncated gzip stream") }
        if status != Z_OK {
            throw DatasetError.corrupt(path: path, reason: "cannot close: zlib status \(status)")
        }
    }

    /// The complete (decompressed) contents of the file at `path`.
    ///
    /// A gzip file is decompressed, including concatenated gzip members; any other file is returned as is.
    /// - Throws: `DatasetError.missingFile` if the file cannot be opened;
    ///   `DatasetError.corrupt` if it is a damaged gzip stream (truncated, bad checksum, invalid data)
    ///   or cannot be read.
    public static func readAll(path: String) throws -> [UInt8] {
        let file = try GzipFile(path: path)
        var contents: [UInt8] = []
        while try file.read(chunkSize, appendingTo: &contents) == chunkSize {}
        try file.close()
        return contents
    }

    private func corrupt(_ failure: String) -> DatasetError {
        .corrupt(path: path, reason: "cannot decompress: \(failure)")
    }

    /// zlib's description of the file's error state, or `nil` if there is none.
    /// `Z_BUF_ERROR` after the last read means the input ended in the middle of a gzip stream.
    private func errorMessage() -> String? {
        var status: Int32 = Z_OK
        let text = gzerror(file, &status)
        switch status {
        case Z_OK, Z_STREAM_END: return nil
        case Z_BUF_ERROR: return "truncated gzip stream (unexpected end of file)"
        case Z_ERRNO: return "read error (\(String(cString: strerror(errno))))"
        default:
            let detail = text.map { String(cString: $0) } ?? ""
            return detail.isEmpty ? "zlib status \(status)" : detail
        }
    }
}
