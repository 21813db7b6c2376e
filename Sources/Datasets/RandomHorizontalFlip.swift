import TensorCore

/// Mirrors images left to right (each pixel row reversed, in every channel) with a given probability.
///
/// For each image (in batch order) one number is drawn: the image is flipped if
/// `generator.nextUnitFloat() < probability`.
public struct RandomHorizontalFlip: ImageTransform {
    /// The probability that an image is flipped.
    public let probability: Float

    /// Creates the transform.
    /// - Throws: `DatasetError.invalidArgument` if `probability` is not in [0, 1].
    public init(probability: Float = 0.5) throws {
        guard probability >= 0, probability <= 1 else {
            throw DatasetError.invalidArgument(
                operation: "RandomHorizontalFlip", reason: "probability must be in [0, 1], got \(probability)")
        }
        self.probability = probability
    }

    /// Accepts any `[C, H, W]` image shape.
    public func validate(sampleShape: [Int]) throws {
        guard sampleShape.count == 3 else {
            throw DatasetError.invalidArgument(
                operation: "RandomHorizontalFlip", reason: "images must have shape [C, H, W], got \(sampleShape)")
        }
    }

    /// Mirrors each image of `batch` in place with probability `probability`.
    public func apply(to batch: inout Tensor, using generator: inout RandomGenerator) {
        precondition(batch.rank == 4, "RandomHorizontalFlip needs a batch [B, C, H, W], got \(batch.shape)")
        let count = batch.shape[0], width = batch.shape[3]
        let rowsPerImage = batch.shape[1] * batch.shape[2]
        batch.withUnsafeMutableBufferPointer { data in
            for image in 0..<count where generator.nextUnitFloat() < probability {
                for row in 0..<rowsPerImage {
                    let start = (image * rowsPerImage + row) * width
                    data[start..<(start + width)].reverse()
                }
            }
        }
    }
}
