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
    }
}
