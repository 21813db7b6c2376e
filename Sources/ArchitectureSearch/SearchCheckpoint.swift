import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import Training

/// A search (or the training of a network that does not grow) saved between two steps so that it continues exactly:
/// resumed with the same settings and thread count, it ends with the same architecture and the same weights, bit for
/// bit, as the run that was never interrupted.
///
/// One safetensors file, written atomically: the network as ``GrowingNetwork/write(toFile:)`` writes it (weights,
/// masks and the structure entry, with the state of its probe generator), every optimizer buffer
/// (`OptimizerStateTensors`: the momentum of each parameter, by name), and two metadata entries: `checkpoint`, a
/// versioned JSON with the training progress (`TrainingProgress`: epoch, step within it, global step, the epoch's
/// running sums, the finished epochs' reports), the expansion callback's state (``ExpansionCallback/State``: records,
/// next expansion, A_lr, plateau detector, the selection generator), the names of the optimizer tensors and the run's
/// `Settings`; and `crc32c`, a checksum of everything else, so that a damaged file is refused.
///
/// What is not saved is a function of the settings and the progress: the order and augmentation of every batch (a
/// data loader seeds them by epoch and batch), the scoring batches and the probe batch, and the learning rate.
///
/// ```swift
/// try SearchCheckpoint(settings: settings, network: network, loop: loop, expansion: search).write(toFile: path)
/// // later, in a fresh process: the same settings build the loop and the callback around the saved network
/// let checkpoint = try SearchCheckpoint<Settings>(contentsOfFile: path)
/// let loop = TrainingLoop(model: checkpoint.network, ...), search = ExpansionCallback(space: checkpoint.network, ...)
/// try checkpoint.restore(loop, expansion: search)
/// try loop.fit(train: train, test: test, epochs: epochs)   // continues with the next step
/// ```
public struct SearchCheckpoint<Settings: Codable> {
    /// The version of the `checkpoint` JSON this build writes and reads.
    public static var formatVersion: Int { 1 }

    /// The run's settings, as the caller defines them; a resumed run rebuilds its data, loop and callbacks from them.
    public let settings: Settings
    /// The network, optimizer state included.
    public let network: GrowingNetwork
    /// Where training was.
    public let progress: TrainingProgress
    /// The expansion callback's state; `nil` for a network that does not grow.
    public let search: ExpansionCallback.State?

    /// The checkpoint of `loop` training `network` (its model), grown by `expansion` when it grows.
    /// - Throws: ``SearchError/invalidSetting(_:)`` when `network` is not the model of `loop` or the space of `expansion`.
    public init(settings: Settings, network: GrowingNetwork, loop: TrainingLoop, expansion: ExpansionCallback?) throws {
        try Self.check(network, isTrainedBy: loop, grownBy: expansion)
        self.settings = settings
        self.network = network
        progress = loop.progress
        search = expansion?.state
    }

    /// Writes the checkpoint to the safetensors file at `path`, atomically: a crash leaves the previous file at `path`,
    /// if any, or this one, never a torn one.
    /// - Throws: `CheckpointError` naming `path` when a weight or optimizer buffer is not finite (the run has
    ///   diverged: such a checkpoint is no use) or the description cannot be written as JSON; `SafetensorsError`
    ///   when the file cannot be written.
    public func write(toFile path: String) throws {
        let optimizerTensors = OptimizerStateTensors.tensors(of: network.parameters)
        var file = try network.safetensorsContents(for: path)
        for (name, tensor) in optimizerTensors {
            file.tensors[name] = tensor
        }
        for name in file.tensors.keys.sorted() {
            guard case let .float32(values) = file.tensors[name]?.elements, values.contains(where: { !$0.isFinite }) else { continue }
            throw CheckpointError.invalidTensor(path: path, name: name, reason: "holds NaN or infinite values: training has diverged")
        }
        let description = Description(formatVersion: Self.formatVersion, settings: settings, progress: progress, search: search,
                                      optimizerTensors: optimizerTensors.keys.sorted())
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            file.metadata[Self.metadataKey] = String(decoding: try encoder.encode(description), as: UTF8.self)
        } catch {
            throw CheckpointError.invalidContents(path: path, reason: "cannot be written as JSON: \(error)")
        }
        try file.checksummed(under: Self.checksumKey).write(toFile: path)
    }

    /// Reads the checkpoint at `path`, after checking every part: the checksum, the format version, the description
    /// JSON, the progress, the network (``GrowingNetwork/init(safetensors:path:)``) and exactly the optimizer tensors
    /// the description lists, each with its parameter's shape.
    /// - Throws: `SafetensorsError` (unreadable, not safetensors, damaged), `CheckpointError` (not a checkpoint,
    ///   another version, invalid description or optimizer tensor) or `GrowingNetworkFileError` (invalid network),
    ///   each naming `path` and what is wrong.
    public init(contentsOfFile path: String) throws {
        let file = try SafetensorsFile(contentsOfFile: path)
        guard let json = file.metadata[Self.metadataKey] else { throw CheckpointError.notACheckpoint(path: path) }
        try file.verifyChecksum(under: Self.checksumKey, path: path)
        let description = try FormatVersion.decode(json, as: Description.self, version: Self.formatVersion,
                                                   unsupported: { CheckpointError.unsupportedVersion(path: path, version: $0) },
                                                   invalid: { CheckpointError.invalidContents(path: path, reason: $0) })
        if let inconsistency = description.progress.inconsistency {
            throw CheckpointError.invalidContents(path: path, reason: "progress: \(inconsistency)")
        }
        if let state = description.search?.selectionGeneratorState, RandomGenerator(hexadecimalState: state) == nil {
            throw CheckpointError.invalidContents(path: path, reason: "search.selectionGeneratorState \(state) is not four words "
                + "of 16 hexadecimal digits, not all zero")
        }
        let isOptimizerState = { (name: String) in name.hasPrefix(OptimizerStateTensors.namePrefix) }
        let network = try GrowingNetwork(safetensors: SafetensorsFile(tensors: file.tensors.filter { !isOptimizerState($0.key) },
                                                                      metadata: file.metadata), path: path)
        try OptimizerStateTensors.restore(file.tensors.filter { isOptimizerState($0.key) }, names: description.optimizerTensors,
                                          into: network.parameters, path: path)
        settings = description.settings
        self.network = network
        progress = description.progress
        search = description.search
    }

    /// Puts `loop` (training ``network``) and `expansion` (growing it, when it grows) where the checkpoint was, so that
    /// `loop.fit` continues with the next step (`TrainingLoop.resume(from:)`, ``ExpansionCallback/restore(_:)``).
    /// - Throws: ``SearchError/invalidSetting(_:)`` when ``network`` is not the model of `loop` or the space of
    ///   `expansion`, when `expansion` is given for a checkpoint without search state or missing for one with it, or
    ///   when the state does not fit them.
    public func restore(_ loop: TrainingLoop, expansion: ExpansionCallback?) throws {
        try Self.check(network, isTrainedBy: loop, grownBy: expansion)
        guard (expansion == nil) == (search == nil) else {
            throw SearchError.invalidSetting(search == nil ? "the checkpoint has no search state for the expansion callback"
                                                           : "the checkpoint's search state needs an expansion callback")
        }
        try loop.resume(from: progress)
        if let expansion, let search { try expansion.restore(search) }
    }

    /// The `__metadata__` entry of the description.
    static var metadataKey: String { "checkpoint" }
    /// The `__metadata__` entry of the checksum.
    static var checksumKey: String { "crc32c" }

    /// The `checkpoint` JSON.
    private struct Description: Codable {
        var formatVersion: Int
        var settings: Settings
        var progress: TrainingProgress
        var search: ExpansionCallback.State?
        /// The names of the file's optimizer tensors (`OptimizerStateTensors`), sorted.
        var optimizerTensors: [String]
    }

    /// Throws unless `network` is the model of `loop` and the space of `expansion` (when given).
    private static func check(_ network: GrowingNetwork, isTrainedBy loop: TrainingLoop, grownBy expansion: ExpansionCallback?) throws {
        guard loop.model === network else { throw SearchError.invalidSetting("the checkpoint's network is not the training loop's model") }
        if let expansion, expansion.space !== network {
            throw SearchError.invalidSetting("the checkpoint's network is not the expansion callback's search space")
        }
    }
}
