/// What happened in a training loop, delivered to every ``TrainingCallback`` in order.
public enum TrainingEvent {
    /// Training is about to start.
    case trainingStart
    /// Training is about to continue from ``TrainingLoop/progress``, restored with
    /// ``TrainingLoop/resume(from:)``; sent instead of ``trainingStart``.
    case trainingResumed
    /// Epoch `epoch` (0-based) is about to start.
    case epochStart(epoch: Int)
    /// A training step finished.
    case batchEnd(BatchReport)
    /// An epoch finished and was evaluated.
    case epochEnd(EpochReport)
    /// Training finished.
    case trainingEnd
    /// Training stops between two steps because ``TrainingLoop/stopRequest`` asked it to; the loop then throws
    /// ``TrainingStopped``. ``TrainingLoop/progress`` is where a resumed loop continues.
    case trainingStopped
}

/// The outcome of one training step.
public struct BatchReport: Sendable {
    /// The epoch (0-based) and the batch within it (0-based).
    public var epoch: Int, batch: Int
    /// Steps taken since training started, this one included.
    public var globalStep: Int
    /// Mean cross-entropy of this batch before the update, and accuracy on it.
    public var loss: Float, accuracy: Float
    /// Images in this batch.
    public var batchSize: Int
    /// The learning rate used for this step.
    public var learningRate: Float
    /// The global L2 norm of the present parameters' gradients before clipping, when the loop clips
    /// (``TrainingLoop/maximumGradientNorm``) or measures it (``TrainingLoop/measuresGradientNorm``).
    public var gradientNorm: Double?
}

/// Per-epoch results, as printed and written to reports.
public struct EpochReport: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var testLoss: Float?
    public var testAccuracy: Float?
    /// Training images per second over this epoch (training steps only, not evaluation).
    public var trainImagesPerSecond: Double
    public var trainSeconds: Double
    /// The number of present parameters at the end of the epoch.
    public var parameterCount: Int

    /// This report with its timings set to 0: what two runs of the same training, one of them interrupted and
    /// resumed, agree on bit for bit.
    public var withoutTimings: EpochReport {
        var report = self
        report.trainImagesPerSecond = 0
        report.trainSeconds = 0
        return report
    }
}

/// Observes training and may act on it (log, save, change the architecture).
public protocol TrainingCallback: AnyObject {
    /// Called for every event; throwing stops training with that error.
    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws
}
