/// What happened in a training loop, delivered to every ``TrainingCallback`` in order.
public enum TrainingEvent {
    /// Training is about to start.
    case trainingStart
    /// Epoch `epoch` (0-based) is about to start.
    case epochStart(epoch: Int)
    /// A training step finished.
    case batchEnd(BatchReport)
    /// An epoch finished and was evaluated.
    case epochEnd(EpochReport)
    /// Training finished.
    case trainingEnd
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
public struct EpochReport: Sendable, Codable {
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
}

/// Observes training and may act on it (log, save, change the architecture).
public protocol TrainingCallback: AnyObject {
    /// Called for every event; throwing stops training with that error.
    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws
}
