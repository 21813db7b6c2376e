import ArchitectureSearch
import Serialization
import Training

/// Keeps `epochs.jsonl` and `architecture.json` current: the log starts as the history so far when training starts or
/// resumes (a resumed run's earlier epochs), and every epoch appends its line and rewrites the architecture.
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
        switch event {
        case .trainingStart, .trainingResumed:
            log = try JSONLinesLog(path: epochsPath, startingWith: loop.history)
            return
        case let .epochEnd(report):
            try log?.append(report)
        default:
            return
        }
        try AtomicFile.writeJSON(ArchitectureDescription(network), to: architecturePath)
    }
}
