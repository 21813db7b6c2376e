import Datasets

extension DataLoader: BatchSource {
    public var batchesPerEpoch: Int { batchCount }
    public var samplesPerEpoch: Int { dropLast ? batchCount * batchSize : dataset.count }

    public func batches(epoch: Int, from first: Int) -> AnyIterator<LabeledBatch> {
        var iterator = (batches(epoch: epoch, from: first) as EpochBatches).makeIterator()
        return AnyIterator { iterator.next().map { LabeledBatch(inputs: $0.images, labels: $0.labels) } }
    }
}
