import TensorCore

/// One mini-batch produced by a `DataLoader`.
public struct Batch: Sendable, Equatable {
    /// The (possibly augmented) images, shape `[B, C, H, W]`.
    public let images: Tensor
    /// The class of each image.
    public let labels: [Int]
    /// The position of each sample in the loader's dataset.
    public let indices: [Int]
    /// The number of samples of the whole batch: more than ``count`` when these are one process's rows of it
    /// (`DataLoader.batches(epoch:from:shard:)`).
    public let globalCount: Int

    /// The number of samples in the batch.
    public var count: Int { labels.count }
}
