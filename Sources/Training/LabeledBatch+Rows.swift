import TensorCore

extension LabeledBatch {
    /// The samples `rows` of this batch (the first dimension of ``inputs``), in order: a rank's shard of a global batch,
    /// whose ``globalCount`` stays this batch's.
    public func rows(_ rows: Range<Int>) -> LabeledBatch {
        let sampleSize = inputs.count / Swift.max(1, labels.count)
        let scalars = Array(inputs.scalars[(rows.lowerBound * sampleSize)..<(rows.upperBound * sampleSize)])
        return LabeledBatch(inputs: Tensor(shape: [rows.count] + inputs.shape.dropFirst(), scalars: scalars),
                            labels: Array(labels[rows]), globalCount: globalCount)
    }
}
