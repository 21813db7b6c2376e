/// The per-channel standardisation a network's inputs went through in training: `(x - mean[c]) / standardDeviation[c]`
/// for every value of channel `c`, with pixels `x` in [0, 1].
///
/// Exports carry it, so that a user feeds pixels in [0, 1] and the exported graph normalises them as the run did.
public struct InputNormalization: Sendable, Equatable {
    /// Each channel's mean, subtracted first.
    public let mean: [Float]
    /// Each channel's standard deviation, divided by next.
    public let standardDeviation: [Float]

    /// A normalisation with one mean and one standard deviation per channel.
    /// - Throws: ``ModelExportError/invalidNormalization(_:)`` when the counts differ or are zero, a mean is not
    ///   finite, or a standard deviation is not a positive finite number.
    public init(mean: [Float], standardDeviation: [Float]) throws {
        guard !mean.isEmpty, mean.count == standardDeviation.count else {
            throw ModelExportError.invalidNormalization("\(mean.count) means and \(standardDeviation.count) standard deviations")
        }
        guard mean.allSatisfy(\.isFinite), standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ModelExportError.invalidNormalization("means must be finite and standard deviations positive, got \(mean) and \(standardDeviation)")
        }
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// No normalisation (mean 0, standard deviation 1) for `channels` channels.
    public static func identity(channels: Int) -> InputNormalization {
        InputNormalization(checkedMean: [Float](repeating: 0, count: max(1, channels)),
                           standardDeviation: [Float](repeating: 1, count: max(1, channels)))
    }

    /// A normalisation whose values are known to be valid.
    private init(checkedMean mean: [Float], standardDeviation: [Float]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Checks that there is one mean and one standard deviation per channel of `network`'s input (its first dimension).
    func check(for network: CompactNetwork) throws {
        guard mean.count == network.inputShape[0] else {
            throw ModelExportError.invalidNormalization("\(mean.count) channels, the network's input \(network.inputShape) has \(network.inputShape[0])")
        }
    }
}
