import Foundation
import TensorCore

/// A Markdown table with padded columns, printed to standard output.
struct MarkdownTable {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    var text: String {
        let widths = headers.indices.map { column in
            ([headers] + rows).map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = headers.indices.map { column -> String in
                let cell = column < cells.count ? cells[column] : ""
                return cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        return ([line(headers), line(widths.map { String(repeating: "-", count: max(3, $0)) })] + rows.map(line))
            .joined(separator: "\n")
    }
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

/// Where and when the benchmarks ran.
struct EnvironmentInfo: Codable {
    let date: String
    let cpu: String
    /// The OpenBLAS kernels in use, and those OpenBLAS chose by itself when it loaded.
    let blasKernels: String
    let blasKernelsDetected: String
    /// The instruction set of the direct convolution kernels (`ILNAS_KERNELS`, or the widest the CPU runs).
    let directKernels: String
    /// Whether OpenBLAS started without its idle thread pool (false when the restart with `OPENBLAS_NUM_THREADS=1`
    /// failed, see ``OpenBLASThreadPool``).
    let openBLASPoolAvoided: Bool
    let cores: Int
    let threads: [Int]
    let passes: Int
    let load1AtStart: Double?
    let arguments: [String]
    /// The same-session PyTorch result files compared against.
    let pytorchResults: [String]

    init(options: Options) {
        date = ISO8601DateFormatter().string(from: Date())
        cpu = SystemProbe.cpuModel()
        blasKernels = BLASKernels.coreName
        blasKernelsDetected = BLASKernels.detectedCoreName
        directKernels = (try? KernelPath.current().rawValue) ?? "invalid \(KernelPath.environmentVariable)"
        openBLASPoolAvoided = OpenBLASThreadPool.avoided
        cores = ProcessInfo.processInfo.activeProcessorCount
        threads = options.threads
        passes = options.passes
        load1AtStart = SystemProbe.loadAverage()
        arguments = Array(CommandLine.arguments.dropFirst())
        pytorchResults = options.pytorchResults
    }
}

/// Part 1 at one shape and thread count, over all passes.
struct OverheadSummary: Codable {
    let name: String
    let threads: Int
    let gemms: [String]
    let frameworkMilliseconds: Double
    let bareMilliseconds: Double
    let bareGigaflopsPerSecond: Double
    let passRatios: [Double]
    /// The median over passes of bare GEMM time / framework time.
    let ratio: Double
    /// The medians over passes of each convolution pass's ratio (`nil` for linear layers).
    let phases: PhaseRatios?
    /// The most cores other processes used during one of the passes (`nil`: unknown).
    let maximumOtherCores: Double?

    init(_ results: [OverheadResult]) {
        let first = results[0]
        name = first.name
        threads = first.threads
        gemms = first.gemms
        frameworkMilliseconds = Statistics.median(results.map(\.framework.medianSeconds)) * 1e3
        bareMilliseconds = Statistics.median(results.map(\.bare.medianSeconds)) * 1e3
        bareGigaflopsPerSecond = first.flops / (bareMilliseconds * 1e-3) / 1e9
        passRatios = results.map(\.ratio)
        ratio = Statistics.median(passRatios)
        let passPhases = results.compactMap(\.phases)
        phases = passPhases.isEmpty ? nil : PhaseRatios(forward: Statistics.median(passPhases.map(\.forward)),
                                                        weightGradient: Statistics.median(passPhases.map(\.weightGradient)),
                                                        inputGradient: Statistics.median(passPhases.map(\.inputGradient)))
        maximumOtherCores = results.compactMap(\.contention.otherCores).max()
    }
}

/// Part 2 for one model and thread count, over all passes.
struct TrainingSummary: Codable {
    let model: String
    let threads: Int
    let passImagesPerSecond: [Double]
    let imagesPerSecond: Double
    let trainGigaflopsPerSecond: Double
    let pytorchImagesPerSecond: Double?
    let ratioToPyTorch: Double?
    /// PyTorch measured in the same session (`--pytorch-json`), and our images/s over it.
    let pytorchSameSessionImagesPerSecond: Double?
    let ratioToPyTorchSameSession: Double?
    /// The most cores other processes used during one of the passes.
    let maximumOtherCores: Double?

    init(_ results: [TrainingResult], session: PyTorchSession) {
        let first = results[0]
        model = first.model
        threads = first.threads
        passImagesPerSecond = results.map(\.imagesPerSecond)
        let median = Statistics.median(passImagesPerSecond)
        imagesPerSecond = median
        trainGigaflopsPerSecond = 3 * first.forwardMegaflopsPerImage * 1e6 * median / 1e9
        pytorchImagesPerSecond = first.pytorchImagesPerSecond
        ratioToPyTorch = first.pytorchImagesPerSecond.map { median / $0 }
        let sameSession = session.trainImagesPerSecond(model: first.model, threads: first.threads)
        pytorchSameSessionImagesPerSecond = sameSession
        ratioToPyTorchSameSession = sameSession.map { median / $0 }
        maximumOtherCores = results.compactMap(\.contention.otherCores).max()
    }
}

/// Everything one run of the program measured, as written to `--json`.
struct BenchmarkReport: Codable {
    let environment: EnvironmentInfo
    var overhead: [OverheadResult] = []
    var overheadSummary: [OverheadSummary] = []
    var training: [TrainingResult] = []
    var trainingSummary: [TrainingSummary] = []
    var layerProfiles: [LayerProfile] = []
    var epoch: EpochResult?
    var sink: Float = 0

    /// Fills the summaries from the per-pass results, grouped by name and thread count in first-seen order.
    mutating func summarise(session: PyTorchSession) {
        overheadSummary = grouped(overhead) { "\($0.name)/\($0.threads)" }.map(OverheadSummary.init)
        trainingSummary = grouped(training) { "\($0.model)/\($0.threads)" }.map { TrainingSummary($0, session: session) }
    }

    /// Writes the report as pretty-printed JSON, atomically.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// `items` grouped by `key`, groups and members in first-seen order.
func grouped<Item>(_ items: [Item], by key: (Item) -> String) -> [[Item]] {
    var order: [String] = []
    var groups: [String: [Item]] = [:]
    for item in items {
        let name = key(item)
        if groups[name] == nil { order.append(name) }
        groups[name, default: []].append(item)
    }
    return order.compactMap { groups[$0] }
}

/// The tables printed at the end of a run.
enum Tables {
    /// Cores used by other processes, or `-` when unknown.
    static func cores(_ value: Double?) -> String {
        value.map { format($0, 2) } ?? "-"
    }

    static func overhead(_ summaries: [OverheadSummary]) -> String {
        var table = MarkdownTable(["shape", "threads", "GEMMs M x N x K", "framework ms", "bare GEMM ms",
                                   "bare GFLOP/s", "ratio bare/framework (passes)", "ratio", "forward / dW / dX ratios", "others max"])
        for s in summaries {
            table.append([s.name, "\(s.threads)", s.gemms.joined(separator: ", "), format(s.frameworkMilliseconds, 3),
                          format(s.bareMilliseconds, 3), format(s.bareGigaflopsPerSecond), s.passRatios.map { format($0, 2) }.joined(separator: " / "),
                          format(s.ratio, 2) + (s.ratio < 0.85 ? " *" : ""),
                          s.phases.map { [$0.forward, $0.weightGradient, $0.inputGradient].map { format($0, 2) }.joined(separator: " / ") } ?? "-",
                          cores(s.maximumOtherCores)])
        }
        return table.text
    }

    static func training(_ summaries: [TrainingSummary]) -> String {
        var table = MarkdownTable(["model", "threads", "img/s (passes)", "img/s median", "ms/step", "train GFLOP/s",
                                   "PyTorch img/s (RESULTS.md)", "ours/PyTorch", "PyTorch same session", "ours/same session",
                                   "others max"])
        let optional = { (value: Double?, digits: Int) in value.map { format($0, digits) } ?? "-" }
        for s in summaries {
            table.append([s.model, "\(s.threads)", s.passImagesPerSecond.map { format($0) }.joined(separator: " / "),
                          format(s.imagesPerSecond), format(1e3 * Double(TrainingBenchmark.batchSize) / s.imagesPerSecond, 2),
                          format(s.trainGigaflopsPerSecond), optional(s.pytorchImagesPerSecond, 1), optional(s.ratioToPyTorch, 2),
                          optional(s.pytorchSameSessionImagesPerSecond, 1), optional(s.ratioToPyTorchSameSession, 2),
                          cores(s.maximumOtherCores)])
        }
        return table.text
    }

    static func layers(_ profile: LayerProfile) -> String {
        var table = MarkdownTable(["part", "forward ms", "backward ms", "total ms", "share", "GFLOP/s (fwd+bwd)"])
        func share(_ milliseconds: Double) -> String { format(100 * milliseconds / profile.totalMilliseconds) + " %" }
        for layer in profile.layers {
            let total = layer.forwardMilliseconds + layer.backwardMilliseconds
            table.append([layer.name, format(layer.forwardMilliseconds, 3), format(layer.backwardMilliseconds, 3),
                          format(total, 3), share(total), layer.gigaflopsPerSecond.map { format($0) } ?? ""])
        }
        for (name, milliseconds) in [("zero gradients", profile.zeroGradientMilliseconds), ("softmax cross-entropy", profile.lossMilliseconds),
                                     ("SGD step", profile.optimizerMilliseconds)] {
            table.append([name, "", "", format(milliseconds, 3), share(milliseconds), ""])
        }
        table.append(["sum", "", "", format(profile.totalMilliseconds, 3), "100 %", ""])
        return table.text
    }

    static func epoch(_ result: EpochResult) -> String {
        let mebibytes = { (bytes: Int?) in bytes.map { format(Double($0) / 1_048_576) + " MiB" } ?? "-" }
        var table = MarkdownTable(["item", "ours", "PyTorch (2 threads)"])
        table.append(["threads", "\(result.threads)", "2"])
        table.append(["train seconds (1 epoch)", format(result.trainSeconds, 2), format(result.pytorchSeconds, 1)])
        table.append(["train img/s", format(result.trainImagesPerSecond), format(60_000 / result.pytorchSeconds)])
        table.append(["test accuracy", result.testAccuracy.map { format(Double($0) * 100, 2) + " %" } ?? "-",
                      format(Double(result.pytorchTestAccuracy) * 100, 2) + " %"])
        table.append(["MNIST load seconds", format(result.loadSeconds, 2), ""])
        table.append(["VmRSS after load", mebibytes(result.residentAfterLoadBytes), ""])
        table.append(["VmHWM during load", mebibytes(result.peakDuringLoadBytes), ""])
        table.append(["VmHWM during epoch (reset after load)", mebibytes(result.peakDuringEpochBytes), ""])
        table.append(["peak RSS (VmHWM, whole run)", mebibytes(result.peakResidentBytes), ""])
        table.append(["getrusage ru_maxrss", mebibytes(result.rusageMaximumResidentBytes), ""])
        table.append(["other cores during epoch", cores(result.contention.otherCores), ""])
        return table.text
    }
}
