import ArchitectureSearch
import Foundation
import Serialization
import TensorCore
import Training

/// What `ilnas search` and `ilnas resume` do once the options are resolved: the run, or the random-growth trials and
/// the best of them, then the summary as one JSON line.
struct SearchJob {
    let options: SearchOptions
    let data: SearchData
    /// The run folder.
    let out: String
    /// Whether each run continues from its newest checkpoint.
    let resuming: Bool
    let quiet: Bool
    /// The processes training together; rank 0 writes the files and prints the summary.
    let communicator: any Communicator

    func run() throws {
        let trialCount = options.trialCount
        var runs: [(summary: SearchSummary, network: GrowingNetwork)] = []
        for trial in 0..<trialCount {
            let folder = trialCount == 1 ? out : (out as NSString).appendingPathComponent("trial-\(trial)")
            if trialCount > 1, !quiet { print("random growth, trial \(trial + 1) of \(trialCount)") }
            runs.append(try SearchRun(options: options, data: data, trial: trial, out: folder, resuming: resuming, quiet: quiet,
                                  communicator: communicator).run())
        }
        // Best of the trials by test accuracy, as the paper reports its random baseline (a favour to the baseline).
        let kept = runs.indices.max { runs[$0].summary.testAccuracy < runs[$1].summary.testAccuracy } ?? 0
        var summary = runs[kept].summary
        guard communicator.rank == 0 else { return }
        if trialCount > 1 {
            summary.trials = runs.enumerated().map { .init(trial: $0.offset, folder: "trial-\($0.offset)", testAccuracy: $0.element.summary.testAccuracy) }
            summary.keptTrial = kept
            try AtomicFile.writeJSON(summary, to: (out as NSString).appendingPathComponent("summary.json"))
            try RunFolder(path: out).save(runs[kept].network, preparation: data.preparation)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}
