/// What `summary.json` holds.
struct SearchSummary: Codable {
    /// One trial of a best-of-K random baseline.
    struct Trial: Codable {
        var trial: Int
        /// The trial's own output folder, below the run's.
        var folder: String
        var testAccuracy: Double
    }

    var testAccuracy: Double
    var trainAccuracy: Double
    var parameterCount: Int
    var budget: Int
    var computeBudget: Int?
    var epochs: Int
    var wallSeconds: Double
    /// Seconds spent in training epochs (steps and expansions, without evaluation).
    var trainingSeconds: Double
    var granularity: String
    var baseline: String
    var seed: UInt64
    var dataset: String
    var threads: Int
    /// The OpenBLAS kernel family the run computed with (results differ in the last bits between families).
    var blasKernels: String
    var expansions: Int
    var startingParameterCount: Int
    var initialArchitectureLearningRate: Double?
    /// The largest share of an epoch's training time spent in architecture steps.
    var maximumArchitectureOverhead: Double
    var trainImagesPerSecond: Double
    /// Multiply-accumulates of one image's forward pass through the final network.
    var multiplyAccumulates: Int
    /// Real hidden channels that output zero for every image of the search's fixed probe batch at the end.
    var deadChannels: Int
    /// Units added although their first score was not positive (0 for ILNAS by construction).
    var zeroScoreUnits: Int
    /// Dead channels re-initialised by expansions over the run.
    var revivedChannels: Int
    /// The processes that trained together (`mpirun -np N`), each with ``threads`` threads; `nil` in summaries written
    /// before data parallelism (one process).
    var ranks: Int?
    /// The trials of a best-of-K random baseline and the one kept (the best test accuracy); absent otherwise.
    var trials: [Trial]?
    var keptTrial: Int?
}
