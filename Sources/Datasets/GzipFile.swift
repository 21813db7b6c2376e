import CZlib
import Foundation

/// Reads whole files through zlib, which decompresses gzip files and passes other files through unchanged.
///
/// Foundation on Linux cannot decompress, so every dataset file is read here: the same call reads
/// `train-images-idx3-ubyte.gz` and an uncompressed `train-images-idx3-ubyte`.
public enum GzipFile {
    /// The size of each `gzread` call and of zlib's input buffer.
    private static let chunkSize = 1 << 20

    /// The complete (decompressed) contents of the file at `path`.
    ///
    /// A gzip file is decompressed, including concatenated gzip members; any other file is returned as is.
    /// - Throws: `DatasetError.missingFile` if the file cannot be opened;
    ///   `DatasetError.corrupt` if it is a damaged gzip stream (truncated, bad checksum, invalid data)
    ///   or cannot be read.
    public static func readAll(path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw DatasetError.missingFile(path: path)
        }
        gzbuffer(file, UInt32(chunkSize))
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var readFailure: String?
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                readFailure = errorMessage(file) ?? "read error"
                break
            }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<Int(count)])
        }
        if readFailure == nil, let message = errorMessage(file) {
            readFailure = message
        }
        let closeStatus = gzclose_r(file)
        if let readFailure {
            throw DatasetError.corrupt(path: path, reason: "cannot decompress: \(readFailure)")
        }
        if closeStatus == Z_BUF_ERROR {
            throw DatasetError.corrupt(path: path, reason: "cannot decompress: truncated gzip stream")
        }
        if closeStatus != Z_OK {
            throw DatasetError.corrupt(path: path, reason: "cannot close: zlib status \(closeStatus)")
        }
        return contents
    }

    /// zlib's description of the file's error state, or `nil` if there is none.
    /// `Z_BUF_ERROR` after the last read means the input ended in the middle of a gzip stream.
    private static func errorMessage(_ file: gzFile) -> String? {
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
