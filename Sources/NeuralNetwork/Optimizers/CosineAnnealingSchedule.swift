import Foundation

/// A learning rate that follows half a cosine from `initialRate` down to `finalRate` over `length`,
/// then stays at `finalRate`: `final + (initial − final) · (1 + cos(π · progress / length)) / 2`.
///
/// This is the closed form of PyTorch's `CosineAnnealingLR` for its first `length` steps. Measured
/// in epochs and evaluated with fractional progress, it anneals every step, as in the recipe
/// "learning rate 0.05, cosine to 0 per step".
public struct CosineAnnealingSchedule: LearningRateSchedule {
    /// The learning rate at progress 0.
    public let initialRate: Float
    /// The learning rate at and after progress `length`.
    public let finalRate: Float
    /// The progress over which the rate anneals.
    public let length: Double

    /// Creates the schedule.
    /// - Parameters:
    ///   - initialRate: The learning rate at progress 0, finite and non-negative.
    ///   - finalRate: The learning rate at the end, finite and non-negative (PyTorch's `eta_min`).
    ///   - length: The progress over which to anneal, finite and positive (PyTorch's `T_max`).
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(initialRate: Float, finalRate: Float = 0, length: Double) throws {
        try OptimizerError.requireNonNegative(initialRate, "initial rate", of: "CosineAnnealingSchedule")
        try OptimizerError.requireNonNegative(finalRate, "final rate", of: "CosineAnnealingSchedule")
        try OptimizerError.requirePositive(length, "length", of: "CosineAnnealingSchedule")
        self.initialRate = initialRate
        self.finalRate = finalRate
        self.length = length
    }

    public func learningRate(at progress: Double) -> Float {
        let fraction = min(max(progress / length, 0), 1)
        let (initial, final) = (Double(initialRate), Double(finalRate))
        return Float(final + (initial - final) * (1 + cos(Double.pi * fraction)) / 2)
    }
}
