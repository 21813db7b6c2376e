import ArchitectureSearch
import ArgumentParser
import Datasets
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import Training

/// `ilnas search`: trains and grows a network (or a baseline) and writes its results to `--out`.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an architecture under a parameter budget (ILNAS), or train a baseline.",
        discussion: """
            Without options it searches on the 8x8 digits embedded in the package. With --data DIR it reads the \
            dataset in DIR, whose format it recognises from the files: MNIST-format IDX (MNIST, Fashion-MNIST), \
            CIFAR-10 binary, CIFAR-100 binary (fine labels) or STL-10 binary. Results go to --out: summary.json, \
            expansions.jsonl (one audit line per expansion), epochs.jsonl, architecture.json, the final network \
            model.safetensors and data.json (how the inputs were prepared), which ilnas evaluate reads.
            """
    )

    enum Baseline: String, ExpressibleByArgument, CaseIterable {
        case ilnas, fixed, random
    }

    enum Template: String, ExpressibleByArgument, CaseIterable {
        case conv, mlp
    }

    @Option(help: "Folder with MNIST-format IDX, CIFAR-10, CIFAR-100 or STL-10 binary files, or the folder holding the archive's folder (default: the embedded sklearn 8x8 digits).")
    var data: String?
    @Option(help: "Parameter budget, e.g. 20000, 100k, 2.5M (default: 20k on digits, 100k with --data).")
    var budget: ParameterBudget?
    @Option(name: .customLong("compute-budget"),
            help: "Limit on multiply-accumulates per image: a count (4M), a multiple of the fixed VGG-like network's of the same parameter budget (1x, 1.5x), or none (default: 1x with the conv template, none with mlp).")
    var computeBudget: ComputeBudgetOption?
    @Option(help: "Search granularity: weight, kernel, layer, or a coarse-to-fine list such as layer,kernel.")
    var granularity: String = "kernel"
    @Option(help: "Training epochs (default: 40 on digits, 6 with --data).")
    var epochs: Int?
    @Option(name: .customLong("arch-lr"), help: "Initial architecture learning rate A_lr (default: chosen to reach the budget).")
    var architectureLearningRate: Double?
    @Option(name: .customLong("arch-lr-decay"), help: "How A_lr decays over the search: constant, linear or cosine.")
    var architectureDecay: String = "cosine"
    @Option(name: .customLong("expand-every"), help: "Epochs between expansions; fractions allowed (default: 1 on digits, 0.25 with --data).")
    var expandEvery: Double?
    @Flag(help: "Augment training images with random crops (zero padding 2).")
    var augment = false
    @Flag(help: "Also expand when the gradient norm plateaus.")
    var plateau = false
    @Option(name: .customLong("frozen-fraction"), help: "Final fraction of training with the architecture frozen.")
    var frozenFraction: Double = 0.2
    @Option(name: .customLong("start-fraction"), help: "With --template conv, the starting network is narrowed to at most this fraction of the budgets (parameters and compute).")
    var startFraction: Double = 0.25
    @Option(name: .customLong("candidate-factor"), help: "Hyper-architecture size n as a multiple of the parameters added m.")
    var candidateFactor: Double = 2
    @Option(name: .customLong("scoring-batches"), help: "Mini-batches averaged for each expansion's gradients.")
    var scoringBatches: Int = 2
    @Option(help: "ilnas (the search), fixed (a VGG-like network of the budget's size) or random (random growth).")
    var baseline: Baseline = .ilnas
    @Option(help: "Random growth only: run this many trials (different random choices) and keep the best, as the paper's best of 5.")
    var trials: Int = 1
    @Option(help: "How the last convolutional stage feeds the linear layers: globalAveragePool or flatten.")
    var head: HeadReduction = .globalAveragePool
    @Option(help: "Search template: conv (Figure 3) or mlp.")
    var template: Template = .conv
    @Option(help: "Random seed: same seed, same result.")
    var seed: UInt64 = 0
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(name: .customLong("batch-size"), help: "Mini-batch size (default: 16 on digits, 128 with --data).")
    var batchSize: Int?
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
        if !(startFraction > 0 && startFraction <= 1) { throw ValidationError("--start-fraction must be in (0, 1], got \(startFraction)") }
        if trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if trials > 1, baseline != .random { throw ValidationError("--trials applies to --baseline random only") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
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
        if let threads { try ComputeThreads.configure(threads: threads) }
        let data = try SearchData.load(directory: data, seed: seed)
        if !quiet {
            print("data: \(data.name), \(data.train.count) training and \(data.test.count) test images of shape "
                  + "\(data.train.sampleShape), \(data.train.classCount) classes")
        }
        let onDigits = self.data == nil
        let budget = self.budget?.count ?? (onDigits ? 20_000 : 100_000)
        let template = ConvolutionalTemplate(stages: 2, channels: onDigits ? 4...8 : 8...12, density: 0.5,
                                             hiddenWidth: onDigits ? 16...32 : 32...48, headReduction: head)
        let computeLimit = try (computeBudget ?? (self.template == .conv ? .multipleOfFixed(1) : .none)).resolved {
            guard self.template == .conv else { throw ValidationError("--compute-budget Nx needs --template conv, whose fixed network it refers to") }
            return try template.fixedNetwork(inputShape: data.train.sampleShape, classes: data.train.classCount, budget: budget, seed: seed)
                .multiplyAccumulates
        }
        let settings = SearchRun.Settings(
            budget: try SearchBudget(parameters: budget, multiplyAccumulates: computeLimit),
            epochs: epochs ?? (onDigits ? 40 : 6), granularity: try TopDownGranularity(parsing: granularity),
            expansionSchedule: try ExpansionSchedule(
                interval: expandEvery ?? (onDigits ? 1 : 0.25), plateau: plateau ? try GradientPlateau() : nil,
                frozenFraction: frozenFraction, initialArchitectureLearningRate: architectureLearningRate,
                decay: ExpansionSchedule.Decay(rawValue: architectureDecay) ?? .cosine, scoringBatches: scoringBatches),
            candidateFactor: candidateFactor, startFraction: startFraction, augment: augment, batchSize: batchSize ?? (onDigits ? 16 : 128),
            learningRate: learningRate, weightDecay: weightDecay, maximumGradientNorm: maximumGradientNorm > 0 ? maximumGradientNorm : nil,
            seed: seed, showsProgress: !quiet)
        let network: SearchRun.Network = switch (baseline, self.template) {
        case (.fixed, .mlp): throw SearchError.invalidSetting("the fixed baseline is VGG-like and needs --template conv")
        case (.fixed, .conv): .fixed(template)
        case (_, .mlp): .grown(MultilayerPerceptronTemplate(), selection: baseline == .random ? .random : .gradient)
        case (_, .conv): .grown(template, selection: baseline == .random ? .random : .gradient)
        }

        let trialCount = baseline == .random ? trials : 1
        var runs: [(summary: SearchSummary, network: GrowingNetwork)] = []
        for trial in 0..<trialCount {
            let folder = trialCount == 1 ? out : RunFolder(path: out).file("trial-\(trial)")
            if trialCount > 1, !quiet { print("random growth, trial \(trial + 1) of \(trialCount)") }
            runs.append(try SearchRun(settings: settings, data: data, network: network, trial: trial, out: folder).run())
        }
        // Best of the trials by test accuracy, as the paper reports its random baseline (a favour to the baseline).
        let kept = runs.indices.max { runs[$0].summary.testAccuracy < runs[$1].summary.testAccuracy } ?? 0
        var summary = runs[kept].summary
        if trialCount > 1 {
            summary.trials = runs.enumerated().map { .init(trial: $0.offset, folder: "trial-\($0.offset)", testAccuracy: $0.element.summary.testAccuracy) }
            summary.keptTrial = kept
            let folder = RunFolder(path: out)
            try AtomicFile.writeJSON(summary, to: folder.summaryPath)
            try folder.save(runs[kept].network, preparation: data.preparation)
        }
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
