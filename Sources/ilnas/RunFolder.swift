import ArchitectureSearch
import Foundation
import Serialization
import Training

/// The files of a run folder that are read back: the final network and how the inputs were prepared (`ilnas
/// evaluate`), the configuration and the checkpoints (`ilnas resume`).
struct RunFolder {
    let path: String

    /// `config.json`: the ``RunConfiguration``.
    var configurationPath: String { file("config.json") }
    /// `checkpoints/`: the ``CheckpointFolder``.
    var checkpoints: CheckpointFolder { CheckpointFolder(path: file("checkpoints")) }

    /// `model.safetensors`: the final network (``GrowingNetwork/write(toFile:)``).
    var modelPath: String { file("model.safetensors") }
    /// `data.json`: the ``DataPreparation`` of the run's inputs.
    var preparationPath: String { file("data.json") }

    /// Writes the final network and how the inputs were prepared.
    func save(_ network: GrowingNetwork, preparation: DataPreparation) throws {
        try AtomicFile.writeJSON(preparation, to: preparationPath)
        try network.write(toFile: modelPath)
    }

    /// The final network.
    /// - Throws: the errors of ``GrowingNetwork/init(contentsOfFile:)``, which name ``modelPath``.
    func network() throws -> GrowingNetwork {
        try GrowingNetwork(contentsOfFile: modelPath)
    }

    /// How the run prepared its inputs.
    /// - Throws: `CommandFailure` naming ``preparationPath`` when it cannot be read or decoded.
    func preparation() throws -> DataPreparation {
        guard let data = FileManager.default.contents(atPath: preparationPath) else {
            throw CommandFailure(message: "\(preparationPath): cannot be read")
        }
        do {
            return try JSONDecoder().decode(DataPreparation.self, from: data)
        } catch let error as DecodingError {
            throw CommandFailure(message: "\(preparationPath): not the data preparation of a run: \(error.summary)")
        }
    }

    private func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}
