// The data-parallel search gives the single process's result: run with `mpirun -np N` (Scripts/mpi/check_equivalence.sh).
//
// All ranks search together for 50 steps on the embedded digits (random crops and flips, two expansions at kernel and
// weight level, gradient clipping, SGD with Nesterov momentum and weight decay, evaluation after each epoch), each
// loading and augmenting only its shard of every global batch; rank 0 then runs the same search alone on the whole
// batches and checks that the architectures are identical (every mask, every expansion's added parameters) and every
// weight is within 1e-5. The global batch of 32 and the last batch of each epoch (16) do not split evenly into 3
// ranks, so `-np 3` covers uneven shards.
// Exit status 0 when they agree, 1 otherwise (with what differs), 2 when built without the trait MPI.
#if MPI
import ArchitectureSearch
import Datasets
import Foundation
import MPICommunication
import NeuralNetwork
import TensorCore
import Training

/// What one search ends with.
struct SearchResult {
    var parameters: [(key: String, value: Parameter)]
    var addedParameters: [Int]
    var testAccuracy: Float?
    var steps: Int
}

/// 50 steps (2 epochs of 24 batches of 32 digits and one of 16) of the search of `ilnas search` on the digits, with
/// `communicator`.
func search(with communicator: any Communicator) throws -> SearchResult {
    let (train, test) = try Digits.loadEmbedded().split(testFraction: 0.2, seed: 1)
    let loader = try DataLoader(dataset: try train.subset(Array(0..<784)), batchSize: 32, seed: 3,
                                augmentation: TransformPipeline([try RandomCrop(padding: 1), try RandomHorizontalFlip()]))
    let testBatches = try DataLoader(dataset: test, batchSize: 100, shuffle: false)
    let template = ConvolutionalTemplate(stages: 2, channels: 4...8, density: 0.5, hiddenWidth: 16...32)
    let network = try template.narrowed(toAtMost: 2_000, inputShape: train.sampleShape, classes: 10, seed: 5)
        .makeNetwork(inputShape: train.sampleShape, classes: 10, seed: 5)
    let optimizer = try ArchitectureOptimizer(budget: try SearchBudget(parameters: 8_000), seed: 6)
    optimizer.communicator = communicator
    let expansion = ExpansionCallback(space: network, optimizer: optimizer, granularity: try TopDownGranularity(parsing: "kernel,weight"),
                                      schedule: try ExpansionSchedule(interval: 0.5, frozenFraction: 0.25), scoringData: loader)
    let schedule = try CosineAnnealingSchedule(initialRate: 0.05, length: 2).withLinearWarmup(length: 0.5)
    let loop = TrainingLoop(model: network, optimizer: try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4),
                            schedule: schedule, callbacks: [expansion])
    loop.communicator = communicator
    loop.maximumGradientNorm = 5
    let history = try loop.fit(train: loader, test: testBatches, epochs: 2)
    return SearchResult(parameters: network.parameterTable().sorted { $0.key < $1.key },
                        addedParameters: expansion.records.map(\.addedParameters),
                        testAccuracy: history.last?.testAccuracy, steps: loop.globalStep)
}

/// The largest difference between two results' weights (infinity when their parameters differ in name or shape).
func largestWeightDifference(_ distributed: SearchResult, _ alone: SearchResult) -> Float {
    guard distributed.parameters.map(\.key) == alone.parameters.map(\.key) else { return .infinity }
    return zip(distributed.parameters, alone.parameters).map { a, b in
        a.value.shape == b.value.shape ? zip(a.value.value.scalars, b.value.value.scalars).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }.max() ?? 0
}

/// What differs between the two results (empty when they agree).
func differences(_ distributed: SearchResult, _ alone: SearchResult, tolerance: Float) -> [String] {
    var found: [String] = []
    if distributed.steps != alone.steps { found.append("steps \(distributed.steps) against \(alone.steps)") }
    if distributed.addedParameters != alone.addedParameters {
        found.append("parameters added per expansion \(distributed.addedParameters) against \(alone.addedParameters)")
    }
    if distributed.addedParameters.isEmpty { found.append("no expansion happened: the scoring reduction is not covered") }
    if distributed.testAccuracy != alone.testAccuracy {
        found.append("test accuracy \(distributed.testAccuracy.map { "\($0)" } ?? "-") against \(alone.testAccuracy.map { "\($0)" } ?? "-")")
    }
    guard distributed.parameters.map(\.key) == alone.parameters.map(\.key) else {
        return found + ["parameters \(distributed.parameters.map(\.key)) against \(alone.parameters.map(\.key))"]
    }
    for ((key, a), (_, b)) in zip(distributed.parameters, alone.parameters) {
        guard a.shape == b.shape, a.mask == b.mask else {
            found.append("\(key): shape \(a.shape) or mask (\(a.activeCount) present) differs from \(b.shape) (\(b.activeCount) present)")
            continue
        }
        let largest = zip(a.value.scalars, b.value.scalars).map { abs($0 - $1) }.max() ?? 0
        if !(largest <= tolerance) { found.append("\(key): weights differ by up to \(largest)") }
    }
    return found
}

let communicator = try MPICommunicator()
var status: Int32 = 0
do {
    let distributed = try search(with: communicator)
    if communicator.rank == 0 {
        let alone = try search(with: SingleProcess())
        let found = differences(distributed, alone, tolerance: 1e-5)
        if found.isEmpty {
            print("MPI equivalence: \(communicator.size) ranks and 1 process agree after \(distributed.steps) steps and "
                  + "\(distributed.addedParameters.count) expansions (added \(distributed.addedParameters) parameters): "
                  + "identical architecture, weights within 1e-5 "
                  + "(largest difference \(largestWeightDifference(distributed, alone))), test accuracy \(distributed.testAccuracy ?? 0)")
        } else {
            print("MPI equivalence FAILED (\(communicator.size) ranks against 1 process):\n  " + found.joined(separator: "\n  "))
            status = 1
        }
    }
} catch {
    // The other ranks may be waiting in a collective of the search: end the whole job rather than meet them in a
    // different one.
    print("rank \(communicator.rank): \(error)")
    communicator.abort(status: 1)
}
var statuses = [Double(status)]
try communicator.allReduceSum(&statuses)
communicator.finalize()
exit(statuses[0] == 0 ? 0 : 1)
#else
import Foundation

FileHandle.standardError.write(Data("MPIEquivalence needs Open MPI: swift build --traits MPI --product MPIEquivalence\n".utf8))
exit(2)
#endif
