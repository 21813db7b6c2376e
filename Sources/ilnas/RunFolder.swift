import ArchitectureSearch
import Foundation
import Serialization
import Training

/// The files of a run folder: what `ilnas search` writes, and what `ilnas evaluate`, `ilnas resume` and `ilnas report`
/// read back.
struct RunFolder {
    let path: String

    /// `config.json`: the ``RunConfiguration``.
    var configurationPath: String { file("config.json") }
    /// `checkpoints/`: the ``CheckpointFolder``.
    var checkpoints: CheckpointFolder { CheckpointFolder(path: file("checkpoints")) }

    /// `model.safetensors`: the final network (`GrowingNetwork.write(toFile:)`).
    var modelPath: String { file("model.safetensors") }
    /// `data.json`: the ``DataPreparation`` of the run's inputs.
    var preparationPath: String { file("data.json") }
    /// `tasks.json`: the ``MultiTaskRunData`` of an `ilnas multitask` run (which has no `data.json`).
    var multiTaskDataPath: String { file("tasks.json") }
    /// `summary.json`: the ``SearchSummary``.
    var summaryPath: String { file("summary.json") }
    /// `epochs.jsonl`: one `EpochReport` per line.
    var epochsPath: String { file("epochs.jsonl") }
    /// `expansions.jsonl`: the audit log, one `ExpansionRecord` per line (searches only).
    var expansionsPath: String { file("expansions.jsonl") }
    /// `architecture.json`: the final `ArchitectureDescription`.
    var architecturePath: String { file("architecture.json") }

    /// Writes the final network and how the inputs were prepared.
    func save(_ network: GrowingNetwork, preparation: DataPreparation) throws {
        try AtomicFile.writeJSON(preparation, to: preparationPath)
        try network.write(toFile: modelPath)
    }

    /// The final network.
    /// - Throws: the errors of `GrowingNetwork.init(contentsOfFile:)`, which name ``modelPath``.
    func network() throws -> GrowingNetwork {
        try GrowingNetwork(contentsOfFile: modelPath)
    }

    /// How the run prepared its inputs.
    /// - Throws: `CommandFailure` naming ``preparationPath`` when it cannot be read or decoded.
    func preparation() throws -> DataPreparation {
        try JSONFile.decode(DataPreparation.self, at: preparationPath)
    }

    /// Throws when the folder holds an `ilnas multitask` run (its `tasks.json`), which `command` does not read.
    /// - Throws: `CommandFailure` naming the folder and what reads such a run.
    func requireSingleTask(for command: String) throws {
        guard !FileManager.default.fileExists(atPath: multiTaskDataPath) else {
            throw CommandFailure(message: "\(path) is an ilnas multitask run (it has tasks.json): \(command) reads single-task runs; "
                + "ilnas evaluate \(path) gives every task's test accuracy")
        }
    }

    /// The path of `name` in the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}
