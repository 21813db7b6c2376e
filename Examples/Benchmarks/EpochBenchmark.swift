import Datasets
import Foundation
import NeuralNetwork
import TensorCore
import Training

/// One LeNet-5 epoch on MNIST: time, accuracy and peak resident memory.
struct EpochResult: Codable {
    let threads: Int
    let loadSeconds: Double
    /// The training loop alone, as the reference's "wall s/epoch".
    let trainSeconds: Double
    let trainImagesPerSecond: Double
    let testAccuracy: Float?
    /// Resident memory once the data set is loaded, before training.
    let residentAfterLoadBytes: Int?
    /// `VmHWM` after loading: the peak of reading and decoding the data set.
    let peakDuringLoadBytes: Int?
    /// `VmHWM` after the epoch, reset after loading, so the peak of training and testing with the data set resident
    /// (`nil` when `/proc/self/clear_refs` refused the reset).
    let peakDuringEpochBytes: Int?
    /// The process's peak resident memory over loading and the epoch (`VmHWM`).
    let peakResidentBytes: Int?
    /// `getrusage` maximum resident set size (not reset), for cross-checking `VmHWM`.
    let rusageMaximumResidentBytes: Int
    /// PyTorch's LeNet-5 epoch with the same recipe at 2 threads: 9.9 s and 98.24 % (RESULTS.md, accuracy table).
    let pytorchSeconds: Double
    let pytorchTestAccuracy: Float
    let contention: Contention
}

/// Part 3: the reference's MNIST recipe (batch 128, SGD momentum 0.9, lr 0.05 cosine to 0 per step,
/// normalised by 0.1307 / 0.3081, last partial batch kept) for one epoch of LeNet-5.
enum EpochBenchmark {
    static func run(directory: String) throws -> EpochResult {
        let loadStart = monotonicSeconds()
        let (trainSet, testSet) = try MNIST.load(directory: directory)
        let normalization = try ChannelNormalization(mean: [0.1307], standardDeviation: [0.3081])
        let train = try DataLoader(dataset: trainSet, batchSize: 128, shuffle: true, seed: 0, augmentation: normalization)
        let test = try DataLoader(dataset: testSet, batchSize: 1000, shuffle: false, augmentation: normalization)
        let loadSeconds = monotonicSeconds() - loadStart
        let residentAfterLoad = SystemProbe.statusBytes("VmRSS")
        let peakDuringLoad = SystemProbe.statusBytes("VmHWM")
        let peakWasReset = SystemProbe.resetPeakResident()

        let loop = TrainingLoop(model: ReferenceModel.lenet5.build(seed: 0),
                                optimizer: try SGD(learningRate: 0.05, momentum: 0.9),
                                schedule: try CosineAnnealingSchedule(initialRate: 0.05, finalRate: 0, length: 1))
        let (history, contention) = try withContention { try loop.fit(train: train, test: test, epochs: 1) }
        let peakAtEnd = SystemProbe.statusBytes("VmHWM")
        let peakDuringEpoch = peakWasReset ? peakAtEnd : nil
        let peak = [peakDuringLoad, peakAtEnd].compactMap { $0 }.max()
        guard let report = history.last else { throw BenchmarkError.failed("the LeNet epoch produced no report") }
        Sink.consume(report.trainLoss)
        return EpochResult(
            threads: ComputeThreads.count, loadSeconds: loadSeconds, trainSeconds: report.trainSeconds,
            trainImagesPerSecond: report.trainImagesPerSecond, testAccuracy: report.testAccuracy,
            residentAfterLoadBytes: residentAfterLoad, peakDuringLoadBytes: peakDuringLoad,
            peakDuringEpochBytes: peakDuringEpoch, peakResidentBytes: peak,
            rusageMaximumResidentBytes: SystemProbe.maximumResidentBytes(),
            pytorchSeconds: 9.9, pytorchTestAccuracy: 0.9824, contention: contention)
    }
}
