/// IDX encodings (the MNIST file format) for hand-made fixtures.
public enum IDX {
    /// The IDX header for unsigned bytes with the given dimensions.
    public static func header(_ dimensions: [Int], magic: UInt32? = nil) -> [UInt8] {
        bigEndian(magic ?? (0x0800 | UInt32(dimensions.count))) + dimensions.flatMap { bigEndian(UInt32($0)) }
    }

    /// A complete IDX images file: header `[count, height, width]` and the pixel bytes.
    public static func images(_ pixels: [UInt8], count: Int, height: Int, width: Int) -> [UInt8] {
        header([count, height, width]) + pixels
    }

    /// A complete IDX labels file.
    public static func labels(_ labels: [UInt8]) -> [UInt8] {
        header([labels.count]) + labels
    }

    /// `value` as four big-endian bytes.
    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
