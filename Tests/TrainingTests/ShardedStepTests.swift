import Datasets
import NeuralNetwork
import TensorCore
import Training
import XCTest

/// A data-parallel step, simulated in one process: each rank's contribution to the fused reduction is recorded, summed
/// here, and handed back to each rank, which must then take the step one process takes on the whole batch.
final class ShardedStepTests: XCTestCase {
    /// Rank `rank` of `size`: records what it contributes to each sum, and answers with `sums` once they are known.
    private final class SimulatedRank: Communicator {
        let rank: Int
        let size: Int
        var contributions: [[Float]] = []
        var sums: [[Float]]?
        private var call = 0
        init(rank: Int, of size: Int, sums: [[Float]]? = nil) { (self.rank, self.size, self.sums) = (rank, size, sums) }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
            contributions.append(Array(values))
            if let sums {
                for i in values.indices { values[i] = sums[call][i] }
            }
            call += 1
        }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws { XCTFail("no Double sum expected") }
        func allAgree(on value: UInt64) throws -> Bool { true }
    }

    private func model() -> Sequential {
        var generator = RandomGenerator(seed: 21)
        return Sequential([
            Conv2d(name: "conv", inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
            ReLU(name: "relu"), Flatten(name: "flatten"),
            Linear(name: "fc", inputFeatures: 4 * 8 * 8, outputFeatures: 10, generator: &generator),
        ])
    }

    private func loop(_ communicator: any Communicator) throws -> TrainingLoop {
        let loop = TrainingLoop(model: model(), optimizer: try SGD(learningRate: 0.1, momentum: 0.9),
                                schedule: try ConstantSchedule(rate: 0.1))
        loop.communicator = communicator
        return loop
    }

    private func batch(rows: Int) throws -> LabeledBatch {
        let digits = try Digits.loadEmbedded()
        let loader = try DataLoader(dataset: try digits.subset(Array(0..<rows)), batchSize: rows, shuffle: false)
        return try XCTUnwrap(loader.batches(epoch: 0).next())
    }

    /// What the reduction of each call gives: the ranks' contributions summed.
    private static func sums(of ranks: [SimulatedRank]) -> [[Float]] {
        ranks[0].contributions.indices.map { call in
            ranks.map { $0.contributions[call] }.reduce(into: [Float](repeating: 0, count: ranks[0].contributions[call].count)) { total, part in
                for i in part.indices { total[i] += part[i] }
            }
        }
    }

    /// One step on `size` simulated ranks, each given its rows: the weights and results each rank ends with.
    private func shardedStep(_ whole: LabeledBatch, ranks size: Int) throws -> [(weights: [Float], loss: Float, correct: Int)] {
        let shards = (0..<size).map { whole.rows(BatchShard(rank: $0, of: size).rows(of: whole.labels.count)) }
        let recorders = (0..<size).map { SimulatedRank(rank: $0, of: size) }
        // A recording rank gets its own contribution back, which does not hold the whole batch's rows: it throws.
        for (recorder, shard) in zip(recorders, shards) { _ = try? loop(recorder).step(shard, learningRate: 0.1) }
        let sums = Self.sums(of: recorders)
        return try zip(0..<size, shards).map { rank, shard in
            let replay = try loop(SimulatedRank(rank: rank, of: size, sums: sums))
            let (loss, correct, _) = try replay.step(shard, learningRate: 0.1)
            return (replay.model.parameters.flatMap(\.value.scalars), loss, correct)
        }
    }

    func testRanksGivenTheirRowsTakeTheStepOfTheWholeBatch() throws {
        // 5 rows on 3 ranks (2, 2, 1) and on 7 ranks (two of them empty).
        for size in [3, 7] {
            let whole = try batch(rows: 5)
            let single = try loop(SingleProcess())
            let (loss, correct, _) = try single.step(whole, learningRate: 0.1)
            let expected = single.model.parameters.flatMap(\.value.scalars)
            for (rank, result) in try shardedStep(whole, ranks: size).enumerated() {
                XCTAssertEqual(result.loss, loss, accuracy: 1e-5 * max(1, abs(loss)), "rank \(rank) of \(size)")
                XCTAssertEqual(result.correct, correct, "rank \(rank) of \(size)")
                let difference = zip(result.weights, expected).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(difference, 1e-5, "rank \(rank) of \(size)")
            }
        }
    }

    func testAWholeBatchGivenToEveryRankIsRefusedOnEveryRank() throws {
        let whole = try batch(rows: 6)
        let recorders = (0..<2).map { SimulatedRank(rank: $0, of: 2) }
        for recorder in recorders { _ = try? loop(recorder).step(whole, learningRate: 0.1) }
        let sums = Self.sums(of: recorders)
        for rank in 0..<2 {
            XCTAssertThrowsError(try loop(SimulatedRank(rank: rank, of: 2, sums: sums)).step(whole, learningRate: 0.1)) { error in
                XCTAssertTrue("\(error)".contains("12 rows of a batch of 6"), "\(error)")
            }
        }
    }
}
