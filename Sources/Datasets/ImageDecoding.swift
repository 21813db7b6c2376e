import CJPEG
import CPNG
import Foundation

/// JPEG and PNG files decoded through the system's libjpeg-turbo and libpng into 8-bit RGB, and resized by area
/// averaging: the reading half of `ImageFolder`.
enum ImageDecoding {
    /// A decoded image: `width * height * 3` bytes, red, green, blue interleaved, rows top to bottom.
    struct RGBImage {
        let width: Int
        let height: Int
        let pixels: [UInt8]
    }

    /// Images of more pixels than this are refused before anything is allocated for them (a hostile header can claim
    /// 2^31 x 2^31); ImageNet's largest photographs have about 10^7.
    static let maximumPixelCount = 1 << 27

    /// Decodes the JPEG or PNG file at `path`, recognised from its first bytes (not its name). Grey images are
    /// repeated into the three channels; CMYK JPEGs converted as R = (1 - C)(1 - K) (Adobe's inverted values
    /// accounted for); PNG transparency is composited onto black; 16-bit PNG is reduced to 8 bits.
    /// - Throws: `DatasetError.missingFile`; `.corrupt` naming `path` for a file that is neither JPEG nor PNG, a
    ///   truncated or damaged one (libjpeg's warnings count), or one of more than `maximumPixelCount` pixels.
    static func decode(path: String) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else { throw DatasetError.missingFile(path: path) }
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try decodeJPEG(bytes, path: path) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try decodePNG(bytes, path: path) }
        throw DatasetError.corrupt(path: path, reason: bytes.isEmpty ? "empty file, expected a JPEG or PNG image"
                                       : "not a JPEG or PNG image (its first bytes are neither format's signature)")
    }

    private static func decodeJPEG(_ bytes: [UInt8], path: String) throws -> RGBImage {
        var width: Int32 = 0, height: Int32 = 0
        var output: UnsafeMutablePointer<UInt8>?
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = bytes.withUnsafeBufferPointer { source in
            ilnas_jpeg_decode(source.baseAddress, UInt(source.count), UInt(maximumPixelCount), &width, &height, &output, &message)
        }
        guard status == 0, let output else {
            throw DatasetError.corrupt(path: path, reason: "not a readable JPEG image: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { free(output) }
        let count = Int(width) * Int(height) * 3
        return RGBImage(width: Int(width), height: Int(height), pixels: Array(UnsafeBufferPointer(start: output, count: count)))
    }

    private static func decodePNG(_ bytes: [UInt8], path: String) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = bytes.withUnsafeBufferPointer { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw DatasetError.corrupt(path: path, reason: "not a readable PNG image: \(message(of: image))") }
        let (width, height) = (Int(image.width), Int(image.height))
        guard width > 0, height > 0, width * height <= maximumPixelCount else {
            throw DatasetError.corrupt(path: path, reason: "\(width)x\(height) pixels is more than the \(maximumPixelCount) allowed")
        }
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)   // black: what transparency is composited onto
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * 3), nil) }
        guard finished != 0 else { throw DatasetError.corrupt(path: path, reason: "not a readable PNG image: \(message(of: image))") }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// libpng's message in `image`.
    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// `image` resized to `side` x `side` by area averaging, as planes (red, green, blue, each row-major) appended to
    /// `output`: each output pixel is the mean of the source rectangle it covers, source pixels cut by the rectangle's
    /// edges weighted by the part inside, rounded to the nearest byte. Shrinking by any factor averages every source
    /// pixel (no aliasing); enlarging repeats pixels, blending the two at a boundary. The aspect ratio is not kept.
    static func areaResized(_ image: RGBImage, side: Int, into output: UnsafeMutableBufferPointer<UInt8>) {
        let xWeights = coverage(source: image.width, target: side)
        let yWeights = coverage(source: image.height, target: side)
        let plane = side * side
        var row = [Double](repeating: 0, count: side * 3)
        let area = Double(image.width) * Double(image.height) / Double(side * side)
        image.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<side {
                for i in row.indices { row[i] = 0 }
                for (sourceY, weightY) in yWeights[y] {
                    let base = sourceY * image.width * 3
                    for x in 0..<side {
                        var r = 0.0, g = 0.0, b = 0.0
                        for (sourceX, weightX) in xWeights[x] {
                            let p = base + sourceX * 3
                            r += weightX * Double(pixels[p]); g += weightX * Double(pixels[p + 1]); b += weightX * Double(pixels[p + 2])
                        }
                        row[x * 3] += weightY * r; row[x * 3 + 1] += weightY * g; row[x * 3 + 2] += weightY * b
                    }
                }
                for x in 0..<side {
                    for channel in 0..<3 {
                        let value = (row[x * 3 + channel] / area).rounded()
                        output[channel * plane + y * side + x] = UInt8(max(0, min(255, value)))
                    }
                }
            }
        }
    }

    /// For each of `target` output cells along one axis of `source` pixels, the source pixels it covers and how much of
    /// each (in source pixels, so the weights of a cell add up to source / target).
    private static func coverage(source: Int, target: Int) -> [[(index: Int, weight: Double)]] {
        (0..<target).map { cell in
            // Integer bounds in units of 1/target of a source pixel, so that cells tile the axis exactly.
            let start = cell * source, end = (cell + 1) * source
            return (start / target...((end - 1) / target)).map { pixel in
                let overlap = min(end, (pixel + 1) * target) - max(start, pixel * target)
                return (pixel, Double(overlap) / Double(target))
            }
        }
    }
}
