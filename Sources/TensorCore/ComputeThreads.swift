import Foundation

/// The number of threads the framework computes with.
///
/// OpenBLAS is always driven single-threaded (see ``BLASKernels``); the framework splits work (batches,
/// GEMM row blocks, element ranges) across `ComputeThreads.count` workers itself,
/// so two thread pools never compete for the same cores.
public enum ComputeThreads {
    nonisolated(unsafe) private static var configuredCount: Int = {
        _ = BLASKernels.setUp
        _ = HeapPolicy.applied
        return max(1, System.coreCount)
    }()

    /// The number of worker threads (default: all cores).
    public static var count: Int { configuredCount }

    /// Sets the number of worker threads. Call before training, not from inside a parallel region.
    public static func configure(threads: Int) throws {
        guard threads >= 1 else {
            throw TensorError.invalidArgument(operation: "ComputeThreads.configure", reason: "threads must be at least 1, got \(threads)")
        }
        _ = configuredCount
        configuredCount = threads
    }

    /// Runs `body(chunk)` for every chunk in 0..<chunks, on up to `count` threads (the caller and the
    /// framework's persistent worker threads). `body` must only write to memory owned by its chunk.
    public static func forEachChunk(_ chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        WorkerPool.shared.run(chunks: chunks, threads: min(count, chunks), body)
    }

    /// Splits 0..<total into at most `count` contiguous ranges of at least `minimumPerChunk`
    /// elements and runs `body` on each range in parallel.
    public static func forEachRange(_ total: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        if total <= 0 { return }
        let chunks = max(1, min(count, total / max(1, minimumPerChunk)))
        if chunks == 1 {
            body(0..<total)
            return
        }
        forEachChunk(chunks) { chunk in
            body(range(ofChunk: chunk, of: chunks, total: total))
        }
    }

    /// The `chunk`-th of `chunks` near-equal contiguous ranges of 0..<total.
    public static func range(ofChunk chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let base = total / chunks, extra = total % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}

/// Wraps a non-Sendable value (a pointer or closure) that is handed to worker threads
/// which only touch disjoint memory through it.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// Facts about the machine.
public enum System {
    /// The number of online processor cores.
    public static var coreCount: Int {
        ProcessInfo.processInfo.activeProcessorCount
    }
}
