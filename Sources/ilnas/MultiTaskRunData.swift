/// How `ilnas multitask` prepared each task's inputs, saved as `data.json` in its folder so that `ilnas evaluate`
/// prepares every task's test set exactly as the run did.
struct MultiTaskRunData: Codable, Equatable {
    /// One task's data.
    struct Task: Codable, Equatable {
        /// The task's `--data`: a dataset folder as given, or `digits`.
        var data: String
        /// Normalisation and image preparation, as a single-task run records them.
        var preparation: DataPreparation
    }

    /// Every task, in the order of the run's `--data`.
    var tasks: [Task]
}
