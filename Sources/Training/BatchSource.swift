import TensorCore

/// One mini-batch: images `[B, C, H, W]` (or features `[B, F]`) and their class labels; or, in data-parallel
/// training, one process's rows of a mini-batch.
public struct LabeledBatch: Sendable {
    public var inputs: Tensor
    public var labels: [Int]
    /// The number of samples of the whole mini-batch: `labels.count`, or more when these are one process's rows of it.
    public var globalCount: Int

    /// A batch of `labels.count` samples, or the rows of a batch of `globalCount` samples.
    public init(inputs: Tensor, labels: [Int], globalCount: Int? = nil) {
        self.inputs = inputs
        self.labels = labels
        self.globalCount = globalCount ?? labels.count
    }
}

/// Anything that yields the mini-batches of an epoch: a data loader, a fixed list of batches in tests.
public protocol BatchSource {
    /// The number of batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// The number of samples in one epoch.
    var samplesPerEpoch: Int { get }
    /// The batches of epoch `epoch` from batch `first` on (clamped to `0...batchesPerEpoch`), in order: what
    /// `batches(epoch:)` gives after its first `first`. The same epoch gives the same batches, so a run resumed in
    /// the middle of an epoch continues with the batches it would have seen.
    func batches(epoch: Int, from first: Int) -> AnyIterator<LabeledBatch>
    /// One process's rows `shard` of the batches that `batches(epoch:from:)` yields, with ``LabeledBatch/globalCount``
    /// the whole batch's size. The default cuts the rows out of the whole batches; a source that can load only the
    /// rows (`DataLoader`) does so.
    func batches(epoch: Int, from first: Int, shard: BatchShard) -> AnyIterator<LabeledBatch>
}

extension BatchSource {
    /// The batches of epoch `epoch`, in order.
    public func batches(epoch: Int) -> AnyIterator<LabeledBatch> { batches(epoch: epoch, from: 0) }

    public func batches(epoch: Int, from first: Int, shard: BatchShard) -> AnyIterator<LabeledBatch> {
        let whole = batches(epoch: epoch, from: first)
        if shard.isWhole { return whole }
        return AnyIterator { whole.next().map { $0.rows(shard.rows(of: $0.labels.count)) } }
    }
}

/// A fixed list of batches, repeated every epoch.
public struct FixedBatches: BatchSource {
    public var batches: [LabeledBatch]

    public init(_ batches: [LabeledBatch]) { self.batches = batches }

    public var batchesPerEpoch: Int { batches.count }
    public var samplesPerEpoch: Int { batches.reduce(0) { $0 + $1.labels.count } }
    public func batches(epoch: Int, from first: Int) -> AnyIterator<LabeledBatch> {
        AnyIterator(batches.dropFirst(max(first, 0)).makeIterator())
    }
}
