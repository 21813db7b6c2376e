import ArchitectureSearch
import ArgumentParser
import Foundation
@testable import ilnas
import Serialization
import SVGCharts
import TestSupport
import Training
import XCTest

/// `ilnas report` on folders that `ilnas search` wrote: one well-formed, self-contained page with every section,
/// values from the files, text escaped, and a one-line error with exit status 1 for a missing or malformed file.
final class ReportCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!
    /// A search with a short schedule that still expands, and a fixed baseline, run once for all the tests (a search
    /// takes seconds in a debug build) in a folder removed when they end; a test copies a run before writing into it.
    nonisolated(unsafe) private static var shared: (folder: String, ilnas: String, fixed: String)?

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(self)
    }

    override class func tearDown() {
        if let shared { try? FileManager.default.removeItem(atPath: shared.folder) }
        shared = nil
        super.tearDown()
    }

    private func sharedRuns() throws -> (ilnas: String, fixed: String) {
        if let shared = Self.shared { return (shared.ilnas, shared.fixed) }
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("ReportCommandTests-\(UUID().uuidString)")
        let ilnas = (folder as NSString).appendingPathComponent("ilnas"), fixed = (folder as NSString).appendingPathComponent("fixed")
        Self.shared = (folder, ilnas, fixed)
        let options = ["--expand-every", "0.5", "--frozen-fraction", "0.2", "--batch-size", "64", "--quiet"]
        try SearchCommand.parse(options + ["--epochs", "2", "--out", ilnas]).run()
        try SearchCommand.parse(options + ["--epochs", "1", "--baseline", "fixed", "--out", fixed]).run()
        return (ilnas, fixed)
    }

    /// A copy of the shared search in this test's folder, under `name`.
    private func searchCopy(_ name: String) throws -> String {
        let copy = directory.file(name)
        try FileManager.default.copyItem(atPath: try sharedRuns().ilnas, toPath: copy)
        return copy
    }

    private func page(at path: String) throws -> (text: String, document: MarkupDocument) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return (text, try MarkupDocument(text))
    }

    private func svgs(_ document: MarkupDocument, kind: String) -> Int {
        document.elements(named: "svg", where: "class", is: kind).count
    }

    func testAReportOfSeveralRunsHoldsEverySection() throws {
        let (ilnas, fixed) = try sharedRuns()
        let out = directory.file("comparison/report.html")
        try ReportCommand.parse([ilnas, fixed, "--out", out]).run()
        let (text, document) = try page(at: out)
        let runs = try [ReportedRun(folder: ilnas), ReportedRun(folder: fixed)]
        XCTAssertGreaterThan(runs[0].expansions.count, 0)
        XCTAssertTrue(runs[1].expansions.isEmpty)

        // Self-contained: nothing loaded from elsewhere, no script.
        XCTAssertFalse(text.contains("<script"))
        XCTAssertFalse(text.contains("<link"))
        XCTAssertFalse(text.contains("src="))
        XCTAssertEqual(text.components(separatedBy: "http").count - 1, document.elements(named: "svg").count)  // the SVG namespace only

        // The comparison: a table row per run, named by folder and baseline, and the charts.
        XCTAssertEqual(document.elements(named: "section", where: "id", is: "comparison").count, 1)
        let cells = document.elements(named: "td").map(\.text)
        for run in runs {
            for value in [run.folder, run.summary.baseline, NumberText.percent(run.summary.testAccuracy), NumberText.grouped(run.summary.parameterCount),
                          NumberText.grouped(run.summary.multiplyAccumulates), NumberText.fixed(run.summary.trainingSeconds, decimals: 2),
                          "\(run.summary.deadChannels)", "\(run.summary.zeroScoreUnits)"] {
                XCTAssertTrue(cells.contains(value), value)
            }
        }
        XCTAssertEqual(svgs(document, kind: "bar-chart"), 6)

        // Per run: three curves each (plus the comparison's), a heatmap for the search only, a graph each.
        XCTAssertEqual(document.elements(named: "section", where: "class", is: "run").map { $0.attributes["id"] }, ["run-1", "run-2"])
        XCTAssertEqual(svgs(document, kind: "line-chart"), 2 * 3 + 1)
        XCTAssertEqual(svgs(document, kind: "heatmap"), 1)
        XCTAssertEqual(svgs(document, kind: "graph"), 2)
        XCTAssertTrue(text.contains("No expansions: summary.json records 0"))
        // A dot per epoch and curve: loss and accuracy have train and test, parameters start at 0 epochs.
        let dots = document.elements(named: "circle").count
        XCTAssertEqual(dots, runs.reduce(0) { $0 + 5 * $1.epochs.count + 1 } + runs.reduce(0) { $0 + $1.epochs.count })
        // A heatmap cell per expansion and row (the final connections and whatever else the audit log names); a graph
        // node box per node of the final architectures.
        let connections = runs[0].architecture.connections.map { "\($0.source!)->\($0.target!)" }
        let rows = Set(connections + runs[0].expansions.flatMap(\.addedParametersPerLayer.keys)).count
        XCTAssertEqual(document.elements(named: "rect").filter { $0.attributes["height"] == "24" }.count, rows * runs[0].expansions.count)
        XCTAssertEqual(document.elements(named: "rect").filter { $0.attributes["rx"] == "5" }.count,
                       runs.reduce(0) { $0 + $1.architecture.nodes.count })
    }

    func testOneRunsReportGoesIntoItsFolderAndSeveralIntoTheCurrentOne() throws {
        let run = try searchCopy("run")
        try ReportCommand.parse([run]).run()
        let (_, document) = try page(at: RunFolder(path: run).file("report.html"))
        XCTAssertEqual(document.elements(named: "section", where: "id", is: "comparison").count, 0)
        XCTAssertEqual(svgs(document, kind: "heatmap"), 1)
        XCTAssertEqual(try ReportCommand.parse(["a", "b"]).outputPath, "report.html")
        XCTAssertEqual(try ReportCommand.parse(["a", "--out", "x/r.html"]).outputPath, "x/r.html")
        XCTAssertThrowsError(try ReportCommand.parse([]))
    }

    func testARunFolderNamedWithMarkupStaysText() throws {
        let run = try searchCopy("<a&b>")
        try ReportCommand.parse([run]).run()
        let (text, document) = try page(at: RunFolder(path: run).file("report.html"))
        XCTAssertEqual(document.elements(named: "h2").map(\.text), ["1. \(run) (ilnas)"])
        XCTAssertTrue(document.elements(named: "title").first?.text.hasSuffix("<a&b> (ilnas)") ?? false)
        XCTAssertFalse(text.contains("<a&b>"))
    }

    /// A best-of-K random baseline keeps only its summary at the top; the epochs and the rest are its kept trial's.
    func testTheKeptTrialsFilesStandForABestOfKRun() throws {
        let top = directory.file("random")
        let trial = RunFolder(path: top).file("trial-1")
        try FileManager.default.createDirectory(atPath: top, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try sharedRuns().ilnas, toPath: trial)
        var summary = try JSONFile.decode(SearchSummary.self, at: RunFolder(path: trial).summaryPath)
        summary.trials = [.init(trial: 0, folder: "trial-0", testAccuracy: 0.1), .init(trial: 1, folder: "trial-1", testAccuracy: summary.testAccuracy)]
        summary.keptTrial = 1
        try AtomicFile.writeJSON(summary, to: RunFolder(path: top).summaryPath)
        let run = try ReportedRun(folder: top)
        XCTAssertEqual(run.detailsFolder.path, trial)
        XCTAssertEqual(run.epochs.count, summary.epochs)
        XCTAssertEqual(run.expansions.count, summary.expansions)
        XCTAssertTrue(ReportPage.html([run]).contains("2; kept trial 1, whose files are in \(trial)"))
    }

    func testAMissingOrMalformedFileIsOneLineNamingItAndStatus1() throws {
        let run = try sharedRuns().ilnas
        let damages: [(file: String, damage: (String) throws -> Void)] = [
            ("summary.json", { try FileManager.default.removeItem(atPath: $0) }),
            ("summary.json", { try "{\"testAccuracy\": 0.5".write(toFile: $0, atomically: true, encoding: .utf8) }),
            ("epochs.jsonl", { try FileManager.default.removeItem(atPath: $0) }),
            ("epochs.jsonl", { try "".write(toFile: $0, atomically: true, encoding: .utf8) }),
            ("expansions.jsonl", { try "{\"epoch\": 1}\n".write(toFile: $0, atomically: true, encoding: .utf8) }),
            ("architecture.json", { path in
                let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"target\" : 1\n", with: "\"target\" : 99\n")
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }),
        ]
        for (index, (file, damage)) in damages.enumerated() {
            let copy = directory.file("damaged-\(index)")
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            let path = RunFolder(path: copy).file(file)
            try damage(path)
            XCTAssertThrowsError(try ReportCommand.parse([run, copy, "--out", directory.file("r.html")]).run()) { error in
                let message = ILNASCommand.message(for: error)
                XCTAssertTrue(message.hasPrefix("\(path): "), message)
                XCTAssertFalse(message.contains("\n"), message)
                XCTAssertEqual(ILNASCommand.exitCode(for: error), .failure)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("r.html")))
    }
}
