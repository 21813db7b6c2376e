import TensorCore

/// Random translation: pads each image with `padding` zero pixels on every side and crops a window
/// of the original size at a random position (the usual "pad 4, crop 32" of CIFAR training).
///
/// For each image (in batch order) the crop's top-left corner in the padded image is drawn as
/// `top = generator.nextIndex(below: 2 * padding + 1)`, then `left` the same way; so
/// `output[y][x] = input[y + top - padding][x + left - padding]`, or 0 outside the input.
/// All channels of an image move together. Apply it before normalisation so the padding is black.
public struct RandomCrop: ImageTransform {
    /// The number of zero pixels added on each side; the largest shift in each direction.
    public let padding: Int

    /// Creates the transform.
    /// - Throws: `DatasetError.invalidArgument` if `padding` is negative.
    public init(padding: Int) throws {
        guard padding >= 0 else {
            throw DatasetError.invalidArgument(operation: "RandomCrop", reason: "padding must not be negative, got \(padding)")
        }
        self.padding = padding
    }

    /// Accepts any `[C, H, W]` image shape.
    public func validate(sampleShape: [Int]) throws {
        guard sampleShape.count == 3 else {
            throw DatasetError.invalidArgument(operation: "RandomCrop", reason: "images must have shape [C, H, W], got \(sampleShape)")
        }
    }

    /// Shifts each image of `batch` in place by its randomly drawn offsets, filling with zeros.
    public func apply(to batch: inout Tensor, using generator: inout RandomGenerator) {
        precondition(batch.rank == 4, "RandomCrop needs a batch [B, C, H, W], got \(batch.shape)")
        let (count, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let planeSize = height * width
        var plane = [Float](repeating: 0, count: planeSize)
        batch.withUnsafeMutableBufferPointer { data in
            for image in 0..<count {
                let shiftY = generator.nextIndex(below: 2 * padding + 1) - padding
                let shiftX = generator.nextIndex(below: 2 * padding + 1) - padding
                if shiftY == 0 && shiftX == 0 { continue }
                for channel in 0..<channels {
                    let base = (image * channels + channel) * planeSize
                    for i in 0..<planeSize { plane[i] = data[base + i] }
                    Self.shift(plane, into: data, at: base, height: height, width: width, by: (shiftY, shiftX))
                }
            }
        }
    }

    /// Writes `plane` (height x width) moved so that `output[y][x] = plane[y + dy][x + dx]` into `data` at `base`,
    /// with zeros where the source lies outside the plane.
    private static func shift(_ plane: [Float], into data: UnsafeMutableBufferPointer<Float>, at base: Int,
                              height: Int, width: Int, by shift: (dy: Int, dx: Int)) {
        let firstX = max(0, -shift.dx), endX = min(width, width - shift.dx)
        for y in 0..<height {
            let row = base + y * width
            let sourceY = y + shift.dy
            guard sourceY >= 0, sourceY < height, firstX < endX else {
                for x in 0..<width { data[row + x] = 0 }
                continue
            }
            for x in 0..<firstX { data[row + x] = 0 }
            for x in firstX..<endX { data[row + x] = plane[sourceY * width + x + shift.dx] }
            for x in endX..<width { data[row + x] = 0 }
        }
    }
}
