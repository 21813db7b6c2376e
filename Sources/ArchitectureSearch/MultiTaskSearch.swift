import Foundation
import NeuralNetwork
import TensorCore
import Training

/// Multi-task ILNAS (Section 4.2): one ``MultiTaskNetwork`` trained on several tasks at once, its shared part and
/// each task's part grown by ILNAS as architectures of their own, under one hard budget.
///
/// **Budget.** Of the total budget `B`, the heads (dense, one per task) are set aside; of the rest, the shared part may
/// use `⌊F · rest⌋` and each task's part `⌊(1 − F) · rest / T⌋` plus its head, so the parts add up to at most `B`
/// and no part's growth can take another's share. `F = 1` is joint training (no task-private trunk entries), and a
/// network of one task with `F = 1` is a single-task search of the same family.
///
/// **Training (Phase I).** Each step takes the next batch of every task (a task with fewer batches per epoch starts its
/// next epoch when it runs out; an epoch is the longest task's batches unless ``Settings/stepsPerEpoch`` says), computes the summed gradients with
/// ``MultiTaskNetwork/accumulateTrainingGradients(_:objective:mode:)``, clips them to a global norm, and takes one
/// SGD step (momentum 0.9, Nesterov, weight decay) at a cosine-annealed learning rate with a short linear warm-up.
///
/// **Expansion (Phase II).** At each scheduled time (``ExpansionSchedule``, the architecture frozen for its last
/// fraction), every part below its share is expanded in turn (shared first) by its own ``ArchitectureOptimizer``
/// through a ``MultiTaskPartSpace``, by A_lr times its current size; each part's initial A_lr is chosen to reach its
/// share when not given. Structural (node and connection) growth is not part of multi-task search: the trunk's
/// structure is fixed, and the search chooses which of its weights each part owns.
public final class MultiTaskSearch {
    /// The settings of a multi-task search.
    public struct Settings {
        /// Training epochs (an epoch is the largest task's batches unless ``stepsPerEpoch`` says otherwise).
        public var epochs: Int
        /// The initial SGD learning rate.
        public var learningRate: Float
        /// L2 weight decay.
        public var weightDecay: Float
        /// Gradients are rescaled to at most this global L2 norm each step; `nil`: never.
        public var maximumGradientNorm: Float?
        /// When the parts expand and how much (A_lr).
        public var schedule: ExpansionSchedule
        /// Candidates in the hyper-architecture as a multiple of the parameters to add.
        public var candidateFactor: Double
        /// The units the parts grow by.
        public var granularity: any SearchGranularity
        /// Seeds the data order and random growth.
        public var seed: UInt64
        /// Steps per epoch; `nil`: the batches of the longest task. A baseline that trains the tasks of a multi-task run
        /// apart sets the run's, so that every task gets as many steps as it would together.
        public var stepsPerEpoch: Int?

        public init(epochs: Int, learningRate: Float = 0.05, weightDecay: Float = 5e-4, maximumGradientNorm: Float? = 5,
                    schedule: ExpansionSchedule, candidateFactor: Double = 2, granularity: any SearchGranularity = WeightGranularity(),
                    seed: UInt64, stepsPerEpoch: Int? = nil) {
            self.stepsPerEpoch = stepsPerEpoch
            self.epochs = epochs
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.maximumGradientNorm = maximumGradientNorm
            self.schedule = schedule
            self.candidateFactor = candidateFactor
            self.granularity = granularity
            self.seed = seed
        }
    }

    /// One expansion of one part.
    public struct Expansion {
        /// The part that grew.
        public let part: MultiTaskNetwork.Part
        /// The audit record of the expansion.
        public let record: ExpansionRecord
    }

    /// The network searched.
    public let model: MultiTaskNetwork
    /// How it is trained and grown.
    public let settings: Settings
    /// The total budget.
    public let budget: Int
    /// The share of each part (see the type's documentation).
    public let partBudgets: [MultiTaskNetwork.Part: Int]
    /// The training data of each task.
    public let train: [BatchSource]
    /// Every expansion so far, in order.
    public private(set) var expansions: [Expansion] = []
    /// Each part's initial A_lr, set when training starts.
    public private(set) var initialArchitectureLearningRates: [MultiTaskNetwork.Part: Double] = [:]
    /// Called after each epoch with the epoch (0-based) and each task's mean training loss.
    public var onEpoch: ((Int, [Float]) throws -> Void)?

    /// The parts in expansion order: shared, then every task.
    private let parts: [MultiTaskNetwork.Part]
    private var spaces: [MultiTaskNetwork.Part: MultiTaskPartSpace] = [:]
    private var optimizers: [MultiTaskNetwork.Part: ArchitectureOptimizer] = [:]

    /// The shares of `budget` for `model`'s parts with shared fraction `sharedFraction` (see the type's documentation).
    /// - Throws: ``SearchError/invalidSetting(_:)`` when the fraction is outside [0, 1] or the heads alone exceed the budget.
    public static func partBudgets(total budget: Int, sharedFraction: Double, model: MultiTaskNetwork) throws -> [MultiTaskNetwork.Part: Int] {
        guard (0...1).contains(sharedFraction) else {
            throw SearchError.invalidSetting("the shared fraction must be in [0, 1], got \(sharedFraction)")
        }
        let heads = model.heads.map { $0.parameters.reduce(0) { $0 + $1.activeCount } }
        let rest = budget - heads.reduce(0, +)
        guard rest > 0 else {
            throw SearchError.invalidSetting("a budget of \(budget) does not cover the \(heads.reduce(0, +)) parameters of the output layers")
        }
        var shares: [MultiTaskNetwork.Part: Int] = [.shared: Int((sharedFraction * Double(rest)).rounded(.down))]
        let perTask = Int(((1 - sharedFraction) * Double(rest) / Double(model.taskCount)).rounded(.down))
        for (task, head) in heads.enumerated() { shares[.task(task)] = perTask + head }
        return shares
    }

    /// A search of `model` on the tasks' `train` data under `budget` with shared fraction `sharedFraction`.
    /// - Throws: ``SearchError`` when a setting is invalid, a task has no training batches, or a part already exceeds its
    ///   share.
    public init(model: MultiTaskNetwork, budget: Int, sharedFraction: Double, train: [BatchSource], settings: Settings) throws {
        guard train.count == model.taskCount else {
            throw SearchError.invalidSetting("\(model.taskCount) tasks need \(model.taskCount) training sets, got \(train.count)")
        }
        guard train.allSatisfy({ $0.batchesPerEpoch > 0 }) else { throw SearchError.invalidSetting("a task's training data has no batches") }
        guard settings.epochs >= 1 else { throw SearchError.invalidSetting("epochs must be at least 1, got \(settings.epochs)") }
        if let steps = settings.stepsPerEpoch, steps < 1 { throw SearchError.invalidSetting("steps per epoch must be at least 1, got \(steps)") }
        self.model = model
        self.settings = settings
        self.budget = budget
        self.train = train
        partBudgets = try Self.partBudgets(total: budget, sharedFraction: sharedFraction, model: model)
        parts = [.shared] + (0..<model.taskCount).map { .task($0) }
        for (index, part) in parts.enumerated() {
            let share = partBudgets[part] ?? 0
            let space = try MultiTaskPartSpace(model: model, part: part)
            guard space.parameterCount <= share else {
                throw SearchError.invalidSetting("the \(part) part starts with \(space.parameterCount) parameters, more than its share of \(share)")
            }
            spaces[part] = space
            guard share > 0 else { continue }
            let optimizer = try ArchitectureOptimizer(budget: try SearchBudget(parameters: share), candidateFactor: settings.candidateFactor,
                                                      seed: settings.seed &+ 1 &+ UInt64(index))
            optimizer.objective = space.objective
            optimizers[part] = optimizer
        }
    }

    /// The space through which `part` grows.
    public func space(of part: MultiTaskNetwork.Part) -> MultiTaskPartSpace? { spaces[part] }

    /// Trains and grows the network for ``Settings/epochs`` epochs.
    /// - Throws: `TrainingError.nonFiniteLoss` when training diverges, and what fails.
    public func run() throws {
        let steps = settings.stepsPerEpoch ?? train.map(\.batchesPerEpoch).max() ?? 1
        var streams = train.map { TaskStream(source: $0) }
        let optimizer = try SGD(learningRate: settings.learningRate, momentum: 0.9, nesterov: true, weightDecay: settings.weightDecay)
        let rates = try CosineAnnealingSchedule(initialRate: settings.learningRate, finalRate: 0, length: Double(settings.epochs))
            .withLinearWarmup(length: min(1, Double(settings.epochs) / 4))
        let schedule = settings.schedule
        let end = schedule.searchEnd(totalEpochs: settings.epochs)
        for part in parts where optimizers[part] != nil {
            initialArchitectureLearningRates[part] = schedule.initialArchitectureLearningRate
                ?? schedule.automaticInitialRate(start: spaces[part]!.parameterCount, budget: partBudgets[part]!, totalEpochs: settings.epochs)
        }
        var nextExpansion = schedule.interval
        var globalStep = 0
        for epoch in 0..<settings.epochs {
            var lossSums = [Double](repeating: 0, count: model.taskCount)
            for step in 0..<steps {
                let rate = rates.learningRate(at: Double(epoch) + Double(step) / Double(steps))
                let losses = try model.accumulateTrainingGradients(streams.indices.map { streams[$0].next() })
                globalStep += 1
                for (task, loss) in losses.enumerated() {
                    guard let loss, loss.isFinite else {
                        throw TrainingError.nonFiniteLoss(loss: losses[task] ?? .nan, epoch: epoch, batch: step, globalStep: globalStep)
                    }
                    lossSums[task] += Double(loss)
                }
                if let norm = settings.maximumGradientNorm { _ = try GradientClipping.clip(model.allParameters, maximumNorm: norm) }
                optimizer.learningRate = rate
                try optimizer.step(model.allParameters)
                let progress = Double(epoch) + Double(step + 1) / Double(steps)
                guard progress < end, progress >= nextExpansion - 1e-9 else { continue }
                while nextExpansion <= progress + 1e-9 { nextExpansion += schedule.interval }
                try expand(progress: progress / end, epoch: progress, step: globalStep, stepSize: rate)
            }
            try onEpoch?(epoch, lossSums.map { Float($0 / Double(steps)) })
        }
    }

    /// One round of Phase II: each part below its share grows by A_lr times its size.
    private func expand(progress: Double, epoch: Double, step: Int, stepSize: Float) throws {
        let round = expansions.count
        for part in parts {
            guard let optimizer = optimizers[part], let space = spaces[part], let initial = initialArchitectureLearningRates[part],
                  space.parameterCount < optimizer.budget.parameters else { continue }
            let rate = settings.schedule.architectureLearningRate(initial: initial, progress: progress)
            let target = max(1, Int((rate * Double(space.parameterCount)).rounded()))
            var record = try optimizer.expand(space, granularity: settings.granularity, batches: try scoringBatches(for: part, round: round),
                                              targetParameters: target, stepSize: stepSize)
            record.epoch = epoch
            record.step = step
            record.architectureLearningRate = rate
            expansions.append(Expansion(part: part, record: record))
        }
    }

    /// The scoring batches of `part` for the expansion round starting at expansion `round`: each task's own batches for
    /// its part, the tasks' batches combined for the shared part.
    public func scoringBatches(for part: MultiTaskNetwork.Part, round: Int) throws -> [LabeledBatch] {
        let epoch = 1_000_000 + round
        let count = settings.schedule.scoringBatches
        switch part {
        case let .task(task):
            return Array(train[task].batches(epoch: epoch).prefix(count))
        case .shared:
            let perTask = train.map { Array($0.batches(epoch: epoch).prefix(count)) }
            let rounds = perTask.map(\.count).min() ?? 0
            return try (0..<rounds).map { index in try MultiTaskScoringNetwork.combined(perTask.map { $0[index] }) }
        }
    }

    /// Each task's test loss and accuracy on its `test` data, in its view.
    /// - Throws: ``SearchError/invalidSetting(_:)`` when `test` does not hold one data source per task.
    public func evaluate(on test: [BatchSource]) throws -> [(loss: Float, accuracy: Float)] {
        guard test.count == model.taskCount else {
            throw SearchError.invalidSetting("one test set per task: \(model.taskCount) tasks, \(test.count) test sets")
        }
        return try test.enumerated().map { task, data in try model.evaluate(task: task, on: data) }
    }
}

/// A task's training batches without end: the next epoch's when one runs out.
private struct TaskStream {
    let source: BatchSource
    var epoch = 0
    var iterator: AnyIterator<LabeledBatch>

    init(source: BatchSource) {
        self.source = source
        iterator = source.batches(epoch: 0)
    }

    mutating func next() -> LabeledBatch? {
        if let batch = iterator.next() { return batch }
        epoch += 1
        iterator = source.batches(epoch: epoch)
        return iterator.next()
    }
}
