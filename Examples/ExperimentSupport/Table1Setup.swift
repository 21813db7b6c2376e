/// The searches of Table 1 (CIFAR-10 under four parameter budgets), shared with the experiments that start from
/// their networks (Figure 5's ILNAS run, the transfers), so that each is run once and reused.
public struct Table1Setup {
    /// The paper's Table 1 rows for ILNAS: budget, test accuracy (%), GPU days.
    public static let paperRows: [(budget: Int, accuracy: Double, gpuDays: Double)] = [
        (500_000, 93.75, 0.2), (1_000_000, 94.64, 0.3), (2_500_000, 95.88, 0.5), (5_000_000, 97.42, 0.8),
    ]
    /// The paper's Table 1 rows of the other works: work, method type, accuracy (%), parameters (M), GPU days.
    public static let otherWorks: [(work: String, method: String, accuracy: Double, parameters: Double, gpuDays: String)] = [
        ("Baker et al. (2017)", "RL", 93.08, 11.2, "100"), ("Zoph & Le (2017)", "RL", 96.35, 37.4, "22400"),
        ("Zoph et al. (2018)", "RL", 96.59, 3.3, "2000"), ("Zhong et al. (2018)", "RL", 96.46, 39.8, "96"),
        ("Cai et al. (2018)", "RL", 95.77, 23.4, "10"), ("Real et al. (2017)", "Evolutionary", 94.60, 5.4, "2600"),
        ("Liu et al. (2018)", "Evolutionary", 96.25, 15.7, "300"), ("Thomas Elsken (2018)", "Evolutionary", 94.80, 19.7, "1"),
        ("Zhang et al. (2019)", "One-shot", 97.16, 5.7, "0.84"), ("Pham et al. (2018)", "One-shot", 96.46, 4.6, "0.5"),
        ("Bender et al. (2018)", "One-shot", 96.00, 5.0, "N/A"), ("Brock et al. (2018)", "One-shot", 95.97, 16.0, "3"),
        ("Liu et al. (2019)", "One-shot", 97.24, 3.3, "4"), ("Xie et al. (2019)", "One-shot", 97.15, 2.8, "1.5"),
    ]
    /// Quick scale: budgets are the paper's divided by this.
    public static let quickBudgetDivisor = 100
    /// Quick scale: training epochs on the digits (the last fifth frozen, as the paper's 100 of 500).
    public static let quickEpochs = 40

    public let scale: Scale
    /// The `--data` of the searches: CIFAR-10 at paper scale, the embedded digits (`nil`) at quick scale.
    public let data: String?

    public init(experiment: Experiment) {
        scale = experiment.options.scale
        data = scale == .paper ? experiment.directory(.cifar10) : nil
    }

    /// The stand-in's budget for one of the paper's.
    public func budget(paper: Int) -> Int { scale == .paper ? paper : paper / Self.quickBudgetDivisor }

    public var epochs: Int { scale == .paper ? 500 : Self.quickEpochs }

    /// Epochs between expansions: a quarter epoch on CIFAR-10, one epoch on the digits; the initial A_lr is chosen so that
    /// the budget is reached when the architecture freezes. Both scales keep the paper's schedule (growth for the first
    /// 80% of training), not ilnas's digits default, which stops growing after epoch 10.
    public var expandEvery: Double { scale == .paper ? 0.25 : 1 }

    /// What stands in for CIFAR-10 at quick scale.
    public static let standIn = "CIFAR-10 -> the embedded 8x8 sklearn digits (1,437 training, 360 test images), "
        + "budgets divided by \(quickBudgetDivisor), \(quickEpochs) epochs"

    /// The `ilnas search` options of the search under the paper's budget `paper`: the paper's settings verbatim at
    /// paper scale (batch 128, random crops, 500 epochs with the architecture frozen for the last 100).
    /// `expandEvery` replaces the usual interval between expansions; `extra` options are added at the end.
    public func arguments(paperBudget paper: Int, expandEvery: Double? = nil, extra: [String] = []) -> [String] {
        var arguments = ["--budget", String(budget(paper: paper)), "--epochs", String(epochs), "--frozen-fraction", "0.2",
                         "--expand-every", String(expandEvery ?? self.expandEvery), "--seed", "0"]
        if let data { arguments = ["--data", data, "--batch-size", "128", "--augment", "crop-flip"] + arguments }
        return arguments + extra
    }

    /// The run folder name of the search under `paper`.
    public func runName(paperBudget paper: Int) -> String { "table1-" + parameterText(paper) }

    /// The network a transfer starts from: the search under `paper`, run or reused, its folder name and summary.
    public func transferSource(paperBudget paper: Int, with runner: ILNASRunner) throws -> (name: String, summary: RunSummary) {
        (runName(paperBudget: paper), try search(paperBudget: paper, with: runner))
    }

    /// Runs (or reuses) the search under the paper's budget `paper`.
    public func search(paperBudget paper: Int, with runner: ILNASRunner) throws -> RunSummary {
        try runner.search(runName(paperBudget: paper), arguments(paperBudget: paper))
    }
}
