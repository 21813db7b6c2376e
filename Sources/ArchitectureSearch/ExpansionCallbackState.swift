extension ExpansionCallback {
    /// Everything of an ``ExpansionCallback`` that changes while it trains and decides what it does next: what a
    /// checkpoint saves (``SearchCheckpoint``) so that a resumed search expands when, and as, the uninterrupted one
    /// would. The probe batch is not part of it: it is a function of the scoring data alone.
    public struct State: Codable, Equatable, Sendable {
        /// Every expansion so far (``ExpansionCallback/records``).
        public internal(set) var records: [ExpansionRecord]
        /// The training progress, in epochs, at which the next scheduled expansion is due.
        public internal(set) var nextExpansion: Double
        /// The initial A_lr in force (``ExpansionCallback/initialArchitectureLearningRate``).
        public internal(set) var initialArchitectureLearningRate: Double
        /// Whether the budget is as full as the search can make it (``ExpansionCallback/budgetExhausted``).
        public internal(set) var budgetExhausted: Bool
        /// Architecture-step seconds per epoch (``ExpansionCallback/architectureSecondsPerEpoch``).
        public internal(set) var architectureSecondsPerEpoch: [Int: Double]
        /// The gradient norms the plateau detector has gathered, when the schedule expands at plateaus.
        public internal(set) var plateau: GradientPlateau?
        /// The state of the architecture optimizer's generator, which random growth draws from, as four words of
        /// 16 hexadecimal digits.
        var selectionGeneratorState: [String]
    }
}
