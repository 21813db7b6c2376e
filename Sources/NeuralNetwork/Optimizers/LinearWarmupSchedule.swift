/// A linear warm-up prepended to another schedule.
///
/// During the first `length` of progress the rate rises linearly from `startFactor` times the
/// base schedule's initial rate to that initial rate; afterwards the base schedule runs, started
/// when the warm-up ends: the rate at progress `p ≥ length` is `base.learningRate(at: p − length)`.
/// The rate is therefore continuous, and the base schedule's lengths and milestones count from the
/// end of the warm-up.
public struct LinearWarmupSchedule<Base: LearningRateSchedule>: LearningRateSchedule {
    /// The progress the warm-up lasts; 0 leaves the base schedule unchanged.
    public let length: Double
    /// The fraction of the base schedule's initial rate that the warm-up starts from.
    public let startFactor: Float
    /// The schedule that follows the warm-up.
    public let base: Base

    /// Creates the schedule.
    /// - Parameters:
    ///   - length: The warm-up's length, finite and non-negative.
    ///   - startFactor: The fraction of the base's initial rate at progress 0, in [0, 1].
    ///   - base: The schedule that follows the warm-up.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` naming the offending value.
    public init(length: Double, startFactor: Float = 0, base: Base) throws {
        try OptimizerError.requireNonNegative(length, "length", of: "LinearWarmupSchedule")
        guard startFactor >= 0, startFactor <= 1 else {
            throw OptimizerError.invalidHyperparameter(owner: "LinearWarmupSchedule",
                                                       reason: "start factor must be in [0, 1], got \(startFactor)")
        }
        self.length = length
        self.startFactor = startFactor
        self.base = base
    }

    public func learningRate(at progress: Double) -> Float {
        let progress = max(progress, 0)
        guard progress < length else { return base.learningRate(at: progress - length) }
        let fraction = progress / length
        let factor = Double(startFactor) + (1 - Double(startFactor)) * fraction
        return Float(Double(base.learningRate(at: 0)) * factor)
    }
}

extension LearningRateSchedule {
    /// This schedule preceded by a linear warm-up of `length` from `startFactor` times its initial rate.
    /// - Throws: ``OptimizerError/invalidHyperparameter(owner:reason:)`` for an invalid length or start factor.
    public func withLinearWarmup(length: Double, startFactor: Float = 0) throws -> LinearWarmupSchedule<Self> {
        try LinearWarmupSchedule(length: length, startFactor: startFactor, base: self)
    }
}
