import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for the framework's fork-join loops.
///
/// A training step of a small network runs hundreds of parallel regions of a few microseconds to a
/// millisecond each. Waking sleeping threads for each of them (as `DispatchQueue.concurrentPerform` does)
/// costs tens of microseconds per region and erased the gain of a second core for LeNet-5 and the MLP.
/// The pool's workers instead keep polling for a short while after a region ends (like OpenMP's
/// active wait), so the next region starts at once; after ``spinSeconds`` without work they sleep.
///
/// One region runs at a time, on the caller and at most `threads - 1` workers; workers beyond the
/// latest region's `threads - 1` (left from a larger configuration) sleep instead of polling, so the
/// framework never keeps more cores busy than it was configured for. A region started while another
/// is running (from a worker or from another thread, such as a data loader) runs its chunks serially
/// on the calling thread.
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

    /// One worker thread's way to be woken.
    private final class Worker: Sendable {
        let index: Int
        let wakeUp = DispatchSemaphore(value: 0)
        let sleeping = Atomic<Bool>(false)

        init(index: Int) { self.index = index }
    }

    /// How long an idle worker keeps polling for the next region before it sleeps.
    static let spinSeconds = 0.0005

    private let current = Mutex<Region?>(nil)
    private let generation = Atomic<Int>(0)
    private let running = Atomic<Bool>(false)
    /// Workers the latest region may use: those with a smaller index poll, the others sleep.
    private let activeWorkers = Atomic<Int>(0)
    /// Workers that took the current region and may still hold a reference to it.
    private let participants = Atomic<Int>(0)
    private let workers = Mutex<[Worker]>([])

    /// The shared pool.
    static let shared = WorkerPool()

    /// Runs `body(chunk)` for every chunk in `0..<chunks` on the calling thread and up to `threads - 1` workers.
    func run(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        guard chunks > 1, threads > 1, running.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        defer { running.store(false, ordering: .releasing) }
        let helpers = threads - 1
        let team = workers(atLeast: helpers)
        activeWorkers.store(helpers, ordering: .relaxed)
        withoutActuallyEscaping(body) { escapable in
            let region = Region(body: escapable, chunks: chunks, workerLimit: helpers)
            current.withLock { $0 = region }
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            for worker in team.prefix(min(helpers, chunks - 1)) where worker.sleeping.load(ordering: .sequentiallyConsistent) {
                worker.wakeUp.signal()
            }
            region.work()
            Self.wait { region.unfinishedChunks.load(ordering: .acquiring) > 0 }
            // No worker may keep the body once this call returns.
            current.withLock { $0 = nil }
            Self.wait { self.participants.load(ordering: .acquiring) > 0 }
        }
    }

    /// The workers, started until there are at least `count`.
    private func workers(atLeast count: Int) -> [Worker] {
        workers.withLock { workers in
            while workers.count < count {
                let worker = Worker(index: workers.count)
                let thread = Thread { [unowned self] in self.workerLoop(worker) }
                thread.name = "TensorCore worker \(worker.index + 1)"
                thread.start()
                workers.append(worker)
            }
            return workers
        }
    }

    private func workerLoop(_ worker: Worker) {
        var seen = generation.load(ordering: .acquiring)
        while true {
            waitForRegion(after: seen, as: worker)
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

    /// Returns once the generation differs from `seen`: polling first (only a worker the latest region could
    /// use), then sleeping until `run` wakes it.
    private func waitForRegion(after seen: Int, as worker: Worker) {
        var deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinSeconds * 1e9)
        var polls = 0
        while generation.load(ordering: .acquiring) == seen {
            polls += 1
            if polls % 1024 != 0 { continue }
            if worker.index < activeWorkers.load(ordering: .relaxed), DispatchTime.now().uptimeNanoseconds < deadline {
                sched_yield()
                continue
            }
            // Announce the sleep before the last look, so that `run` either sees it and signals, or was seen here.
            worker.sleeping.store(true, ordering: .sequentiallyConsistent)
            if generation.load(ordering: .sequentiallyConsistent) == seen { worker.wakeUp.wait() }
            worker.sleeping.store(false, ordering: .sequentiallyConsistent)
            deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinSeconds * 1e9)
        }
    }
}
