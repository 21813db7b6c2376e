import Foundation
import TensorCore

/// ImageNet-style image folders: `train/` and `val/`, each with one folder per class holding JPEG or PNG files,
/// decoded through libjpeg-turbo and libpng, resized to `side` x `side` by area averaging and cached decoded on disk.
///
/// ```
/// DIR/train/n01440764/n01440764_10026.JPEG
/// DIR/train/n01443537/...
/// DIR/val/n01440764/ILSVRC2012_val_00000293.JPEG
/// ```
///
/// - The classes are the folder names of `train/`, sorted by their UTF-8 bytes; label `i` is the `i`-th
///   (`classNames`). `val/` may lack classes but not add any. Names starting with `.` are skipped.
/// - Every other file in a class folder must be a JPEG or PNG image (recognised from its first bytes), and a class
///   folder must not be empty: anything else is a `DatasetError` that names the path.
/// - Images are stretched to a square (the aspect ratio is not kept), grey ones repeated into three channels, and
///   pixels scaled to [0, 1] after rounding the resized values to bytes: `[N, 3, side, side]`.
/// - The decoded bytes of each part are cached in `cacheDirectory` (default `DIR/.ilnas-cache`) in a file keyed by
///   the SHA-256 of the file list with each file's size and modification time and `side` (and named after the part,
///   the side and the folder), written to a temporary file and renamed. A later load with the same files and side reads the cache instead of decoding; any change
///   (a file added, removed, rewritten or touched) gives a new key, and the old cache file of that part and side is
///   removed. A cache that cannot be written is skipped (the data is still returned); one that does not read back
///   is decoded again.
public struct ImageFolder: Sendable {
    /// The side images are resized to when no size is asked for.
    public static let defaultSide = 32
    /// The folder of the training part.
    public static let trainFolderName = "train"
    /// The folder of the test part (ImageNet's validation images).
    public static let testFolderName = "val"
    /// The cache folder made inside the dataset's folder when no other is given.
    public static let defaultCacheFolderName = ".ilnas-cache"

    /// The training and test images.
    public let train: LabeledDataset
    public let test: LabeledDataset
    /// The class folder names in label order.
    public let classNames: [String]
    /// How many image files this load decoded: 0 when both parts came from the cache.
    public let decodedImageCount: Int
    /// The cache file of each part (training, test), whether or not it could be written.
    public let cachePaths: [String]

    /// Loads `directory`'s `train/` and `val/` at `side` x `side`.
    /// - Throws: `DatasetError` naming the folder or file that is missing or not an image, or `.invalidArgument` for
    ///   a side outside 1...4096.
    public init(directory: String, side: Int = defaultSide, cacheDirectory: String? = nil) throws {
        guard (1...4096).contains(side) else {
            throw DatasetError.invalidArgument(operation: "ImageFolder", reason: "the image side must be in 1...4096, got \(side)")
        }
        guard FileManager.default.isDirectory(atPath: directory) else { throw DatasetError.missingFile(path: directory) }
        let trainListing = try Listing(folder: Self.path(directory, Self.trainFolderName), classNames: nil)
        let testListing = try Listing(folder: Self.path(directory, Self.testFolderName), classNames: trainListing.classNames)
        let cache = cacheDirectory ?? Self.path(directory, Self.defaultCacheFolderName)
        var decoded = 0
        var paths: [String] = []
        var parts: [LabeledDataset] = []
        for (name, listing) in [(Self.trainFolderName, trainListing), (Self.testFolderName, testListing)] {
            let part = try Self.load(listing, side: side, cacheDirectory: cache, partName: name)
            parts.append(part.dataset)
            decoded += part.decoded
            paths.append(part.cachePath)
        }
        (train, test) = (parts[0], parts[1])
        classNames = trainListing.classNames
        decodedImageCount = decoded
        cachePaths = paths
    }

    /// Whether `directory` looks like image folders: a `train/` or `val/` folder holding at least one folder.
    public static func isPresent(in directory: String) -> Bool {
        [trainFolderName, testFolderName].contains { part in
            let folder = path(directory, part)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return false }
            return names.contains { !$0.hasPrefix(".") && FileManager.default.isDirectory(atPath: path(folder, $0)) }
        }
    }

    /// The image files of one part, in class order then file-name order, with their labels, sizes and times.
    struct Listing {
        let folder: String
        /// The class names of the training part (for the test part, the training part's, which label it).
        let classNames: [String]
        /// Paths relative to `folder`, such as `n01440764/x.JPEG`.
        var files: [String] = []
        var labels: [Int] = []
        /// Each file's size and modification time in nanoseconds, which key the cache.
        var stamps: [(size: Int, modified: Int)] = []

        /// Lists `folder`; with `classNames` (a test part), its class folders must be among them.
        init(folder: String, classNames known: [String]?) throws {
            self.folder = folder
            guard FileManager.default.isDirectory(atPath: folder) else { throw DatasetError.missingFile(path: folder) }
            let names = try ImageFolder.visibleNames(in: folder)
            let classes = names.filter { FileManager.default.isDirectory(atPath: ImageFolder.path(folder, $0)) }
            if let stray = names.first(where: { !classes.contains($0) }) {
                throw DatasetError.corrupt(path: ImageFolder.path(folder, stray), reason: "not a class folder: \(folder) must hold one folder per class")
            }
            guard !classes.isEmpty else {
                throw DatasetError.corrupt(path: folder, reason: "holds no class folders (expected one folder per class)")
            }
            if let known, let extra = classes.first(where: { !known.contains($0) }) {
                throw DatasetError.mismatch(path: ImageFolder.path(folder, extra),
                                            reason: "class folder not in the training part (\(known.count) classes)")
            }
            classNames = known ?? classes
            for name in classes {
                let classFolder = ImageFolder.path(folder, name)
                let label = classNames.firstIndex(of: name) ?? 0
                let images = try ImageFolder.visibleNames(in: classFolder)
                guard !images.isEmpty else {
                    throw DatasetError.corrupt(path: classFolder, reason: "empty class folder: every class needs at least one image")
                }
                for image in images {
                    let path = ImageFolder.path(classFolder, image)
                    var status = stat()
                    guard stat(path, &status) == 0 else { throw DatasetError.missingFile(path: path) }
                    guard status.st_mode & S_IFMT == S_IFREG else {
                        throw DatasetError.corrupt(path: path, reason: "not an image file (class folders hold image files only)")
                    }
                    files.append(name + "/" + image)
                    labels.append(label)
                    stamps.append((Int(status.st_size), Int(status.st_mtim.tv_sec) * 1_000_000_000 + Int(status.st_mtim.tv_nsec)))
                }
            }
        }

        /// The SHA-256 of everything the decoded images depend on: the cache format, the resizing, `side`, the class
        /// names and each file's relative path, label, size and modification time.
        func key(side: Int) -> String {
            var hash = SHA256()
            hash.update(Array("ilnas image cache 1, area resize, side \(side)\n".utf8))
            hash.update(Array((classNames.joined(separator: "\n") + "\n\n").utf8))
            for (index, file) in files.enumerated() {
                hash.update(Array("\(file)\u{0}\(labels[index])\u{0}\(stamps[index].size)\u{0}\(stamps[index].modified)\n".utf8))
            }
            return hash.hexDigest()
        }
    }

    /// The names in `folder` not starting with `.`, sorted by their UTF-8 bytes (the same order on every system).
    static func visibleNames(in folder: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw DatasetError.missingFile(path: folder)
        }
        return names.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func path(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent(name)
    }

    /// Cache file layout: magic, the key's 32 bytes, image count and side (UInt32, little-endian), one UInt16 label per
    /// image, then the images' bytes, each `3 x side x side` planes.
    private static let cacheMagic = Array("ILNASIC1".utf8)

    /// One part from its cache file when that holds this key, otherwise decoded (and the cache written).
    private static func load(_ listing: Listing, side: Int, cacheDirectory: String, partName: String)
        throws -> (dataset: LabeledDataset, decoded: Int, cachePath: String) {
        let key = listing.key(side: side)
        // The folder's own name part, so that datasets sharing a cache folder do not remove each other's files.
        let folderKey = SHA256.hexDigest(of: Array(URL(fileURLWithPath: listing.folder).standardizedFileURL.path.utf8)).prefix(8)
        let prefix = "\(partName)-\(side)px-\(folderKey)-"
        let cachePath = path(cacheDirectory, prefix + String(key.prefix(24)) + ".bin")
        let imageSize = 3 * side * side
        let classCount = listing.classNames.count
        if let cached = readCache(cachePath, key: key, count: listing.files.count, imageSize: imageSize, labels: listing.labels) {
            let images = cached.data.withUnsafeBytes { raw in
                dataset(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[cached.offset...]), labels: listing.labels,
                        side: side, classCount: classCount)
            }
            return (try images.get(), 0, cachePath)
        }
        let pixels = try decodeAll(listing, side: side)
        writeCache(pixels, to: cachePath, key: key, side: side, labels: listing.labels, removingOthersWithPrefix: prefix)
        let images = pixels.withUnsafeBufferPointer { dataset($0, labels: listing.labels, side: side, classCount: classCount) }
        return (try images.get(), listing.files.count, cachePath)
    }

    /// Decodes and resizes every file of `listing` in parallel. The error of the first bad file in list order is
    /// thrown, so the same folder always gives the same message.
    private static func decodeAll(_ listing: Listing, side: Int) throws -> [UInt8] {
        let imageSize = 3 * side * side
        let count = listing.files.count
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        let chunks = min(count, max(1, ComputeThreads.count * 4))
        var failures = [(index: Int, error: Error)?](repeating: nil, count: chunks)
        pixels.withUnsafeMutableBufferPointer { output in
            failures.withUnsafeMutableBufferPointer { failures in
                ComputeThreads.forEachChunk(chunks) { chunk in
                    for index in ComputeThreads.range(ofChunk: chunk, of: chunks, total: count) {
                        do {
                            let image = try ImageDecoding.decode(path: path(listing.folder, listing.files[index]))
                            let start = index * imageSize
                            ImageDecoding.areaResized(image, side: side,
                                                      into: UnsafeMutableBufferPointer(rebasing: output[start..<(start + imageSize)]))
                        } catch {
                            failures[chunk] = (index, error)
                            return
                        }
                    }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).min(by: { $0.index < $1.index }) { throw failure.error }
        return pixels
    }

    /// The cache file at `path` and where its images' bytes start, if it is whole and holds `key`, `count` images of
    /// `imageSize` bytes and `labels`; read once, without copies.
    private static func readCache(_ path: String, key: String, count: Int, imageSize: Int, labels: [Int]) -> (data: Data, offset: Int)? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return nil }
        let header = cacheMagic.count + 32 + 8
        let labelBytes = 2 * count
        guard data.count == header + labelBytes + count * imageSize else { return nil }
        let valid = data.withUnsafeBytes { raw -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard Array(bytes[0..<cacheMagic.count]) == cacheMagic,
                  hex(bytes[cacheMagic.count..<(cacheMagic.count + 32)]) == key,
                  readUInt32(bytes, at: cacheMagic.count + 32) == count,
                  readUInt32(bytes, at: cacheMagic.count + 36) * readUInt32(bytes, at: cacheMagic.count + 36) * 3 == imageSize
            else { return false }
            return labels.indices.allSatisfy { Int(bytes[header + 2 * $0]) | Int(bytes[header + 2 * $0 + 1]) << 8 == labels[$0] }
        }
        return valid ? (data, header + labelBytes) : nil
    }

    /// Writes the cache file (temporary file, then rename) and removes other cache files of the same part and side.
    /// Failures are ignored: the cache only saves time.
    private static func writeCache(_ pixels: [UInt8], to cachePath: String, key: String, side: Int, labels: [Int],
                                   removingOthersWithPrefix prefix: String) {
        let folder = (cachePath as NSString).deletingLastPathComponent
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil else { return }
        var bytes = cacheMagic
        bytes += stride(from: 0, to: key.count, by: 2).map { offset -> UInt8 in
            let start = key.index(key.startIndex, offsetBy: offset)
            return UInt8(key[start..<key.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        for value in [labels.count, side] { bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        for label in labels { bytes += [UInt8(truncatingIfNeeded: label), UInt8(truncatingIfNeeded: label >> 8)] }
        bytes += pixels
        guard (try? Data(bytes).write(to: URL(fileURLWithPath: cachePath), options: .atomic)) != nil else { return }
        let name = (cachePath as NSString).lastPathComponent
        for other in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where other.hasPrefix(prefix) && other.hasSuffix(".bin") && other != name {
            try? FileManager.default.removeItem(atPath: path(folder, other))
        }
    }

    /// The dataset of `pixels` (bytes of `[N, 3, side, side]`) scaled to [0, 1].
    private static func dataset(_ pixels: UnsafeBufferPointer<UInt8>, labels: [Int], side: Int, classCount: Int) -> Result<LabeledDataset, Error> {
        let scalars = PixelBytes.scaled(pixels, count: pixels.count) { $0 }
        return Result { try LabeledDataset(images: Tensor(shape: [labels.count, 3, side, side], scalars: scalars), labels: labels, classCount: classCount) }
    }

    private static func readUInt32(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }

    private static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
