/// What `ilnas multitask` saved for each task, in `tasks.json` in its folder: where its network is and how its inputs
/// were prepared, so that `ilnas evaluate` loads the right network and prepares the task's test set exactly as the run did.
struct MultiTaskRunData: Codable, Equatable {
    /// One task's network and data.
    struct Task: Codable, Equatable {
        /// The task's `--data`: a dataset folder (absolute), or `digits`.
        var data: String
        /// The file of the network that computes the task, in the run folder: `model.safetensors`, or
        /// `model-task<t>.safetensors` when every task has a network of its own (`--baseline separate`).
        var model: String
        /// The task's index among the tasks of that network.
        var taskInModel: Int
        /// Normalisation and image preparation, as a single-task run records them.
        var preparation: DataPreparation
    }

    /// Every task, in the order of the run's `--data`.
    var tasks: [Task]
}
