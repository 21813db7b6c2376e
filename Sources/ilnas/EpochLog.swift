import ArchitectureSearch
import Serialization
import Training

/// Rewrites `epochs.jsonl` and `architecture.json` after every epoch.
final class EpochLog: TrainingCallback {
    let epochsPath: String, architecturePath: String
    let network: GrowingNetwork

    init(epochsPath: String, architecturePath: String, network: GrowingNetwork) {
        self.epochsPath = epochsPath
        self.architecturePath = architecturePath
        self.network = network
    }

    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        guard case .epochEnd = event else { return }
        try AtomicFile.writeJSONLines(loop.history, to: epochsPath)
        try AtomicFile.writeJSON(ArchitectureDescription(network), to: architecturePath)
    }
}
