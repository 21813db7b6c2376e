import Foundation

/// The fields of an `ilnas search` run's `summary.json` that the experiments report.
public struct RunSummary: Codable, Sendable {
    public struct Trial: Codable, Sendable {
        public var trial: Int
        public var testAccuracy: Double
    }

    public var testAccuracy: Double
    public var parameterCount: Int
    public var budget: Int
    public var epochs: Int
    public var wallSeconds: Double
    public var trainingSeconds: Double
    public var baseline: String
    public var dataset: String
    public var blasKernels: String
    public var expansions: Int
    public var initialArchitectureLearningRate: Double?
    public var trials: [Trial]?
}

/// A run's `summary.json` as the runner reads it: its wall time and a few words for the progress log.
public protocol ILNASRunSummary: Decodable {
    var wallSeconds: Double { get }
    /// E.g. "93.75%, 5000 parameters".
    var outline: String { get }
}

extension RunSummary: ILNASRunSummary {
    public var outline: String { "\(percent(testAccuracy))%, \(parameterCount) parameters" }
}

/// The fields of an `ilnas multitask` run's `summary.json` that the experiments report.
public struct MultiTaskRunSummary: Codable, Sendable, ILNASRunSummary {
    /// One task's result, in the order of the run's `--data`.
    public struct Task: Codable, Sendable {
        public var dataset: String
        /// The weights and biases the task computes with: the shared part's and its own.
        public var parameterCount: Int
        /// The task's own, its output layer included.
        public var ownParameterCount: Int
        public var testAccuracy: Double
    }

    /// Every present weight and bias of every network of the run (two for `--baseline separate`), each counted once.
    public var parameterCount: Int
    public var budget: Int
    /// The shared fraction of the budget after the output layers (1 for joint, 0 for separate networks).
    public var shared: Double
    /// `ilnas`, `separate` or `joint`.
    public var baseline: String
    public var epochs: Int
    public var inputShape: [Int]
    public var hidden: [Int]
    public var sharedParameterCount: Int
    public var expansions: Int
    public var wallSeconds: Double
    public var tasks: [Task]

    public var outline: String {
        tasks.map { "\($0.dataset) \(percent($0.testAccuracy))%" }.joined(separator: ", ") + ", \(parameterCount) parameters"
    }
}

/// What `ilnas evaluate` prints.
public struct RunEvaluation: Codable, Sendable {
    public var testAccuracy: Double
    /// The fraction of test images whose label is among the five largest logits (absent with fewer than six classes).
    public var testTop5Accuracy: Double?
    public var parameterCount: Int
}

/// Runs the `ilnas` executable built next to this program, one run folder per search below `runs`.
public struct ILNASRunner: Sendable {
    public let executable: URL
    public let runs: URL
    public let threads: Int?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The `ilnas` next to this program's executable (the same build products folder).
    public init(runs: URL, threads: Int?) throws {
        let own = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        executable = own.deletingLastPathComponent().appendingPathComponent("ilnas")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure(description: "no ilnas executable next to this program: \(executable.path) is missing; "
                + "build it first in the same configuration (swift build -c release --product ilnas), "
                + "or run through swift package --allow-writing-to-package-directory reproduce")
        }
        self.runs = runs
        self.threads = threads
    }

    /// The folder of the run `name`.
    public func folder(_ name: String) -> URL { runs.appendingPathComponent(name) }

    /// `ilnas search --out RUNS/name arguments...`; a finished run with the same arguments is reused.
    public func search(_ name: String, _ arguments: [String]) throws -> RunSummary {
        try reusedOrRun("search", name, arguments)
    }

    /// `ilnas multitask --out RUNS/name arguments...` (the arguments give `--data` once per task); a finished run with
    /// the same arguments is reused.
    public func multitask(_ name: String, _ arguments: [String]) throws -> MultiTaskRunSummary {
        try reusedOrRun("multitask", name, arguments)
    }

    /// `ilnas verb --quiet --out RUNS/name arguments...`, or the run's `summary.json` when it finished with the same
    /// arguments (recorded in `RUNS/name.arguments`).
    private func reusedOrRun<Summary: ILNASRunSummary>(_ verb: String, _ name: String, _ arguments: [String]) throws -> Summary {
        let out = folder(name)
        let summaryFile = out.appendingPathComponent("summary.json")
        let argumentsFile = runs.appendingPathComponent(name + ".arguments")
        let recorded = arguments.joined(separator: "\n")
        if FileManager.default.fileExists(atPath: summaryFile.path),
           (try? String(contentsOf: argumentsFile, encoding: .utf8)) == recorded {
            let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: summaryFile))
            log("\(name): reused (\(summary.outline))")
            return summary
        }
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        log("\(name): ilnas \(verb) " + arguments.joined(separator: " "))
        try run([verb, "--quiet", "--out", out.path] + arguments + threadArguments, log: name + ".log")
        try recorded.write(to: argumentsFile, atomically: true, encoding: .utf8)
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: summaryFile))
        log("\(name): \(summary.outline), \(Int(summary.wallSeconds.rounded())) s")
        return summary
    }

    /// `ilnas evaluate RUNS/name --data data`: the run's network on another test set, without training.
    public func evaluate(_ name: String, data: String?) throws -> RunEvaluation {
        log("\(name): ilnas evaluate" + (data.map { " --data \($0)" } ?? ""))
        let output = try run(["evaluate", folder(name).path] + (data.map { ["--data", $0] } ?? []) + threadArguments,
                             log: name + ".evaluate.log")
        guard let line = output.split(separator: "\n").last else { throw Failure(description: "ilnas evaluate printed nothing") }
        return try JSONDecoder().decode(RunEvaluation.self, from: Data(line.utf8))
    }

    private var threadArguments: [String] { threads.map { ["--threads", String($0)] } ?? [] }

    /// Runs ilnas with `arguments`, standard output and error into `RUNS/log`; returns standard output.
    @discardableResult
    private func run(_ arguments: [String], log logName: String) throws -> String {
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let logURL = runs.appendingPathComponent(logName)
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw Failure(description: "cannot create the log file \(logURL.path)")
        }
        let logHandle = try FileHandle(forWritingTo: logURL)
        defer { try? logHandle.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = logHandle
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        logHandle.write(output)
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            throw Failure(description: "ilnas \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus): "
                + text.split(separator: "\n").suffix(5).joined(separator: "\n") + "\n(log: \(logURL.path))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data(("  " + message + "\n").utf8))
    }
}

/// A fraction as a percentage with two decimals, e.g. 0.9375 -> "93.75".
public func percent(_ fraction: Double) -> String { String(format: "%.2f", 100 * fraction) }
