/// Thrown by ``TrainingLoop/fit(train:test:epochs:)`` when its ``TrainingLoop/stopRequest`` asked it to stop: the loop
/// finished the step it was taking (and what the callbacks do after a step), sent
/// ``TrainingEvent/trainingStopped`` and returned without taking another.
public struct TrainingStopped: Error, Equatable, CustomStringConvertible {
    /// Where the loop stopped; fitting a loop resumed from it continues with the next step.
    public let progress: TrainingProgress

    init(progress: TrainingProgress) {
        self.progress = progress
    }

    public var description: String {
        "training stopped on request at \(progress)"
    }
}
