/// How far a ``TrainingLoop`` has come and what it has measured on the way: with the model and the optimizer
/// state, what a checkpoint needs so that the loop continues exactly as if it had never stopped.
///
/// Progress moves only between steps: after a step, ``batch`` counts it; after an epoch's evaluation, the epoch's
/// report joins ``history`` and the next epoch starts at batch 0.
public struct TrainingProgress: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The epoch in progress (0-based), or the next one when ``batch`` is 0.
    public var epoch: Int
    /// Steps done in ``epoch``: training continues with batch `batch` of the epoch's order.
    public var batch: Int
    /// Steps taken since training started.
    public var globalStep: Int
    /// Sums over the steps done in ``epoch``, for its report: loss times images, correct predictions, images.
    public var epochLossSum: Double
    public var epochCorrect: Int
    public var epochSamples: Int
    /// Seconds spent in the steps (expansions included) done in ``epoch``.
    public var epochSeconds: Double
    /// The reports of the finished epochs, one per epoch before ``epoch``.
    public var history: [EpochReport]

    /// The progress of a loop that has not taken a step.
    public init() {
        epoch = 0
        batch = 0
        globalStep = 0
        epochLossSum = 0
        epochCorrect = 0
        epochSamples = 0
        epochSeconds = 0
        history = []
    }

    /// Whether no step has been taken: training from here starts rather than resumes.
    public var isAtStart: Bool { self == TrainingProgress() }

    /// Where training is, 1-based as a progress bar counts: `step 2 of epoch 3, step 48 in all`, or
    /// `the start of epoch 3, step 46 in all` between two epochs.
    public var description: String {
        "\(batch == 0 ? "the start" : "step \(batch)") of epoch \(epoch + 1), step \(globalStep) in all"
    }

    /// Why this progress cannot be that of a loop (a negative count, a history that does not match the epoch), or
    /// `nil` when it can.
    public var inconsistency: String? {
        if epoch < 0 || batch < 0 || globalStep < 0 || epochCorrect < 0 || epochSamples < 0 {
            return "negative count: epoch \(epoch), batch \(batch), globalStep \(globalStep), epochCorrect \(epochCorrect), "
                + "epochSamples \(epochSamples)"
        }
        if history.count != epoch { return "\(history.count) epoch reports for \(epoch) finished epochs" }
        if history.enumerated().contains(where: { $0.offset != $0.element.epoch }) { return "the epoch reports are not numbered 0, 1, ..." }
        if globalStep < batch { return "globalStep \(globalStep) is less than the \(batch) steps of the current epoch" }
        if epochCorrect > epochSamples { return "\(epochCorrect) correct predictions of \(epochSamples) images" }
        if !epochLossSum.isFinite || !epochSeconds.isFinite { return "the epoch's loss sum or seconds are not finite" }
        return nil
    }

    /// Counts one more step of ``epoch`` that saw `samples` images, `correct` of them classified correctly, at mean
    /// loss `loss`.
    mutating func recordStep(loss: Float, correct: Int, samples: Int) {
        batch += 1
        globalStep += 1
        epochLossSum += Double(loss) * Double(samples)
        epochCorrect += correct
        epochSamples += samples
    }

    /// Closes ``epoch`` with `report` and moves to the start of the next epoch.
    mutating func finishEpoch(_ report: EpochReport) {
        history.append(report)
        epoch += 1
        batch = 0
        epochLossSum = 0
        epochCorrect = 0
        epochSamples = 0
        epochSeconds = 0
    }
}
