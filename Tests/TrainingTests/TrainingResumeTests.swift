import Datasets
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// A training loop stopped between two steps and resumed from its progress, with the model and optimizer state of that
/// moment, ends bit for bit as the loop that never stopped; a loss that is not finite stops training before the update.
final class TrainingResumeTests: XCTestCase {
    /// The digits, shuffled and randomly shifted per epoch: 6 batches of 64 (the last smaller) per epoch.
    private func digits() throws -> (train: DataLoader, test: DataLoader) {
        let (train, test) = try Digits.loadEmbedded().split(testFraction: 0.8, seed: 2)
        return (try DataLoader(dataset: train, batchSize: 64, seed: 5, augmentation: try RandomCrop(padding: 1)),
                try DataLoader(dataset: test, batchSize: 500, shuffle: false))
    }

    private func loop(seed: UInt64 = 1, learningRate: Float = 0.1, callbacks: [TrainingCallback] = []) throws -> TrainingLoop {
        var generator = RandomGenerator(seed: seed)
        let model = Sequential([
            Conv2d(name: "conv", inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
            ReLU(name: "relu"), MaxPool2d(name: "pool", kernelSize: 2), Flatten(name: "flatten"),
            Linear(name: "fc", inputFeatures: 64, outputFeatures: 10, generator: &generator),
        ])
        let schedule = try CosineAnnealingSchedule(initialRate: learningRate, length: 3).withLinearWarmup(length: 0.5)
        let loop = TrainingLoop(model: model, optimizer: try SGD(learningRate: learningRate, momentum: 0.9, nesterov: true, weightDecay: 5e-4),
                                schedule: schedule, callbacks: callbacks)
        loop.maximumGradientNorm = 5
        return loop
    }

    /// Every value and optimizer buffer of `loop`'s model, as bits.
    private func state(of loop: TrainingLoop) -> [String: [UInt32]] {
        var state: [String: [UInt32]] = [:]
        for parameter in loop.model.parameters {
            state[parameter.name] = parameter.value.scalars.map(\.bitPattern)
            for (slot, buffer) in parameter.optimizerState { state["\(parameter.name) \(slot)"] = buffer.scalars.map(\.bitPattern) }
        }
        return state
    }

    func testAStopRequestEndsTheStepThenSaysSoAndThrowsWhereItStopped() throws {
        let (train, test) = try digits()
        let recorder = EventRecorder()
        let loop = try loop(callbacks: [recorder])
        loop.stopRequest = { loop.globalStep == 8 }
        XCTAssertThrowsError(try loop.fit(train: train, test: test, epochs: 3)) { error in
            let stopped = error as? TrainingStopped
            XCTAssertEqual(stopped?.progress, loop.progress)
            XCTAssertEqual(stopped.map { "\($0)" }, "training stopped on request at step 2 of epoch 2, step 8 in all")
        }
        XCTAssertEqual(train.batchCount, 6)
        XCTAssertEqual([loop.progress.epoch, loop.progress.batch, loop.progress.globalStep, loop.history.count], [1, 2, 8, 1])
        XCTAssertEqual(recorder.events.suffix(4), ["epoch1", "batch1.0", "batch1.1", "stop"])
    }

    /// Copies of the parameters and the progress of a loop at the end of epoch `epoch`.
    private final class EpochEndSnapshot: TrainingCallback {
        let epoch: Int
        var parameters: [Parameter] = []
        var progress = TrainingProgress()

        init(epoch: Int) { self.epoch = epoch }

        func handle(_ event: TrainingEvent, loop: TrainingLoop) throws {
            guard case let .epochEnd(report) = event, report.epoch == epoch else { return }
            parameters = loop.model.parameters.map { $0.copy() }
            progress = loop.progress
        }
    }

    /// Stopped inside an epoch, after its last step but before its evaluation, or taken at its end: the resumed loop
    /// sees the batches the epoch had left, in the same order and with the same augmentation, and ends identical.
    func testAResumedLoopEndsBitForBitAsTheLoopThatNeverStopped() throws {
        let (train, test) = try digits()
        let snapshot = EpochEndSnapshot(epoch: 0)
        let uninterrupted = try loop(callbacks: [snapshot])
        try uninterrupted.fit(train: train, test: test, epochs: 3)
        XCTAssertEqual("\(snapshot.progress)", "the start of epoch 2, step 6 in all")

        var moments = [(name: "the end of epoch 1", parameters: snapshot.parameters, progress: snapshot.progress, firstEvents: ["resume", "epoch1"])]
        for stopStep in [3, 6, 9] {
            let stopped = try loop()
            stopped.stopRequest = { stopped.globalStep == stopStep }
            XCTAssertThrowsError(try stopped.fit(train: train, test: test, epochs: 3))
            moments.append(("step \(stopStep)", stopped.model.parameters, stopped.progress,
                            stopStep == 6 ? ["resume", "end0"] : ["resume", "batch\(stopStep / 6).\(stopStep % 6)"]))
        }
        for moment in moments {
            let recorder = EventRecorder()
            let resumed = try loop(seed: 99, callbacks: [recorder])
            for (copy, original) in zip(resumed.model.parameters, moment.parameters) {
                copy.value = original.value
                copy.optimizerState = original.optimizerState
            }
            try resumed.resume(from: moment.progress)
            try resumed.fit(train: train, test: test, epochs: 3)

            XCTAssertEqual(state(of: resumed), state(of: uninterrupted), "resumed from \(moment.name)")
            XCTAssertEqual(resumed.history.map(\.withoutTimings), uninterrupted.history.map(\.withoutTimings), "resumed from \(moment.name)")
            XCTAssertEqual(resumed.globalStep, 18)
            XCTAssertEqual(Array(recorder.events.prefix(2)), moment.firstEvents, "resumed from \(moment.name)")
        }
    }

    func testResumingFromProgressThatCannotBeIsRefused() throws {
        let (train, test) = try digits()
        let loop = try loop()
        var progress = TrainingProgress()
        progress.epoch = 1
        XCTAssertThrowsError(try loop.resume(from: progress)) { error in
            XCTAssertEqual("\(error)", "training: cannot resume: 0 epoch reports for 1 finished epochs")
        }
        progress = TrainingProgress()
        progress.batch = 7
        progress.globalStep = 7
        try loop.resume(from: progress)
        XCTAssertThrowsError(try loop.fit(train: train, test: test, epochs: 3)) { error in
            XCTAssertEqual("\(error)", "training: cannot continue from epoch 1, batch 7: the run has 3 epochs of 6 batches")
        }
        XCTAssertEqual(loop.globalStep, 7, "nothing trained")
    }

    /// A weight that is NaN makes the first loss NaN: the step throws before it changes anything, naming itself.
    func testANonFiniteLossStopsTrainingBeforeTheUpdateNamingTheStep() throws {
        let (train, test) = try digits()
        let loop = try loop()
        let weight = try XCTUnwrap(loop.model.parameters.last)
        weight.value[flat: 3] = .nan
        let before = state(of: loop)
        XCTAssertThrowsError(try loop.fit(train: train, test: test, epochs: 3)) { error in
            guard case let .nonFiniteLoss(loss, epoch, batch, globalStep) = error as? TrainingError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(loss.isNaN)
            XCTAssertEqual([epoch, batch, globalStep], [0, 0, 1])
            XCTAssertEqual("\(error)", "training diverged: the loss of step 1 (epoch 1, batch 1) is nan; the step was not applied "
                + "(a lower learning rate may help)")
        }
        XCTAssertEqual(state(of: loop), before)
        XCTAssertEqual(loop.globalStep, 0)
    }

    /// An absurd learning rate, as `--learning-rate 1e9` gives, diverges within the first epochs: an error naming the
    /// step, not reports full of NaN.
    func testADivergingRunEndsWithTheStepWhoseLossIsNotFinite() throws {
        let (train, test) = try digits()
        let loop = try loop(learningRate: 1e9)
        loop.maximumGradientNorm = nil
        XCTAssertThrowsError(try loop.fit(train: train, test: test, epochs: 3)) { error in
            guard case let .nonFiniteLoss(_, epoch, batch, globalStep) = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(globalStep, loop.globalStep + 1)
            XCTAssertEqual(epoch * 6 + batch, loop.globalStep)
        }
        XCTAssertTrue(loop.history.allSatisfy { $0.trainLoss.isFinite })
    }
}
