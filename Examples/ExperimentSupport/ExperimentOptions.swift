import ArgumentParser
import Foundation

/// How large an experiment is run: the paper's settings, or a stand-in that finishes in minutes on 2 cores.
public enum Scale: String, ExpressibleByArgument, CaseIterable, Codable, Sendable {
    /// Small stand-in data and budgets (the data in this repository and `../shared/datasets`), a few minutes.
    case quick
    /// The paper's datasets, budgets and epochs, verbatim.
    case paper
}

/// The options every experiment program takes.
public struct ExperimentOptions: ParsableArguments {
    @Option(help: "quick (stand-in data, minutes) or paper (the paper's data and settings, days).")
    public var scale: Scale = .quick
    @Option(name: .customLong("data-root"),
            help: "Folder holding the datasets: mnist/, cifar-10-batches-bin/, stl10_binary/, fashion-mnist/, imagenet/ (see Datasets.md).")
    public var dataRoot: String = "../shared/datasets"
    @Option(help: "Folder the result table (<experiment>.md) and data (<experiment>.json) are written to.")
    public var results: String = "results"
    @Option(help: "Folder the ilnas runs go to; a run whose summary.json exists with the same options is reused.")
    public var runs: String = "runs/reproduce"
    @Option(help: "Compute threads of each ilnas run (default: all cores).")
    public var threads: Int?

    public init() {}

    public func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// The run folder root of this scale: quick and paper runs never share a folder.
    public var runRoot: URL { URL(fileURLWithPath: runs).appendingPathComponent(scale.rawValue) }
}
