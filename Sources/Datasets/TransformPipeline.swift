import TensorCore

/// Several transforms applied one after another to the whole batch, sharing one generator.
///
/// Example for CIFAR-style training:
/// `TransformPipeline([RandomCrop(padding: 4), RandomHorizontalFlip(), ChannelNormalization(statistics)])`.
public struct TransformPipeline: ImageTransform {
    /// The transforms, in the order they are applied.
    public let transforms: [any ImageTransform]

    /// Creates a pipeline applying `transforms` in order.
    public init(_ transforms: [any ImageTransform]) {
        self.transforms = transforms
    }

    /// Accepts an image shape that every transform accepts.
    public func validate(sampleShape: [Int]) throws {
        for transform in transforms { try transform.validate(sampleShape: sampleShape) }
    }

    /// Applies each transform to the whole batch in turn, with the same generator.
    public func apply(to batch: inout Tensor, using generator: inout RandomGenerator) {
        for transform in transforms { transform.apply(to: &batch, using: &generator) }
    }
}
