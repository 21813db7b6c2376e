import ArgumentParser
import Foundation
import Serialization

/// `ilnas report RUN [RUN...]`: one self-contained HTML page showing what the searches in the run folders did.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of one or more run folders.",
        discussion: """
            Reads each run folder's summary.json, epochs.jsonl, expansions.jsonl (searches only) and \
            architecture.json, and writes one HTML file without external resources: per run its summary, loss, \
            accuracy and parameters per epoch, the parameters each expansion added per connection, and the final \
            architecture as a graph; with several runs also a comparison table and charts. A missing or malformed \
            file ends with a one-line error that names it, and exit status 1.
            """
    )

    @Argument(help: ArgumentHelp("Run folders: the --out of ilnas search.", valueName: "run"))
    var runFolders: [String]
    @Option(help: "The HTML file to write (default: RUN/report.html for one run, report.html here for several).")
    var out: String?

    func validate() throws {
        if runFolders.isEmpty { throw ValidationError("give at least one run folder") }
    }

    /// Where the page goes.
    var outputPath: String {
        out ?? (runFolders.count == 1 ? RunFolder(path: runFolders[0]).file("report.html") : "report.html")
    }

    func run() throws {
        do {
            let page = ReportPage.html(try runFolders.map(ReportedRun.init(folder:)))
            try AtomicFile.replace(outputPath, with: Data(page.utf8), creatingFolders: true)
            print(outputPath)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }
}
