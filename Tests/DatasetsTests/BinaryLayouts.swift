/// The CIFAR and STL-10 binary layouts, encoded straight from their descriptions, for hand-made fixtures.
enum BinaryLayout {
    /// The pixel (channel, row, column) of hand-made image `image`: differs between channels and images and
    /// is not symmetric in row and column, so a misplaced or transposed byte changes it.
    static func pattern(image: Int, channel: Int, row: Int, column: Int) -> UInt8 {
        UInt8((image * 11 + channel * 100 + row * 7 + column * 3) % 256)
    }

    /// One CIFAR record: `labels`, then the red, green and blue 32 x 32 planes, each row by row, holding `pattern` of `image`.
    static func cifarRecord(labels: [UInt8], image: Int) -> [UInt8] {
        labels + (0..<3).flatMap { channel in
            (0..<32).flatMap { row in (0..<32).map { column in pattern(image: image, channel: channel, row: row, column: column) } }
        }
    }

    /// An STL-10 images file of `count` 96 x 96 images: the byte of row `r`, column `c` of channel `ch` of image `i`
    /// sits at `i*27648 + ch*9216 + c*96 + r` and holds `pixel(i, ch, r, c)`.
    static func stlImages(count: Int, pixel: (Int, Int, Int, Int) -> UInt8) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count * 27648)
        for i in 0..<count {
            for ch in 0..<3 {
                for r in 0..<96 {
                    for c in 0..<96 { bytes[i * 27648 + ch * 9216 + c * 96 + r] = pixel(i, ch, r, c) }
                }
            }
        }
        return bytes
    }
}

extension Fixtures {
    /// Writes a CIFAR-10 folder: `data_batch_k.bin` holds one record, label k and image k (k in 1...5);
    /// `test_batch.bin` holds two, labels 0 and 9, images 0 and 9.
    func writeCIFAR10() throws {
        for batch in 1...5 {
            try writeRaw("data_batch_\(batch).bin", BinaryLayout.cifarRecord(labels: [UInt8(batch)], image: batch))
        }
        try writeRaw("test_batch.bin", [0, 9].flatMap { BinaryLayout.cifarRecord(labels: [UInt8($0)], image: $0) })
    }

    /// Writes a CIFAR-100 folder: `train.bin` holds records with (coarse, fine) labels (3, 42) and (19, 99),
    /// `test.bin` one with (0, 7); record k of a file holds image k.
    func writeCIFAR100() throws {
        try writeRaw("train.bin", BinaryLayout.cifarRecord(labels: [3, 42], image: 0) + BinaryLayout.cifarRecord(labels: [19, 99], image: 1))
        try writeRaw("test.bin", BinaryLayout.cifarRecord(labels: [0, 7], image: 0))
    }

    /// Writes an STL-10 folder: two training images labelled 1 and 10, one test image labelled 5; in each,
    /// channel 0 holds the row number, channel 1 the column number and channel 2 the image number.
    func writeSTL10() throws {
        let images = { (count: Int) in
            BinaryLayout.stlImages(count: count) { image, channel, row, column in UInt8([row, column, image][channel]) }
        }
        try writeRaw("train_X.bin", images(2))
        try writeRaw("train_y.bin", [1, 10])
        try writeRaw("test_X.bin", images(1))
        try writeRaw("test_y.bin", [5])
    }
}
