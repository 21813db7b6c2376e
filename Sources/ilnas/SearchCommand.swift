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
            CIFAR-10 binary, CIFAR-100 binary (fine labels), STL-10 binary or image folders (train/ and val/ with a \
            folder of JPEG or PNG files per class). Images can be resized (--image-size) and given 1 or 3 channels \
            (--channels); they are normalised per channel with the training set's statistics, and training images are \
            augmented as --augment says (random crops and flips by default on photographs). Results go to --out: summary.json, \
            expansions.jsonl (one audit line per expansion), epochs.jsonl, architecture.json, the final network \
            model.safetensors and data.json (how the inputs were prepared), which ilnas evaluate reads; config.json \
            (the options as resolved) and checkpoints/, from which ilnas resume continues an interrupted run. \
            SIGINT or SIGTERM stops the run after the current step with a checkpoint (exit status 130 or 143).
            """
    )

    enum Baseline: String, ExpressibleByArgument, CaseIterable, Codable {
        case ilnas, fixed, random, retrained
    }

    enum Template: String, ExpressibleByArgument, CaseIterable, Codable {
        case conv, mlp
    }

    @Option(help: "Folder with MNIST-format IDX, CIFAR-10, CIFAR-100 or STL-10 binary files (or the folder holding the archive's folder), or image folders train/ and val/ (default: the embedded sklearn 8x8 digits).")
    var data: String?
    @Option(help: "Keep evolving the final network of this run folder on --data (Section 5.2), or with --baseline retrained train its architecture anew: images are adapted to its input (resized; grey repeated into colour or colour averaged into grey) and a new output layer replaces the old one when the class count differs.")
    var from: String?
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
    @Option(name: .customLong("expand-every"), help: "Epochs between expansions; fractions allowed.")
    var expandEvery: Double = 0.25
    @Option(help: "Random augmentation of training images: none, crop, flip or crop-flip (random crops after --crop-padding pixels of padding, and left-right mirroring with probability 1/2). Default: crop-flip on CIFAR, STL-10 and image folders, none on IDX data and the digits.")
    var augment: Augmentation.Mode?
    @Option(name: .customLong("crop-padding"), help: "Pixels of padding around each side before a random crop of the original size.")
    var cropPadding: Int = 4
    @Option(name: .customLong("image-size"), help: "Resize images to N x N before normalisation (bilinear; image folders are decoded at N by area averaging, default 32). Default: as stored.")
    var imageSize: Int?
    @Option(help: "Bring images to 1 channel (colour averaged) or 3 (grey repeated) before normalisation. Default: as stored.")
    var channels: Int?
    @Option(name: .customLong("image-cache"), help: "Folder for the decoded-image cache of image folders (default: DIR/.ilnas-cache).")
    var imageCache: String?
    @Flag(help: "Also expand when the gradient norm plateaus.")
    var plateau = false
    @Option(name: .customLong("frozen-fraction"), help: "Final fraction of training with the architecture frozen (default: 0.2; on the digits, whatever follows epoch 10, at least 0.2: their training loss vanishes after about 20 epochs, and units grown later score nearly zero and never train).")
    var frozenFraction: Double?
    @Option(name: .customLong("start-fraction"), help: "With --template conv, the starting network is narrowed to at most this fraction of the budgets (parameters and compute).")
    var startFraction: Double = 0.25
    @Option(name: .customLong("candidate-factor"), help: "Hyper-architecture size n as a multiple of the parameters added m.")
    var candidateFactor: Double = 2
    @Option(name: .customLong("scoring-batches"), help: "Mini-batches averaged for each expansion's gradients.")
    var scoringBatches: Int = 2
    @Option(help: "ilnas (the search), fixed (a VGG-like network of the budget's size), random (random growth) or retrained (the final architecture of --from trained from fresh weights, without growth: what the architecture is worth apart from the weights it grew with).")
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
    @Option(name: .customLong("checkpoint-every"),
            help: "Epochs between checkpoints in OUT/checkpoints (the newest two are kept; one is also written at the end and when SIGINT or SIGTERM stops the run); ilnas resume OUT continues from the newest.")
    var checkpointEvery: Int = 1
    @Option(help: "Output folder.")
    var out: String = "runs/search"
    @Flag(help: "Print only the final JSON line.")
    var quiet = false

    func validate() throws {
        if !(0...64).contains(cropPadding) { throw ValidationError("--crop-padding must be in 0...64, got \(cropPadding)") }
        if let imageSize, !(1...4096).contains(imageSize) { throw ValidationError("--image-size must be in 1...4096, got \(imageSize)") }
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if !(expandEvery > 0) { throw ValidationError("--expand-every must be positive, got \(expandEvery)") }
        if !(startFraction > 0 && startFraction <= 1) { throw ValidationError("--start-fraction must be in (0, 1], got \(startFraction)") }
        if trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if trials > 1, baseline != .random { throw ValidationError("--trials applies to --baseline random only") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1, got \(checkpointEvery)") }
        if !(learningRate > 0) { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        if !(maximumGradientNorm >= 0) || !maximumGradientNorm.isFinite {
            throw ValidationError("--max-gradient-norm must be 0 (off) or positive, got \(maximumGradientNorm)")
        }
        if ExpansionSchedule.Decay(rawValue: architectureDecay) == nil {
            throw ValidationError("--arch-lr-decay must be one of \(ExpansionSchedule.Decay.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        _ = try TopDownGranularity(parsing: granularity)
        if from != nil, baseline == .fixed {
            throw ValidationError("--from keeps evolving a network (--baseline ilnas or random) or trains its architecture anew (--baseline retrained)")
        }
        if from == nil, baseline == .retrained { throw ValidationError("--baseline retrained trains the architecture of a finished run: name it with --from RUN") }
        if let frozenFraction, !(0..<1).contains(frozenFraction) {
            throw ValidationError("--frozen-fraction must be in [0, 1), got \(frozenFraction)")
        }
        let (epochs, frozenFraction) = schedule
        if baseline == .ilnas || baseline == .random, !plateau,
           try ExpansionSchedule(interval: expandEvery, frozenFraction: frozenFraction).expansionTimes(totalEpochs: epochs).isEmpty {
            throw ValidationError("no expansion falls before the architecture freezes at epoch \(Double(epochs) * (1 - frozenFraction)) "
                                  + "of \(epochs): lower --expand-every (\(expandEvery)) or --frozen-fraction (\(frozenFraction)), "
                                  + "or train more --epochs")
        }
    }

    /// The epochs and the frozen fraction of the run, defaults by data filled in.
    private var schedule: (epochs: Int, frozenFraction: Double) {
        let onDigits = data == nil
        let epochs = self.epochs ?? (onDigits ? 40 : 6)
        return (epochs, frozenFraction ?? Self.defaultFrozenFraction(onDigits: onDigits, epochs: epochs))
    }

    func run() throws {
        try RunStopped.runCommand(in: out) { try ProcessGroup.run(search) }
    }

    /// The search with the processes of `communicator`: rank 0 prints and writes the files.
    private func search(communicator: any Communicator) throws {
        let quiet = self.quiet || communicator.rank != 0
        if let threads { try ComputeThreads.configure(threads: threads) }
        if communicator.rank == 0 { try AtomicFile.createFolder(out) }   // an output folder that cannot be made fails now, not after training
        let trained = try from.map { try RunFolder(path: $0).network() }   // read once: its input shape, then its size
        let images = ImagePreparation(imageSize: imageSize, channels: channels,
                                      imageCache: imageCache.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        var data = try SearchData.load(directory: data, seed: seed, adaptingTo: trained?.inputShape, images: images)
        let start = try trained.map { try TransferSource.fitting($0, classes: data.train.classCount) }
        if let start, let from, !quiet {
            let what = baseline == .retrained ? "training the architecture of \(from) anew" : "evolving the network of \(from)"
            print("\(what): \(start.parameterCount) parameters, input \(start.inputShape)")
        }
        if !quiet {
            print("data: \(data.name), \(data.train.count) training and \(data.test.count) test images of shape "
                  + "\(data.train.sampleShape), \(data.train.classCount) classes")
        }
        let options = try resolvedOptions(for: data, start: start)
        data.preparation.augmentation = options.augment
        if !quiet { print("training images: normalised per channel; augmentation: \(options.augment)") }
        if communicator.rank == 0 { try RunConfiguration(options: options).write(to: RunFolder(path: out)) }
        try SearchJob(options: options, data: data, out: out, resuming: false, quiet: quiet, communicator: communicator).run()
    }

    /// The options with their defaults for `data` filled in, the data folder made absolute and the compute budget
    /// counted.
    func resolvedOptions(for data: SearchData, start: GrowingNetwork?) throws -> SearchOptions {
        let onDigits = self.data == nil
        let (epochs, frozenFraction) = schedule
        let budget = self.budget?.count ?? max(onDigits ? 20_000 : 100_000, start?.parameterCount ?? 0)
        var options = SearchOptions(
            data: self.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            from: from.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, budget: budget, computeBudget: nil,
            granularity: granularity, epochs: epochs, architectureLearningRate: architectureLearningRate,
            architectureDecay: ExpansionSchedule.Decay(rawValue: architectureDecay) ?? .cosine, expandEvery: expandEvery,
            augment: Augmentation(mode: augment ?? Augmentation.standard(for: data.format), cropPadding: cropPadding),
            imageSize: data.preparation.imageSize, channels: data.preparation.channels, imageCache: data.preparation.imageCache,
            plateau: plateau, frozenFraction: frozenFraction,
            startFraction: startFraction, candidateFactor: candidateFactor, scoringBatches: scoringBatches, baseline: baseline, trials: trials, head: head,
            template: template, seed: seed, threads: ComputeThreads.count, batchSize: batchSize ?? (onDigits ? 16 : 128),
            learningRate: learningRate, weightDecay: weightDecay, maximumGradientNorm: maximumGradientNorm,
            checkpointEvery: checkpointEvery, out: out, quiet: quiet)
        options.computeBudget = try (computeBudget ?? (template == .conv ? .multipleOfFixed(1) : .none)).resolved {
            guard template == .conv else { throw ValidationError("--compute-budget Nx needs --template conv, whose fixed network it refers to") }
            return try options.convolutionalTemplate.fixedNetwork(inputShape: data.train.sampleShape, classes: data.train.classCount,
                                                                  budget: budget, seed: seed).multiplyAccumulates
        }
        if let start, computeBudget == nil, let limit = options.computeBudget {   // by default, room for the network it starts from
            options.computeBudget = max(limit, start.multiplyAccumulates)
        }
        return options
    }

    /// The paper's 0.2 (its last 100 of 500 epochs), except on the digits: there growth stops after epoch 10. Their
    /// training loss vanishes after about 20 epochs (batch 16), and units grown later score 1e-4 to 1e-11 and, added at
    /// zero, never train; growing in the first 10 epochs instead lifts the default run by about 0.75 points.
    static func defaultFrozenFraction(onDigits: Bool, epochs: Int) -> Double {
        onDigits ? max(0.2, 1 - 10 / Double(epochs)) : 0.2
    }
}

extension HeadReduction: ExpressibleByArgument {}
