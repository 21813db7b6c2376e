// Table 2 of the paper: ILNAS on ImageNet under 2.5, 5.0 and 8.0 million parameters, top-1 and top-5 accuracy.
// Drives the ilnas executable built next to this program:
//   swift run -c release Table2ImageNet --scale quick            # MNIST as PNG image folders stands in for ImageNet
//   swift run -c release Table2ImageNet --scale paper --data-root DIR   # DIR/imagenet/train and DIR/imagenet/val
// Writes results/Table2ImageNet.md and .json.
import ArgumentParser
import ExperimentSupport

struct Table2ImageNet: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Table 2: ILNAS on ImageNet under three parameter budgets.")

    @OptionGroup var options: ExperimentOptions

    /// The paper's ILNAS rows: budget, top-1 and top-5 accuracy (%), parameters (M) as listed, GPU days.
    static let paperRows: [(budget: Int, top1: Double, top5: Double, parameters: Double, gpuDays: Double)] = [
        (8_000_000, 76.6, 92.5, 8.5, 2), (5_000_000, 74.1, 91.4, 5.0, 1.5), (2_500_000, 70.7, 87.9, 2.5, 1),
    ]
    /// The paper's rows of the other works: work, method type, top-1 / top-5 (%), parameters (M), GPU days.
    static let otherWorks: [(work: String, method: String, accuracy: String, parameters: String, gpuDays: String)] = [
        ("Zoph et al. (2018)", "RL", "82.7 / 96.2", "88.9", "2000"), ("Zhong et al. (2018)", "RL", "77.4 / 93.5", "N/A", "96"),
        ("Cai et al. (2018)", "RL", "74.6 / 91.9", "594", "200"), ("Bender et al. (2018)", "One-shot", "75.2 / N/A", "11.9", "N/A"),
        ("Liu et al. (2018)", "One-shot", "73.3 / 91.3", "4.7", "4"), ("Zhang et al. (2019)", "One-shot", "73.0 / 91.3", "6.1", "0.8"),
        ("Brock et al. (2018)", "One-shot", "61.4 / 83.7", "16.2", "3"), ("Liu et al. (2019)", "One-shot", "73.3 / 91.3", "4.7", "4"),
        ("Xie et al. (2019)", "One-shot", "72.7 / 90.8", "4.3", "1.5"),
    ]

    /// Paper scale: the side ImageNet is decoded at. The paper does not give it; the image-folder loader holds the
    /// decoded training images in memory, 15.7 GB at 32 x 32 (Datasets.md), so 32 is what fits a 24 GB machine.
    static let paperImageSize = 32
    /// Paper scale: epochs (not given by the paper), the last fifth with the architecture frozen as in Table 1.
    static let paperEpochs = 120
    /// Quick scale: the stand-in's size and schedule.
    static let quick = (train: 5_000, test: 1_000, budgetDivisor: 100, epochs: 10)

    func run() throws {
        let experiment = try Experiment(name: "Table2ImageNet", options: options, paperData: [.imageNet], quickData: [.mnist])
        let paper = options.scale == .paper
        let data = paper ? experiment.directory(.imageNet) : try experiment.mnistImageFolders(train: Self.quick.train, test: Self.quick.test)
        let preparation = paper ? ["--image-size", String(Self.paperImageSize), "--batch-size", "128", "--augment", "crop-flip"]
            : ["--image-size", "28", "--channels", "1", "--augment", "crop"]
        let epochs = paper ? Self.paperEpochs : Self.quick.epochs
        var rows: [ResultRow] = []
        var table = MarkdownTable(columns: ["Work", "Method Type", "Accuracy (Top-1 / 5 %) paper", "Params (M) paper", "GPU Days paper",
                                            "Budget measured", "Accuracy (Top-1 / 5 %) measured", "Params measured", "Expansions",
                                            "Wall time (s, contended)"])
        for row in Self.paperRows {
            let budget = paper ? row.budget : row.budget / Self.quick.budgetDivisor
            let name = "table2-" + parameterText(row.budget)
            let summary = try experiment.runner.search(name, ["--data", data] + preparation + [
                "--budget", String(budget), "--epochs", String(epochs), "--frozen-fraction", "0.2", "--seed", "0"])
            let evaluation = try experiment.runner.evaluate(name, data: data)
            let label = "ILNAS (\(parameterText(row.budget)))"
            rows.append(ResultRow(label: label, paperAccuracy: row.top1, paperParameters: row.budget, run: name, summary: summary))
            table.append([label, "Gradient-based", "\(cell(row.top1)) / \(cell(row.top5))", cell(row.parameters, decimals: 1),
                          cell(row.gpuDays, decimals: 1), parameterText(summary.budget),
                          percent(summary.testAccuracy) + " / " + (evaluation.testTop5Accuracy.map(percent) ?? "n/a"),
                          String(summary.parameterCount), String(summary.expansions), cell(summary.wallSeconds, decimals: 0)])
        }
        for work in Self.otherWorks {
            table.append([work.work, work.method, work.accuracy, work.parameters, work.gpuDays, "", "", "", "", ""])
        }
        try experiment.finish(
            title: "Table 2: ILNAS on ImageNet under parameter budgets",
            standIns: ["ImageNet -> the first \(Self.quick.train) training and \(Self.quick.test) test images of MNIST written as "
                       + "PNG image folders (train/, val/, one folder per digit) and read by the image-folder loader at 28x28 grey, "
                       + "budgets divided by \(Self.quick.budgetDivisor), \(Self.quick.epochs) epochs, random crops without flips "
                       + "(mirrored digits are other shapes)"],
            settings: ["`ilnas search --data DIR " + preparation.joined(separator: " ")
                       + " --budget B --epochs \(epochs) --frozen-fraction 0.2 --seed 0`, then `ilnas evaluate RUN` for the top-5 accuracy",
                       "the paper gives only the budgets for ImageNet: the input side (\(Self.paperImageSize), what the in-memory "
                           + "loader fits in 24 GB), the epochs (\(Self.paperEpochs), the last fifth frozen as in Table 1) and "
                           + "ilnas's default learning rate are this program's choices"],
            rows: rows, table: table,
            notes: ["The other works' rows are the paper's, for comparison; they were not run here.",
                    "The paper's 8.0M row lists 8.5M parameters."])
    }
}

Table2ImageNet.main()
