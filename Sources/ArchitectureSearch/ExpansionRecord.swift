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

    public var epoch: Double
    public var step: Int
    public var granularity: String
    /// How units were chosen: `ilnas` (two-step gradient selection) or `random`.
    public var selection: String
    /// The architecture learning rate in force.
    public var architectureLearningRate: Double
    /// Parameters the expansion aimed to add (A_lr x current size, within the budget).
    public var targetParameters: Int
    /// Candidate units put into the hyper-architecture (n) and the parameters they hold.
    public var candidateUnits: Int
    public var candidateParameters: Int
    /// Units kept (m) and the parameters they added.
    public var addedUnits: Int
    public var addedParameters: Int
    /// Units added per layer or connection label.
    public var addedUnitsPerLayer: [String: Int]
    /// |∂L/∂(αW)| scores of all units (first pass), of the candidates' combined second scores, and of the kept units.
    public var allScores: ScoreStatistics
    public var candidateScores: ScoreStatistics
    public var keptScores: ScoreStatistics
    public var parametersBefore: Int
    public var parametersAfter: Int
    public var budget: Int
    /// parametersAfter / budget.
    public var budgetUsed: Double
    /// Mean loss on the scoring batches before and right after the expansion (equal: growth preserves the function).
    public var lossBefore: Float
    public var lossAfter: Float
    /// Loss of the hyper-architecture after its gradient step (ILNAS only).
    public var hyperArchitectureLoss: Float?
    /// Wall time of the expansion (both gradient passes and the selection).
    public var seconds: Double
}
