import TensorCore

/// A change to a batch of images of shape `[B, C, H, W]` (normalisation or random augmentation).
///
/// Transforms are deterministic given the generator: the same batch and generator state always give
/// the same result. Random transforms draw their numbers image by image, in batch order.
public protocol ImageTransform: Sendable {
    /// Checks that the transform can handle images of shape `[C, H, W]`.
    /// - Throws: `DatasetError.invalidArgument` if it cannot.
    func validate(sampleShape: [Int]) throws

    /// Transforms every image of `batch` in place.
    /// - Precondition: `batch` has rank 4 and `validate(sampleShape:)` accepts `Array(batch.shape.dropFirst())`.
    ///   `DataLoader` validates when it is created; use `applied(to:using:)` to validate each call.
    func apply(to batch: inout Tensor, using generator: inout RandomGenerator)
}

extension ImageTransform {
    /// The transformed copy of `batch`, after checking its shape.
    /// - Throws: `DatasetError.invalidArgument` if `batch` is not of rank 4 or its image shape is not accepted.
    public func applied(to batch: Tensor, using generator: inout RandomGenerator) throws -> Tensor {
        guard batch.rank == 4 else {
            throw DatasetError.invalidArgument(
                operation: "\(Self.self)", reason: "batch must have shape [B, C, H, W], got \(batch.shape)")
        }
        try validate(sampleShape: Array(batch.shape.dropFirst()))
        var result = batch
        apply(to: &result, using: &generator)
        return result
    }
}
