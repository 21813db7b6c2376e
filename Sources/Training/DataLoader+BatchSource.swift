import Datasets
import TensorCore

extension DataLoader: BatchSource {
    public var batchesPerEpoch: Int { batchCount }
    public var samplesPerEpoch: Int { dropLast ? batchCount * batchSize : dataset.count }

    public func batches(epoch: Int, from first: Int) -> AnyIterator<LabeledBatch> {
        batches(epoch: epoch, from: first, shard: .whole)
    }

    /// Loads and augments only the rows `shard` of every batch.
    public func batches(epoch: Int, from first: Int, shard: BatchShard) -> AnyIterator<LabeledBatch> {
        var iterator = (batches(epoch: epoch, from: first, shard: shard) as EpochBatches).makeIterator()
        return AnyIterator { iterator.next().map { LabeledBatch(inputs: $0.images, labels: $0.labels, globalCount: $0.globalCount) } }
    }
}
