import Foundation
import NeuralNetwork
import TensorCore

/// Mini-batch training of a classifier with softmax cross-entropy, evaluation after every epoch,
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
    /// Observers, called in order for every event.
    public var callbacks: [TrainingCallback]
    /// When set, each step's gradients are rescaled to at most this global L2 norm before the update
    /// (``GradientClipping``); a value that is not positive makes ``step(_:learningRate:)`` throw.
    public var maximumGradientNorm: Float?
    /// Whether each step measures its gradient norm for ``BatchReport/gradientNorm`` even without clipping
    /// (a pass over every gradient, which a small network's step notices).
    public var measuresGradientNorm = false
    /// Steps taken so far.
    public private(set) var globalStep = 0
    /// The epoch being trained (0-based).
    public private(set) var currentEpoch = 0
    /// The reports of finished epochs.
    public private(set) var history: [EpochReport] = []
    /// The total number of epochs of the current `fit`.
    public private(set) var plannedEpochs = 0
    /// Batches per epoch of the current `fit`.
    public private(set) var batchesPerEpoch = 0

    public init(model: Layer, optimizer: Optimizer, schedule: LearningRateSchedule, callbacks: [TrainingCallback] = []) {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.callbacks = callbacks
    }

    /// The number of present (architecture) parameters of the model.
    public var parameterCount: Int { model.parameters.reduce(0) { $0 + $1.activeCount } }

    /// Trains for `epochs` epochs on `train`, evaluating on `test` after each epoch when given.
    @discardableResult
    public func fit(train: BatchSource, test: BatchSource?, epochs: Int) throws -> [EpochReport] {
        guard epochs >= 0 else { throw TrainingError.invalidSetting("epochs must be non-negative, got \(epochs)") }
        guard train.batchesPerEpoch > 0 else { throw TrainingError.invalidSetting("the training data has no batches") }
        plannedEpochs = epochs
        batchesPerEpoch = train.batchesPerEpoch
        try emit(.trainingStart)
        for epoch in 0..<epochs {
            currentEpoch = epoch
            try emit(.epochStart(epoch: epoch))
            let started = Date()
            var lossSum = 0.0, correct = 0, seen = 0
            var batchIndex = 0
            for batch in train.batches(epoch: epoch) {
                let rate = schedule.learningRate(at: Double(epoch) + Double(batchIndex) / Double(batchesPerEpoch))
                let (loss, hits, gradientNorm) = try step(batch, learningRate: rate)
                globalStep += 1
                lossSum += Double(loss) * Double(batch.labels.count)
                correct += hits
                seen += batch.labels.count
                try emit(.batchEnd(BatchReport(epoch: epoch, batch: batchIndex, globalStep: globalStep, loss: loss,
                                               accuracy: Float(hits) / Float(max(1, batch.labels.count)),
                                               batchSize: batch.labels.count, learningRate: rate, gradientNorm: gradientNorm)))
                batchIndex += 1
            }
            let seconds = Date().timeIntervalSince(started)
            let evaluation = try test.map { try evaluate(on: $0) }
            let report = EpochReport(
                epoch: epoch, trainLoss: Float(lossSum / Double(max(1, seen))),
                trainAccuracy: Float(correct) / Float(max(1, seen)),
                testLoss: evaluation?.loss, testAccuracy: evaluation?.accuracy,
                trainImagesPerSecond: Double(seen) / max(seconds, 1e-9), trainSeconds: seconds,
                parameterCount: parameterCount)
            history.append(report)
            try emit(.epochEnd(report))
        }
        try emit(.trainingEnd)
        return history
    }

    /// One optimisation step on `batch`; returns the batch loss (before the update), the number of correct predictions
    /// and, when clipping or ``measuresGradientNorm``, the global L2 norm of the present parameters' gradients
    /// before clipping.
    public func step(_ batch: LabeledBatch, learningRate: Float) throws -> (loss: Float, correct: Int, gradientNorm: Double?) {
        let parameters = model.parameters
        for parameter in parameters { parameter.zeroGradient() }
        let logits = try model.forward(batch.inputs, mode: .training)
        let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels)
        try model.accumulateParameterGradients(result.logitsGradient)
        let gradientNorm = try maximumGradientNorm.map { try GradientClipping.clip(parameters, maximumNorm: $0) }
            ?? (measuresGradientNorm ? GradientClipping.globalNorm(of: parameters) : nil)
        optimizer.learningRate = learningRate
        try optimizer.step(parameters)
        return (result.loss, try Classification.correctCount(scores: logits, labels: batch.labels), gradientNorm)
    }

    /// Mean loss and accuracy of the model on every batch of `data` (inference mode).
    public func evaluate(on data: BatchSource) throws -> (loss: Float, accuracy: Float) {
        try Evaluation.evaluate(model, on: data)
    }

    private func emit(_ event: TrainingEvent) throws {
        for callback in callbacks { try callback.handle(event, loop: self) }
    }
}

/// Evaluation of classifiers.
public enum Evaluation {
    /// Mean cross-entropy and accuracy of `model` over all batches of `data`, in inference mode.
    public static func evaluate(_ model: Layer, on data: BatchSource) throws -> (loss: Float, accuracy: Float) {
        var lossSum = 0.0, correct = 0, seen = 0
        for batch in data.batches(epoch: 0) {
            let logits = try model.forward(batch.inputs, mode: .inference)
            let result = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: batch.labels)
            lossSum += Double(result.loss) * Double(batch.labels.count)
            correct += try Classification.correctCount(scores: logits, labels: batch.labels)
            seen += batch.labels.count
        }
        return (Float(lossSum / Double(max(1, seen))), Float(correct) / Float(max(1, seen)))
    }
}

/// Invalid settings of a training run.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .invalidSetting(reason): return "training: \(reason)"
        }
    }
}
