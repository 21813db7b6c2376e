import ArchitectureSearch
import Serialization
import Training

/// Keeps `epochs.jsonl` and `architecture.json` current after every epoch: the first epoch this process ends writes the
/// whole history (a resumed run's earlier epochs included), later ones append their line.
final class EpochLog: TrainingCallback {
    let epochsPath: String, architecturePath: String
    let network: GrowingNetwork
    private var log: JSONLinesLog<EpochReport>?

    init(epochsPath: String, architecturePath: String, network: GrowingNetwork) {
        self.epochsPath = epochsPath
        self.architecturePath = architecturePath
        self.network = network
    }

    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        guard case .epochEnd = event else { return }
        if let log, let last = loop.history.last {
            try log.append(last)
        } else {
            log = try JSONLinesLog(path: epochsPath, startingWith: loop.history)
        }
        try AtomicFile.writeJSON(ArchitectureDescription(network), to: architecturePath)
    }
}
