import Foundation

/// Keeps OpenBLAS's idle thread pool out of the measurements.
///
/// OpenBLAS starts its pool threads when the library loads, before any Swift code runs, and each one
/// busy-waits for about a tenth of a second before it sleeps. The framework never gives them work (it sets
/// OpenBLAS to one thread and parallelises itself), but while they spin they hold a core and, with
/// `--cpu-clock`, their CPU time is charged to the process: the first pass of a short step (the MLP's
/// 1.8 ms) measured twice its real time on a quiet machine. Only the environment at load time prevents the
/// pool, so the program starts itself again with `OPENBLAS_NUM_THREADS=1`, the setting the framework runs
/// OpenBLAS with anyway.
enum OpenBLASThreadPool {
    static let variable = "OPENBLAS_NUM_THREADS"
    /// Whether this process started with `OPENBLAS_NUM_THREADS=1`, so that OpenBLAS made no pool.
    nonisolated(unsafe) static private(set) var avoided = false

    /// Replaces this process by the same program with `OPENBLAS_NUM_THREADS=1` unless it already has it (another value
    /// given is replaced: the framework runs OpenBLAS on one thread whatever it says).
    /// Returns only when it has it, or when the program cannot be started again (a warning says so).
    static func restartWithoutPool() {
        guard ProcessInfo.processInfo.environment[variable] != "1" else {
            avoided = true
            return
        }
        guard setenv(variable, "1", 1) == 0 else { return warn(String(cString: strerror(errno))) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        warn(String(cString: strerror(errno)))
    }

    private static func warn(_ reason: String) {
        FileHandle.standardError.write(Data(
            "warning: could not restart with \(variable)=1 (\(reason)); OpenBLAS's idle threads may spin during the first measurements\n".utf8))
    }
}
