import Training

/// Records the events a training loop sends, one short word each: `start`, `resume`, `epoch0`, `batch0.3` (epoch and
/// batch), `end0`, `stop`, `finish`.
final class EventRecorder: TrainingCallback {
    private(set) var events: [String] = []

    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        switch event {
        case .trainingStart: events.append("start")
        case .trainingResumed: events.append("resume")
        case let .epochStart(epoch): events.append("epoch\(epoch)")
        case let .batchEnd(report): events.append("batch\(report.epoch).\(report.batch)")
        case let .epochEnd(report): events.append("end\(report.epoch)")
        case .trainingStopped: events.append("stop")
        case .trainingEnd: events.append("finish")
        }
    }
}
