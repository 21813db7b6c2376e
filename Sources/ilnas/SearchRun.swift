import ArchitectureSearch
import Datasets
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import Training

/// One training run of `ilnas search`: a searched network (ILNAS or random growth) or the fixed baseline,
/// trained on `data`, with its files written to `out`.
struct SearchRun {
    /// Everything a run needs besides its data and network, as resolved from the command line.
    struct Settings {
        var budget: SearchBudget
        var epochs: Int
        var granularity: TopDownGranularity
        var expansionSchedule: ExpansionSchedule
        var candidateFactor: Double
        /// The starting network of a search is narrowed to at most this fraction of the budgets.
        var startFraction: Double
        var augment: Bool
        var batchSize: Int
        var learningRate: Float
        var weightDecay: Float
        var maximumGradientNorm: Float?
        var seed: UInt64
        var showsProgress: Bool
    }

    /// What is trained.
    enum Network {
        /// The VGG-like network of the template that fills the budget (Figure 5's fixed baseline).
        case fixed(ConvolutionalTemplate)
        /// A network sampled from a template and grown during training.
        case grown(any SearchTemplate, selection: ArchitectureOptimizer.Selection)
    }

    let settings: Settings
    let data: SearchData
    let network: Network
    /// The trial number of a best-of-K baseline (0 otherwise): it changes only the random growth's choices.
    let trial: Int
    let out: String

    /// Trains the network, writes the run's files and returns its summary and final network.
    func run() throws -> (summary: SearchSummary, network: GrowingNetwork) {
        let started = Date()
        let inputShape = data.train.sampleShape, classes = data.train.classCount
        let budget = settings.budget
        let model: GrowingNetwork
        switch network {
        case let .fixed(template):
            model = try template.fixedNetwork(inputShape: inputShape, classes: classes, budget: budget.parameters, seed: settings.seed)
            try budget.validate(start: model)
        case let .grown(template as ConvolutionalTemplate, _):
            let fraction = settings.startFraction
            model = try template.narrowed(toAtMost: Int(fraction * Double(budget.parameters)),
                                          multiplyAccumulates: budget.multiplyAccumulates.map { Int(fraction * Double($0)) },
                                          inputShape: inputShape, classes: classes, seed: settings.seed)
                .makeNetwork(inputShape: inputShape, classes: classes, seed: settings.seed)
        case let .grown(template, _):
            model = try template.makeNetwork(inputShape: inputShape, classes: classes, seed: settings.seed)
        }

        let train = try DataLoader(dataset: data.train, batchSize: settings.batchSize, shuffle: true, seed: settings.seed,
                                   augmentation: settings.augment ? try RandomCrop(padding: 2) : nil)
        let test = try SearchData.testBatches(data.test)
        let optimizer = try SGD(learningRate: settings.learningRate, momentum: 0.9, nesterov: true, weightDecay: settings.weightDecay)
        // A short linear warm-up keeps the sparse, unnormalised starting network from collapsing (dead ReLUs).
        let schedule = try CosineAnnealingSchedule(initialRate: settings.learningRate, finalRate: 0, length: Double(settings.epochs))
            .withLinearWarmup(length: min(1, Double(settings.epochs) / 4))
        let loop = TrainingLoop(model: model, optimizer: optimizer, schedule: schedule)
        loop.maximumGradientNorm = settings.maximumGradientNorm
        if settings.showsProgress { loop.callbacks.append(ProgressBar()) }

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let folder = RunFolder(path: out)
        let auditPath = folder.expansionsPath, architecturePath = folder.architecturePath
        var expansion: ExpansionCallback?
        if case let .grown(_, selection) = network {
            let architectureOptimizer = try ArchitectureOptimizer(budget: budget, selection: selection, candidateFactor: settings.candidateFactor,
                                                                  seed: settings.seed &+ 1 &+ UInt64(trial) &* 7_919)
            let callback = ExpansionCallback(space: model, optimizer: architectureOptimizer, granularity: settings.granularity,
                                             schedule: settings.expansionSchedule, scoringData: train)
            callback.onExpansion = { [unowned callback] _ in try AtomicFile.writeJSONLines(callback.records, to: auditPath) }
            loop.callbacks.append(callback)
            expansion = callback
        }
        loop.callbacks.append(EpochLog(epochsPath: folder.epochsPath, architecturePath: architecturePath, network: model))
        try removeEventFiles()   // a run written into a used folder would otherwise plot over the last one
        loop.callbacks.append(try TensorBoardLogger(folder: out))

        let history = try loop.fit(train: train, test: test, epochs: settings.epochs)
        try AtomicFile.writeJSON(ArchitectureDescription(model), to: architecturePath)
        try folder.save(model, preparation: data.preparation)
        let records = expansion?.records ?? []
        if expansion != nil { try AtomicFile.writeJSONLines(records, to: auditPath) }

        let overhead = history.map { report in (expansion?.architectureSecondsPerEpoch[report.epoch] ?? 0) / max(report.trainSeconds, 1e-9) }
        let baseline: String
        switch network {
        case .fixed: baseline = "fixed"
        case let .grown(_, selection): baseline = selection == .gradient ? "ilnas" : "random"
        }
        let summary = SearchSummary(
            testAccuracy: Double(history.last?.testAccuracy ?? 0), trainAccuracy: Double(history.last?.trainAccuracy ?? 0),
            parameterCount: model.parameterCount, budget: budget.parameters, computeBudget: budget.multiplyAccumulates,
            epochs: settings.epochs, wallSeconds: Date().timeIntervalSince(started),
            trainingSeconds: history.map(\.trainSeconds).reduce(0, +), granularity: settings.granularity.name, baseline: baseline,
            seed: settings.seed, dataset: data.name, threads: ComputeThreads.count, blasKernels: BLASKernels.coreName,
            expansions: records.count, startingParameterCount: records.first?.parametersBefore ?? model.parameterCount,
            initialArchitectureLearningRate: expansion?.initialArchitectureLearningRate,
            maximumArchitectureOverhead: overhead.max() ?? 0,
            trainImagesPerSecond: history.map(\.trainImagesPerSecond).reduce(0, +) / Double(max(1, history.count)),
            multiplyAccumulates: model.multiplyAccumulates,
            deadChannels: try ExpansionCallback.probeBatch(from: train).map { try model.deadChannels(on: $0.inputs) } ?? 0,
            zeroScoreUnits: records.reduce(0) { $0 + $1.zeroScoreUnits },
            revivedChannels: records.reduce(0) { $0 + $1.revivedChannels })
        try AtomicFile.writeJSON(summary, to: folder.summaryPath)
        return (summary, model)
    }

    /// Removes the TensorBoard event files of an earlier run written into ``out``.
    private func removeEventFiles() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasPrefix("events.out.tfevents.") {
            try FileManager.default.removeItem(atPath: RunFolder(path: out).file(name))
        }
    }
}
