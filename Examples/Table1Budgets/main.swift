// Table 1 of the paper: ILNAS on CIFAR-10 under 0.5, 1.0, 2.5 and 5.0 million parameters, 500 epochs of which
// the last 100 with the architecture frozen. Drives the ilnas executable built next to this program:
//   swift run -c release Table1Budgets --scale quick            # the embedded digits stand in for CIFAR-10
//   swift run -c release Table1Budgets --scale paper --data-root DIR   # DIR/cifar-10-batches-bin
// Writes results/Table1Budgets.md and .json.
import ArgumentParser
import ExperimentSupport

struct Table1Budgets: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Table 1: ILNAS on CIFAR-10 under four parameter budgets.")

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        let experiment = try Experiment(name: "Table1Budgets", options: options, paperData: [.cifar10])
        let setup = Table1Setup(experiment: experiment)
        var rows: [ResultRow] = []
        var table = MarkdownTable(columns: ["Work", "Method Type", "Accuracy (%) paper", "Params (M) paper", "GPU Days paper",
                                            "Budget measured", "Accuracy (%) measured", "Params measured", "Expansions",
                                            "Wall time (s, contended)"])
        for paper in Table1Setup.paperRows.reversed() {   // the paper lists 5.0M first
            let summary = try setup.search(paperBudget: paper.budget, with: experiment.runner)
            let name = setup.runName(paperBudget: paper.budget)
            rows.append(ResultRow(label: "ILNAS (\(parameterText(paper.budget)))", paperAccuracy: paper.accuracy,
                                  paperParameters: paper.budget, run: name, summary: summary))
            table.append(["ILNAS (\(parameterText(paper.budget)))", "Gradient-based", cell(paper.accuracy),
                          cell(Double(paper.budget) / 1e6, decimals: 1), cell(paper.gpuDays, decimals: 1),
                          parameterText(summary.budget), percent(summary.testAccuracy), String(summary.parameterCount),
                          String(summary.expansions), cell(summary.wallSeconds, decimals: 0)])
        }
        for work in Table1Setup.otherWorks {
            table.append([work.work, work.method, cell(work.accuracy), cell(work.parameters, decimals: 1), work.gpuDays,
                          "", "", "", "", ""])
        }
        let example = setup.arguments(paperBudget: 1_000_000)
        try experiment.finish(
            title: "Table 1: ILNAS on CIFAR-10 under parameter budgets",
            standIns: [Table1Setup.standIn],
            settings: ["`ilnas search " + example.joined(separator: " ") + "` (this for 1.0M; the others differ in `--budget`)",
                       "paper: batch 128, input normalisation, random crops and horizontal flips, 500 epochs, architecture "
                           + "fixed for the last 100 (`--frozen-fraction 0.2`); `--augment crop-flip` (4-pixel padding)",
                       "the paper does not give its learning rate: ilnas's default (SGD, Nesterov, 0.05, cosine) is used"],
            rows: rows, table: table,
            notes: ["The other works' rows are the paper's, for comparison; they were not run here.",
                    "Figure 4's caption says 2.0M for the third network, the text and Table 1 say 2.5M; 2.5M is used."])
    }
}

Table1Budgets.main()
