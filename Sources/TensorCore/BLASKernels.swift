import CBLAS
import Foundation

/// The OpenBLAS kernels the framework's GEMMs run on, chosen to match the CPU.
///
/// OpenBLAS picks its kernels for the CPU when it loads. A release older than the CPU does not
/// recognise it and falls back to generic SSE3 code ("Prescott"): Debian 12's OpenBLAS 0.3.21 does so
/// on Sapphire/Emerald Rapids Xeons, running SGEMM 4-5x slower than the AVX-512 kernels it also
/// contains. Before the first GEMM the framework checks the choice against the CPU's features and,
/// if OpenBLAS fell back to kernels without AVX2, selects "SkylakeX" (AVX-512) or "Haswell" (AVX2+FMA).
/// An explicit `OPENBLAS_CORETYPE` in the environment is always respected.
///
/// The choice is made the first time the framework computes (``ComputeThreads``, ``Gemm``) or reads
/// ``coreName``. Code that calls `cblas_*` itself should read ``coreName`` before it starts other threads.
public enum BLASKernels {
    /// The name OpenBLAS gives the kernels in use, e.g. "SkylakeX", "Haswell" or "Zen".
    public static var coreName: String {
        _ = setUp
        return currentCoreName()
    }

    /// The kernel family OpenBLAS chose by itself when it loaded, before any correction.
    public static var detectedCoreName: String {
        _ = setUp
        return loadedCoreName
    }

    /// OpenBLAS set to one thread (the framework parallelises itself) and to kernels suited to the CPU.
    /// Evaluated once, before the first BLAS call of the framework.
    @usableFromInline static let setUp: Void = {
        openblas_set_num_threads(1)
        loadedCoreName = currentCoreName()
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let better = preferredCore(current: loadedCoreName, cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        defer { unsetenv("OPENBLAS_CORETYPE") }
        if ilnas_openblas_reselect_kernels() != 0 { openblas_set_num_threads(1) }
    }()

    nonisolated(unsafe) private static var loadedCoreName = ""

    /// Kernel families whose SGEMM uses AVX-512, and those that use at least AVX2 with FMA.
    private static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    private static let avx2Cores: Set<String> = avx512Cores.union(["haswell", "zen", "excavator"])

    /// The OpenBLAS core type to switch to, or `nil` when the `current` one already suits a CPU with `cpuFlags`.
    static func preferredCore(current: String, cpuFlags: Set<String>) -> String? {
        let name = current.lowercased()
        let hasAVX512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(cpuFlags.contains)
        if hasAVX512 && !avx2Cores.contains(name) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") && !avx2Cores.contains(name) { return "Haswell" }
        return nil
    }

    private static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The feature flags of the first CPU in `/proc/cpuinfo` (empty where that file does not exist).
    private static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
