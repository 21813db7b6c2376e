/// A learning rate as a function of training progress.
///
/// Progress is a fractional count of whatever unit the caller measures the schedule's lengths in:
/// steps, or epochs with the fraction done, such as `epoch + Double(batch) / Double(batchesPerEpoch)`
/// for a schedule that changes every step but is specified in epochs. Progress starts at 0; a
/// negative progress is treated as 0. The training loop sets ``Optimizer/learningRate`` from the
/// schedule before each step:
/// ```swift
/// optimizer.learningRate = schedule.learningRate(at: progress)
/// ```
/// Schedules are values: their hyper-parameters are checked when they are created, and asking
/// for a rate never fails.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate at `progress` (steps or epochs, fractional); finite and non-negative for finite progress.
    func learningRate(at progress: Double) -> Float
}
