import Datasets
import NeuralNetwork
import TensorCore
import Training
import XCTest

final class TrainingLoopTests: XCTestCase {
    private func digitsLoaders(seed: UInt64) throws -> (DataLoader, DataLoader) {
        let (train, test) = try Digits.loadEmbedded().split(testFraction: 0.25, seed: seed)
        return (try DataLoader(dataset: train, batchSize: 64, seed: seed),
                try DataLoader(dataset: test, batchSize: 256, shuffle: false))
    }

    private func model(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential([
            Conv2d(name: "conv", inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, generator: &generator),
            ReLU(name: "relu"), MaxPool2d(name: "pool", kernelSize: 2), Flatten(name: "flatten"),
            Linear(name: "fc", inputFeatures: 128, outputFeatures: 10, generator: &generator),
        ])
    }

    /// Real data: a small CNN learns the 8x8 digits to well above chance in a few epochs.
    func testTrainingOnDigitsLearns() throws {
        let (train, test) = try digitsLoaders(seed: 1)
        let recorder = EventRecorder()
        let loop = TrainingLoop(model: model(seed: 1), optimizer: try SGD(learningRate: 0.1, momentum: 0.9),
                                schedule: try CosineAnnealingSchedule(initialRate: 0.1, finalRate: 0, length: 4), callbacks: [recorder])
        let history = try loop.fit(train: train, test: test, epochs: 4)
        XCTAssertEqual(history.count, 4)
        XCTAssertGreaterThan(try XCTUnwrap(history.last?.testAccuracy), 0.9)
        XCTAssertLessThan(history[3].trainLoss, history[0].trainLoss)
        XCTAssertEqual(recorder.events.first, "start")
        XCTAssertEqual(recorder.events.last, "finish")
        XCTAssertEqual(recorder.events.filter { $0.hasPrefix("batch") }.count, 4 * train.batchCount)
        XCTAssertEqual(loop.parameterCount, 8 * 9 + 8 + 128 * 10 + 10)
    }

    func testSameSeedSameTraining() throws {
        func run() throws -> [Float] {
            let (train, test) = try digitsLoaders(seed: 3)
            let loop = TrainingLoop(model: model(seed: 3), optimizer: try SGD(learningRate: 0.05, momentum: 0.9),
                                    schedule: try ConstantSchedule(rate: 0.05))
            return try loop.fit(train: train, test: test, epochs: 2).flatMap { [$0.trainLoss, $0.testLoss ?? -1] }
        }
        XCTAssertEqual(try run(), try run())
    }

    /// With a gradient-norm limit, a plain SGD step with learning rate 1 moves the weights by exactly the
    /// gradient scaled down to that norm.
    func testClippedStepMovesByTheRescaledGradient() throws {
        let (train, _) = try digitsLoaders(seed: 4)
        let batches: AnyIterator<LabeledBatch> = train.batches(epoch: 0)
        let batch = try XCTUnwrap(batches.next())
        let probe = TrainingLoop(model: model(seed: 4), optimizer: try SGD(learningRate: 1), schedule: try ConstantSchedule(rate: 1))
        XCTAssertNil(try probe.step(batch, learningRate: 0).gradientNorm, "measured only when asked")
        probe.measuresGradientNorm = true
        let measured = try XCTUnwrap(try probe.step(batch, learningRate: 0).gradientNorm)
        let gradients = probe.model.parameters.map(\.gradient)
        let norm = GradientClipping.globalNorm(of: probe.model.parameters)
        XCTAssertGreaterThan(norm, 0)
        XCTAssertEqual(measured, norm)

        let clipped = TrainingLoop(model: model(seed: 4), optimizer: try SGD(learningRate: 1), schedule: try ConstantSchedule(rate: 1))
        clipped.maximumGradientNorm = Float(norm / 4)
        let before = clipped.model.parameters.map(\.value)
        XCTAssertEqual(try clipped.step(batch, learningRate: 1).gradientNorm ?? 0, norm, accuracy: 1e-9 * norm, "the norm before clipping")
        for (index, parameter) in clipped.model.parameters.enumerated() {
            for i in 0..<parameter.count {
                let moved = before[index][flat: i] - parameter.value[flat: i]
                XCTAssertEqual(moved, gradients[index][flat: i] / 4, accuracy: 1e-5, parameter.name)
            }
        }
        clipped.maximumGradientNorm = 0
        XCTAssertThrowsError(try clipped.step(batch, learningRate: 1))
    }

    func testInvalidSettingsThrow() throws {
        let loop = TrainingLoop(model: model(seed: 0), optimizer: try SGD(learningRate: 0.05), schedule: try ConstantSchedule(rate: 0.05))
        XCTAssertThrowsError(try loop.fit(train: FixedBatches([]), test: nil, epochs: 1))
        let batch = LabeledBatch(inputs: Tensor(zeros: [2, 1, 8, 8]), labels: [0, 1])
        XCTAssertThrowsError(try loop.fit(train: FixedBatches([batch]), test: nil, epochs: -1))
        let wrong = LabeledBatch(inputs: Tensor(zeros: [2, 3, 8, 8]), labels: [0, 1])
        XCTAssertThrowsError(try loop.fit(train: FixedBatches([wrong]), test: nil, epochs: 1)) { error in
            XCTAssertTrue("\(error)".contains("conv"), "\(error)")
        }
    }
}
