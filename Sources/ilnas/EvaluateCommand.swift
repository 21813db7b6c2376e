import ArgumentParser
import Foundation
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
            multiplyAccumulates and the model's path.
            """
    )

    @Argument(help: ArgumentHelp("The run folder: the --out of ilnas search.", valueName: "run"))
    var runFolder: String
    @Option(help: "Dataset folder in any format ilnas search reads (default: the embedded sklearn 8x8 digits).")
    var data: String?
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(help: ArgumentHelp("Also write the first --logit-count test images (pixels in [0, 1]), their labels and the network's logits to this safetensors file.",
                               valueName: "file"))
    var logits: String?
    @Option(help: "How many test images --logits writes.")
    var logitCount = 100

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if logitCount < 1 { throw ValidationError("--logit-count must be at least 1, got \(logitCount)") }
    }

    func run() throws {
        do {
            if let threads { try ComputeThreads.configure(threads: threads) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let evaluation = try RunEvaluation(folder: RunFolder(path: runFolder), dataDirectory: data)
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            if let logits {
                try TestLogits.write(folder: RunFolder(path: runFolder), dataDirectory: data, count: logitCount, to: logits)
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
