import Datasets
import Foundation
import TensorCore
import Training

/// What the processes of a data-parallel search must share before their first step, at the start of a run and after
/// a resume: the configuration, the architecture (every mask), the weights, and the data order and position (the
/// loader's seed, batch size, sample count and labels, the pixels of up to 256 images as prepared, the step the run continues from and the expansion callback's
/// state). Each is kept as a 64-bit hash, and ``check(across:)`` compares them between the processes, so that ranks
/// started with different options, data, builds or checkpoints stop with an error before they sum unrelated gradients.
public struct StartAgreement: Equatable {
    /// The parts compared, in order, with their hashes.
    public let parts: [Part]
    /// The steps taken before (0 at the start of a run).
    public let completedSteps: Int

    /// One compared part: what it is, for the error message, and its hash.
    public struct Part: Equatable {
        /// What the part is: `configuration`, `architecture`, `weights`, `training data` or `position in training`.
        public let name: String
        /// Its 64-bit FNV-1a hash, the same on every machine.
        public let hash: UInt64
    }

    /// The state of a search about to train `space` on `train` from `progress`, grown by `expansion` (`nil` for a
    /// network that does not grow), with `configuration` (the run's options). The configuration and the expansion's
    /// state are compared as their JSON with sorted keys.
    /// - Throws: What encoding `configuration` throws.
    public init(configuration: some Encodable, space: any SearchSpace, train: DataLoader, progress: TrainingProgress,
                expansion: ExpansionCallback?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var settings = StableHash()
        settings.mix(bytes: try encoder.encode(configuration))
        var data = StableHash()
        for value in [Int(truncatingIfNeeded: train.seed), train.batchSize, train.shuffle ? 1 : 0, train.dropLast ? 1 : 0,
                      train.dataset.count] + train.dataset.labels {
            data.mix(value)
        }
        let size = train.dataset.sampleSize
        train.dataset.images.withUnsafeBufferPointer { pixels in
            for image in Self.sampledImages(count: train.dataset.count) {
                for pixel in pixels[(image * size)..<((image + 1) * size)] { data.mix(UInt64(pixel.bitPattern)) }
            }
        }
        var position = StableHash()
        for value in [progress.epoch, progress.batch, progress.globalStep] { position.mix(value) }
        if let expansion { position.mix(bytes: try encoder.encode(expansion.state)) }
        completedSteps = progress.globalStep
        parts = [Part(name: "configuration", hash: settings.value), Part(name: "architecture", hash: space.architectureHash),
                 Part(name: "weights", hash: space.weightHash), Part(name: "training data", hash: data.value),
                 Part(name: "position in training", hash: position.value)]
    }

    /// The images whose pixels (as prepared: decoded, resized, normalised) the training-data part hashes: at most
    /// ``imagesHashed``, evenly spaced and the first always among them. Enough to catch other files or another
    /// preparation, without a pass over a large dataset.
    static func sampledImages(count: Int) -> [Int] {
        guard count > imagesHashed else { return Array(0..<count) }
        return (0..<imagesHashed).map { $0 * count / imagesHashed }
    }

    /// The most images whose pixels the training-data part hashes.
    static let imagesHashed = 256

    /// Compares every part with the other processes of `communicator` (two reductions per part; nothing when alone).
    /// - Throws: ``SearchError/ranksDisagreeAtStart(parts:completedSteps:ranks:)`` naming the parts that differ, on
    ///   every rank.
    public func check(across communicator: any Communicator) throws {
        guard !communicator.isAlone else { return }
        var differing: [String] = []
        for part in parts where try !communicator.allAgree(on: part.hash) { differing.append(part.name) }
        if !differing.isEmpty { throw SearchError.ranksDisagreeAtStart(parts: differing, completedSteps: completedSteps, ranks: communicator.size) }
    }
}
