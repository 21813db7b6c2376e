import Foundation
import NeuralNetwork
import TensorCore
import Training

/// Algorithm 1 as a training callback: Phase I is the training loop's weight step, and after a step
/// at which an expansion is due (every `interval` epochs, or at a gradient plateau), Phase II grows the
/// architecture with the ``ArchitectureOptimizer``. The architecture is frozen for the last part of training.
public final class ExpansionCallback: TrainingCallback {
    public let space: any SearchSpace
    public let optimizer: ArchitectureOptimizer
    public let granularity: TopDownGranularity
    public let schedule: ExpansionSchedule
    /// Where scoring batches come from (usually the training data).
    public let scoringData: BatchSource
    /// Every expansion so far.
    public private(set) var records: [ExpansionRecord] = []
    /// Called after each expansion (for example to append the record to an audit log).
    public var onExpansion: ((ExpansionRecord) throws -> Void)?
    /// The initial A_lr in force (set at the start of training when automatic).
    public private(set) var initialArchitectureLearningRate: Double = 0
    /// Architecture-step seconds per epoch, for the overhead report.
    public private(set) var architectureSecondsPerEpoch: [Int: Double] = [:]

    /// The fixed batch on which dead channels are counted and each expansion's loss is audited (taken at the start of training).
    public private(set) var probeBatch: LabeledBatch?

    /// Set when a round could add nothing because the budget or a limit refused every useful unit: the budget
    /// is as full as this search can make it, and later rounds would only repeat the refusal.
    public private(set) var budgetExhausted = false
    private var nextExpansion: Double = 0
    private var plateau: GradientPlateau?

    public init(space: any SearchSpace, optimizer: ArchitectureOptimizer, granularity: TopDownGranularity,
                schedule: ExpansionSchedule, scoringData: BatchSource) {
        self.space = space
        self.optimizer = optimizer
        self.granularity = granularity
        self.schedule = schedule
        self.scoringData = scoringData
        plateau = schedule.plateau
    }

    public func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
        switch event {
        case .trainingStart:
            optimizer.objective = loop.objective   // the expansion scores with the loss the loop trains on
            try optimizer.budget.validate(start: space)
            if plateau != nil { loop.measuresGradientNorm = true }
            nextExpansion = schedule.interval
            budgetExhausted = false
            probeBatch = Self.probeBatch(from: scoringData)
            initialArchitectureLearningRate = schedule.initialArchitectureLearningRate
                ?? schedule.automaticInitialRate(start: space.parameterCount, budget: optimizer.budget.parameters,
                                                 totalEpochs: loop.plannedEpochs)
        case .trainingResumed:
            optimizer.objective = loop.objective
            if plateau != nil { loop.measuresGradientNorm = true }
        case let .batchEnd(report):
            let progress = Double(report.epoch) + Double(report.batch + 1) / Double(max(1, loop.batchesPerEpoch))
            let end = schedule.searchEnd(totalEpochs: loop.plannedEpochs)
            guard progress < end, !budgetExhausted, space.parameterCount < optimizer.budget.parameters else { return }
            var due = progress >= nextExpansion - 1e-9
            if plateau != nil, let norm = report.gradientNorm, plateau!.record(norm) { due = true }
            guard due else { return }
            while nextExpansion <= progress + 1e-9 { nextExpansion += schedule.interval }
            try expand(at: progress, searchEnd: end, report: report, learningRate: report.learningRate)
        default:
            break
        }
    }

    /// What this callback has done and will do next, for a checkpoint.
    public var state: State {
        State(records: records, nextExpansion: nextExpansion, initialArchitectureLearningRate: initialArchitectureLearningRate,
              budgetExhausted: budgetExhausted, architectureSecondsPerEpoch: architectureSecondsPerEpoch, plateau: plateau,
              selectionGeneratorState: optimizer.generator.hexadecimalState)
    }

    /// Puts the callback where `state` (another callback's ``state``, with the same settings) was, so that a training
    /// loop resumed from the same moment (`TrainingLoop.resume(from:)`) searches as that callback would have; takes
    /// the probe batch from ``scoringData`` again.
    /// - Throws: ``SearchError/invalidSetting(_:)`` when the generator state is invalid or the plateau detector does
    ///   not match this callback's schedule.
    public func restore(_ state: State) throws {
        guard let generator = RandomGenerator(hexadecimalState: state.selectionGeneratorState) else {
            throw SearchError.invalidSetting("the selection generator state \(state.selectionGeneratorState) is not four words "
                + "of 16 hexadecimal digits, not all zero")
        }
        guard state.plateau?.window == schedule.plateau?.window, state.plateau?.tolerance == schedule.plateau?.tolerance else {
            throw SearchError.invalidSetting("the saved plateau detector \(state.plateau.map { "\($0)" } ?? "(none)") does not match "
                + "the schedule's \(schedule.plateau.map { "\($0)" } ?? "(none)")")
        }
        records = state.records
        nextExpansion = state.nextExpansion
        initialArchitectureLearningRate = state.initialArchitectureLearningRate
        budgetExhausted = state.budgetExhausted
        architectureSecondsPerEpoch = state.architectureSecondsPerEpoch
        plateau = state.plateau
        optimizer.generator = generator
        probeBatch = Self.probeBatch(from: scoringData)
    }

    private func expand(at progress: Double, searchEnd: Double, report: BatchReport, learningRate: Float) throws {
        let started = Date()
        let rate = schedule.architectureLearningRate(initial: initialArchitectureLearningRate, progress: progress / searchEnd)
        let target = max(1, Int((rate * Double(space.parameterCount)).rounded()))
        let batches = Array(scoringData.batches(epoch: Self.scoringEpoch + records.count).prefix(schedule.scoringBatches))
        var record = try optimizer.expand(space, granularity: granularity.level(atProgress: progress / searchEnd),
                                          batches: batches, targetParameters: target, stepSize: learningRate,
                                          auditBatch: probeBatch)
        let communicator = optimizer.communicator
        if !communicator.isAlone, try !communicator.allAgree(on: space.architectureHash) {
            throw SearchError.ranksDisagree(expansion: records.count + 1, step: report.globalStep, ranks: communicator.size)
        }
        record.epoch = progress
        record.step = report.globalStep
        record.architectureLearningRate = rate
        record.deadChannels = try deadChannels()
        record.seconds = Date().timeIntervalSince(started)
        budgetExhausted = record.addedParameters == 0 && record.outcome == .limitsReached
        records.append(record)
        architectureSecondsPerEpoch[report.epoch, default: 0] += record.seconds
        try onExpansion?(record)
    }

    /// Real hidden channels of the network that output zero for every sample of ``probeBatch``
    /// (0 before training starts).
    public func deadChannels() throws -> Int {
        guard let probeBatch else { return 0 }
        return try space.deadChannels(on: probeBatch.inputs)
    }

    /// The fixed batch of `data` on which dead channels are counted: the same for every run with the same data
    /// and seed, whatever the search does.
    public static func probeBatch(from data: BatchSource) -> LabeledBatch? {
        data.batches(epoch: probeEpoch).next()
    }

    /// The data order "epochs" of the scoring batches and the probe batch: far from any training epoch, so
    /// that a shuffling source gives them their own orders.
    private static let scoringEpoch = 1_000_000
    private static let probeEpoch = 999_999
}
