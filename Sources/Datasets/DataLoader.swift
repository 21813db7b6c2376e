import TensorCore

/// Cuts a dataset into mini-batches for training and evaluation: seeded shuffling per epoch, optional
/// per-image augmentation and background prefetching of the next batch.
///
/// Everything is a pure function of `(seed, epoch, batch index)`: the sample order of epoch `e` comes from
/// a generator seeded by `(seed, e)` alone, and the image in row `r` of batch `b` of epoch `e` is augmented alone
/// with its own generator, seeded by `(seed, e, b, r)` (``augmentationGenerator(epoch:batch:row:)``). So the same
/// seed gives the same batches in every run, epochs can be replayed in any order, prefetching on another thread
/// produces exactly the batches of sequential loading, and the processes of a data-parallel group, each loading only
/// its rows of every batch (``batches(epoch:from:shard:)``), together see exactly the batches of one process.
///
/// ```swift
/// let loader = try DataLoader(dataset: train, batchSize: 128, seed: 1,
///                             augmentation: TransformPipeline([RandomCrop(padding: 2), normalization]))
/// for epoch in 0..<10 {
///     for batch in loader.batches(epoch: epoch) { /* batch.images [B, 1, 28, 28], batch.labels */ }
/// }
/// ```
public struct DataLoader: Sendable {
    /// The samples to draw from.
    public let dataset: LabeledDataset
    /// The number of samples per batch (the last batch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether each epoch visits the samples in a fresh seeded random order (otherwise in dataset order).
    public let shuffle: Bool
    /// Whether to omit a last batch smaller than `batchSize`.
    public let dropLast: Bool
    /// The seed of the shuffling and augmentation streams.
    public let seed: UInt64
    /// The transform applied to every image after gathering (to each alone, as a batch of one), or `nil`.
    public let augmentation: (any ImageTransform)?
    /// Whether the next batch is assembled on a background thread while the caller works on the current one.
    public let prefetch: Bool

    /// Random-stream identifiers under `seed`.
    private enum Stream: UInt64 {
        case shuffle = 1, augmentation = 2
    }

    /// Creates a loader.
    /// - Parameters:
    ///   - dataset: The samples.
    ///   - batchSize: Samples per batch, at least 1.
    ///   - shuffle: Shuffle each epoch (default `true`); `false` keeps dataset order (for evaluation).
    ///   - dropLast: Omit the last batch if it is smaller than `batchSize` (default `false`: keep it).
    ///   - seed: Determines the order of every epoch and all augmentation.
    ///   - augmentation: Applied to each image, e.g. a `TransformPipeline` of crop, flip and normalisation.
    ///   - prefetch: Assemble the next batch in the background (default `true`); the batches are identical either way.
    /// - Throws: `DatasetError.invalidArgument` if `batchSize` is below 1 or `augmentation` does not accept
    ///   the dataset's image shape.
    public init(dataset: LabeledDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                seed: UInt64 = 0, augmentation: (any ImageTransform)? = nil, prefetch: Bool = true) throws {
        guard batchSize >= 1 else {
            throw DatasetError.invalidArgument(operation: "DataLoader", reason: "batch size must be at least 1, got \(batchSize)")
        }
        try augmentation?.validate(sampleShape: dataset.sampleShape)
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.augmentation = augmentation
        self.prefetch = prefetch
    }

    /// The number of batches in every epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order in which epoch `epoch` visits the samples: a permutation of `0..<dataset.count`
    /// that depends only on `seed` and `epoch` (the identity if `shuffle` is off).
    public func sampleOrder(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        var generator = RandomGenerator(seed: SeedDerivation.seed(seed, Stream.shuffle.rawValue, SeedDerivation.component(epoch)))
        return generator.permutation(dataset.count)
    }

    /// The batches of epoch `epoch`, in order: `for batch in loader.batches(epoch: e) { ... }`.
    public func batches(epoch: Int) -> EpochBatches {
        batches(epoch: epoch, from: 0)
    }

    /// The batches of epoch `epoch` from batch `first` on, in the epoch's order: exactly the batches that
    /// ``batches(epoch:)`` yields after its first `first`, which are neither gathered nor augmented. A run resumed
    /// in the middle of an epoch continues with them. `first` is clamped to `0...batchCount`.
    public func batches(epoch: Int, from first: Int) -> EpochBatches {
        batches(epoch: epoch, from: first, shard: .whole)
    }

    /// One process's rows of the batches of epoch `epoch` from batch `first` on: of every batch that
    /// ``batches(epoch:from:)`` yields, only the rows `shard.rows(of: batch size)` are gathered and augmented, each
    /// exactly as in the whole batch (the epoch's order is the same for every shard, and a row's augmentation depends
    /// on its row in the whole batch). ``Batch/globalCount`` is the whole batch's size; a shard may be empty.
    public func batches(epoch: Int, from first: Int, shard: BatchShard) -> EpochBatches {
        EpochBatches(loader: self, epoch: epoch, first: min(max(first, 0), batchCount), shard: shard, order: sampleOrder(epoch: epoch))
    }

    /// The generator that augments the image in row `row` of batch `batch` of epoch `epoch` (the row in the whole
    /// batch): seeded by `(seed, epoch, batch, row)` alone, so every image's augmentation is the same however the
    /// batch is split between processes. The augmentation is applied to that image alone, as a batch of one.
    public func augmentationGenerator(epoch: Int, batch: Int, row: Int) -> RandomGenerator {
        RandomGenerator(seed: SeedDerivation.seed(seed, Stream.augmentation.rawValue, SeedDerivation.component(epoch),
                                                  SeedDerivation.component(batch), SeedDerivation.component(row)))
    }

    /// The rows `shard` of batch `index` of the epoch whose sample order is `order`: gathered, then augmented.
    /// - Precondition: `index < batchCount` and `order` is a permutation of the samples.
    func makeBatch(_ index: Int, epoch: Int, shard: BatchShard, order: [Int]) -> Batch {
        let start = index * batchSize
        let globalCount = min(start + batchSize, order.count) - start
        let rows = shard.rows(of: globalCount)
        let positions = order[(start + rows.lowerBound)..<(start + rows.upperBound)]
        var (images, labels) = dataset.gather(positions)
        if let augmentation {
            augment(&images, with: augmentation, epoch: epoch, batch: index, firstRow: rows.lowerBound)
        }
        return Batch(images: images, labels: labels, indices: Array(positions), globalCount: globalCount)
    }

    /// Applies `augmentation` to each image of `images` alone, the image in position `i` with the generator of row
    /// `firstRow + i` of the whole batch.
    private func augment(_ images: inout Tensor, with augmentation: any ImageTransform, epoch: Int, batch: Int, firstRow: Int) {
        let count = images.shape[0]
        guard count > 0 else { return }
        let imageShape = [1] + images.shape.dropFirst()
        let size = images.count / count
        images.withUnsafeMutableBufferPointer { data in
            for position in 0..<count {
                let range = (position * size)..<((position + 1) * size)
                var image = Tensor(shape: imageShape, scalars: Array(data[range]))
                var generator = augmentationGenerator(epoch: epoch, batch: batch, row: firstRow + position)
                augmentation.apply(to: &image, using: &generator)
                for (offset, value) in image.scalars.enumerated() { data[range.lowerBound + offset] = value }
            }
        }
    }
}
