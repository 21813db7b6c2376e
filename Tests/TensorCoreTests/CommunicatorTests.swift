import TensorCore
import XCTest

/// The parts of data parallelism that need no second process: how a batch is split into shards, and the group of one.
final class CommunicatorTests: XCTestCase {
    /// A rank of a group whose collective operations are not needed here.
    private final class Rank: Communicator {
        let rank: Int, size: Int
        init(_ rank: Int, of size: Int) {
            self.rank = rank
            self.size = size
        }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws { XCTFail("no collective expected") }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws { XCTFail("no collective expected") }
        func allAgree(on value: UInt64) throws -> Bool { true }
    }

    func testTheShardsSplitABatchInOrderIntoPartsThatDifferByAtMostOne() {
        for size in 1...5 {
            for count in 0...23 {
                let shards = (0..<size).map { Rank($0, of: size).shard(of: count) }
                XCTAssertEqual(shards.first?.lowerBound, 0)
                XCTAssertEqual(shards.last?.upperBound, count)
                for (earlier, later) in zip(shards, shards.dropFirst()) { XCTAssertEqual(earlier.upperBound, later.lowerBound) }
                let sizes = shards.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(count) samples on \(size) ranks: \(sizes)")
            }
        }
    }

    func testAProcessAloneKeepsItsValues() throws {
        let alone = SingleProcess()
        XCTAssertEqual(alone.rank, 0)
        XCTAssertEqual(alone.size, 1)
        XCTAssertEqual(alone.shard(of: 7), 0..<7)
        let tensors = [Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), Tensor(shape: [1], scalars: [5])]
        XCTAssertEqual(try alone.allReduceSum(tensors), tensors)
        var sums = [1.5, -2]
        try alone.allReduceSum(&sums)
        XCTAssertEqual(sums, [1.5, -2])
        XCTAssertTrue(try alone.allAgree(on: 42))
    }
}
