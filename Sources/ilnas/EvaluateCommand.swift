import ArgumentParser
import Foundation
import ModelExport
import TensorCore
import Training

/// `ilnas evaluate RUN`: the test accuracy and loss of the network that `ilnas search` saved in RUN.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate the final network of a search run on its test set.",
        discussion: """
            Loads RUN/model.safetensors and prepares the test set as the search did (the digits split with the \
            run's seed, image folders decoded at the run's image size, images resized and given the network's \
            channels, inputs normalised with the run's training statistics from RUN/data.json; no random \
            augmentation), then prints one \
            JSON line: testAccuracy, testTop5Accuracy (with more than five classes), testLoss, parameterCount, \
            multiplyAccumulates, the model's path and the engine. The compact engine (the default) runs the \
            compacted network, absent channels and connections taken out, each weight stored dense or sparse by its \
            density; the masked engine runs the network as the search trained it. Both give the same predictions \
            up to rounding.

            A run of ilnas multitask is evaluated task by task (each task's view of the trunk and its head, as \
            searched), on the data the run recorded in RUN/tasks.json or on one --data per task.
            """
    )

    @Argument(help: ArgumentHelp("The run folder: the --out of ilnas search or ilnas multitask.", valueName: "run"))
    var runFolder: String
    @Option(help: "Dataset folder in any format ilnas search reads (default: the embedded sklearn 8x8 digits); for a multi-task run, one per task (digits for the embedded digits; default: the run's).")
    var data: [String] = []
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(help: "compact (the compacted network; the default) or masked (the network as searched; multi-task runs: always).")
    var engine: InferenceEngine?
    @Option(help: ArgumentHelp("With --engine compact, store a weight sparse when its fraction of non-zeros is below this (0 keeps all dense; default: the measured \(WeightLayout.measuredSparseThreshold)).",
                               valueName: "density"))
    var sparseBelow: Double?
    @Option(help: ArgumentHelp("Also write the first --logit-count test images (pixels in [0, 1]), their labels and the network's logits to this safetensors file.",
                               valueName: "file"))
    var logits: String?
    @Option(help: "How many test images --logits writes.")
    var logitCount = 100

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let sparseBelow, !(0...1).contains(sparseBelow) {
            throw ValidationError("--sparse-below must be in 0...1, got \(sparseBelow)")
        }
        if sparseBelow != nil, engine == .masked { throw ValidationError("--sparse-below applies to --engine compact only") }
        if data.count > 1, logits != nil { throw ValidationError("--logits is for a single-task run, which takes one --data") }
        if logitCount < 1 { throw ValidationError("--logit-count must be at least 1, got \(logitCount)") }
    }

    func run() throws {
        do {
            if let threads { try ComputeThreads.configure(threads: threads) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let folder = RunFolder(path: runFolder)
            if FileManager.default.fileExists(atPath: folder.multiTaskDataPath) {
                try evaluateMultiTask(folder: folder, data: JSONFile.decode(MultiTaskRunData.self, at: folder.multiTaskDataPath), encoder: encoder)
                return
            }
            guard data.count <= 1 else { throw CommandFailure(message: "a single-task run takes one --data, got \(data.count)") }
            let evaluation = try RunEvaluation(folder: folder, dataDirectory: data.first, engine: engine ?? .compact,
                                               sparseBelowDensity: sparseBelow ?? WeightLayout.measuredSparseThreshold)
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            if let logits {
                try TestLogits.write(folder: folder, dataDirectory: data.first, count: logitCount, to: logits)
            }
        } catch {
            throw CommandFailure(error)
        }
    }

    /// Evaluates every task of a multi-task run, whose networks only the masked engine runs.
    private func evaluateMultiTask(folder: RunFolder, data runData: MultiTaskRunData, encoder: JSONEncoder) throws {
        if engine == .compact || sparseBelow != nil {
            throw CommandFailure(message: "\(runFolder) is a multi-task run: its task networks run as searched (--engine masked), "
                + "not compacted")
        }
        if logits != nil { throw CommandFailure(message: "\(runFolder) is a multi-task run: --logits is for single-task runs") }
        let evaluation = try MultiTaskRunEvaluation(folder: folder, data: runData, dataDirectories: data)
        print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
    }
}
