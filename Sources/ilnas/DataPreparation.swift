import Datasets

/// How a run prepared its inputs, saved as `data.json` in the run folder so that `ilnas evaluate` prepares a test
/// set exactly as the search did.
struct DataPreparation: Codable, Equatable {
    /// The data set, as `summary.json` names it.
    var dataset: String
    /// The seed of the embedded digits' train/test split; absent for IDX data, which comes split.
    var digitsSplitSeed: UInt64?
    /// Each channel's mean over the training images, subtracted from every input. Stored as `Double`, which
    /// holds every `Float` exactly and comes back from JSON unchanged.
    var channelMean: [Double]
    /// Each channel's standard deviation over the training images, which every input is divided by.
    var channelStandardDeviation: [Double]

    /// The preparation of a run on `dataset` whose training images have `statistics`.
    init(dataset: String, digitsSplitSeed: UInt64?, statistics: ChannelStatistics) {
        self.dataset = dataset
        self.digitsSplitSeed = digitsSplitSeed
        channelMean = statistics.mean.map(Double.init)
        channelStandardDeviation = statistics.standardDeviation.map(Double.init)
    }

    /// The per-channel standardisation the run applied to every input.
    func normalization() throws -> ChannelNormalization {
        try ChannelNormalization(mean: channelMean.map(Float.init), standardDeviation: channelStandardDeviation.map(Float.init))
    }
}
