// Section 5.2, MNIST and Fashion-MNIST: the smallest network of Table 1 (0.5M, trained on CIFAR-10) trained on MNIST
// and on Fashion-MNIST for 100 epochs with its architecture kept ("regular training": the budget is the network's own
// size, so nothing grows); and the reverse, a network searched on Fashion-MNIST evolved on grey CIFAR-10 to 2.5M
// parameters in 150 epochs.
//   swift run -c release TransferMNIST --scale quick|paper [--data-root DIR]
// Runs Table 1's 0.5M search first unless it is there already.
import ArgumentParser
import ExperimentSupport

struct TransferMNIST: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transfer: Table 1's smallest network trained on MNIST and Fashion-MNIST; a Fashion-MNIST network evolved on grey CIFAR-10.")

    @OptionGroup var options: ExperimentOptions

    static let sourceBudget = 500_000
    static let paperEpochs = 100
    static let quickEpochs = 40
    /// The reverse transfer: the paper's budget and epochs on CIFAR-10 (90.9%), and the Fashion-MNIST search it starts
    /// from, whose budget and epochs the paper does not give (Table 1's smallest budget and 100 epochs are used).
    static let reverse = (budget: 2_500_000, epochs: 150, accuracy: 90.9, sourceBudget: 500_000, sourceEpochs: 100)

    func run() throws {
        let experiment = try Experiment(name: "TransferMNIST", options: options, paperData: [.cifar10, .mnist, .fashionMNIST],
                                        quickData: [.mnist])
        let setup = Table1Setup(experiment: experiment)
        let runner = experiment.runner
        let paper = options.scale == .paper
        let (source, sourceSummary) = try setup.transferSource(paperBudget: Self.sourceBudget, with: runner)
        let epochs = paper ? Self.paperEpochs : Self.quickEpochs
        var rows: [ResultRow] = []
        var table = MarkdownTable(columns: ["Transfer", "Accuracy (%) paper", "Epochs paper", "Source params measured",
                                            "Accuracy (%) measured", "Params measured", "Expansions", "Wall time (s, contended)"])
        for (target, paperAccuracy) in [(PaperDataset.mnist, 99.0), (.fashionMNIST, 94.0)] {
            // At quick scale one MNIST subset stands in for both targets, so the second row reuses the first's run.
            let name = "\(paper ? target.folder : "mnist-subset")-from-\(parameterText(Self.sourceBudget))"
            var arguments = ["--from", runner.folder(source).path, "--data", try experiment.transferData(target),
                             "--budget", String(sourceSummary.parameterCount), "--epochs", String(epochs), "--seed", "0"]
            if paper { arguments += ["--batch-size", "128"] }
            let summary = try runner.search(name, arguments)
            let label = "\(parameterText(Self.sourceBudget)) CIFAR-10 network -> \(target.name)"
            rows.append(ResultRow(label: label, paperAccuracy: paperAccuracy, paperParameters: Self.sourceBudget, run: name, summary: summary))
            table.append([label, "> \(Int(paperAccuracy))", String(Self.paperEpochs), String(sourceSummary.parameterCount),
                          percent(summary.testAccuracy), String(summary.parameterCount), String(summary.expansions),
                          cell(summary.wallSeconds, decimals: 0)])
        }

        // The reverse: a Fashion-MNIST network evolved on CIFAR-10 in grey.
        let fashion = try experiment.transferData(.fashionMNIST)
        let fashionName = "fashion-mnist-\(parameterText(Self.reverse.sourceBudget))"
        var fashionArguments = ["--data", fashion, "--budget", String(setup.budget(paper: Self.reverse.sourceBudget)),
                                "--epochs", String(paper ? Self.reverse.sourceEpochs : Self.quickEpochs), "--frozen-fraction", "0.2",
                                "--seed", "0"]
        if paper { fashionArguments += ["--batch-size", "128"] }
        let fashionSummary = try runner.search(fashionName, fashionArguments)
        let reverseName = "cifar10-grey-from-\(fashionName)"
        // At quick scale no --data: the embedded digits stand in for CIFAR-10.
        var reverseArguments = ["--from", runner.folder(fashionName).path] + (paper ? ["--data", experiment.directory(.cifar10)] : [])
            + ["--channels", "1", "--budget", String(setup.budget(paper: Self.reverse.budget)),
               "--epochs", String(paper ? Self.reverse.epochs : Self.quickEpochs), "--seed", "0"]
        if paper { reverseArguments += ["--batch-size", "128", "--augment", "crop-flip"] }
        let reverseSummary = try runner.search(reverseName, reverseArguments)
        let reverseLabel = "Fashion-MNIST network -> grey CIFAR-10, evolved to \(parameterText(Self.reverse.budget))"
        rows.append(ResultRow(label: reverseLabel, paperAccuracy: Self.reverse.accuracy, paperParameters: Self.reverse.budget,
                              run: reverseName, summary: reverseSummary))
        table.append([reverseLabel, cell(Self.reverse.accuracy, decimals: 1), String(Self.reverse.epochs),
                      String(fashionSummary.parameterCount), percent(reverseSummary.testAccuracy), String(reverseSummary.parameterCount),
                      String(reverseSummary.expansions), cell(reverseSummary.wallSeconds, decimals: 0)])

        try experiment.finish(
            title: "Transfer between MNIST, Fashion-MNIST and CIFAR-10 (Section 5.2)",
            standIns: [Table1Setup.standIn, Experiment.transferStandIn(for: .mnist, epochs: epochs)
                           + "; the same subset stands in for Fashion-MNIST (both 28x28 grey, 10 classes), so those two rows are one run",
                       "the reverse transfer: the Fashion-MNIST network is searched on that subset at 28x28 (budget divided by "
                           + "\(Table1Setup.quickBudgetDivisor), \(Self.quickEpochs) epochs) and evolved on the digits (for grey "
                           + "CIFAR-10, resized to its 28x28 input) to \(parameterText(setup.budget(paper: Self.reverse.budget))) "
                           + "in \(Self.quickEpochs) epochs"],
            settings: ["`ilnas search --from RUN --data MNIST --budget <the network's parameter count> --epochs \(epochs) --seed 0`"
                       + (paper ? " --batch-size 128" : "") + ": the budget is full, so the architecture is kept; the same for Fashion-MNIST",
                       "the paper: \"> 99%\" on MNIST and \"> 94%\" on Fashion-MNIST within 100 epochs",
                       "the reverse: `ilnas search --data FASHION-MNIST --budget \(parameterText(setup.budget(paper: Self.reverse.sourceBudget)))`"
                           + " (the paper does not give this search's budget or epochs: Table 1's smallest budget is used), then "
                           + "`ilnas search --from RUN --data CIFAR-10 --channels 1 --budget "
                           + "\(parameterText(setup.budget(paper: Self.reverse.budget)))`; the paper: 90.9% within 150 epochs at 2.5M"],
            rows: rows, table: table)
    }
}

TransferMNIST.main()
