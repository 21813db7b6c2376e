import ArchitectureSearch
import Foundation
import Training

/// What `ilnas evaluate` prints for a run of `ilnas multitask`: each task's saved network evaluated on the task's test
/// set, prepared as the run prepared it.
struct MultiTaskRunEvaluation: Codable {
    /// One task's evaluation.
    struct Task: Codable, Equatable {
        /// The data set, as `summary.json` names it.
        var dataset: String
        /// The fraction of test images classified correctly: the run's `testAccuracy` for the task, bit for bit.
        var testAccuracy: Double
        /// The mean cross-entropy over the test images.
        var testLoss: Double
        /// The present weights and biases the task computes with (the shared part's and its own).
        var parameterCount: Int
        /// The model file the task's network was loaded from.
        var path: String
    }

    /// Every task, in the run's order.
    var tasks: [Task]
    /// The form of the network that computed the logits: each task's view of the trunk, as searched.
    var engine = InferenceEngine.masked

    /// Evaluates each task of the run in `folder`, whose `data.json` is `data`: task `t` on the test set of
    /// `dataDirectories[t]` when given (`digits` for the embedded digits), else of the folder the run used. One network
    /// (`model.safetensors`) serves every task, or each task has its own (`model-task<t>.safetensors`, `--baseline
    /// separate`).
    /// - Throws: `CommandFailure` when the number of data folders is not the number of tasks, a model file is missing
    ///   or does not match the run, and the loaders' errors.
    init(folder: RunFolder, data: MultiTaskRunData, dataDirectories: [String]) throws {
        guard dataDirectories.isEmpty || dataDirectories.count == data.tasks.count else {
            throw CommandFailure(message: "\(folder.preparationPath): the run has \(data.tasks.count) tasks; give one --data per task "
                + "(digits for the embedded digits), or none to use the run's")
        }
        let shared = FileManager.default.fileExists(atPath: folder.modelPath)
        tasks = try data.tasks.enumerated().map { task, recorded in
            let path = shared ? folder.modelPath : folder.file("model-task\(task).safetensors")
            let (network, _) = try MultiTaskNetwork.load(contentsOfFile: path)
            let local = shared ? task : 0
            guard local < network.taskCount else {
                throw CommandFailure(message: "\(path): a network of \(network.taskCount) tasks, but the run has \(data.tasks.count)")
            }
            let directory = dataDirectories.isEmpty ? recorded.data : dataDirectories[task]
            let test = try SearchData.testSet(directory: directory == "digits" ? nil : directory, preparation: recorded.preparation,
                                              adaptingTo: network.inputShape)
            let classes = try network.taskNetworks[local].outputShape(forInput: [1] + network.inputShape)[1]
            guard test.classCount == classes else {
                throw CommandFailure(message: "\(path): task \(task)'s network tells \(classes) classes apart, its test set "
                    + "(\(directory)) has \(test.classCount)")
            }
            let evaluation = try network.evaluate(task: local, on: SearchData.testBatches(test))
            return Task(dataset: recorded.preparation.dataset, testAccuracy: Double(evaluation.accuracy),
                        testLoss: Double(evaluation.loss), parameterCount: network.parameterCount(ofTask: local), path: path)
        }
    }
}
