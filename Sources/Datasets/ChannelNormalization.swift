import TensorCore

/// Per-channel standardisation: `output = (input - mean[c]) / standardDeviation[c]` for every pixel of channel `c`.
///
/// Deterministic (draws no random numbers). Typical use: `ChannelNormalization(ChannelStatistics(of: train.images))`,
/// with statistics of the training set applied to both training and test batches.
public struct ChannelNormalization: ImageTransform {
    /// The value subtracted from each channel.
    public let mean: [Float]
    /// The value each channel is divided by after subtracting the mean.
    public let standardDeviation: [Float]

    /// Creates the transform from one mean and one standard deviation per channel.
    /// - Throws: `DatasetError.invalidArgument` if the counts differ or are zero, a value is not finite,
    ///   or a standard deviation is not positive.
    public init(mean: [Float], standardDeviation: [Float]) throws {
        let operation = "ChannelNormalization"
        guard !mean.isEmpty, mean.count == standardDeviation.count else {
            throw DatasetError.invalidArgument(
                operation: operation, reason: "need one mean and one standard deviation per channel, got \(mean.count) and \(standardDeviation.count)")
        }
        guard mean.allSatisfy(\.isFinite), standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DatasetError.invalidArgument(
                operation: operation, reason: "means must be finite and standard deviations positive, got \(mean) and \(standardDeviation)")
        }
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Creates the transform that standardises data with these statistics.
    /// - Throws: `DatasetError.invalidArgument` if a channel has zero standard deviation (a constant channel).
    public init(_ statistics: ChannelStatistics) throws {
        try self.init(mean: statistics.mean, standardDeviation: statistics.standardDeviation)
    }

    /// Accepts images `[C, H, W]` whose channel count matches the statistics.
    public func validate(sampleShape: [Int]) throws {
        guard sampleShape.count == 3, sampleShape[0] == mean.count else {
            throw DatasetError.invalidArgument(
                operation: "ChannelNormalization", reason: "images must have shape [\(mean.count), H, W], got \(sampleShape)")
        }
    }

    /// Standardises every channel of `batch` in place; `generator` is not used.
    public func apply(to batch: inout Tensor, using generator: inout RandomGenerator) {
        precondition(batch.rank == 4 && batch.shape[1] == mean.count,
                     "ChannelNormalization for \(mean.count) channels got a batch of shape \(batch.shape)")
        let channels = mean.count
        let planeSize = batch.shape[2] * batch.shape[3]
        let planeCount = batch.shape[0] * channels
        batch.withUnsafeMutableBufferPointer { data in
            for plane in 0..<planeCount {
                let (shift, scale) = (mean[plane % channels], standardDeviation[plane % channels])
                let start = plane * planeSize
                for i in start..<(start + planeSize) { data[i] = (data[i] - shift) / scale }
            }
        }
    }
}
