import CHeap
import Foundation

/// How the C heap serves the framework's large, short-lived tensors.
///
/// A training step allocates and frees the same large buffers (activations, gradients) again and again.
/// By default glibc maps each buffer above its threshold fresh from the kernel and unmaps it when freed,
/// so every step pays page faults on every large tensor. Raising the threshold is not enough: glibc caps it at
/// 32 MiB, and a first layer's output at batch 128 is larger (64 channels of 32x32: 32 MiB and a header; its page
/// faults made the convolution's forward pass 2.7 times slower than its GEMM). The policy therefore never maps
/// buffers on their own: every buffer comes from the heap, and freed heap memory is kept for reuse instead of being
/// returned at once. The price is that peak memory, once reached, stays resident until the process ends - the
/// behaviour of caching allocators in other frameworks; ``releaseFreeMemory()`` hands back what a phase such as
/// loading a dataset freed. Buffers over 64 MiB allocated by threads other than the main one are still mapped on their
/// own (glibc's per-thread heaps hold at most 64 MiB), as is memory the heap cannot grow to hold.
public enum HeapPolicy {
    /// Free heap memory beyond this is returned to the system.
    public static let trimThresholdBytes = 1 << 30

    /// Applies the policy once per process (with glibc; with other C libraries it does nothing). A user who tunes
    /// glibc's heap keeps those settings (see ``isTunedByUser(environment:)``).
    static let applied: Void = {
        #if canImport(Glibc)
        guard !isTunedByUser(environment: ProcessInfo.processInfo.environment) else { return }
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, Int32(trimThresholdBytes))
        #endif
    }()

    /// Whether `environment` tunes glibc's mapping or trimming: `MALLOC_MMAP_THRESHOLD_`, `MALLOC_MMAP_MAX_`,
    /// `MALLOC_TRIM_THRESHOLD_`, or `GLIBC_TUNABLES` naming `glibc.malloc.mmap_*` or `glibc.malloc.trim_threshold`.
    static func isTunedByUser(environment: [String: String]) -> Bool {
        let variables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_"]
        if variables.contains(where: { environment[$0] != nil }) { return true }
        let tunables = environment["GLIBC_TUNABLES"] ?? ""
        return tunables.contains("glibc.malloc.mmap_") || tunables.contains("glibc.malloc.trim_threshold")
    }

    /// Returns the heap's free memory to the system (glibc's `malloc_trim`), which the policy otherwise keeps for
    /// reuse: for after a phase that freed large temporaries it will not allocate again, such as loading a dataset.
    public static func releaseFreeMemory() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
