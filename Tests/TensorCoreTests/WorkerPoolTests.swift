import Dispatch
import Synchronization
import XCTest
@testable import TensorCore

final class WorkerPoolTests: XCTestCase {
    func testEveryChunkRunsExactlyOnceOverManyRegions() {
        let pool = WorkerPool.shared
        for chunks in [2, 3, 7, 64] {
            for _ in 0..<500 {
                let counts = Mutex([Int](repeating: 0, count: chunks))
                pool.run(chunks: chunks, threads: 2) { chunk in counts.withLock { $0[chunk] += 1 } }
                XCTAssertEqual(counts.withLock { $0 }, [Int](repeating: 1, count: chunks))
            }
        }
    }

    func testRegionsStartedInsideARegionRunSeriallyOnTheirThread() {
        let inner = Atomic<Int>(0)
        WorkerPool.shared.run(chunks: 4, threads: 2) { _ in
            WorkerPool.shared.run(chunks: 3, threads: 2) { _ in inner.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(inner.load(ordering: .relaxed), 12)
    }

    func testRegionsFromTwoThreadsAtOnceBothComplete() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<200 {
                WorkerPool.shared.run(chunks: 5, threads: 2) { chunk in total.add(chunk, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 2 * 200 * (0 + 1 + 2 + 3 + 4))
    }

    func testWorkersPickUpWorkAfterSleeping() {
        let done = Atomic<Int>(0)
        Thread.sleep(forTimeInterval: 10 * WorkerPool.spinSeconds)
        WorkerPool.shared.run(chunks: 2, threads: 2) { _ in done.add(1, ordering: .relaxed) }
        XCTAssertEqual(done.load(ordering: .relaxed), 2)
    }
}
