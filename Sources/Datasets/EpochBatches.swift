import Dispatch

/// The batches of one epoch of a `DataLoader`, as a sequence for `for batch in ... { }`.
///
/// Each iterator walks the epoch from the start. With prefetching, while the caller works on batch `b`
/// the iterator assembles batch `b + 1` on a background queue; leaving the loop early is safe.
public struct EpochBatches: Sequence, Sendable {
    /// The loader the batches come from.
    public let loader: DataLoader
    /// The epoch number.
    public let epoch: Int
    /// The sample order of this epoch.
    let order: [Int]

    /// The number of batches.
    public var count: Int { loader.batchCount }

    /// The number of batches (exact).
    public var underestimatedCount: Int { count }

    /// An iterator starting at the first batch of the epoch.
    public func makeIterator() -> Iterator {
        Iterator(batches: self)
    }

    /// Produces the batches of the epoch one after another.
    public struct Iterator: IteratorProtocol {
        private let batches: EpochBatches
        private var nextIndex = 0
        private var pending: BatchFuture?

        init(batches: EpochBatches) {
            self.batches = batches
        }

        /// The next batch, or `nil` after the last one.
        public mutating func next() -> Batch? {
            guard nextIndex < batches.count else { return nil }
            let index = nextIndex
            nextIndex += 1
            let (loader, epoch, order) = (batches.loader, batches.epoch, batches.order)
            let batch = pending?.wait() ?? loader.makeBatch(index, epoch: epoch, order: order)
            pending = nil
            if loader.prefetch && nextIndex < batches.count {
                let upcoming = nextIndex
                pending = BatchFuture(on: DispatchQueue.global(qos: .userInitiated)) {
                    loader.makeBatch(upcoming, epoch: epoch, order: order)
                }
            }
            return batch
        }
    }
}
