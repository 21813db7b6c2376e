import Foundation

/// The scratch files of this process, removed when it exits.
nonisolated(unsafe) private var scratchFiles: [String] = []

/// What the fuzz targets share: a scratch file for readers that take a path, and the seed corpus each target writes.
public enum FuzzInput {
    /// A scratch file of this process (in `/dev/shm` when there is one), for `name`; rewritten at every input and
    /// removed when the fuzzer exits normally.
    public static func scratchPath(_ name: String) -> String {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = (folder as NSString).appendingPathComponent("ilnas-fuzz-\(getpid())-\(name)")
        if scratchFiles.isEmpty {
            atexit { for file in scratchFiles { unlink(file) } }
        }
        scratchFiles.append(path)
        return path
    }

    /// Writes `bytes` to the scratch file `path`; a failure stops the fuzzer, since every later input would be misread.
    public static func write(_ bytes: some DataProtocol, to path: String) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            fatalError("cannot write \(path): \(error)")
        }
    }

    /// The bytes libFuzzer passes, copied.
    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// Writes `seeds` (file name to contents) into the folder named by the environment variable `FUZZ_SEED_CORPUS`,
    /// when it is set: `Scripts/fuzz.sh` sets it for a first run that fills an empty corpus.
    public static func writeSeeds(_ seeds: @autoclosure () throws -> [String: [UInt8]]) {
        guard let folder = ProcessInfo.processInfo.environment["FUZZ_SEED_CORPUS"] else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, contents) in try seeds() {
                try Data(contents).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
            }
        } catch {
            fatalError("cannot write the seed corpus in \(folder): \(error)")
        }
    }
}
