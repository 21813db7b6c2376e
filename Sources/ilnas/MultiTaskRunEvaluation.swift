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

    /// Evaluates each task of the run in `folder`, whose `tasks.json` is `data`, with the network its record names: task
    /// `t` on the test set of `dataDirectories[t]` when given (`digits` for the embedded digits), else of the data the
    /// run used.
    /// - Throws: `CommandFailure` when the number of data folders is not the number of tasks, a network does not have
    ///   the tasks the record gives it or tells another number of classes apart than its test set has, and the
    ///   loaders' errors, which name the file.
    init(folder: RunFolder, data: MultiTaskRunData, dataDirectories: [String]) throws {
        guard dataDirectories.isEmpty || dataDirectories.count == data.tasks.count else {
            throw CommandFailure(message: "\(folder.multiTaskDataPath): the run has \(data.tasks.count) tasks; give one --data per "
                + "task (digits for the embedded digits), or none to use the run's")
        }
        var networks: [String: MultiTaskNetwork] = [:]
        tasks = try data.tasks.enumerated().map { task, recorded in
            let path = folder.file(recorded.model)
            let network = try networks[path] ?? MultiTaskNetwork.load(contentsOfFile: path)
            networks[path] = network
            let sharing = data.tasks.filter { $0.model == recorded.model }.count
            guard network.taskCount == sharing, (0..<sharing).contains(recorded.taskInModel) else {
                throw CommandFailure(message: "\(path): a network of \(network.taskCount) tasks, but \(folder.multiTaskDataPath) gives it "
                    + "\(sharing), task \(task) as its task \(recorded.taskInModel)")
            }
            let local = recorded.taskInModel
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
