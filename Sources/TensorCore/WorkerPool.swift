import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for the framework's fork-join loops.
///
/// A training step of a small network runs hundreds of parallel regions of a few microseconds to a
/// millisecond each. Waking sleeping threads for each of them (as `DispatchQueue.concurrentPerform` does)
/// costs tens of microseconds per region and erased the gain of a second core for LeNet-5 and the MLP.
/// The pool's workers instead keep spinning for a short while after a region ends (like OpenMP's
/// active wait), so the next region starts at once; after ``spinSeconds`` without work they sleep.
///
/// One region runs at a time, on the caller and at most `threads - 1` workers. A region started while another
/// is running (from a worker or from another thread, such as a data loader) runs its chunks serially on the
/// calling thread.
final class WorkerPool: @unchecked Sendable {
    /// One parallel region: the chunk body and the counters its threads share.
    private final class Region: @unchecked Sendable {
        let body: (Int) -> Void
        let chunks: Int
        let nextChunk = Atomic<Int>(0)
        let unfinishedChunks: Atomic<Int>
        /// How many workers may join besides the caller, and how many did (guarded by the pool's `current` lock).
        let workerLimit: Int
        var joinedWorkers = 0

        init(body: @escaping (Int) -> Void, chunks: Int, workerLimit: Int) {
            self.body = body
            self.chunks = chunks
            self.workerLimit = workerLimit
            unfinishedChunks = Atomic(chunks)
        }

        /// Claims and runs chunks until none is left.
        func work() {
            while true {
                let chunk = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
                if chunk >= chunks { return }
                body(chunk)
                unfinishedChunks.subtract(1, ordering: .releasing)
            }
        }
    }

    /// How long an idle worker keeps polling for the next region before it sleeps.
    static let spinSeconds = 0.0005

    private let current = Mutex<Region?>(nil)
    private let generation = Atomic<Int>(0)
    private let running = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    /// Workers that took the current region and may still hold a reference to it.
    private let participants = Atomic<Int>(0)
    private let wakeUp = DispatchSemaphore(value: 0)
    private let workerCount = Mutex<Int>(0)

    /// The shared pool.
    static let shared = WorkerPool()

    /// Runs `body(chunk)` for every chunk in `0..<chunks` on the calling thread and up to `threads - 1` workers.
    func run(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        guard chunks > 1, threads > 1, running.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        defer { running.store(false, ordering: .releasing) }
        ensureWorkers(threads - 1)
        withoutActuallyEscaping(body) { escapable in
            let region = Region(body: escapable, chunks: chunks, workerLimit: threads - 1)
            current.withLock { $0 = region }
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            let asleep = sleepers.load(ordering: .sequentiallyConsistent)
            for _ in 0..<min(asleep, chunks - 1) { wakeUp.signal() }
            region.work()
            Self.wait { region.unfinishedChunks.load(ordering: .acquiring) > 0 }
            // No worker may keep the body once this call returns.
            current.withLock { $0 = nil }
            Self.wait { self.participants.load(ordering: .acquiring) > 0 }
        }
    }

    /// Starts workers until there are at least `count`.
    private func ensureWorkers(_ count: Int) {
        workerCount.withLock { existing in
            while existing < count {
                let thread = Thread { [unowned self] in self.workerLoop() }
                thread.name = "TensorCore worker \(existing + 1)"
                thread.start()
                existing += 1
            }
        }
    }

    private func workerLoop() {
        var seen = generation.load(ordering: .acquiring)
        while true {
            waitForRegion(after: seen)
            seen = generation.load(ordering: .acquiring)
            if joinCurrentRegion() { participants.subtract(1, ordering: .releasing) }
        }
    }

    /// Works on the current region, if any; returns whether it did. The reference to the region (and
    /// its body) ends with this function, before the caller reports that this worker is done with it.
    private func joinCurrentRegion() -> Bool {
        let region: Region? = current.withLock { region in
            guard let region, region.joinedWorkers < region.workerLimit else { return nil }
            region.joinedWorkers += 1
            participants.add(1, ordering: .relaxed)
            return region
        }
        guard let region else { return false }
        region.work()
        return true
    }

    /// Polls `condition` until it is false, yielding the core now and then in case the thread it waits for
    /// was preempted (more threads than free cores).
    private static func wait(while condition: () -> Bool) {
        var polls = 0
        while condition() {
            polls += 1
            if polls % 4096 == 0 { sched_yield() }
        }
    }

    /// Returns once the generation differs from `seen`: spinning first, then sleeping.
    private func waitForRegion(after seen: Int) {
        var deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinSeconds * 1e9)
        var polls = 0
        while generation.load(ordering: .acquiring) == seen {
            polls += 1
            if polls % 1024 != 0 { continue }
            if DispatchTime.now().uptimeNanoseconds < deadline {
                sched_yield()
                continue
            }
            sleepers.add(1, ordering: .sequentiallyConsistent)
            if generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinSeconds * 1e9)
        }
    }
}
