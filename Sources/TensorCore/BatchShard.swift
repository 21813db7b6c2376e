/// The rows of every batch that one process of a data-parallel group handles: process `rank` of `count` takes the
/// contiguous rows `total * rank / count ..< total * (rank + 1) / count` of a batch of `total` samples, so the parts
/// cover the batch in order (rank 0's first) and differ in size by at most one. A part may be empty (a batch with
/// fewer samples than processes).
public struct BatchShard: Sendable, Hashable {
    /// This process's number, `0..<count`.
    public let rank: Int
    /// The number of processes the batches are split between.
    public let count: Int

    /// The whole batch: a process alone.
    public static let whole = BatchShard(rank: 0, of: 1)

    /// The part of process `rank` of `count`.
    /// - Precondition: `0 <= rank < count` (a communicator's rank and size always are).
    public init(rank: Int, of count: Int) {
        precondition(count >= 1 && (0..<count).contains(rank), "rank \(rank) is not one of \(count) processes")
        self.rank = rank
        self.count = count
    }

    /// Whether the part is the whole batch.
    public var isWhole: Bool { count == 1 }

    /// This process's rows of a batch of `total` samples.
    public func rows(of total: Int) -> Range<Int> {
        (total * rank / count)..<(total * (rank + 1) / count)
    }
}
