import Foundation
import NeuralNetwork
import TensorCore

/// Mini-batch training against an ``Objective`` (softmax cross-entropy by default), evaluation after every epoch,
/// and typed events for callbacks (progress, logging, architecture search).
///
/// The model's parameter list is read anew at every step, so a callback may grow the network
/// between steps and the optimizer picks the new parameters up.
public final class TrainingLoop {
    /// The network being trained.
    public let model: Layer
    /// The weight optimizer.
    public let optimizer: Optimizer
    /// The learning rate as a function of training progress.
    public let schedule: LearningRateSchedule
    /// What is minimised and how correct predictions are counted, in training steps and evaluation.
    public let objective: any Objective
    /// Observers, called in order for every event.
    public var callbacks: [TrainingCallback]
    /// When set, each step's gradients are rescaled to at most this global L2 norm before the update
    /// (`GradientClipping`); a value that is not positive makes ``step(_:learningRate:)`` throw.
    public var maximumGradientNorm: Float?
    /// Whether each step measures its gradient norm for ``BatchReport/gradientNorm`` even without clipping
    /// (a pass over every gradient, which a small network's step notices).
    public var measuresGradientNorm = false
    /// Asked after every step, once the callbacks have handled it (an expansion included): when it returns `true`,
    /// the loop sends ``TrainingEvent/trainingStopped`` and throws ``TrainingStopped`` (a signal handler's flag, for
    /// example, so that an interrupted run can checkpoint where it is). With several processes it is asked on each
    /// during the step instead, and its answer travels in the step's one fused reduction: all of them stop after the
    /// step when any one asked.
    public var stopRequest: (() -> Bool)?
    /// With several processes: whether any of them asked to stop during the last step.
    private var anyRankRequestedStop = false
    /// The processes this one trains with (data parallelism): each loads only its shard of every batch
    /// (``Communicator/batchShard``) and the gradients are summed across them before every update, so that every
    /// process takes the step a single process takes on the whole batch. Layers whose training pass depends on the
    /// batch (batch normalisation's statistics, dropout's random masks) see the shard instead. Default: this process alone.
    public var communicator: any Communicator = SingleProcess()
    /// How far training has come: the epoch and step, and the finished epochs' reports.
    public private(set) var progress = TrainingProgress()
    /// Steps taken so far.
    public var globalStep: Int { progress.globalStep }
    /// The epoch being trained (0-based).
    public private(set) var currentEpoch = 0
    /// The reports of finished epochs.
    public var history: [EpochReport] { progress.history }
    /// The total number of epochs of the current `fit`.
    public private(set) var plannedEpochs = 0
    /// Batches per epoch of the current `fit`.
    public private(set) var batchesPerEpoch = 0

    public init(model: Layer, optimizer: Optimizer, schedule: LearningRateSchedule, callbacks: [TrainingCallback] = [],
                objective: any Objective = SoftmaxCrossEntropyObjective()) {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.objective = objective
        self.callbacks = callbacks
    }

    /// The number of present (architecture) parameters of the model.
    public var parameterCount: Int { model.parameters.reduce(0) { $0 + $1.activeCount } }

    /// Makes the next ``fit(train:test:epochs:)`` continue from `progress` (taken from a loop's ``progress``, usually
    /// through a checkpoint) instead of starting: it sends ``TrainingEvent/trainingResumed`` and continues the epoch
    /// with the batches not yet seen. The model and the optimizer state must be those of that moment.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` when `progress` is not consistent
    ///   (``TrainingProgress/inconsistency``).
    public func resume(from progress: TrainingProgress) throws {
        if let inconsistency = progress.inconsistency { throw TrainingError.invalidSetting("cannot resume: \(inconsistency)") }
        self.progress = progress
        currentEpoch = progress.epoch
    }

    /// Trains until `epochs` epochs are done, evaluating on `test` after each epoch when given: from the start, or
    /// from where ``resume(from:)`` put the loop.
    /// - Throws: ``TrainingError/nonFiniteLoss(loss:epoch:batch:globalStep:)`` when a step's loss is not finite (the
    ///   step is not applied), ``TrainingStopped`` when ``stopRequest`` stops training, and what a callback throws.
    @discardableResult
    public func fit(train: BatchSource, test: BatchSource?, epochs: Int) throws -> [EpochReport] {
        guard epochs >= 0 else { throw TrainingError.invalidSetting("epochs must be non-negative, got \(epochs)") }
        guard train.batchesPerEpoch > 0 else { throw TrainingError.invalidSetting("the training data has no batches") }
        guard progress.epoch < epochs ? progress.batch <= train.batchesPerEpoch : progress.epoch == epochs && progress.batch == 0 else {
            throw TrainingError.invalidSetting("cannot continue from epoch \(progress.epoch + 1), batch \(progress.batch): "
                + "the run has \(epochs) epochs of \(train.batchesPerEpoch) batches")
        }
        plannedEpochs = epochs
        batchesPerEpoch = train.batchesPerEpoch
        try emit(progress.isAtStart ? .trainingStart : .trainingResumed)
        while progress.epoch < epochs {
            let epoch = progress.epoch
            currentEpoch = epoch
            if progress.batch == 0 { try emit(.epochStart(epoch: epoch)) }
            let started = Date(timeIntervalSinceNow: -progress.epochSeconds)
            for batch in train.batches(epoch: epoch, from: progress.batch, shard: communicator.batchShard) {
                let batchIndex = progress.batch
                let rate = schedule.learningRate(at: Double(epoch) + Double(batchIndex) / Double(batchesPerEpoch))
                let (loss, hits, gradientNorm) = try step(batch, learningRate: rate)
                progress.recordStep(loss: loss, correct: hits, samples: batch.globalCount)
                try emit(.batchEnd(BatchReport(epoch: epoch, batch: batchIndex, globalStep: globalStep, loss: loss,
                                               accuracy: Float(hits) / Float(max(1, batch.globalCount)),
                                               batchSize: batch.globalCount, learningRate: rate, gradientNorm: gradientNorm)))
                progress.epochSeconds = Date().timeIntervalSince(started)
                if communicator.isAlone ? stopRequest?() == true : anyRankRequestedStop {
                    try emit(.trainingStopped)
                    throw TrainingStopped(progress: progress)
                }
            }
            let seconds = progress.epochSeconds
            let evaluation = try test.map { try evaluate(on: $0) }
            let seen = progress.epochSamples
            let report = EpochReport(
                epoch: epoch, trainLoss: Float(progress.epochLossSum / Double(max(1, seen))),
                trainAccuracy: Float(progress.epochCorrect) / Float(max(1, seen)),
                testLoss: evaluation?.loss, testAccuracy: evaluation?.accuracy,
                trainImagesPerSecond: Double(seen) / max(seconds, 1e-9), trainSeconds: seconds,
                parameterCount: parameterCount)
            progress.finishEpoch(report)
            try emit(.epochEnd(report))
        }
        try emit(.trainingEnd)
        return history
    }

    /// One optimisation step on `batch`; returns the batch loss (before the update), the number of correct predictions
    /// and, when clipping or ``measuresGradientNorm``, the global L2 norm of the present parameters' gradients
    /// before clipping. With several processes in ``communicator``, `batch` is this process's rows of the mini-batch
    /// (``LabeledBatch/globalCount`` samples in all; `BatchSource.batches(epoch:from:shard:)` gives them) and the
    /// results are the whole mini-batch's.
    /// - Throws: ``TrainingError/nonFiniteLoss(loss:epoch:batch:globalStep:)``, naming the step ``progress`` is at,
    ///   when the loss is infinite or NaN: training has diverged, and the step changes nothing;
    ///   ``TrainingError/invalidSetting(_:)`` on every process when their rows do not add up to the global batch.
    public func step(_ batch: LabeledBatch, learningRate: Float) throws -> (loss: Float, correct: Int, gradientNorm: Double?) {
        let parameters = model.parameters
        for parameter in parameters { parameter.zeroGradient() }
        let (loss, correct) = communicator.isAlone
            ? try backpropagate(batch, share: 1)
            : try backpropagateShard(batch, parameters: parameters)
        guard loss.isFinite else {
            throw TrainingError.nonFiniteLoss(loss: loss, epoch: progress.epoch, batch: progress.batch, globalStep: progress.globalStep + 1)
        }
        let gradientNorm = try maximumGradientNorm.map { try GradientClipping.clip(parameters, maximumNorm: $0) }
            ?? (measuresGradientNorm ? GradientClipping.globalNorm(of: parameters) : nil)
        optimizer.learningRate = learningRate
        try optimizer.step(parameters)
        return (loss, correct, gradientNorm)
    }

    /// Forward and backward on `batch`, the parameters' gradients scaled by `share` (the batch's part of the global
    /// batch): its mean loss and correct predictions. A non-finite loss returns before the backward pass.
    private func backpropagate(_ batch: LabeledBatch, share: Float) throws -> (loss: Float, correct: Int) {
        let logits = try model.forward(batch.inputs, mode: .training)
        var result = try objective.lossAndGradient(outputs: logits, labels: batch.labels)
        guard result.loss.isFinite else { return (result.loss, 0) }
        if share != 1 {
            result.outputGradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= share }
            }
        }
        try model.accumulateParameterGradients(result.outputGradient)
        return (result.loss, try objective.correctCount(outputs: logits, labels: batch.labels))
    }

    /// Data parallelism: this rank's rows `shard` of a global batch forward and backward, then the gradients of the global
    /// batch's mean loss, its loss, its correct count and the ranks' stop requests summed over the ranks in one fused
    /// reduction. Each rank's gradient is scaled by its share of the global batch, so the sum is the gradient a single
    /// process computes on the whole batch.
    private func backpropagateShard(_ shard: LabeledBatch, parameters: [Parameter]) throws -> (loss: Float, correct: Int) {
        let share = Float(shard.labels.count) / Float(max(1, shard.globalCount))
        var (loss, correct) = shard.labels.isEmpty ? (0, 0) : try backpropagate(shard, share: share)
        loss *= share
        let stop: Float = stopRequest?() == true ? 1 : 0
        let reduced = try communicator.allReduceSum(parameters.map(\.gradient)
            + [Tensor(shape: [4], scalars: [loss, Float(correct), stop, Float(shard.labels.count)])])
        let totals = reduced[parameters.count]
        // Every rank sees the same sum, so a batch given whole to every rank (or a wrong shard) stops all of them alike.
        let rows = Int(totals[flat: 3].rounded())
        guard rows == shard.globalCount else {
            throw TrainingError.invalidSetting("step \(progress.globalStep + 1) (epoch \(progress.epoch + 1), batch \(progress.batch + 1)): "
                + "the \(communicator.size) processes hold \(rows) rows of a batch of \(shard.globalCount) between them; give each its "
                + "rows only (BatchSource.batches(epoch:from:shard:))")
        }
        for (parameter, gradient) in zip(parameters, reduced) { parameter.gradient = gradient }
        anyRankRequestedStop = totals[flat: 2] > 0
        return (totals[flat: 0], Int(totals[flat: 1].rounded()))
    }

    /// Mean loss and accuracy of the model on every batch of `data` (inference mode).
    public func evaluate(on data: BatchSource) throws -> (loss: Float, accuracy: Float) {
        try Evaluation.evaluate(model, on: data, objective: objective, communicator: communicator)
    }

    private func emit(_ event: TrainingEvent) throws {
        for callback in callbacks { try callback.handle(event, loop: self) }
    }
}

/// Evaluation of classifiers.
public enum Evaluation {
    /// Mean loss (softmax cross-entropy unless `objective` says otherwise) and accuracy of `model` over all batches of
    /// `data`, in inference mode; with several processes in `communicator`, each loads and evaluates only its shard of
    /// every batch and the sums are combined, so every process gets the result over the whole of `data`.
    public static func evaluate(_ model: Layer, on data: BatchSource, objective: any Objective = SoftmaxCrossEntropyObjective(),
                                communicator: any Communicator = SingleProcess()) throws -> (loss: Float, accuracy: Float) {
        try evaluate(on: data, objective: objective, communicator: communicator) { try model.forward($0, mode: .inference) }
    }

    /// Mean loss and accuracy of the outputs `outputs(inputs)` over all batches of `data`: the same evaluation for
    /// a model that is not a `Layer`, such as an inference-only form of one.
    public static func evaluate(on data: BatchSource, objective: any Objective = SoftmaxCrossEntropyObjective(),
                                communicator: any Communicator = SingleProcess(),
                                outputs: (Tensor) throws -> Tensor) throws -> (loss: Float, accuracy: Float) {
        let sums = try sums(on: data, topK: nil, objective: objective, communicator: communicator, outputs: outputs)
        return (sums.loss, sums.accuracy)
    }

    /// Mean loss, accuracy and top-`k` accuracy (ImageNet's top-5 with `k` = 5; ties ranked as
    /// `Classification.argmax` ranks them) of the outputs `outputs(inputs)` over all batches of `data`, from one
    /// pass over them.
    public static func evaluate(on data: BatchSource, topK k: Int, objective: any Objective = SoftmaxCrossEntropyObjective(),
                                communicator: any Communicator = SingleProcess(),
                                outputs: (Tensor) throws -> Tensor) throws -> (loss: Float, accuracy: Float, topKAccuracy: Float) {
        guard k >= 1 else { throw TrainingError.invalidSetting("top-k accuracy needs k >= 1, got \(k)") }
        let sums = try sums(on: data, topK: k, objective: objective, communicator: communicator, outputs: outputs)
        return (sums.loss, sums.accuracy, sums.topKAccuracy)
    }

    /// The evaluation loop: with several processes in `communicator`, each evaluates its shard of every batch and the
    /// sums are combined. Top-`k` hits are counted only when `k` is given.
    private static func sums(on data: BatchSource, topK k: Int?, objective: any Objective, communicator: any Communicator,
                             outputs: (Tensor) throws -> Tensor) throws -> (loss: Float, accuracy: Float, topKAccuracy: Float) {
        var sums = [0.0, 0.0, 0.0, 0.0]   // loss sum, correct, top-k correct, seen
        for batch in data.batches(epoch: 0, from: 0, shard: communicator.batchShard) {
            guard !batch.labels.isEmpty else { continue }
            let logits = try outputs(batch.inputs)
            let result = try objective.lossAndGradient(outputs: logits, labels: batch.labels)
            sums[0] += Double(result.loss) * Double(batch.labels.count)
            sums[1] += Double(try objective.correctCount(outputs: logits, labels: batch.labels))
            if let k { sums[2] += Double(try Classification.topKCorrectCount(scores: logits, labels: batch.labels, k: k)) }
            sums[3] += Double(batch.labels.count)
        }
        try communicator.allReduceSum(&sums)
        let seen = max(1, Int(sums[3]))
        return (Float(sums[0] / Double(seen)), Float(Int(sums[1])) / Float(seen), Float(Int(sums[2])) / Float(seen))
    }
}

/// Why a training run cannot start or go on.
public enum TrainingError: Error, CustomStringConvertible, CollectiveError {
    /// A setting, or the progress to resume from, is invalid.
    case invalidSetting(String)
    /// The loss of step `globalStep` (1-based), batch `batch` of epoch `epoch` (both 0-based), is infinite or NaN:
    /// training has diverged. The step was not applied.
    case nonFiniteLoss(loss: Float, epoch: Int, batch: Int, globalStep: Int)

    /// A non-finite loss: in data-parallel training it is the summed loss of the whole batch, the same on every rank.
    public var isCollective: Bool {
        if case .nonFiniteLoss = self { true } else { false }
    }

    public var description: String {
        switch self {
        case let .invalidSetting(reason):
            return "training: \(reason)"
        case let .nonFiniteLoss(loss, epoch, batch, globalStep):
            return "training diverged: the loss of step \(globalStep) (epoch \(epoch + 1), batch \(batch + 1)) is \(loss); "
                + "the step was not applied (a lower learning rate may help)"
        }
    }
}
