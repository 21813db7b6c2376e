// Section 5.2, MNIST: the smallest network of Table 1 (0.5M, trained on CIFAR-10) trained on MNIST for 100 epochs
// with its architecture kept ("regular training": the budget is the network's own size, so nothing grows).
//   swift run -c release TransferMNIST --scale quick|paper [--data-root DIR]
// Runs Table 1's 0.5M search first unless it is there already.
import ArgumentParser
import ExperimentSupport

struct TransferMNIST: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Transfer: Table 1's smallest network trained on MNIST for 100 epochs.")

    @OptionGroup var options: ExperimentOptions

    static let sourceBudget = 500_000
    static let paperEpochs = 100
    static let quickEpochs = 40

    func run() throws {
        let experiment = try Experiment(name: "TransferMNIST", options: options, paperData: [.cifar10, .mnist], quickData: [.mnist])
        let setup = Table1Setup(experiment: experiment)
        let runner = experiment.runner
        let (source, sourceSummary) = try setup.transferSource(paperBudget: Self.sourceBudget, with: runner)
        let mnist = try experiment.transferData(.mnist)
        let epochs = options.scale == .paper ? Self.paperEpochs : Self.quickEpochs
        let name = "mnist-from-\(parameterText(Self.sourceBudget))"
        var arguments = ["--from", runner.folder(source).path, "--data", mnist, "--budget", String(sourceSummary.parameterCount),
                         "--epochs", String(epochs), "--seed", "0"]
        if options.scale == .paper { arguments += ["--batch-size", "128"] }
        let summary = try runner.search(name, arguments)
        var table = MarkdownTable(columns: ["Transfer", "Accuracy (%) paper", "Epochs paper", "Source params measured",
                                            "Accuracy (%) measured", "Params measured", "Expansions", "Wall time (s, contended)"])
        let label = "\(parameterText(Self.sourceBudget)) CIFAR-10 network -> MNIST"
        table.append([label, "> 99", String(Self.paperEpochs), String(sourceSummary.parameterCount), percent(summary.testAccuracy),
                      String(summary.parameterCount), String(summary.expansions), cell(summary.wallSeconds, decimals: 0)])
        try experiment.finish(
            title: "Transfer to MNIST (Section 5.2): Table 1's smallest network",
            standIns: [Table1Setup.standIn, Experiment.transferStandIn(for: .mnist, epochs: epochs)],
            settings: ["`ilnas search --from RUN --data MNIST --budget <the network's parameter count> --epochs \(epochs) --seed 0`"
                       + (options.scale == .paper ? " --batch-size 128" : "") + ": the budget is full, so the architecture is kept",
                       "the paper: \"> 99%\" on MNIST (and \"> 94%\" on Fashion-MNIST, not run here) within 100 epochs"],
            rows: [ResultRow(label: label, paperAccuracy: 99, paperParameters: Self.sourceBudget, run: name, summary: summary)],
            table: table)
    }
}

TransferMNIST.main()
