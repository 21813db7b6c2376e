import Dispatch

/// A batch being assembled on a background queue; `wait()` blocks until it is ready.
///
/// `@unchecked Sendable` is sound because `result` is written once, on the worker, before the group is left,
/// and read only after `group.wait()` returns (the group orders the write before the read).
final class BatchFuture: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Batch?

    /// Starts `compute` on `queue`.
    init(on queue: DispatchQueue, _ compute: @escaping @Sendable () -> Batch) {
        group.enter()
        queue.async {
            self.result = compute()
            self.group.leave()
        }
    }

    /// The batch, once `compute` has returned; never `nil` after the wait. May be called repeatedly.
    func wait() -> Batch? {
        group.wait()
        return result
    }
}
