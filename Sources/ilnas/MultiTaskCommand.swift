import ArchitectureSearch
import ArgumentParser
import Datasets
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import Training

/// `ilnas multitask`: one network searched for several datasets at once with partly shared weights (Section 4.2,
/// Table 3), or one of its two baselines, with `summary.json`, `expansions.jsonl`, the trained networks and `tasks.json`
/// written to `--out`.
struct MultiTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multitask",
        abstract: "Search one network for several datasets with partly shared weights, or a baseline.",
        discussion: """
            Every --data is a task: a dataset folder (any format ilnas search reads) or `digits`, the embedded 8x8 \
            digits. The images of every task are resized to one input shape (the largest height and width and channel \
            count among the tasks, or --input-size), normalised per task and, for training, augmented as --augment says. The \
            network is a trunk, fully connected (--trunk fc, --hidden widths) or convolutional (--trunk conv, \
            --conv-channels: 3x3 convolutions with 2x2 max-pool reductions between them, then global average pooling), \
            whose weights are each owned by nobody, the shared architecture or one task, with a dense output layer per task; \
            ILNAS grows the shared part and each task's part as architectures of their own. Of the budget left after the \
            output layers, the shared part may use the fraction --shared and each task's part an equal share of the rest. \
            --baseline separate trains one network per task with the budget split evenly (for as many steps as the \
            multi-task run: an epoch is the largest task's batches); --baseline joint trains one network with every \
            trunk weight shared (--shared 1). Results go to --out: summary.json, expansions.jsonl, the trained network \
            (model.safetensors; with --baseline separate, model-task0.safetensors and so on) and tasks.json, from which \
            ilnas evaluate gives every task's test accuracy again.
            """
    )

    enum Baseline: String, ExpressibleByArgument, CaseIterable, Codable {
        case ilnas, separate, joint
    }

    /// The trunk families of `--trunk`.
    enum Trunk: String, ExpressibleByArgument, CaseIterable, Codable {
        case fc, conv
    }

    @Option(help: "A task's dataset: a folder (MNIST-format IDX, CIFAR-10, CIFAR-100 or STL-10 binary) or `digits` (the embedded 8x8 digits); give it once per task, at least twice.")
    var data: [String] = []
    @Option(help: "The fraction of the budget (after the output layers) the shared weights may use, in [0, 1].")
    var shared: Double = 0.2
    @Option(help: "Total parameter budget of all tasks, e.g. 20000, 20k.")
    var budget: ParameterBudget = ParameterBudget(count: 20_000)
    @Option(help: "ilnas (the multi-task search), separate (one network per task, the budget split evenly) or joint (every trunk weight shared).")
    var baseline: Baseline = .ilnas
    @Option(help: "Training epochs (an epoch is the largest task's batches).")
    var epochs: Int = 4
    @Option(help: "The trunk: fc (fully connected, --hidden) or conv (convolutional, --conv-channels).")
    var trunk: Trunk = .fc
    @Option(help: "Widths of the fully connected trunk's hidden layers, comma-separated (default 128,64).")
    var hidden: String?
    @Option(name: .customLong("conv-channels"), help: "Output channels of the convolutional trunk's convolutions, comma-separated; a 2x2 max-pool precedes each after the first (default 32,64).")
    var convChannels: String?
    @Option(name: .customLong("kernel-size"), help: "Kernel side of the convolutional trunk (odd; default 3).")
    var kernelSize: Int?
    @Option(name: .customLong("input-size"), help: "Height and width every task's images are resized to (default: the largest among the tasks).")
    var inputSize: Int?
    @Option(help: "Random augmentation of every task's training images: none, crop, flip or crop-flip (random crops after --crop-padding pixels of padding, and left-right mirroring with probability 1/2). Default per task: crop-flip on CIFAR, STL-10 and image folders, none on IDX data and the digits.")
    var augment: Augmentation.Mode?
    @Option(name: .customLong("crop-padding"), help: "Pixels of padding around each side before a random crop of the original size.")
    var cropPadding: Int = 4
    @Option(name: .customLong("train-limit"), help: "Train on at most this many images of each task (the first ones).")
    var trainLimit: Int?
    @Option(help: "Search granularity: weight or kernel.")
    var granularity: String = "weight"
    @Option(name: .customLong("expand-every"), help: "Epochs between expansions; fractions allowed.")
    var expandEvery: Double = 0.25
    @Option(name: .customLong("frozen-fraction"), help: "Final fraction of training with the architectures frozen.")
    var frozenFraction: Double = 0.2
    @Option(name: .customLong("start-fraction"), help: "Each part starts with this fraction of its share of the trunk.")
    var startFraction: Double = 0.25
    @Option(name: .customLong("candidate-factor"), help: "Hyper-architecture size n as a multiple of the parameters added m.")
    var candidateFactor: Double = 2
    @Option(name: .customLong("scoring-batches"), help: "Mini-batches (per task) averaged for each expansion's gradients.")
    var scoringBatches: Int = 2
    @Option(name: .customLong("batch-size"), help: "Mini-batch size of every task.")
    var batchSize: Int = 64
    @Option(name: .customLong("learning-rate"), help: "Initial SGD learning rate (cosine-annealed to 0); default 0.05 with --trunk fc, 0.2 with --trunk conv (without batch normalisation, a sparse convolutional start barely moves at 0.05).")
    var learningRate: Float?
    @Option(name: .customLong("weight-decay"), help: "SGD weight decay.")
    var weightDecay: Float = 5e-4
    @Option(name: .customLong("max-gradient-norm"), help: "Gradients are rescaled to at most this global L2 norm each step (0: never).")
    var maximumGradientNorm: Float = 5
    @Option(help: "Random seed: same seed, same result.")
    var seed: UInt64 = 0
    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?
    @Option(help: "Output folder.")
    var out: String = "runs/multitask"
    @Flag(help: "Print only the final JSON line.")
    var quiet = false

    func validate() throws {
        if data.count < 2 { throw ValidationError("--data must be given at least twice (one per task), got \(data.count)") }
        if !(0...1).contains(shared) { throw ValidationError("--shared must be in [0, 1], got \(shared)") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        switch trunk {
        case .fc:
            if convChannels != nil { throw ValidationError("--conv-channels is for --trunk conv; the fc trunk takes --hidden") }
            if kernelSize != nil { throw ValidationError("--kernel-size is for --trunk conv; the fc trunk has no kernels") }
            if Self.widths(hidden ?? Self.defaultHidden) == nil {
                throw ValidationError("--hidden must be positive widths separated by commas, got '\(hidden ?? "")'")
            }
        case .conv:
            if hidden != nil { throw ValidationError("--hidden is for --trunk fc; the conv trunk takes --conv-channels") }
            if Self.widths(convChannels ?? Self.defaultConvChannels) == nil {
                throw ValidationError("--conv-channels must be positive channel counts separated by commas, got '\(convChannels ?? "")'")
            }
            if let kernelSize, !(1...15).contains(kernelSize) || kernelSize % 2 == 0 {
                throw ValidationError("--kernel-size must be odd, in 1...15, got \(kernelSize)")
            }
        }
        if let inputSize, !(1...4096).contains(inputSize) { throw ValidationError("--input-size must be in 1...4096, got \(inputSize)") }
        if !(0...64).contains(cropPadding) { throw ValidationError("--crop-padding must be in 0...64, got \(cropPadding)") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit)") }
        if !["weight", "kernel"].contains(granularity) { throw ValidationError("--granularity must be weight or kernel, got '\(granularity)'") }
        // The search steps its next expansion time by the interval until it passes the progress: a vanishing interval
        // (1e-300) would never pass it, and one above the epochs would never expand.
        if !(expandEvery >= 0.001 && expandEvery <= Double(epochs)) {
            throw ValidationError("--expand-every must be in 0.001...\(epochs) (--epochs), got \(expandEvery)")
        }
        if !(0..<1).contains(frozenFraction) { throw ValidationError("--frozen-fraction must be in [0, 1), got \(frozenFraction)") }
        if !(startFraction > 0 && startFraction <= 1) { throw ValidationError("--start-fraction must be in (0, 1], got \(startFraction)") }
        if !(candidateFactor >= 1) { throw ValidationError("--candidate-factor must be at least 1, got \(candidateFactor)") }
        if scoringBatches < 1 { throw ValidationError("--scoring-batches must be at least 1, got \(scoringBatches)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--learning-rate must be positive, got \(learningRate)")
        }
        if !(maximumGradientNorm >= 0) || !maximumGradientNorm.isFinite {
            throw ValidationError("--max-gradient-norm must be 0 (off) or positive, got \(maximumGradientNorm)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    static let defaultHidden = "128,64"
    static let defaultConvChannels = "32,64"
    static let defaultKernelSize = 3

    /// Positive integers separated by commas, or `nil`.
    private static func widths(_ text: String) -> [Int]? {
        let widths = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return widths.map { $0! }
    }

    /// `--learning-rate`, or the default of the trunk.
    private var initialLearningRate: Float { learningRate ?? (trunk == .conv ? 0.2 : 0.05) }

    /// The trunk `--trunk`, `--hidden`, `--conv-channels` and `--kernel-size` describe (validated by `validate()`).
    private var trunkFamily: MultiTaskTrunk {
        switch trunk {
        case .fc: .fullyConnected(hiddenWidths: Self.widths(hidden ?? Self.defaultHidden) ?? [])
        case .conv: .convolutional(channels: Self.widths(convChannels ?? Self.defaultConvChannels) ?? [], kernelSize: kernelSize ?? Self.defaultKernelSize)
        }
    }

    func run() throws {
        do {
            try runSearch()
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure(error)
        }
    }

    private func runSearch() throws {
        try ProcessGroup.requireAlone(because: "ilnas multitask does not train data-parallel")
        let started = Date()
        if let threads { try ComputeThreads.configure(threads: threads) }
        try AtomicFile.createFolder(out)   // an output folder that cannot be made fails now, not after training
        let tasks = try loadTasks()
        if !quiet {
            for task in tasks {
                print("task \(task.name): \(task.train.count) training and \(task.test.count) test images of shape "
                      + "\(task.train.sampleShape), \(task.train.classCount) classes; augmentation: \(augmentation(of: task))")
            }
        }
        let runs: [(tasks: [Int], budget: Int, shared: Double)]
        switch baseline {
        case .ilnas: runs = [(Array(tasks.indices), budget.count, shared)]
        case .joint: runs = [(Array(tasks.indices), budget.count, 1)]
        case .separate: runs = tasks.indices.map { ([$0], budget.count / tasks.count, 1) }
        }
        var results: [MultiTaskSummary.Task?] = Array(repeating: nil, count: tasks.count)
        var taskFiles: [MultiTaskRunData.Task?] = Array(repeating: nil, count: tasks.count)
        var expansions: [MultiTaskSummary.PartExpansion] = []
        var total = 0
        for (runIndex, run) in runs.enumerated() {
            let runSeed = seed &+ UInt64(runIndex) &* 1_000_003
            // Separate networks train for the steps of the multi-task run, so every task gets as many steps in each setting.
            let steps = baseline == .separate ? tasks.map { ($0.train.count + batchSize - 1) / batchSize }.max() : nil
            let search = try makeSearch(tasks: run.tasks.map { tasks[$0] }, budget: run.budget, shared: run.shared,
                                        seed: runSeed, stepsPerEpoch: steps)
            search.onEpoch = { [quiet] epoch, losses in
                guard !quiet else { return }
                let accuracy = try search.evaluate(on: run.tasks.map { try SearchData.testBatches(tasks[$0].test) })
                let parts = run.tasks.enumerated().map { local, task in
                    "\(tasks[task].name): loss \(String(format: "%.4f", losses[local])), test \(String(format: "%.4f", accuracy[local].accuracy))"
                }
                print("epoch \(epoch + 1)/\(epochs): \(search.model.parameterCount) parameters; " + parts.joined(separator: "; "))
            }
            try search.run()
            // One network: model.safetensors; one per task (separate): model-task<t>.safetensors.
            let modelName = runs.count == 1 ? "model.safetensors" : "model-task\(run.tasks[0]).safetensors"
            try search.model.write(toFile: RunFolder(path: out).file(modelName))
            for (local, task) in run.tasks.enumerated() {
                taskFiles[task] = MultiTaskRunData.Task(data: data[task] == "digits" ? "digits" : URL(fileURLWithPath: data[task]).standardizedFileURL.path,
                                                        model: modelName, taskInModel: local, preparation: tasks[task].preparation)
            }
            let evaluation = try search.evaluate(on: run.tasks.map { try SearchData.testBatches(tasks[$0].test) })
            for (local, task) in run.tasks.enumerated() {
                // A separate network is all its task's own: its trunk (the single-task network's shared part) included.
                let alone = baseline == .separate
                results[task] = MultiTaskSummary.Task(
                    dataset: tasks[task].name, parameterCount: search.model.parameterCount(ofTask: local),
                    ownParameterCount: alone ? search.model.parameterCount : search.model.ownCount(of: .task(local)),
                    budget: alone ? run.budget : search.partBudgets[.task(local)] ?? 0,
                    testAccuracy: Double(evaluation[local].accuracy), testLoss: Double(evaluation[local].loss))
            }
            for expansion in search.expansions {
                let part: String
                switch expansion.part {
                case .shared: part = run.tasks.count == 1 ? "task \(run.tasks[0])" : "shared"
                case let .task(local): part = "task \(run.tasks[local])"
                }
                expansions.append(MultiTaskSummary.PartExpansion(part: part, record: expansion.record))
            }
            total += search.model.parameterCount
        }
        let summary = MultiTaskSummary(
            parameterCount: total, budget: budget.count, shared: baseline == .ilnas ? shared : baseline == .joint ? 1 : 0,
            baseline: baseline.rawValue, epochs: epochs, seed: seed, inputShape: tasks[0].train.sampleShape, trunk: trunk,
            hidden: trunk == .fc ? Self.widths(hidden ?? Self.defaultHidden) : nil,
            convChannels: trunk == .conv ? Self.widths(convChannels ?? Self.defaultConvChannels) : nil,
            kernelSize: trunk == .conv ? kernelSize ?? Self.defaultKernelSize : nil, granularity: granularity, learningRate: initialLearningRate,
            augmentation: tasks.map { augmentation(of: $0) },
            sharedParameterCount: baseline == .separate ? 0 : total - results.reduce(0) { $0 + ($1?.ownParameterCount ?? 0) },
            expansions: expansions.count, wallSeconds: Date().timeIntervalSince(started), threads: ComputeThreads.count,
            blasKernels: BLASKernels.coreName, tasks: results.compactMap { $0 })
        try AtomicFile.writeJSON(MultiTaskRunData(tasks: taskFiles.compactMap { $0 }), to: RunFolder(path: out).multiTaskDataPath)
        try AtomicFile.writeJSONLines(expansions, to: (out as NSString).appendingPathComponent("expansions.jsonl"))
        try AtomicFile.writeJSON(summary, to: (out as NSString).appendingPathComponent("summary.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }

    /// The search of one network over `tasks` with its own budget and shared fraction.
    private func makeSearch(tasks: [SearchData], budget: Int, shared: Double, seed: UInt64,
                            stepsPerEpoch: Int?) throws -> MultiTaskSearch {
        let inputShape = tasks[0].train.sampleShape
        let classCounts = tasks.map(\.train.classCount)
        let family = trunkFamily
        // The shares depend on the heads only: build once without a trunk start to read them, then with the start.
        let empty = try family.makeNetwork(inputShape: inputShape, classCounts: classCounts, startingCounts: [:], seed: seed)
        let shares = try MultiTaskSearch.partBudgets(total: budget, sharedFraction: shared, model: empty)
        // The shared part owns every hidden bias from the start; each part starts with the start fraction of the weights
        // its share allows.
        let biases = empty.ownCount(of: .shared)
        guard let sharedShare = shares[.shared], sharedShare >= biases else {
            let widths = trunk == .fc ? "--hidden \(hidden ?? Self.defaultHidden)" : "--conv-channels \(convChannels ?? Self.defaultConvChannels)"
            throw CommandFailure(message: "--shared \(shared) of --budget \(budget) leaves the shared part \(shares[.shared] ?? 0) parameters, "
                + "fewer than the \(biases) hidden biases it starts with (\(widths))")
        }
        var starts: [MultiTaskNetwork.Part: Int] = [:]
        for (part, share) in shares {
            let fixed: Int
            switch part {
            case .shared: fixed = biases
            case let .task(task): fixed = empty.heads[task].parameters.reduce(0) { $0 + $1.activeCount }
            }
            let weights = share - fixed
            starts[part] = weights > 0 ? max(1, Int(startFraction * Double(weights))) : 0
        }
        let model = try family.makeNetwork(inputShape: inputShape, classCounts: classCounts, startingCounts: starts, seed: seed)
        let schedule = try ExpansionSchedule(interval: expandEvery, frozenFraction: frozenFraction, scoringBatches: scoringBatches)
        let settings = MultiTaskSearch.Settings(
            epochs: epochs, learningRate: initialLearningRate, weightDecay: weightDecay,
            maximumGradientNorm: maximumGradientNorm > 0 ? maximumGradientNorm : nil, schedule: schedule, candidateFactor: candidateFactor,
            granularity: granularity == "kernel" ? KernelGranularity() : WeightGranularity(), seed: seed, stepsPerEpoch: stepsPerEpoch)
        let train = try tasks.enumerated().map { index, task in
            try DataLoader(dataset: task.train, batchSize: batchSize, shuffle: true, seed: seed &+ UInt64(index),
                           augmentation: try augmentation(of: task).transform())
        }
        return try MultiTaskSearch(model: model, budget: budget, sharedFraction: shared, train: train, settings: settings)
    }

    /// The augmentation of `task`'s training images: --augment, or the default of its format.
    private func augmentation(of task: SearchData) -> Augmentation {
        Augmentation(mode: augment ?? Augmentation.standard(for: task.format), cropPadding: cropPadding)
    }

    /// Every task's data, adapted to the common input shape and normalised with its own training statistics.
    private func loadTasks() throws -> [SearchData] {
        let directories = data.map { $0 == "digits" ? nil : $0 }
        var loaded = try directories.map { try SearchData.load(directory: $0, seed: seed) }
        let shapes = loaded.map(\.train.sampleShape)
        let common = [shapes.map { $0[0] }.max() ?? 1, inputSize ?? shapes.map { $0[1] }.max() ?? 1, inputSize ?? shapes.map { $0[2] }.max() ?? 1]
        for index in loaded.indices where loaded[index].train.sampleShape != common {
            loaded[index] = try SearchData.load(directory: directories[index], seed: seed, adaptingTo: common)
        }
        guard let trainLimit else { return loaded }
        return try loaded.map { task in
            guard task.train.count > trainLimit else { return task }
            return SearchData(name: task.name, format: task.format, train: try task.train.subset(Array(0..<trainLimit)), test: task.test,
                              preparation: task.preparation)
        }
    }
}

/// What `ilnas multitask` writes to `summary.json`.
struct MultiTaskSummary: Codable {
    /// One task's result.
    struct Task: Codable {
        var dataset: String
        /// The present weights and biases the task computes with: the shared part's and its own.
        var parameterCount: Int
        /// The task's own (its head included).
        var ownParameterCount: Int
        /// The share of the budget its own part could use.
        var budget: Int
        var testAccuracy: Double
        var testLoss: Double
    }

    /// One expansion of one part, a line of `expansions.jsonl`.
    struct PartExpansion: Codable {
        /// `shared` or `task N` (0-based, in the order of --data).
        var part: String
        var record: ExpansionRecord
    }

    /// Every present weight and bias of every network of the run, each counted once.
    var parameterCount: Int
    var budget: Int
    /// The shared fraction of the budget after the output layers (1 for joint, 0 for separate networks).
    var shared: Double
    var baseline: String
    var epochs: Int
    var seed: UInt64
    var inputShape: [Int]
    /// `fc` or `conv`.
    var trunk: MultiTaskCommand.Trunk
    /// The fully connected trunk's hidden widths; absent for the conv trunk.
    var hidden: [Int]?
    /// The convolutional trunk's channels and kernel side; absent for the fc trunk.
    var convChannels: [Int]?
    var kernelSize: Int?
    /// `weight` or `kernel`.
    var granularity: String
    /// The initial SGD learning rate.
    var learningRate: Float
    /// Each task's training augmentation, in the order of the tasks.
    var augmentation: [Augmentation]
    var sharedParameterCount: Int
    var expansions: Int
    var wallSeconds: Double
    var threads: Int
    var blasKernels: String
    var tasks: [Task]
}
