import Foundation

/// A learning rate multiplied by `gamma` at each milestone, like PyTorch's `MultiStepLR`:
/// `initialRate · gamma^(number of milestones ≤ progress)`.
public struct MultiStepSchedule: LearningRateSchedule {
    /// The learning rate before the first milestone.
    public let initialRate: Float
    /// The progress values at which the rate decays, in increasing order; a repeated milestone decays twice.
    public let milestones: [Double]
    /// The factor applied at every milestone.
    public let gamma: Float

    /// Creates the schedule.
    /// - Parameters:
    ///   - initialRate: The learning rate before the first milestone, finite and non-negative.
    ///   - milestones: The progress values of the decays, each finite and non-negative, in any order.
    ///   - gamma: The decay factor, finite and non-negative.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(initialRate: Float, milestones: [Double], gamma: Float) throws {
        try OptimizerError.requireNonNegative(initialRate, "initial rate", of: "MultiStepSchedule")
        for milestone in milestones {
            try OptimizerError.requireNonNegative(milestone, "milestone", of: "MultiStepSchedule")
        }
        try OptimizerError.requireNonNegative(gamma, "gamma", of: "MultiStepSchedule")
        self.initialRate = initialRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func learningRate(at progress: Double) -> Float {
        let progress = max(0, progress)
        let passed = milestones.prefix { $0 <= progress }.count
        return Float(Double(initialRate) * pow(Double(gamma), Double(passed)))
    }
}
