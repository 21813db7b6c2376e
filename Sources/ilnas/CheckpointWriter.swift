import ArchitectureSearch
import Training

/// Writes the run's checkpoints: after every `--checkpoint-every`-th epoch, when training ends, and when it stops on
/// request (a signal), each time keeping the newest two (``CheckpointFolder``).
final class CheckpointWriter: TrainingCallback {
    let folder: CheckpointFolder
    let options: SearchOptions
    let network: GrowingNetwork
    let expansion: ExpansionCallback?
    /// The file of the latest checkpoint written.
    private(set) var latestFile: String?
    /// The progress of the latest checkpoint written, so that the end of training does not write it twice.
    private var latestProgress: TrainingProgress?

    init(folder: CheckpointFolder, options: SearchOptions, network: GrowingNetwork, expansion: ExpansionCallback?) {
        self.folder = folder
        self.options = options
        self.network = network
        self.expansion = expansion
    }

    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        switch event {
        case let .epochEnd(report) where (report.epoch + 1) % options.checkpointEvery == 0:
            try write(loop)
        case .trainingEnd, .trainingStopped:
            if loop.progress != latestProgress { try write(loop) }
        default:
            break
        }
    }

    private func write(_ loop: TrainingLoop) throws {
        latestFile = try folder.write(SearchCheckpoint(settings: options, network: network, loop: loop, expansion: expansion))
        latestProgress = loop.progress
    }
}
