import CHeap
import Foundation

/// How the C heap serves the framework's large, short-lived tensors.
///
/// A training step allocates and frees the same large buffers (activations, gradients) again and again.
/// By default glibc maps each buffer above its threshold fresh from the kernel and unmaps it when freed,
/// so every step pays page faults on every large tensor (measured: 8 ms of a 46 ms convolution forward at
/// batch 128). The policy keeps buffers of up to 32 MiB (glibc's largest allowed threshold) in the heap and
/// keeps freed heap memory for reuse instead of returning it at once. The price is that peak memory, once
/// reached, stays resident until the process ends - the behaviour of caching allocators in other frameworks.
public enum HeapPolicy {
    /// Buffers up to this size come from the reusable heap rather than fresh mappings.
    public static let mappingThresholdBytes = 32 << 20
    /// Free heap memory beyond this is returned to the system.
    public static let trimThresholdBytes = 1 << 30

    /// Applies the policy once per process (with glibc; with other C libraries it does nothing). A user who tunes
    /// glibc's heap through `MALLOC_MMAP_THRESHOLD_` or `MALLOC_TRIM_THRESHOLD_` keeps those settings.
    static let applied: Void = {
        #if canImport(Glibc)
        let environment = ProcessInfo.processInfo.environment
        guard environment["MALLOC_MMAP_THRESHOLD_"] == nil, environment["MALLOC_TRIM_THRESHOLD_"] == nil else { return }
        _ = mallopt(M_MMAP_THRESHOLD, Int32(mappingThresholdBytes))
        _ = mallopt(M_TRIM_THRESHOLD, Int32(trimThresholdBytes))
        #endif
    }()
}
