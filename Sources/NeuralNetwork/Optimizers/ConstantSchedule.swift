/// The same learning rate throughout training.
public struct ConstantSchedule: LearningRateSchedule {
    /// The learning rate at every progress.
    public let rate: Float

    /// Creates the schedule.
    /// - Parameter rate: The learning rate, finite and non-negative.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` for an invalid rate.
    public init(rate: Float) throws {
        try OptimizerError.requireNonNegative(rate, "rate", of: "ConstantSchedule")
        self.rate = rate
    }

    public func learningRate(at progress: Double) -> Float {
        rate
    }
}
