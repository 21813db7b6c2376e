/// The audit record of one architecture expansion: one JSON line in the search's log.
public struct ExpansionRecord: Codable, Sendable, Equatable {
    /// Summary statistics of unit scores.
    public struct ScoreStatistics: Codable, Sendable, Equatable {
        public var count: Int
        public var minimum: Float
        public var maximum: Float
        public var mean: Float

        public init(_ scores: [Float]) {
            count = scores.count
            minimum = scores.min() ?? 0
            maximum = scores.max() ?? 0
            mean = scores.isEmpty ? 0 : scores.reduce(0, +) / Float(scores.count)
        }
    }

    /// Why an expansion stopped adding units.
    public enum Outcome: String, Codable, Sendable, Equatable {
        /// It added the parameters it aimed for.
        case targetReached
        /// Fewer units scored above zero than the target asked for: the rest would not have lowered the loss.
        case outOfUsefulUnits
        /// The budget or a growth limit refused the remaining units.
        case limitsReached
    }

    /// When the expansion happened: training progress in epochs, and the training step after which it ran.
    public var epoch: Double
    public var step: Int
    /// The name of the granularity searched (``SearchGranularity/name``).
    public var granularity: String
    /// How units were chosen: `ilnas` (two-step gradient selection) or `random`.
    public var selection: String
    /// The architecture learning rate in force.
    public var architectureLearningRate: Double
    /// Parameters the expansion aimed to add (A_lr x current size, within the budget).
    public var targetParameters: Int
    /// Units whose first score was positive: those the gradient selection may add at all.
    public var usefulUnits: Int
    /// Candidate units put into the hyper-architecture (n) and the parameters they cost.
    public var candidateUnits: Int
    public var candidateParameters: Int
    /// Units kept (m) and the parameters they added.
    public var addedUnits: Int
    public var addedParameters: Int
    /// Added units whose first score was not positive (never for ILNAS; random growth adds such units).
    public var zeroScoreUnits: Int
    /// Why the expansion stopped adding.
    public var outcome: Outcome
    /// Units and parameters added per layer or connection label.
    public var addedUnitsPerLayer: [String: Int]
    public var addedParametersPerLayer: [String: Int]
    /// Scores ‖g‖/√cost (see ``ArchitectureOptimizer``) of all units (first pass), of the candidates' combined
    /// second scores, and of the kept units.
    public var allScores: ScoreStatistics
    public var candidateScores: ScoreStatistics
    public var keptScores: ScoreStatistics
    /// Present parameters before and after the expansion, and the parameter budget.
    public var parametersBefore: Int
    public var parametersAfter: Int
    public var budget: Int
    /// parametersAfter / budget.
    public var budgetUsed: Double
    /// Loss on the audit batch (inference mode) before and right after the expansion. ``ExpansionCallback``
    /// audits on the search's fixed probe batch, which scoring never sees: a difference shows that reviving dead
    /// channels changed the function on data where they were not dead. Without an audit batch, the first scoring
    /// batch is used, on which probes, revival and growth all preserve the output.
    public var lossBefore: Float
    public var lossAfter: Float
    /// Loss of the hyper-architecture after its gradient step (ILNAS only).
    public var hyperArchitectureLoss: Float?
    /// Dead hidden channels re-initialised at the start of the expansion (``SearchSpace/reviveDeadChannels(on:)``).
    public var revivedChannels: Int
    /// Real hidden channels that output zero on the search's fixed probe batch after the expansion
    /// (set by ``ExpansionCallback``).
    public var deadChannels: Int?
    /// Wall time of the whole expansion: probes, revival, both gradient passes, the selection and, through
    /// ``ExpansionCallback``, the dead-channel count.
    public var seconds: Double
}
