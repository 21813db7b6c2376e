import TensorCore

/// The mean and (population) standard deviation of each channel over all images and pixels.
///
/// Computed in double precision with two passes (mean, then squared deviations). For MNIST scaled to
/// [0, 1] the training set gives mean 0.1307 and standard deviation 0.3081.
public struct ChannelStatistics: Sendable, Equatable {
    /// The mean of each channel.
    public let mean: [Float]
    /// The standard deviation of each channel (dividing by the number of values, not one less).
    public let standardDeviation: [Float]

    /// Measures `images`, a tensor `[N, C, H, W]` (for example `dataset.images`).
    /// - Throws: `DatasetError.invalidArgument` if `images` is not of rank 4 or holds no pixels.
    public init(of images: Tensor) throws {
        guard images.rank == 4, images.shape[0] * images.shape[2] * images.shape[3] > 0 else {
            throw DatasetError.invalidArgument(
                operation: "ChannelStatistics", reason: "need a non-empty batch [N, C, H, W], got \(images.shape)")
        }
        let (count, channels) = (images.shape[0], images.shape[1])
        let planeSize = images.shape[2] * images.shape[3]
        let valuesPerChannel = Double(count * planeSize)
        var means = [Double](repeating: 0, count: channels)
        var deviations = [Double](repeating: 0, count: channels)
        images.withUnsafeBufferPointer { data in
            func planes(of channel: Int) -> [UnsafeBufferPointer<Float>] {
                (0..<count).map { image in
                    let start = (image * channels + channel) * planeSize
                    return UnsafeBufferPointer(rebasing: data[start..<(start + planeSize)])
                }
            }
            for channel in 0..<channels {
                let channelPlanes = planes(of: channel)
                let mean = channelPlanes.reduce(0.0) { sum, plane in sum + plane.reduce(0.0) { $0 + Double($1) } } / valuesPerChannel
                let squares = channelPlanes.reduce(0.0) { sum, plane in
                    sum + plane.reduce(0.0) { partial, value in
                        let deviation = Double(value) - mean
                        return partial + deviation * deviation
                    }
                }
                means[channel] = mean
                deviations[channel] = (squares / valuesPerChannel).squareRoot()
            }
        }
        mean = means.map { Float($0) }
        standardDeviation = deviations.map { Float($0) }
    }
}
