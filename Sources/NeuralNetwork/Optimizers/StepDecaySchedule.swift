import Foundation

/// A learning rate multiplied by `gamma` every `period` steps or epochs, like PyTorch's `StepLR`:
/// `initialRate · gamma^⌊progress / period⌋`, with the quotient computed in `Double`: a period that
/// `Double` cannot represent exactly, such as 0.1, may place a decay a rounding error away from its
/// nominal boundary; whole-number and binary-fraction periods are exact.
public struct StepDecaySchedule: LearningRateSchedule {
    /// The learning rate before the first decay.
    public let initialRate: Float
    /// The progress between two decays.
    public let period: Double
    /// The factor applied at every decay.
    public let gamma: Float

    /// Creates the schedule.
    /// - Parameters:
    ///   - initialRate: The learning rate before the first decay, finite and non-negative.
    ///   - period: The progress between decays, finite and positive.
    ///   - gamma: The decay factor, finite and non-negative (0.1 divides the rate by ten).
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(initialRate: Float, period: Double, gamma: Float) throws {
        try OptimizerError.requireNonNegative(initialRate, "initial rate", of: "StepDecaySchedule")
        try OptimizerError.requirePositive(period, "period", of: "StepDecaySchedule")
        try OptimizerError.requireNonNegative(gamma, "gamma", of: "StepDecaySchedule")
        self.initialRate = initialRate
        self.period = period
        self.gamma = gamma
    }

    public func learningRate(at progress: Double) -> Float {
        let decays = (max(0, progress) / period).rounded(.down)
        return Float(Double(initialRate) * pow(Double(gamma), decays))
    }
}
