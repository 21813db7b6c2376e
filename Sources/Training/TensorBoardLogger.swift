import Foundation

/// Writes every epoch's results to a TensorBoard event file, so that `tensorboard --logdir FOLDER` plots them
/// while training runs.
///
/// At the end of each epoch it appends, all with the same wall time, and flushes:
/// - `train/loss`, `train/accuracy`: the epoch's means over its training steps;
/// - `train/learning_rate`: the rate of the epoch's last step;
/// - `test/loss`, `test/accuracy`: when the loop evaluates on test data;
/// - `network/parameters`: the present parameters at the end of the epoch (a `float`, exact up to 2^24).
///
/// The step is the number of finished epochs: 1 for the first epoch, as ``ProgressBar`` numbers epochs.
public final class TensorBoardLogger: TrainingCallback {
    /// The event file written to.
    public let writer: EventFileWriter
    /// The learning rate of the latest training step.
    private var learningRate: Float?

    public init(writer: EventFileWriter) {
        self.writer = writer
    }

    /// Logs to a new event file in `folder` (``EventFileWriter/init(folder:creationDate:hostname:suffix:)``).
    public convenience init(folder: String) throws {
        self.init(writer: try EventFileWriter(folder: folder))
    }

    public func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        switch event {
        case let .batchEnd(report):
            learningRate = report.learningRate
        case let .epochEnd(report):
            var scalars = [("train/loss", report.trainLoss), ("train/accuracy", report.trainAccuracy)]
            if let learningRate { scalars.append(("train/learning_rate", learningRate)) }
            if let testLoss = report.testLoss { scalars.append(("test/loss", testLoss)) }
            if let testAccuracy = report.testAccuracy { scalars.append(("test/accuracy", testAccuracy)) }
            scalars.append(("network/parameters", Float(report.parameterCount)))
            let now = Date()
            for (tag, value) in scalars { writer.addScalar(tag, value: value, step: report.epoch + 1, wallTime: now) }
            try writer.flush()
        case .trainingStart, .trainingResumed, .epochStart, .trainingEnd, .trainingStopped:
            break
        }
    }
}
