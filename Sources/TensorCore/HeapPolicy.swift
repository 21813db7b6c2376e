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
/// behaviour of caching allocators in other frameworks. (glibc still maps memory when the heap cannot grow.)
public enum HeapPolicy {
    /// Free heap memory beyond this is returned to the system.
    public static let trimThresholdBytes = 1 << 30

    /// The glibc tuning variables that, when set, leave the heap as the user tuned it.
    static let tuningVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_"]

    /// Applies the policy once per process (with glibc; with other C libraries it does nothing). A user who tunes
    /// glibc's heap through one of ``tuningVariables`` keeps those settings.
    static let applied: Void = {
        #if canImport(Glibc)
        let environment = ProcessInfo.processInfo.environment
        guard tuningVariables.allSatisfy({ environment[$0] == nil }) else { return }
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, Int32(trimThresholdBytes))
        #endif
    }()
}
