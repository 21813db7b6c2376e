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
    /// The side images were resized to (for image folders, the side they were decoded at); absent: as stored.
    var imageSize: Int?
    /// The channel count images were brought to (1 or 3); absent: as stored.
    var channels: Int?
    /// Where image folders cached their decoded images; absent: inside the dataset's folder.
    var imageCache: String?
    /// The class of each label, for image folders (their sorted folder names); absent for the other formats.
    var classNames: [String]?
    /// The random augmentation of the training images (never applied to test images); absent in runs made before it
    /// was recorded.
    var augmentation: Augmentation?

    /// The preparation of a run on `dataset` whose training images have `statistics`.
    init(dataset: String, digitsSplitSeed: UInt64?, statistics: ChannelStatistics, images: ImagePreparation = .asStored) {
        self.dataset = dataset
        self.digitsSplitSeed = digitsSplitSeed
        channelMean = statistics.mean.map(Double.init)
        channelStandardDeviation = statistics.standardDeviation.map(Double.init)
        imageSize = images.imageSize
        channels = images.channels
        imageCache = images.imageCache
    }

    /// The resizing, channels and cache folder the run used.
    var images: ImagePreparation {
        ImagePreparation(imageSize: imageSize, channels: channels, imageCache: imageCache)
    }

    /// The per-channel standardisation the run applied to every input.
    func normalization() throws -> ChannelNormalization {
        try ChannelNormalization(mean: channelMean.map(Float.init), standardDeviation: channelStandardDeviation.map(Float.init))
    }
}
