import CJPEG
import CPNG
import Datasets
import Foundation
import XCTest

/// Image files encoded by the test itself through libpng and libjpeg (no binary fixtures in the repository).
enum ImageFiles {
    /// An image of `width` x `height` pixels whose channel `c` at (`x`, `y`) is `value(x, y, c)`, interleaved RGB.
    static func rgb(width: Int, height: Int, _ value: (Int, Int, Int) -> UInt8) -> [UInt8] {
        (0..<height).flatMap { y in (0..<width).flatMap { x in (0..<3).map { value(x, y, $0) } } }
    }

    /// `pixels` (RGB, or grey with `grey`) as a PNG file.
    static func png(_ pixels: [UInt8], width: Int, height: Int, grey: Bool = false) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = grey ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        let stride = Int32(width * (grey ? 1 : 3))
        var size = 0
        XCTAssertNotEqual(png_image_write_to_memory(&image, nil, &size, 0, pixels, stride, nil), 0)
        var bytes = [UInt8](repeating: 0, count: size)
        XCTAssertNotEqual(png_image_write_to_memory(&image, &bytes, &size, 0, pixels, stride, nil), 0)
        return Array(bytes.prefix(size))
    }

    /// `pixels` (RGB, or CMYK with `components` 4) as a JPEG file of `quality`.
    static func jpeg(_ pixels: [UInt8], width: Int, height: Int, components: Int32 = 3, quality: Int32 = 95) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        XCTAssertEqual(ilnas_jpeg_encode(pixels, Int32(width), Int32(height), components, quality, &output, &size, &message), 0,
                       String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let result = Array(UnsafeBufferPointer(start: try XCTUnwrap(output), count: Int(size)))
        free(output)
        return result
    }
}

final class ImageFolderTests: XCTestCase {
    /// Distinct colours for PNG pixels: channel c of (x, y) in image k.
    private static func colour(_ k: Int) -> (Int, Int, Int) -> UInt8 {
        { x, y, c in UInt8((x * 31 + y * 17 + c * 85 + k * 40) % 256) }
    }

    /// `train/` with classes `zebra` (two PNGs) and `ant` (one PNG), `val/` with one `zebra` PNG, all 4 x 4 pixels.
    private func writeFolders(_ fixtures: Fixtures) throws {
        let train = try fixtures.folder("train"), val = try fixtures.folder("val")
        let png = { (k: Int) in try ImageFiles.png(ImageFiles.rgb(width: 4, height: 4, Self.colour(k)), width: 4, height: 4) }
        try train.folder("zebra").writeRaw("b.png", png(1))
        try train.folder("zebra").writeRaw("a.png", png(0))
        try train.folder("ant").writeRaw("x.png", png(2))
        try val.folder("zebra").writeRaw("v.png", png(3))
    }

    /// The planes of an RGB image as [0, 1] values, the layout a dataset holds.
    private func planes(_ pixels: [UInt8], side: Int) -> [Float] {
        (0..<3).flatMap { c in (0..<(side * side)).map { Float(pixels[$0 * 3 + c]) / 255 } }
    }

    private func image(_ dataset: LabeledDataset, _ index: Int) -> [Float] {
        let size = dataset.sampleSize
        return Array(dataset.images.scalars[(index * size)..<((index + 1) * size)])
    }

    func testPNGPixelsAreExactAndClassesSorted() throws {
        let fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        let folders = try ImageFolder(directory: fixtures.directory, side: 4)
        XCTAssertEqual(folders.classNames, ["ant", "zebra"])
        XCTAssertEqual(folders.train.labels, [0, 1, 1])
        XCTAssertEqual(folders.train.images.shape, [3, 3, 4, 4])
        XCTAssertEqual(folders.test.labels, [1])
        XCTAssertEqual(folders.test.classCount, 2)
        // ant/x.png, then zebra/a.png, zebra/b.png: file names sorted within a class.
        for (index, k) in [2, 0, 1].enumerated() {
            XCTAssertEqual(image(folders.train, index), planes(ImageFiles.rgb(width: 4, height: 4, Self.colour(k)), side: 4))
        }
        XCTAssertEqual(image(folders.test, 0), planes(ImageFiles.rgb(width: 4, height: 4, Self.colour(3)), side: 4))
    }

    func testGreyPNGIsRepeatedIntoThreeChannels() throws {
        let fixtures = try Fixtures(self)
        let grey: [UInt8] = (0..<9).map { UInt8($0 * 30) }
        for part in ["train", "val"] {
            try fixtures.folder(part).folder("only").writeRaw("g.png", try ImageFiles.png(grey, width: 3, height: 3, grey: true))
        }
        let folders = try ImageFolder(directory: fixtures.directory, side: 3)
        let expected = grey.map { Float($0) / 255 }
        XCTAssertEqual(image(folders.train, 0), expected + expected + expected)
    }

    func testJPEGPixelsAreWithinTolerance() throws {
        let fixtures = try Fixtures(self)
        let side = 16
        let pixels = ImageFiles.rgb(width: side, height: side) { x, y, c in UInt8(40 + x * 8 + c * 20 + y * 2) }
        for part in ["train", "val"] {
            try fixtures.folder(part).folder("gradient").writeRaw("g.jpg", try ImageFiles.jpeg(pixels, width: side, height: side))
        }
        let decoded = image(try ImageFolder(directory: fixtures.directory, side: side).train, 0)
        let expected = planes(pixels, side: side)
        let differences = zip(decoded, expected).map { abs($0 - $1) * 255 }
        XCTAssertLessThanOrEqual(differences.max() ?? 0, 12, "largest difference in byte units")
        XCTAssertLessThanOrEqual(differences.reduce(0, +) / Float(differences.count), 3, "mean difference in byte units")
    }

    /// Extraneous bytes before a marker (libjpeg warns "Corrupt JPEG data: 4 extraneous bytes before marker 0xd9", and
    /// such files are common in photograph collections) leave the image intact: it decodes as the clean file does.
    func testExtraneousBytesBeforeAMarkerAreNoError() throws {
        let fixtures = try Fixtures(self)
        let side = 16
        let pixels = ImageFiles.rgb(width: side, height: side) { x, y, c in UInt8(30 + x * 9 + c * 15 + y * 3) }
        let clean = try ImageFiles.jpeg(pixels, width: side, height: side)
        XCTAssertEqual(Array(clean.suffix(2)), [0xFF, 0xD9], "a JPEG ends with its EOI marker")
        let padded = Array(clean.dropLast(2)) + [0x00, 0x11, 0x22, 0x33] + [0xFF, 0xD9]
        for part in ["train", "val"] {
            try fixtures.folder(part).folder("clean").writeRaw("a.jpg", clean)
            try fixtures.folder(part).folder("padded").writeRaw("b.jpg", padded)
        }
        let folders = try ImageFolder(directory: fixtures.directory, side: side)
        XCTAssertEqual(folders.train.count, 2)
        XCTAssertEqual(image(folders.train, 0), image(folders.train, 1))
    }

    /// A CMYK JPEG (as Photoshop writes them, with Adobe's marker and inverted values) becomes RGB: R = C K / 255.
    func testCMYKJPEGIsConvertedToRGB() throws {
        let fixtures = try Fixtures(self)
        // Stored (inverted) C, M, Y, K: no cyan ink, half magenta, full yellow, no black: orange.
        let cmyk = [UInt8]((0..<64).flatMap { _ in [255, 128, 0, 255] as [UInt8] })
        for part in ["train", "val"] {
            try fixtures.folder(part).folder("ink").writeRaw("c.jpg", try ImageFiles.jpeg(cmyk, width: 8, height: 8, components: 4))
        }
        let decoded = image(try ImageFolder(directory: fixtures.directory, side: 8).train, 0)
        for (channel, expected) in [255, 128, 0].enumerated() {
            let plane = decoded[(channel * 64)..<((channel + 1) * 64)].map { $0 * 255 }
            XCTAssertLessThanOrEqual(plane.map { abs($0 - Float(expected)) }.max() ?? 0, 4, "channel \(channel): \(plane.prefix(4))")
        }
    }

    /// Area averaging: halving averages 2 x 2 blocks; 3 -> 2 weighs the middle pixel's halves (rounded to bytes).
    func testAreaResize() throws {
        let fixtures = try Fixtures(self)
        let grey4: [UInt8] = [0, 4, 100, 100,
                              8, 12, 100, 100,
                              200, 200, 50, 51,
                              200, 200, 53, 54]
        let grey3: [UInt8] = [0, 90, 180,
                              0, 90, 180,
                              0, 90, 180]
        try fixtures.folder("train").folder("a").writeRaw("4.png", try ImageFiles.png(grey4, width: 4, height: 4, grey: true))
        try fixtures.folder("train").folder("b").writeRaw("3.png", try ImageFiles.png(grey3, width: 3, height: 3, grey: true))
        try fixtures.folder("val").folder("a").writeRaw("4.png", try ImageFiles.png(grey4, width: 4, height: 4, grey: true))
        let train = try ImageFolder(directory: fixtures.directory, side: 2).train
        XCTAssertEqual(train.images.shape, [2, 3, 2, 2])
        XCTAssertEqual(Array(image(train, 0).prefix(4)).map { $0 * 255 }, [6, 100, 200, 52])   // 52.0: mean of 50, 51, 53, 54
        // 3 -> 2: the left cell covers column 0 and half of column 1: (0 * 1 + 90 * 0.5) / 1.5 = 30; the right, 150.
        XCTAssertEqual(Array(image(train, 1).prefix(4)).map { ($0 * 255).rounded() }, [30, 150, 30, 150])
    }

    func testTheCacheIsUsedOnTheSecondLoadAndRenewedWhenAFileChanges() throws {
        let fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        let first = try ImageFolder(directory: fixtures.directory, side: 4)
        XCTAssertEqual(first.decodedImageCount, 4)
        XCTAssertTrue(first.cachePaths.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "\(first.cachePaths)")
        XCTAssertTrue(first.cachePaths.allSatisfy { $0.hasPrefix(fixtures.path(".ilnas-cache")) })
        let modified = try first.cachePaths.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }

        let second = try ImageFolder(directory: fixtures.directory, side: 4)
        XCTAssertEqual(second.decodedImageCount, 0, "read from the cache")
        XCTAssertEqual(second.train, first.train)
        XCTAssertEqual(second.test, first.test)
        XCTAssertEqual(try second.cachePaths.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }, modified)
        XCTAssertEqual(DatasetFormat.imageFolders.name, "image folders")
        XCTAssertEqual(try DatasetFormat.detect(directory: fixtures.directory), .imageFolders, "the cache folder is not a class")

        // Another size is another cache; a rewritten file makes the training part decode again and replaces its cache.
        XCTAssertEqual(try ImageFolder(directory: fixtures.directory, side: 2).decodedImageCount, 4)
        try fixtures.writeRaw("train/ant/x.png", try ImageFiles.png(ImageFiles.rgb(width: 4, height: 4, Self.colour(9)), width: 4, height: 4))
        let third = try ImageFolder(directory: fixtures.directory, side: 4)
        XCTAssertEqual(third.decodedImageCount, 3, "the training part only")
        XCTAssertEqual(image(third.train, 0), planes(ImageFiles.rgb(width: 4, height: 4, Self.colour(9)), side: 4))
        XCTAssertNotEqual(third.cachePaths[0], first.cachePaths[0])
        XCTAssertFalse(FileManager.default.fileExists(atPath: first.cachePaths[0]), "the stale cache file is removed")

        // A damaged cache file is decoded again, not an error; a cache folder of one's own is used instead.
        try fixtures.writeRaw(".ilnas-cache/" + (third.cachePaths[1] as NSString).lastPathComponent, [1, 2, 3])
        XCTAssertEqual(try ImageFolder(directory: fixtures.directory, side: 4).decodedImageCount, 1)
        let elsewhere = try Fixtures(self)
        let own = try ImageFolder(directory: fixtures.directory, side: 4, cacheDirectory: elsewhere.path("cache"))
        XCTAssertEqual(own.decodedImageCount, 4)
        XCTAssertTrue(own.cachePaths.allSatisfy { $0.hasPrefix(elsewhere.path("cache")) && FileManager.default.fileExists(atPath: $0) })
        XCTAssertEqual(own.train, third.train)
    }

    func testHostileFilesAreErrorsNamingThePath() throws {
        let jpeg = try ImageFiles.jpeg(ImageFiles.rgb(width: 16, height: 16, Self.colour(0)), width: 16, height: 16)
        let png = try ImageFiles.png(ImageFiles.rgb(width: 4, height: 4, Self.colour(0)), width: 4, height: 4)
        let cases: [(name: String, bytes: [UInt8], says: String)] = [
            ("cut.jpg", Array(jpeg.prefix(jpeg.count / 2)), "not a readable JPEG image"),
            ("cut.png", Array(png.prefix(png.count - 20)), "not a readable PNG image"),
            ("header.jpg", Array(jpeg.prefix(4)), "not a readable JPEG image"),
            ("notes.txt", Array("not an image\n".utf8), "not a JPEG or PNG image"),
            ("empty.png", [], "empty file"),
        ]
        for (name, bytes, says) in cases {
            let fixtures = try Fixtures(self)
            try writeFolders(fixtures)
            let path = try fixtures.folder("train/ant").writeRaw(name, bytes)
            assertThrows(try ImageFolder(directory: fixtures.directory, side: 4), naming: path, mentioning: says)
        }
    }

    func testBadLayoutsAreErrorsNamingThePath() throws {
        var fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        let empty = try fixtures.folder("val/ant").directory
        assertThrows(try ImageFolder(directory: fixtures.directory, side: 4), naming: empty, mentioning: "empty class folder")

        fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        try fixtures.folder("val/unicorn").writeRaw("u.png", try ImageFiles.png([0, 0, 0], width: 1, height: 1))
        assertThrows(try ImageFolder(directory: fixtures.directory, side: 4), naming: fixtures.path("val/unicorn"),
                     mentioning: "not in the training part")

        fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        try FileManager.default.removeItem(atPath: fixtures.path("val"))
        XCTAssertEqual(try DatasetFormat.detect(directory: fixtures.directory), .imageFolders)
        assertThrows(try DatasetFormat.imageFolders.load(directory: fixtures.directory), naming: fixtures.path("val"), mentioning: "not found")

        fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        let stray = try fixtures.writeRaw("train/labels.txt", Array("ant\n".utf8))
        assertThrows(try ImageFolder(directory: fixtures.directory, side: 4), naming: stray, mentioning: "not a class folder")
        XCTAssertThrowsError(try ImageFolder(directory: fixtures.directory, side: 0))
    }

    func testFormatLoadUsesTheImageSide() throws {
        let fixtures = try Fixtures(self)
        try writeFolders(fixtures)
        let (train, test) = try DatasetFormat.imageFolders.load(directory: fixtures.directory, imageSide: 2)
        XCTAssertEqual(train.sampleShape, [3, 2, 2])
        XCTAssertEqual(test.sampleShape, [3, 2, 2])
        XCTAssertEqual(try DatasetFormat.imageFolders.load(directory: fixtures.directory).train.sampleShape,
                       [3, ImageFolder.defaultSide, ImageFolder.defaultSide])
    }
}
