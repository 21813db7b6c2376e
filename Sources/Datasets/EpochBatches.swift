import Dispatch
import TensorCore

/// The batches of one epoch of a `DataLoader`, as a sequence for `for batch in ... { }`.
///
/// Each iterator walks the epoch from batch ``first`` (0 unless the sequence continues an epoch begun earlier).
/// With prefetching, while the caller works on batch `b` the iterator assembles batch `b + 1` on a background
/// queue; leaving the loop early is safe.
public struct EpochBatches: Sequence, Sendable {
    /// The loader the batches come from.
    public let loader: DataLoader
    /// The epoch number.
    public let epoch: Int
    /// The index of the first batch the sequence yields.
    public let first: Int
    /// The rows of every batch that the sequence yields (``BatchShard/whole`` unless a process of a data-parallel
    /// group loads only its part).
    public let shard: BatchShard
    /// The sample order of this epoch.
    let order: [Int]

    /// The number of batches the sequence yields: the epoch's from ``first`` on.
    public var count: Int { loader.batchCount - first }

    /// The number of batches (exact).
    public var underestimatedCount: Int { count }

    /// An iterator starting at batch ``first`` of the epoch.
    public func makeIterator() -> Iterator {
        Iterator(batches: self)
    }

    /// Produces the batches of the epoch one after another.
    public struct Iterator: IteratorProtocol {
        private let batches: EpochBatches
        private var nextIndex: Int
        private var pending: BatchFuture?

        init(batches: EpochBatches) {
            self.batches = batches
            nextIndex = batches.first
        }

        /// The next batch, or `nil` after the last one.
        public mutating func next() -> Batch? {
            let end = batches.loader.batchCount
            guard nextIndex < end else { return nil }
            let index = nextIndex
            nextIndex += 1
            let (loader, epoch, shard, order) = (batches.loader, batches.epoch, batches.shard, batches.order)
            let batch = pending?.wait() ?? loader.makeBatch(index, epoch: epoch, shard: shard, order: order)
            pending = nil
            if loader.prefetch && nextIndex < end {
                let upcoming = nextIndex
                pending = BatchFuture(on: DispatchQueue.global(qos: .userInitiated)) {
                    loader.makeBatch(upcoming, epoch: epoch, shard: shard, order: order)
                }
            }
            return batch
        }
    }
}
