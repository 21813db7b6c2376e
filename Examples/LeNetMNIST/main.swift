// Trains a LeNet-5-like CNN on MNIST:
//   swift run -c release LeNetMNIST --data ../shared/datasets/mnist --epochs 3
// Prints per-epoch loss, test accuracy and images/s, then one JSON line with the results.
import ArgumentParser
import Datasets
import Foundation
import NeuralNetwork
import TensorCore
import Training

struct LeNetMNIST: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a LeNet-5-like CNN on MNIST-format IDX files.")

    @Option(help: "Folder with the four MNIST IDX files (gzipped or raw).")
    var data: String = "../shared/datasets/mnist"
    @Option(help: "Training epochs.")
    var epochs: Int = 3
    @Option(name: .customLong("batch-size"), help: "Mini-batch size.")
    var batchSize: Int = 128
    @Option(name: .customLong("learning-rate"), help: "Initial learning rate (cosine-annealed to 0 per step).")
    var learningRate: Float = 0.05
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        do {
            try train()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    private func train() throws {
        let started = Date()
        if let threads { try ComputeThreads.configure(threads: threads) }
        let (trainSet, testSet) = try MNIST.load(directory: data)
        let normalization = try ChannelNormalization(mean: [0.1307], standardDeviation: [0.3081])
        let train = try DataLoader(dataset: trainSet, batchSize: batchSize, shuffle: true, seed: seed, augmentation: normalization)
        let test = try DataLoader(dataset: testSet, batchSize: 1000, shuffle: false, augmentation: normalization)

        var generator = RandomGenerator(seed: seed)
        let model = Sequential.leNet5(generator: &generator)
        let schedule = try CosineAnnealingSchedule(initialRate: learningRate, finalRate: 0, length: Double(epochs))
        let loop = TrainingLoop(model: model, optimizer: try SGD(learningRate: learningRate, momentum: 0.9),
                                schedule: schedule, callbacks: [ProgressBar()])
        let history = try loop.fit(train: train, test: test, epochs: epochs)
        let trainSeconds = history.reduce(0) { $0 + $1.trainSeconds }
        let result: [String: Double] = [
            "testAccuracy": Double(history.last?.testAccuracy ?? 0),
            "epochs": Double(epochs),
            "trainImagesPerSecond": Double(trainSet.count * epochs) / max(trainSeconds, 1e-9),
            "wallSeconds": Date().timeIntervalSince(started),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}

LeNetMNIST.main()
