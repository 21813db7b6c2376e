import Foundation

/// Readings of the Linux `/proc` files: load, CPU time of other processes, memory of this process.
enum SystemProbe {
    /// The contents of a `/proc` file, or `nil` when it cannot be read (not Linux).
    ///
    /// `/proc` files report a size of 0, so they are read to the end in chunks.
    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, file) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The 1-minute load average, or `nil` when unknown.
    static func loadAverage() -> Double? {
        read("/proc/loadavg")?.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Busy CPU ticks of the whole machine (user, nice, system, irq, softirq) and ticks stolen by the
    /// hypervisor, from `/proc/stat`.
    static func machineTicks() -> (busy: Int, steal: Int)? {
        guard let line = read("/proc/stat")?.split(separator: "\n").first else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard fields.count >= 8 else { return nil }
        return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6], fields[7])
    }

    /// User plus system CPU ticks of this process (all threads) from `/proc/self/stat`.
    static func ownTicks() -> Int? {
        guard let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is field 0, utime 11, stime 12.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    /// A `VmHWM`-style field of `/proc/self/status` in bytes, or `nil` when unknown.
    static func statusBytes(_ field: String) -> Int? {
        guard let status = read("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kilobytes = Int(parts[1]) { return kilobytes * 1024 }
        }
        return nil
    }

    /// The peak resident set size reported by `getrusage` (kilobytes on Linux), in bytes.
    static func maximumResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// Resets `VmHWM` to the current resident size (Linux `clear_refs` value 5); `false` when refused.
    static func resetPeakResident() -> Bool {
        guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(file) }
        return fputs("5", file) >= 0
    }

    /// The model name of the first CPU in `/proc/cpuinfo`.
    static func cpuModel() -> String {
        let line = read("/proc/cpuinfo")?.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line?.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }
}

/// How busy the machine was with other work while one measurement ran.
struct Contention: Codable, Sendable {
    /// The 1-minute load average when the measurement started (includes this program's own work).
    let load1: Double
    /// CPU cores used by other processes during the measurement: machine busy time minus this process's;
    /// `nil` when `/proc` is unreadable.
    let otherCores: Double?
    /// CPU cores the hypervisor gave to other virtual machines instead (steal time).
    let stealCores: Double?
}

/// A time window over which ``Contention`` is measured, as in the PyTorch reference's `CpuWindow`.
struct ContentionWindow {
    private let start = monotonicSeconds()
    private let machineStart = SystemProbe.machineTicks()
    private let ownStart = SystemProbe.ownTicks()
    private let load1 = SystemProbe.loadAverage() ?? -1

    /// The shortest window whose CPU ticks (10 ms each) say something about contention.
    static let minimumSeconds = 0.2

    /// The contention from the window's creation until now; a window shorter than ``minimumSeconds`` is first
    /// extended by idling, so a short measurement is judged by the machine's state right after it.
    func finish() -> Contention {
        let short = Self.minimumSeconds - (monotonicSeconds() - start)
        if short > 0 { usleep(UInt32(short * 1e6)) }
        let seconds = monotonicSeconds() - start
        guard let machineStart, let ownStart,
              let machineEnd = SystemProbe.machineTicks(), let ownEnd = SystemProbe.ownTicks() else {
            return Contention(load1: load1, otherCores: nil, stealCores: nil)
        }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let others = Double((machineEnd.busy - machineStart.busy) - (ownEnd - ownStart)) / ticksPerSecond / seconds
        let steal = Double(machineEnd.steal - machineStart.steal) / ticksPerSecond / seconds
        return Contention(load1: load1, otherCores: max(0, others), stealCores: steal)
    }
}

/// Waits for other processes to leave the cores alone, and repeats measurements they disturbed,
/// within a waiting budget shared by the whole run (as the PyTorch reference's `LoadGate` does).
final class QuietGate {
    /// Other processes using at most this many cores count as quiet before a measurement.
    static let quietCores = 0.3
    /// A measurement during which others used more cores than this is repeated while the budget lasts.
    static let acceptableCores = 0.2
    static let maximumRepeats = 2

    private let budget: Double
    private(set) var waited = 0.0

    init(budgetSeconds: Double) {
        budget = budgetSeconds
    }

    /// Whether waiting time is left.
    var canWait: Bool { waited < budget }

    /// Samples the cores used by others for 0.5 s (this program idles meanwhile) and sleeps 5 s at a time while
    /// they exceed ``quietCores`` and the budget lasts. Only the sleeping counts against the budget.
    func waitForQuiet() {
        var waitedHere = 0.0
        while canWait {
            let window = ContentionWindow()
            usleep(500_000)
            guard let others = window.finish().otherCores, others > Self.quietCores else { return }
            if waitedHere.truncatingRemainder(dividingBy: 60) == 0 {
                log("[load] other processes use \(format(others, 2)) cores; waiting (waited \(format(waited, 0)) of \(format(budget, 0)) s)")
            }
            sleep(5)
            waited += 5
            waitedHere += 5
        }
    }

    /// Runs `measurement` and, while others used more than ``acceptableCores`` during it and the budget lasts,
    /// waits and runs it again (at most ``maximumRepeats`` times); returns the least disturbed result.
    func measure<R>(_ name: String, contention: (R) -> Contention, _ measurement: () throws -> R) rethrows -> R {
        var best = try measurement()
        var repeats = 0
        while repeats < Self.maximumRepeats, canWait,
              let others = contention(best).otherCores, others > Self.acceptableCores {
            log("[load] \(name): other processes used \(format(others, 2)) cores; measuring again")
            repeats += 1
            waitForQuiet()
            let next = try measurement()
            if let nextOthers = contention(next).otherCores, nextOthers < others { best = next }
        }
        return best
    }
}

/// Runs `body` and reports the contention during it.
func withContention<R>(_ body: () throws -> R) rethrows -> (R, Contention) {
    let window = ContentionWindow()
    let result = try body()
    return (result, window.finish())
}
