// Figure 5 of the paper at 1.0 million parameters on CIFAR-10: the fixed VGG-like network, random growth (best of 5
// trials), ILNAS, and ILNAS with several architecture learning rates A_lr. The figure plots accuracy against
// training; this program writes the final accuracy and parameters of each method as a table.
//   swift run -c release Figure5Baselines --scale quick|paper [--data-root DIR]
import ArgumentParser
import ExperimentSupport

struct Figure5Baselines: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Figure 5: fixed, random (best of 5) and ILNAS, and an A_lr sweep.")

    @OptionGroup var options: ExperimentOptions

    /// The A_lr sweep under one parameter budget (the paper: "few expansions with many new parameters added each step
    /// (large A_lr), or many expansions with few additions"): expansions this many times as far apart as Table 1's,
    /// each with the initial A_lr ilnas chooses to reach the budget when the architecture freezes. The figure's own
    /// values are not in the text.
    static let intervalFactors = [4.0, 2.0, 0.5]
    static let paperBudget = 1_000_000

    func run() throws {
        let experiment = try Experiment(name: "Figure5Baselines", options: options, paperData: [.cifar10])
        let setup = Table1Setup(experiment: experiment)
        let runner = experiment.runner
        let budget = Self.paperBudget
        var runs: [(label: String, paperAccuracy: Double?, name: String, summary: RunSummary)] = []
        runs.append(("fixed VGG-like", nil, "figure5-fixed", try runner.search("figure5-fixed", setup.arguments(paperBudget: budget, extra: ["--baseline", "fixed"]))))
        runs.append(("random growth, best of 5", nil, "figure5-random",
                     try runner.search("figure5-random", setup.arguments(paperBudget: budget, extra: ["--baseline", "random", "--trials", "5"]))))
        let ilnas = try setup.search(paperBudget: budget, with: runner)
        func sweepLabel(_ interval: Double, _ summary: RunSummary) -> String {
            "ILNAS, A_lr \(cell(summary.initialArchitectureLearningRate, decimals: 3)), expansion every \(interval) epochs"
        }
        runs.append((sweepLabel(setup.expandEvery, ilnas), Table1Setup.paperRows[1].accuracy, setup.runName(paperBudget: budget), ilnas))
        for factor in Self.intervalFactors {
            let interval = setup.expandEvery * factor
            let name = "figure5-expand-every-\(interval)"
            let summary = try runner.search(name, setup.arguments(paperBudget: budget, expandEvery: interval))
            runs.append((sweepLabel(interval, summary), nil, name, summary))
        }
        var table = MarkdownTable(columns: ["Method", "Accuracy (%) paper", "Params paper", "Budget measured", "Accuracy (%) measured",
                                            "Params measured", "Expansions", "Wall time (s, contended)"])
        for run in runs {
            var accuracy = percent(run.summary.testAccuracy)
            if let trials = run.summary.trials {
                accuracy += " (trials " + trials.map { percent($0.testAccuracy) }.joined(separator: ", ") + ")"
            }
            table.append([run.label, cell(run.paperAccuracy, absent: "figure only"), parameterText(budget), parameterText(run.summary.budget),
                          accuracy, String(run.summary.parameterCount), String(run.summary.expansions),
                          cell(run.summary.wallSeconds, decimals: 0)])
        }
        try experiment.finish(
            title: "Figure 5: fixed and random baselines, ILNAS, and the architecture learning rate (1.0M parameters, CIFAR-10)",
            standIns: [Table1Setup.standIn],
            settings: ["every run: `ilnas search " + setup.arguments(paperBudget: budget).joined(separator: " ")
                           + "` plus `--baseline fixed` or `--baseline random --trials 5`; the A_lr sweep changes `--expand-every`",
                       "the ILNAS run with the automatic A_lr is Table 1's \(parameterText(budget)) run (reused when present); "
                           + "the paper does not state Figure 5's epochs, Table 1's are used",
                       "the paper gives Figure 5's curves, not their values: only ILNAS at 1.0M has a number in the text (Table 1)",
                       "A_lr sweep: expansions \(Self.intervalFactors.map { "\($0)x" }.joined(separator: ", ")) as far apart as Table 1's, "
                           + "each with the initial A_lr (cosine decay) ilnas chooses so that the budget is reached when the architecture "
                           + "freezes: larger A_lr, fewer and larger expansions; the figure's values are not in the text"],
            rows: runs.map { ResultRow(label: $0.label, paperAccuracy: $0.paperAccuracy, paperParameters: budget, run: $0.name, summary: $0.summary) },
            table: table,
            notes: ["Paper: ILNAS beats random growth and the fixed network of the same size; smaller A_lr (more, smaller "
                    + "expansions) does better at the cost of training time."])
    }
}

Figure5Baselines.main()
