import TensorCore
import Training
import XCTest

final class LabeledBatchRowsTests: XCTestCase {
    /// A rank's shard holds exactly its samples' inputs and labels, in order; the shards put together are the batch.
    func testTheShardsOfABatchPutTogetherAreTheBatch() {
        let inputs = Tensor(shape: [5, 2, 1, 2], generator: { Float($0) })
        let batch = LabeledBatch(inputs: inputs, labels: [3, 1, 4, 1, 5])
        let middle = batch.rows(1..<3)
        XCTAssertEqual(middle.inputs.shape, [2, 2, 1, 2])
        XCTAssertEqual(middle.inputs.scalars, (4..<12).map(Float.init))
        XCTAssertEqual(middle.labels, [1, 4])
        let parts = [batch.rows(0..<1), middle, batch.rows(3..<5), batch.rows(5..<5)]
        XCTAssertEqual(parts.flatMap(\.inputs.scalars), inputs.scalars)
        XCTAssertEqual(parts.flatMap(\.labels), batch.labels)
        XCTAssertEqual(parts[3].inputs.shape, [0, 2, 1, 2])
        XCTAssertEqual(parts.map(\.globalCount), [5, 5, 5, 5], "a shard knows the size of the whole batch")
    }

    /// A source without a loader of its own gives each process the rows of its shard cut out of the whole batches.
    func testAFixedSourceGivesEachRankItsRowsOfEveryBatch() {
        let batches = [5, 2].map { count in
            LabeledBatch(inputs: Tensor(shape: [count, 3], generator: { Float($0 + 100 * count) }), labels: Array(0..<count))
        }
        let source = FixedBatches(batches)
        for ranks in 1...3 {
            let parts = (0..<ranks).map { Array(source.batches(epoch: 0, from: 0, shard: BatchShard(rank: $0, of: ranks))) }
            for (index, batch) in batches.enumerated() {
                XCTAssertEqual(parts.flatMap { $0[index].inputs.scalars }, batch.inputs.scalars)
                XCTAssertEqual(parts.flatMap { $0[index].labels }, batch.labels)
                XCTAssertTrue(parts.allSatisfy { $0[index].globalCount == batch.labels.count })
            }
        }
        XCTAssertEqual(Array(source.batches(epoch: 0, from: 1, shard: BatchShard(rank: 1, of: 2))).map(\.labels), [[1]])
    }
}
