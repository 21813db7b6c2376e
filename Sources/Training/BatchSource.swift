import TensorCore

/// One mini-batch: images `[B, C, H, W]` (or features `[B, F]`) and their class labels.
public struct LabeledBatch: Sendable {
    public var inputs: Tensor
    public var labels: [Int]

    public init(inputs: Tensor, labels: [Int]) {
        self.inputs = inputs
        self.labels = labels
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
}

extension BatchSource {
    /// The batches of epoch `epoch`, in order.
    public func batches(epoch: Int) -> AnyIterator<LabeledBatch> { batches(epoch: epoch, from: 0) }
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
