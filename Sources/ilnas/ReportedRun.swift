import ArchitectureSearch
import SVGCharts
import Training

/// A run folder as `ilnas report` reads it: the summary, the epochs, the audit log of the expansions and the final
/// architecture. A best-of-K random baseline's epochs, expansions and architecture are its kept trial's.
struct ReportedRun {
    /// The folder as given on the command line.
    let folder: String
    let summary: SearchSummary
    /// The folder the epochs, expansions and architecture were read from: ``folder`` or its kept trial's.
    let detailsFolder: RunFolder
    let epochs: [EpochReport]
    /// Empty for a run without expansions (the fixed baseline, which writes no audit log).
    let expansions: [ExpansionRecord]
    let architecture: ArchitectureDescription
    /// The final architecture laid out as a graph.
    let graph: LayeredGraph

    /// Reads the run in `folder`.
    /// - Throws: `CommandFailure` naming the file that is missing, unreadable or malformed.
    init(folder: String) throws {
        self.folder = folder
        let top = RunFolder(path: folder)
        try top.requireSingleTask(for: "ilnas report")
        let summary = try JSONFile.decode(SearchSummary.self, at: top.summaryPath)
        self.summary = summary
        let kept = summary.trials?.first { $0.trial == summary.keptTrial }
        let details = kept.map { RunFolder(path: top.file($0.folder)) } ?? top
        detailsFolder = details
        epochs = try JSONFile.decodeLines(EpochReport.self, at: details.epochsPath)
        guard !epochs.isEmpty else { throw CommandFailure(message: "\(details.epochsPath): holds no epoch") }
        expansions = summary.expansions == 0 ? [] : try JSONFile.decodeLines(ExpansionRecord.self, at: details.expansionsPath)
        architecture = try JSONFile.decode(ArchitectureDescription.self, at: details.architecturePath)
        do {
            graph = try LayeredGraph(architecture)
        } catch {
            throw CommandFailure(message: "\(details.architecturePath): \(error)")
        }
    }

    /// How the report names the run: its folder and its `baseline` field.
    var name: String { "\(folder) (\(summary.baseline))" }
}
