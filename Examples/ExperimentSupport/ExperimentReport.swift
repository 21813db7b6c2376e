import Foundation
import TensorCore

/// The machine the measurements were taken on.
public struct Machine: Codable, Sendable {
    public var processor: String
    public var cores: Int
    /// The OpenBLAS kernel family (`OPENBLAS_CORETYPE` names).
    public var openBLASCoreType: String
    /// The 1-minute load average when the experiment started: above the core count, timings are contended.
    public var loadAverageAtStart: Double?

    public init(processor: String, cores: Int, openBLASCoreType: String, loadAverageAtStart: Double?) {
        self.processor = processor
        self.cores = cores
        self.openBLASCoreType = openBLASCoreType
        self.loadAverageAtStart = loadAverageAtStart
    }

    /// This machine, now.
    public static func current() -> Machine {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let processor = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
        return Machine(processor: processor ?? "unknown", cores: ProcessInfo.processInfo.activeProcessorCount,
                       openBLASCoreType: BLASKernels.coreName, loadAverageAtStart: load)
    }
}

/// One row of an experiment's result: what was run, the paper's number and the measured one.
public struct ResultRow: Codable, Sendable {
    public var label: String
    /// The paper's test accuracy in percent, when its text states it.
    public var paperAccuracy: Double?
    /// The paper's parameter budget or count.
    public var paperParameters: Int?
    /// The measured test accuracy in percent.
    public var accuracy: Double?
    public var parameterCount: Int?
    public var budget: Int?
    public var expansions: Int?
    /// The run's wall time, contended when the machine was shared.
    public var wallSeconds: Double?
    /// The run folder the numbers come from.
    public var run: String?

    public init(label: String, paperAccuracy: Double? = nil, paperParameters: Int? = nil, accuracy: Double? = nil,
                parameterCount: Int? = nil, budget: Int? = nil, expansions: Int? = nil, wallSeconds: Double? = nil, run: String? = nil) {
        self.label = label
        self.paperAccuracy = paperAccuracy
        self.paperParameters = paperParameters
        self.accuracy = accuracy
        self.parameterCount = parameterCount
        self.budget = budget
        self.expansions = expansions
        self.wallSeconds = wallSeconds
        self.run = run
    }

    /// The row of a search run.
    public init(label: String, paperAccuracy: Double?, paperParameters: Int?, run name: String, summary: RunSummary) {
        self.init(label: label, paperAccuracy: paperAccuracy, paperParameters: paperParameters, accuracy: 100 * summary.testAccuracy,
                  parameterCount: summary.parameterCount, budget: summary.budget, expansions: summary.expansions,
                  wallSeconds: summary.wallSeconds, run: name)
    }
}

/// What an experiment writes: `<results>/<experiment>.json` (machine-readable) and `<results>/<experiment>.md`.
public struct ExperimentReport: Codable, Sendable {
    public var experiment: String
    public var title: String
    public var scale: Scale
    public var date: String
    public var machine: Machine
    public var commit: String
    /// Which available dataset stands in for which of the paper's (quick scale).
    public var standIns: [String]
    /// The settings used, as `ilnas search` options, and where they depart from the paper.
    public var settings: [String]
    public var rows: [ResultRow]
    /// Wall time of the whole experiment program (contended when the machine was shared).
    public var wallSeconds: Double

    public init(experiment: String, title: String, scale: Scale, standIns: [String], settings: [String], rows: [ResultRow],
                wallSeconds: Double, machine: Machine, date: Date = Date(), commit: String = gitCommit()) {
        self.experiment = experiment
        self.title = title
        self.scale = scale
        self.date = ISO8601DateFormatter().string(from: date)
        self.machine = machine
        self.commit = commit
        self.standIns = standIns
        self.settings = settings
        self.rows = rows
        self.wallSeconds = wallSeconds
    }

    /// The Markdown page: title, provenance, the table, settings.
    public func markdown(table: MarkdownTable, notes: [String] = []) -> String {
        var lines = ["# \(title)", "",
                     "- Scale: `\(scale.rawValue)`",
                     "- Date: \(date)",
                     "- Machine: \(machine.processor), \(machine.cores) cores, OpenBLAS core type \(machine.openBLASCoreType)"
                        + (machine.loadAverageAtStart.map { String(format: ", load average %.2f at the start", $0) } ?? ""),
                     "- Commit: \(commit)",
                     String(format: "- Wall time of the experiment: %.0f s (without the runs it reused from an earlier experiment; "
                            + "timings are contended when the load exceeds the cores)", wallSeconds)]
        lines += standIns.map { "- Stand-in: \($0)" }
        lines += ["", table.markdown]
        if !settings.isEmpty { lines += ["Settings:", ""] + settings.map { "- \($0)" } + [""] }
        if !notes.isEmpty { lines += ["Notes:", ""] + notes.map { "- \($0)" } + [""] }
        return lines.joined(separator: "\n")
    }

    /// Writes the JSON and the Markdown page below `results`.
    public func write(table: MarkdownTable, notes: [String] = [], results: String) throws {
        let folder = URL(fileURLWithPath: results)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: folder.appendingPathComponent(experiment + ".json"), options: .atomic)
        let page = markdown(table: table, notes: notes)
        try page.write(to: folder.appendingPathComponent(experiment + ".md"), atomically: true, encoding: .utf8)
        print(page)
    }
}

/// The commit checked out in the current folder (with "+ uncommitted changes" when the tree differs), or "unknown".
public func gitCommit() -> String {
    func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
    guard let commit = git(["rev-parse", "--short=12", "HEAD"]) else { return "unknown" }
    let changes = git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results"]) ?? ""
    return changes.isEmpty ? commit : commit + " + uncommitted changes"
}
