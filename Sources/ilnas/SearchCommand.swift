import ArchitectureSearch
import ArgumentParser
import Datasets
import Foundation
import NeuralNetwork
import TensorCore
import Training

/// `ilnas search`: trains and grows a network (or a baseline) and writes its results to `--out`.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an architecture under a parameter budget (ILNAS), or train a baseline.",
        discussion: """
            Without options it searches on the 8x8 digits embedded in the package. With --data DIR it reads the \
            four MNIST-format IDX files (MNIST or Fashion-MNIST) from DIR. Results go to --out: summary.json, \
            expansions.jsonl (one audit line per expansion), epochs.jsonl and architecture.json.
            """
    )

    enum Baseline: String, ExpressibleByArgument, CaseIterable {
        case ilnas, fixed, random
    }

    enum Template: String, ExpressibleByArgument, CaseIterable {
        case conv, mlp
    }

    @Option(help: "Folder with MNIST-format IDX files (default: the embedded sklearn 8x8 digits).")
    var data: String?
    @Option(help: "Parameter budget, e.g. 20000, 100k, 2.5M (default: 20k on digits, 100k on IDX data).")
    var budget: ParameterBudget?
    @Option(name: .customLong("compute-budget"), help: "Optional limit on multiply-accumulates per image (e.g. 3M): bounds training time.")
    var computeBudget: ParameterBudget?
    @Option(help: "Search granularity: weight, kernel, layer, or a coarse-to-fine list such as layer,kernel.")
    var granularity: String = "kernel"
    @Option(help: "Training epochs (default: 40 on digits, 6 on IDX data).")
    var epochs: Int?
    @Option(name: .customLong("arch-lr"), help: "Initial architecture learning rate A_lr (default: chosen to reach the budget).")
    var architectureLearningRate: Double?
    @Option(name: .customLong("arch-lr-decay"), help: "How A_lr decays over the search: constant, linear or cosine.")
    var architectureDecay: String = "cosine"
    @Option(name: .customLong("expand-every"), help: "Epochs between expansions; fractions allowed (default: 1 on digits, 0.25 on IDX data).")
    var expandEvery: Double?
    @Flag(help: "Augment training images with random crops (zero padding 2).")
    var augment = false
    @Flag(help: "Also expand when the gradient norm plateaus.")
    var plateau = false
    @Option(name: .customLong("frozen-fraction"), help: "Final fraction of training with the architecture frozen.")
    var frozenFraction: Double = 0.2
    @Option(name: .customLong("candidate-factor"), help: "Hyper-architecture size n as a multiple of the parameters added m.")
    var candidateFactor: Double = 2
    @Option(name: .customLong("scoring-batches"), help: "Mini-batches averaged for each expansion's gradients.")
    var scoringBatches: Int = 2
    @Option(help: "ilnas (the search), fixed (a VGG-like network of the budget's size) or random (random growth).")
    var baseline: Baseline = .ilnas
    @Option(help: "How the last convolutional stage feeds the linear layers: globalAveragePool or flatten.")
    var head: HeadReduction = .globalAveragePool
    @Option(help: "Search template: conv (Figure 3) or mlp.")
    var template: Template = .conv
    @Option(help: "Random seed: same seed, same result.")
    var seed: UInt64 = 0
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(name: .customLong("batch-size"), help: "Mini-batch size.")
    var batchSize: Int = 128
    @Option(name: .customLong("learning-rate"), help: "Initial SGD learning rate (cosine-annealed to 0).")
    var learningRate: Float = 0.05
    @Option(name: .customLong("weight-decay"), help: "SGD weight decay.")
    var weightDecay: Float = 5e-4
    @Option(name: .customLong("max-gradient-norm"),
            help: "Gradients are rescaled to at most this global L2 norm each step (0: never); keeps the sparse starting network from collapsing at its peak learning rate.")
    var maximumGradientNorm: Float = 5
    @Option(help: "Output folder.")
    var out: String = "runs/search"
    @Flag(help: "Print only the final JSON line.")
    var quiet = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let expandEvery, !(expandEvery > 0) { throw ValidationError("--expand-every must be positive, got \(expandEvery)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0) { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        if !(maximumGradientNorm >= 0) || !maximumGradientNorm.isFinite {
            throw ValidationError("--max-gradient-norm must be 0 (off) or positive, got \(maximumGradientNorm)")
        }
        if ExpansionSchedule.Decay(rawValue: architectureDecay) == nil {
            throw ValidationError("--arch-lr-decay must be one of \(ExpansionSchedule.Decay.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        _ = try TopDownGranularity(parsing: granularity)
    }

    func run() throws {
        do {
            try search()
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }

    private func search() throws {
        let started = Date()
        if let threads { try ComputeThreads.configure(threads: threads) }
        let data = try SearchData.load(directory: data, seed: seed)
        let onDigits = self.data == nil
        let budget = self.budget?.count ?? (onDigits ? 20_000 : 100_000)
        let epochs = self.epochs ?? (onDigits ? 40 : 6)
        let granularity = try TopDownGranularity(parsing: granularity)
        let inputShape = data.train.sampleShape
        let classes = data.train.classCount

        let searchTemplate: any SearchTemplate = template == .mlp
            ? MultilayerPerceptronTemplate()
            : ConvolutionalTemplate(stages: 2, channels: onDigits ? 4...8 : 8...12, density: 0.5,
                                    hiddenWidth: onDigits ? 16...32 : 32...48, headReduction: head)
        let network: GrowingNetwork
        if baseline == .fixed {
            guard let convolutional = searchTemplate as? ConvolutionalTemplate else {
                throw SearchError.invalidSetting("the fixed baseline is VGG-like and needs --template conv")
            }
            network = try convolutional.fixedNetwork(inputShape: inputShape, classes: classes, budget: budget, seed: seed)
        } else {
            network = try searchTemplate.makeNetwork(inputShape: inputShape, classes: classes, seed: seed)
        }

        let train = try DataLoader(dataset: data.train, batchSize: batchSize, shuffle: true, seed: seed,
                                   augmentation: augment ? try RandomCrop(padding: 2) : nil)
        let test = try DataLoader(dataset: data.test, batchSize: 500, shuffle: false, seed: seed)
        let optimizer = try SGD(learningRate: learningRate, momentum: 0.9, nesterov: true, weightDecay: weightDecay)
        // A short linear warm-up keeps the sparse, unnormalised starting network from collapsing (dead ReLUs).
        let schedule = try CosineAnnealingSchedule(initialRate: learningRate, finalRate: 0, length: Double(epochs))
            .withLinearWarmup(length: min(1, Double(epochs) / 4))
        let loop = TrainingLoop(model: network, optimizer: optimizer, schedule: schedule)
        loop.maximumGradientNorm = maximumGradientNorm > 0 ? maximumGradientNorm : nil
        if !quiet { loop.callbacks.append(ProgressBar()) }

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let auditPath = (out as NSString).appendingPathComponent("expansions.jsonl")
        var expansion: ExpansionCallback?
        if baseline != .fixed {
            let architectureOptimizer = try ArchitectureOptimizer(
                budget: SearchBudget(parameters: budget, multiplyAccumulates: computeBudget?.count),
                selection: baseline == .random ? .random : .gradient, candidateFactor: candidateFactor, seed: seed &+ 1)
            let expansionSchedule = try ExpansionSchedule(
                interval: expandEvery ?? (onDigits ? 1 : 0.25), plateau: plateau ? try GradientPlateau() : nil,
                frozenFraction: frozenFraction, initialArchitectureLearningRate: architectureLearningRate,
                decay: ExpansionSchedule.Decay(rawValue: architectureDecay) ?? .cosine, scoringBatches: scoringBatches)
            let callback = ExpansionCallback(space: network, optimizer: architectureOptimizer, granularity: granularity,
                                             schedule: expansionSchedule, scoringData: train)
            callback.onExpansion = { [unowned callback] _ in try AtomicFile.writeJSONLines(callback.records, to: auditPath) }
            loop.callbacks.append(callback)
            expansion = callback
        }
        let architecturePath = (out as NSString).appendingPathComponent("architecture.json")
        loop.callbacks.append(EpochLog(epochsPath: (out as NSString).appendingPathComponent("epochs.jsonl"),
                                       architecturePath: architecturePath, network: network))

        let history = try loop.fit(train: train, test: test, epochs: epochs)
        try AtomicFile.writeJSON(ArchitectureDescription(network), to: architecturePath)
        if let expansion { try AtomicFile.writeJSONLines(expansion.records, to: auditPath) }

        let overhead = history.map { report in (expansion?.architectureSecondsPerEpoch[report.epoch] ?? 0) / max(report.trainSeconds, 1e-9) }
        let summary = SearchSummary(
            testAccuracy: Double(history.last?.testAccuracy ?? 0), trainAccuracy: Double(history.last?.trainAccuracy ?? 0),
            parameterCount: network.parameterCount, budget: budget, epochs: epochs,
            wallSeconds: Date().timeIntervalSince(started), granularity: granularity.name, baseline: baseline.rawValue,
            seed: seed, dataset: data.name, threads: ComputeThreads.count, blasKernels: BLASKernels.coreName, expansions: expansion?.records.count ?? 0,
            startingParameterCount: expansion?.records.first?.parametersBefore ?? network.parameterCount,
            initialArchitectureLearningRate: expansion?.initialArchitectureLearningRate,
            maximumArchitectureOverhead: overhead.max() ?? 0,
            trainImagesPerSecond: history.map(\.trainImagesPerSecond).reduce(0, +) / Double(max(1, history.count)),
            multiplyAccumulates: network.multiplyAccumulates,
            trainingSeconds: history.map(\.trainSeconds).reduce(0, +),
            deadChannels: try ExpansionCallback.probeBatch(from: train).map { try network.deadChannels(on: $0.inputs) } ?? 0,
            zeroScoreUnits: expansion?.records.reduce(0) { $0 + $1.zeroScoreUnits } ?? 0)
        try AtomicFile.writeJSON(summary, to: (out as NSString).appendingPathComponent("summary.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}

extension HeadReduction: ExpressibleByArgument {}

/// A failure of the run (bad data, impossible budget): printed as `Error: message`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// What `summary.json` holds.
struct SearchSummary: Codable {
    var testAccuracy: Double
    var trainAccuracy: Double
    var parameterCount: Int
    var budget: Int
    var epochs: Int
    var wallSeconds: Double
    var granularity: String
    var baseline: String
    var seed: UInt64
    var dataset: String
    var threads: Int
    /// The OpenBLAS kernel family the run computed with (results differ in the last bits between families).
    var blasKernels: String
    var expansions: Int
    var startingParameterCount: Int
    var initialArchitectureLearningRate: Double?
    /// The largest share of an epoch's training time spent in architecture steps.
    var maximumArchitectureOverhead: Double
    var trainImagesPerSecond: Double
    /// Multiply-accumulates of one image's forward pass through the final network.
    var multiplyAccumulates: Int
    /// Seconds spent in training epochs (steps and expansions, without evaluation).
    var trainingSeconds: Double
    /// Real hidden channels that output zero on the search's fixed probe batch at the end.
    var deadChannels: Int
    /// Units added although their first score was not positive (0 for ILNAS by construction).
    var zeroScoreUnits: Int
}

/// Rewrites `epochs.jsonl` and `architecture.json` after every epoch.
final class EpochLog: TrainingCallback {
    let epochsPath: String, architecturePath: String
    let network: GrowingNetwork

    init(epochsPath: String, architecturePath: String, network: GrowingNetwork) {
        self.epochsPath = epochsPath
        self.architecturePath = architecturePath
        self.network = network
    }

    func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        guard case .epochEnd = event else { return }
        try AtomicFile.writeJSONLines(loop.history, to: epochsPath)
        try AtomicFile.writeJSON(ArchitectureDescription(network), to: architecturePath)
    }
}
