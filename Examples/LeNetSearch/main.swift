// Searches a network built by hand: a LeNet-5 that starts sparse (a random fraction of every weight tensor
// present) grows weight by weight under a parameter budget, and optionally a compute budget, on MNIST:
//   swift run -c release LeNetSearch --data ../shared/datasets/mnist --epochs 2 --compute-budget 150000
// Prints the starting and final parameter count, multiply-accumulates per image and test accuracy.
import ArchitectureSearch
import ArgumentParser
import Datasets
import Foundation
import NeuralNetwork
import TensorCore
import Training

struct LeNetSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grow a sparse LeNet-5 at weight level with ILNAS on MNIST-format IDX files.")

    @Option(help: "Folder with the four MNIST IDX files (gzipped or raw).")
    var data: String = "../shared/datasets/mnist"
    @Option(help: "Training epochs (the architecture is frozen for the last 20%).")
    var epochs: Int = 2
    @Option(help: "Fraction of every weight tensor present at the start (biases are all present).")
    var density: Double = 0.2
    @Option(help: "Most present weights and biases (default: twice the starting count).")
    var budget: Int?
    @Option(name: .customLong("compute-budget"), help: "Most multiply-accumulates of present weights per image (default: no limit).")
    var computeBudget: Int?
    @Option(help: "Epochs between expansions.")
    var interval: Double = 0.25
    @Option(name: .customLong("batch-size"), help: "Mini-batch size.")
    var batchSize: Int = 128
    @Option(name: .customLong("learning-rate"), help: "Initial learning rate (cosine-annealed to 0).")
    var learningRate: Float = 0.05
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard density > 0, density <= 1 else { throw ValidationError("--density must be in (0, 1]") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        do {
            try search()
        } catch {
            let message = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func search() throws {
        if let threads { try ComputeThreads.configure(threads: threads) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SearchError.invalidSetting("no MNIST folder at '\(data)' (give one with --data)")
        }
        let (trainSet, testSet) = try MNIST.load(directory: data)
        let normalization = try ChannelNormalization(ChannelStatistics(of: trainSet.images))
        let train = try DataLoader(dataset: trainSet, batchSize: batchSize, seed: seed, augmentation: normalization)
        let test = try DataLoader(dataset: testSet, batchSize: 1000, shuffle: false, augmentation: normalization)

        var generator = RandomGenerator(seed: seed)
        let network = Sequential.leNet5(classes: trainSet.classCount, generator: &generator)
        for weight in network.parameters where weight.role == .weight {
            keepRandomEntries(of: weight, fraction: density, generator: &generator)
        }
        let space = try LayerSearchSpace(network: network, inputShape: trainSet.sampleShape)
        let start = (parameters: space.parameterCount, multiplyAccumulates: space.multiplyAccumulates)
        let limits = try SearchBudget(parameters: budget ?? 2 * start.parameters, multiplyAccumulates: computeBudget)
        say("start: \(start.parameters) parameters, \(start.multiplyAccumulates) multiply-accumulates per image; "
            + "budget \(limits.parameters) parameters" + (computeBudget.map { ", \($0) multiply-accumulates" } ?? ""))

        let search = ExpansionCallback(
            space: space, optimizer: try ArchitectureOptimizer(budget: limits, seed: seed),
            granularity: TopDownGranularity([WeightGranularity()]),
            schedule: try ExpansionSchedule(interval: interval), scoringData: train)
        let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: learningRate, momentum: 0.9, nesterov: true),
                                schedule: try CosineAnnealingSchedule(initialRate: learningRate, length: Double(epochs)),
                                callbacks: [search, ProgressBar()])
        let history = try loop.fit(train: train, test: test, epochs: epochs)
        let added = search.records.reduce(0) { $0 + $1.addedParameters }
        say("final: \(space.parameterCount) parameters, \(space.multiplyAccumulates) multiply-accumulates per image; "
            + "\(search.records.count) expansions added \(added) weights; "
            + String(format: "test accuracy %.2f%%", 100 * (history.last?.testAccuracy ?? 0)))
    }

    /// Writes a line to standard output at once, so that it stands in order with the progress lines on standard error.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Keeps `fraction` of the entries of `weight`, chosen at random, and scales them by `1/√fraction` so that
    /// the layer's output keeps the variance of the dense initialisation.
    private func keepRandomEntries(of weight: Parameter, fraction: Double, generator: inout RandomGenerator) {
        let kept = Set(generator.permutation(weight.count).prefix(max(1, Int((fraction * Double(weight.count)).rounded()))))
        weight.applyMask(ArchitectureMask(shape: weight.shape, flags: (0..<weight.count).map(kept.contains)))
        let scale = Float((1 / fraction).squareRoot())
        weight.value.withUnsafeMutableBufferPointer { values in
            for index in 0..<values.count { values[index] *= scale }
        }
    }
}

LeNetSearch.main()
