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

    func testARegionUsesNoMoreThreadsThanItAsksFor() {
        WorkerPool.shared.run(chunks: 16, threads: 4) { _ in }  // make sure three workers exist
        for _ in 0..<200 {
            let threads = Mutex(Set<UInt>())
            WorkerPool.shared.run(chunks: 64, threads: 2) { _ in
                let me = UInt(pthread_self())
                threads.withLock { _ = $0.insert(me) }
                for _ in 0..<200 { Sink.value &+= 1 }
            }
            XCTAssertLessThanOrEqual(threads.withLock { $0.count }, 2)
        }
    }
}

/// Work the optimiser cannot remove, so that chunks take long enough for every thread to join.
private enum Sink {
    nonisolated(unsafe) static var value = 0
}
