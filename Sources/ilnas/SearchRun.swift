import ArchitectureSearch
import Datasets
import Foundation
import NeuralNetwork
import Serialization
import TensorCore
import Training

/// One training run of `ilnas search`: a searched network (ILNAS or random growth) or the fixed baseline,
/// trained on `data`, with its files written to `out`; started afresh, or resumed from the newest checkpoint in
/// `out` that reads back.
struct SearchRun {
    /// What is trained.
    enum Network {
        /// The VGG-like network of the template that fills the budget (Figure 5's fixed baseline).
        case fixed(ConvolutionalTemplate)
        /// A network sampled from a template and grown during training.
        case grown(any SearchTemplate, selection: ArchitectureOptimizer.Selection)
        /// The final network of an earlier run, kept growing on this run's data (Section 5.2).
        case evolved(TransferSource, selection: ArchitectureOptimizer.Selection)
        /// The final architecture of an earlier run with fresh weights, trained without growth.
        case retrained(TransferSource)

        /// How units are chosen, for the networks that grow.
        var selection: ArchitectureOptimizer.Selection? {
            switch self {
            case .fixed, .retrained: nil
            case let .grown(_, selection), let .evolved(_, selection): selection
            }
        }
    }

    let options: SearchOptions
    let data: SearchData
    /// The trial number of a best-of-K baseline (0 otherwise): it changes only the random growth's choices.
    let trial: Int
    let out: String
    /// Whether to continue from the newest checkpoint in `out` (when there is none, the run starts afresh).
    let resuming: Bool
    /// Whether to print nothing but errors.
    let quiet: Bool
    /// The processes training together (data parallelism); only rank 0 writes files.
    let communicator: any Communicator

    /// Trains the network, writes the run's files and returns its summary and final network.
    /// - Throws: ``RunStopped`` when a signal stopped training (a checkpoint was written), and what fails.
    func run() throws -> (summary: SearchSummary, network: GrowingNetwork) {
        let started = Date()
        let writes = communicator.rank == 0
        let folder = RunFolder(path: out)
        let network = try options.trainedNetwork()
        let budget = try options.searchBudget()
        let resumed = resuming ? try latestCheckpoint(in: folder) : nil
        let model = try resumed?.network ?? makeNetwork(network, budget: budget)

        let train = try DataLoader(dataset: data.train, batchSize: options.batchSize, shuffle: true, seed: options.seed,
                                   augmentation: try options.augment.transform())
        let test = try SearchData.testBatches(data.test)
        let optimizer = try SGD(learningRate: options.learningRate, momentum: 0.9, nesterov: true, weightDecay: options.weightDecay)
        // A short linear warm-up keeps the sparse, unnormalised starting network from collapsing (dead ReLUs).
        let schedule = try CosineAnnealingSchedule(initialRate: options.learningRate, finalRate: 0, length: Double(options.epochs))
            .withLinearWarmup(length: min(1, Double(options.epochs) / 4))
        let loop = TrainingLoop(model: model, optimizer: optimizer, schedule: schedule)
        loop.communicator = communicator
        loop.maximumGradientNorm = options.maximumGradientNorm > 0 ? options.maximumGradientNorm : nil
        // Every rank stops at the same step when any of them received the signal (the loop reduces the flags).
        loop.stopRequest = { StopSignal.received != nil }
        if !quiet { loop.callbacks.append(ProgressBar()) }

        if writes { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        let auditPath = folder.expansionsPath, architecturePath = folder.architecturePath
        var expansion: ExpansionCallback?
        if let selection = network.selection {
            let architectureOptimizer = try ArchitectureOptimizer(budget: budget, selection: selection, candidateFactor: options.candidateFactor,
                                                                  seed: options.seed &+ 1 &+ UInt64(trial) &* 7_919)
            architectureOptimizer.communicator = communicator
            let callback = ExpansionCallback(space: model, optimizer: architectureOptimizer, granularity: try options.granularityLevels(),
                                             schedule: try options.expansionSchedule(), scoringData: train)
            loop.callbacks.append(callback)
            expansion = callback
        }
        let checkpoints = writes ? try addFileWriters(to: loop, folder: folder, network: model, expansion: expansion, fresh: resumed == nil) : nil
        try resumed?.restore(loop, expansion: expansion)
        if writes, let expansion {
            // The audit log starts as the records so far (a resumed run's, none for a new one) and grows by one line per expansion.
            let log = try JSONLinesLog(path: auditPath, startingWith: expansion.records)
            expansion.onExpansion = { try log.append($0) }
        }
        if !communicator.isAlone {
            try StartAgreement(configuration: options.agreementFields, space: model, train: train, progress: loop.progress, expansion: expansion)
                .check(across: communicator)
        }

        let history: [EpochReport]
        do {
            history = try loop.fit(train: train, test: test, epochs: options.epochs)
        } catch let stopped as TrainingStopped {
            throw RunStopped(progress: stopped.progress, checkpoint: checkpoints?.latestFile,
                             signal: try StopSignal.agreed(StopSignal.received, across: communicator))
        }
        let records = expansion?.records ?? []
        if writes {
            try AtomicFile.writeJSON(ArchitectureDescription(model), to: architecturePath)
            try folder.save(model, preparation: data.preparation)
        }

        let overhead = history.map { report in (expansion?.architectureSecondsPerEpoch[report.epoch] ?? 0) / max(report.trainSeconds, 1e-9) }
        let summary = SearchSummary(
            testAccuracy: Double(history.last?.testAccuracy ?? 0), trainAccuracy: Double(history.last?.trainAccuracy ?? 0),
            parameterCount: model.parameterCount, budget: budget.parameters, computeBudget: budget.multiplyAccumulates,
            epochs: options.epochs, wallSeconds: Date().timeIntervalSince(started),
            trainingSeconds: history.map(\.trainSeconds).reduce(0, +), granularity: options.granularity, baseline: options.baseline.rawValue,
            seed: options.seed, dataset: data.name, threads: ComputeThreads.count, blasKernels: BLASKernels.coreName,
            expansions: records.count, startingParameterCount: records.first?.parametersBefore ?? model.parameterCount,
            initialArchitectureLearningRate: expansion?.initialArchitectureLearningRate,
            maximumArchitectureOverhead: overhead.max() ?? 0,
            trainImagesPerSecond: history.map(\.trainImagesPerSecond).reduce(0, +) / Double(max(1, history.count)),
            multiplyAccumulates: model.multiplyAccumulates,
            deadChannels: try ExpansionCallback.probeBatch(from: train).map { try model.deadChannels(on: $0.inputs) } ?? 0,
            zeroScoreUnits: records.reduce(0) { $0 + $1.zeroScoreUnits },
            revivedChannels: records.reduce(0) { $0 + $1.revivedChannels }, ranks: communicator.size)
        if writes { try AtomicFile.writeJSON(summary, to: folder.summaryPath) }
        return (summary, model)
    }

    /// The callbacks that write the run's files (rank 0's): the epoch log, TensorBoard events and checkpoints; a
    /// `fresh` run first removes an earlier run's checkpoints and event files from the folder. Returns the checkpoint writer.
    private func addFileWriters(to loop: TrainingLoop, folder: RunFolder, network model: GrowingNetwork,
                                expansion: ExpansionCallback?, fresh: Bool) throws -> CheckpointWriter {
        loop.callbacks.append(EpochLog(epochsPath: folder.epochsPath, architecturePath: folder.architecturePath, network: model))
        if fresh {
            try folder.checkpoints.removeAll()   // a fresh run in a used folder must not be resumed from the last one's
            try removeEventFiles()   // nor plot over the last one
        }
        // One event file per writer: a run stopped and resumed within a second (by another process, or by the same one,
        // as tests do) would otherwise reuse the file name.
        let now = Date()
        var suffix = ".\(getpid())", number = 0
        while FileManager.default.fileExists(atPath: folder.file(EventFileWriter.fileName(creationDate: now, suffix: suffix))) {
            number += 1
            suffix = ".\(getpid()).\(number)"
        }
        loop.callbacks.append(TensorBoardLogger(writer: try EventFileWriter(folder: out, creationDate: now, suffix: suffix)))
        let checkpoints = CheckpointWriter(folder: folder.checkpoints, options: options, network: model, expansion: expansion)
        loop.callbacks.append(checkpoints)
        return checkpoints
    }

    /// The starting network: the fixed baseline, or a network sampled from the template (narrowed, for the
    /// convolutional template, to the start fraction of the budgets).
    private func makeNetwork(_ network: Network, budget: SearchBudget) throws -> GrowingNetwork {
        let inputShape = data.train.sampleShape, classes = data.train.classCount
        switch network {
        case let .fixed(template):
            let model = try template.fixedNetwork(inputShape: inputShape, classes: classes, budget: budget.parameters, seed: options.seed)
            try budget.validate(start: model)
            return model
        case let .grown(template as ConvolutionalTemplate, _):
            let fraction = options.startFraction
            return try template.narrowed(toAtMost: Int(fraction * Double(budget.parameters)),
                                         multiplyAccumulates: budget.multiplyAccumulates.map { Int(fraction * Double($0)) },
                                         inputShape: inputShape, classes: classes, seed: options.seed)
                .makeNetwork(inputShape: inputShape, classes: classes, seed: options.seed)
        case let .grown(template, _):
            return try template.makeNetwork(inputShape: inputShape, classes: classes, seed: options.seed)
        case let .evolved(source, _):
            return try source.network(classes: classes)
        case let .retrained(source):
            let model = try source.network(classes: classes).withFreshWeights(seed: options.seed)
            try budget.validate(start: model)
            return model
        }
    }

    /// The newest checkpoint in `folder` that reads back, checked to be this run's, or `nil` (said) when there is none.
    private func latestCheckpoint(in folder: RunFolder) throws -> SearchCheckpoint<SearchOptions>? {
        guard let (checkpoint, file) = try folder.checkpoints.newestValid(tidies: communicator.rank == 0, report: { message in
            FileHandle.standardError.write(Data("\(message)\n".utf8))
        }) else {
            if !quiet { print("no checkpoint in \(folder.checkpoints.path): the run starts from the beginning") }
            return nil
        }
        guard checkpoint.settings == options else {
            throw CommandFailure(message: "\(file): written by a run with other options than \(folder.configurationPath) holds")
        }
        if !quiet { print("resuming from \(file): \(checkpoint.progress) (of \(options.epochs) epochs)") }
        return checkpoint
    }

    /// Removes the TensorBoard event files of an earlier run written into ``out``.
    private func removeEventFiles() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasPrefix("events.out.tfevents.") {
            try FileManager.default.removeItem(atPath: RunFolder(path: out).file(name))
        }
    }
}
